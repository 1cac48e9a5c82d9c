#include "vm_edit.h"

#include "hypervisor/lazy_virt.h"
#include "lib/outcome.h"
#include <string.h>

#include "lib/strutil.h"

int hv_vm_name_by_uuid(struct hv *h, const char *uuid, char **ret, struct error *e) {
        _cleanup_domain_ virDomainPtr d = virDomainLookupByUUIDString(hv_conn(h), uuid);
        if (!d) {
                int code = hv_last_error_code();
                if (code == VIR_ERR_NO_DOMAIN || code == VIR_ERR_INVALID_ARG || code == VIR_ERR_INTERNAL_ERROR)
                        return error_set(e, -ENOENT, "no VM with UUID '%s'", uuid);
                return hv_error(e, -EIO, "VM %s", uuid);
        }
        const char *name = virDomainGetName(d);
        *ret = name ? strdup(name) : NULL;
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

/* The persistent definition (what the next start uses). */
static int inactive_xml(virDomainPtr d, const char *name, char **ret, struct error *e) {
        *ret = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
        return *ret ? 0 : hv_error(e, -EIO, "VM '%s': cannot read its definition", name);
}

static int redefine(struct hv *h, const char *name, const char *xml, struct error *e) {
        virDomainPtr d = virDomainDefineXML(hv_conn(h), xml);
        if (!d)
                return hv_error(e, -EIO, "VM '%s': libvirt refused the changed definition", name);
        virDomainFree(d);
        return 0;
}

int hv_vm_boot_get(struct hv *h, const char *name, enum hv_boot_dev *ret, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        _cleanup_free_ char *xml = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k >= 0)
                k = inactive_xml(d, name, &xml, e);
        return k < 0 ? k : hv_domain_boot_first(xml, ret, e);
}

int hv_vm_boot_set(struct hv *h, const char *name, enum hv_boot_dev first, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        _cleanup_free_ char *xml = NULL, *changed = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k >= 0)
                k = inactive_xml(d, name, &xml, e);
        if (k >= 0 && (k = hv_domain_set_boot(xml, first, &changed, e)) < 0)
                return error_prefix(e, "VM '%s'", name);
        if (k < 0 || (k = redefine(h, name, changed, e)) < 0)
                return k;
        return OUTCOME_CHANGED;
}

int hv_vm_cdrom_get(struct hv *h, const char *name, char **ret, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        _cleanup_free_ char *xml = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k >= 0)
                k = inactive_xml(d, name, &xml, e);
        return k < 0 ? k : hv_domain_cdrom(xml, ret, e);
}

/* The running guest's CD drive changed in place: 0; *ret_at_next_start when the driver cannot. */
static int cdrom_live(virDomainPtr d, const char *name, const char *iso, bool *ret_at_next_start, struct error *e) {
        _cleanup_free_ char *live = virDomainGetXMLDesc(d, 0), *disk = NULL;
        if (!live)
                return hv_error(e, -EIO, "VM '%s': cannot read its live description", name);
        int k = hv_domain_cdrom_device(live, iso, &disk, e);
        if (k == -ENOENT)          /* a new drive needs the guest off */
                return *ret_at_next_start = true, 0;
        if (k < 0)
                return k;
        if (virDomainUpdateDeviceFlags(d, disk, VIR_DOMAIN_AFFECT_LIVE) == 0)
                return 0;
        int code = hv_last_error_code();
        if (code == VIR_ERR_NO_SUPPORT || code == VIR_ERR_OPERATION_UNSUPPORTED)
                return *ret_at_next_start = true, 0;
        return hv_error(e, -EIO, "VM '%s': cannot change the CD of the running guest", name);
}

int hv_vm_cdrom_set(struct hv *h, const char *name, const char *iso, bool *ret_at_next_start, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        _cleanup_free_ char *xml = NULL, *changed = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k >= 0)
                k = inactive_xml(d, name, &xml, e);
        if (k >= 0 && (k = hv_domain_set_cdrom(xml, iso, &changed, e)) < 0)
                return error_prefix(e, "VM '%s'", name);
        if (k < 0 || (k = redefine(h, name, changed, e)) < 0)
                return k;
        *ret_at_next_start = false;
        if (virDomainIsActive(d) == 1 && (k = cdrom_live(d, name, iso, ret_at_next_start, e)) < 0)
                return k;
        return OUTCOME_CHANGED;
}

int hv_vm_reset(struct hv *h, const char *name, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k < 0)
                return k;
        if (virDomainIsActive(d) != 1)
                return error_set(e, -EINVAL, "VM '%s' is not running: start it instead", name);
        if (virDomainReset(d, 0) < 0)
                return hv_error(e, -EIO, "VM '%s': reset failed", name);
        return OUTCOME_CHANGED;
}

int hv_vm_shutdown_request(struct hv *h, const char *name, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k < 0)
                return k;
        if (virDomainIsActive(d) != 1)
                return OUTCOME_UNCHANGED;
        if (virDomainShutdown(d) < 0 && virDomainIsActive(d) == 1)
                return hv_error(e, -EIO, "VM '%s': ACPI shutdown request failed", name);
        return OUTCOME_CHANGED;
}
