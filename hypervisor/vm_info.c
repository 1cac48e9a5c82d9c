/* hv_vm_list and hv_vm_show: what libvirt knows about each VM. */
#include "hypervisor/lazy_virt.h"
#include <string.h>

#include "hypervisor/vm.h"
#include "hypervisor/xml.h"
#include "lib/strutil.h"

void hv_vm_info_done(struct hv_vm_info *i) {
        free(i->name);
        free(i->uuid);
        free(i->virt_type);
        free(i->console_log);
        strv_free(i->volumes);
        *i = (struct hv_vm_info) { 0 };
}

void hv_vm_info_array_free(struct hv_vm_info *a, size_t n) {
        for (size_t i = 0; a && i < n; i++)
                hv_vm_info_done(&a[i]);
        free(a);
}

static const char *state_name(int s) {
        switch (s) {
        case VIR_DOMAIN_RUNNING: return "running";
        case VIR_DOMAIN_BLOCKED: return "blocked";
        case VIR_DOMAIN_PAUSED: return "paused";
        case VIR_DOMAIN_SHUTDOWN: return "shutting-down";
        case VIR_DOMAIN_SHUTOFF: return "shutoff";
        case VIR_DOMAIN_CRASHED: return "crashed";
        case VIR_DOMAIN_PMSUSPENDED: return "suspended";
        default: return "unknown";
        }
}

static int describe(virDomainPtr d, struct hv_vm_info *ret, struct error *e) {
        struct hv_vm_info i = { .name = strdup(virDomainGetName(d)), .id = -1 };
        char uuid[VIR_UUID_STRING_BUFLEN];
        virDomainInfo di;
        int autostart = 0;
        if (virDomainGetUUIDString(d, uuid) < 0 || virDomainGetInfo(d, &di) < 0) {
                hv_vm_info_done(&i);
                return hv_error(e, -EIO, "VM '%s'", virDomainGetName(d));
        }
        i.uuid = strdup(uuid);
        i.state = state_name(di.state);
        i.vcpus = di.nrVirtCpu;
        i.memory = (uint64_t)di.maxMem * 1024;
        if (virDomainIsActive(d) == 1)
                i.id = (int)virDomainGetID(d);
        i.autostart = virDomainGetAutostart(d, &autostart) == 0 && autostart;
        i.persistent = virDomainIsPersistent(d) == 1;
        _cleanup_free_ char *xml = virDomainGetXMLDesc(d, 0);
        _cleanup_(vm_xml_info_done) struct vm_xml_info x = { 0 };
        int k = xml ? vm_xml_parse(xml, &x, e) : hv_error(e, -EIO, "VM '%s'", i.name);
        for (size_t n = 0; k >= 0 && x.vol_names && x.vol_names[n]; n++)
                k = strv_push_printf(&i.volumes, "%s/%s", x.vol_pools[n], x.vol_names[n]);
        for (size_t n = 0; k >= 0 && x.files && x.files[n]; n++)
                k = strv_push(&i.volumes, x.files[n]);
        if (k < 0 || !i.name || !i.uuid) {
                hv_vm_info_done(&i);
                return k < 0 && e->code ? k : error_set(e, -ENOMEM, "out of memory");
        }
        i.console_log = TAKE_PTR(x.console_log);
        i.virt_type = TAKE_PTR(x.virt_type);
        *ret = i;
        return 0;
}

static int by_name(const void *a, const void *b) {
        return strcmp(((const struct hv_vm_info *)a)->name, ((const struct hv_vm_info *)b)->name);
}

int hv_vm_list(struct hv *h, struct hv_vm_info **ret, size_t *ret_n, struct error *e) {
        virDomainPtr *doms = NULL;
        int n = virConnectListAllDomains(hv_conn(h), &doms, 0);
        if (n < 0)
                return hv_error(e, -EIO, "cannot list VMs on %s", hv_cfg(h)->uri);
        struct hv_vm_info *a = calloc((size_t)n + 1, sizeof *a);
        size_t got = 0;
        int k = a ? 0 : error_set(e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                if (k >= 0) {
                        k = describe(doms[i], &a[got], e);
                        /* a VM that vanished between list and describe is not an error */
                        if (k < 0 && hv_last_error_code() == VIR_ERR_NO_DOMAIN)
                                k = 0, error_clear(e);
                        else if (k >= 0)
                                got++;
                }
                virDomainFree(doms[i]);
        }
        free(doms);
        if (k < 0) {
                hv_vm_info_array_free(a, got);
                return k;
        }
        qsort(a, got, sizeof *a, by_name);
        *ret = a;
        *ret_n = got;
        return 0;
}

int hv_vm_show(struct hv *h, const char *name, struct hv_vm_info *ret, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        return k < 0 ? k : describe(d, ret, e);
}
