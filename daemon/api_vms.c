/* daemon/api_vms.c: each libvirt domain as a Redfish ComputerSystem
 * (SystemType Virtual, Id = the domain UUID) under /redfish/v1/Systems:
 * PowerState, ComputerSystem.Reset, Boot (the domain's boot order, with an
 * ETag for PATCH) and a VirtualMedia CD (an ISO file on this host). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "daemon.h"
#include "hypervisor/vm.h"
#include "hypervisor/vm_edit.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strutil.h"

#define SYSTEMS "/redfish/v1/Systems"

static const char *const reset_types[] = { "On", "ForceOff", "GracefulShutdown", "ForceRestart", "GracefulRestart" };
/* Redfish's BootSourceOverrideTarget values and the boot devices they are. */
static const struct { const char *target; enum hv_boot_dev dev; } targets[] = {
        { "None", HV_BOOT_NONE }, { "Pxe", HV_BOOT_NETWORK }, { "Cd", HV_BOOT_CDROM }, { "Hdd", HV_BOOT_HD },
};

void api_vms_members(struct hostd *h, json_object *systems) {
        struct hv_vm_info *vms = NULL;
        size_t n = 0;
        struct error e = { 0 };
        if (!h->hv)
                return;
        if (hv_vm_list(h->hv, &vms, &n, &e) < 0) {
                log_warning("Systems: the VMs are left out: %s", e.msg);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *id = strdup_printf(SYSTEMS "/%s", vms[i].uuid);
                if (id)
                        api_collection_add(systems, id);
        }
        hv_vm_info_array_free(vms, n);
}

static const char *power_state(const char *libvirt_state) {
        if (streq(libvirt_state, "running") || streq(libvirt_state, "blocked"))
                return "On";
        if (streq(libvirt_state, "paused"))
                return "Paused";
        if (streq(libvirt_state, "shutting-down"))
                return "PoweringOff";
        return "Off";
}

/* hd first is the normal order: no override. */
static const char *boot_target(enum hv_boot_dev d) {
        return d == HV_BOOT_NETWORK ? "Pxe" : d == HV_BOOT_CDROM ? "Cd" : "None";
}

/* The ETag of the writable part (Boot): FNV-1a of its state. */
static char *boot_etag(enum hv_boot_dev d) {
        uint64_t x = 0xcbf29ce484222325ULL;
        for (const char *s = boot_target(d); *s; s++)
                x = (x ^ (unsigned char)*s) * 0x100000001b3ULL;
        return strdup_printf("\"%016llx\"", (unsigned long long)x);
}

static json_object *strings(const char *const *v, size_t n) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

static json_object *boot_json(enum hv_boot_dev d) {
        static const char *const tv[] = { "None", "Pxe", "Cd", "Hdd" }, *const ev[] = { "Disabled", "Continuous" };
        json_object *b = json_object_new_object();
        json_add_string(b, "BootSourceOverrideTarget", boot_target(d));
        json_add_string(b, "BootSourceOverrideEnabled", streq(boot_target(d), "None") ? "Disabled" : "Continuous");
        json_object_object_add(b, "BootSourceOverrideTarget@Redfish.AllowableValues", strings(tv, ELEMENTSOF(tv)));
        json_object_object_add(b, "BootSourceOverrideEnabled@Redfish.AllowableValues", strings(ev, ELEMENTSOF(ev)));
        return b;
}

static void system_get(struct hostd *h, const char *name, const char *odata, struct api_response *r) {
        struct hv_vm_info vm = { 0 };
        enum hv_boot_dev boot = HV_BOOT_NONE;
        struct error e = { 0 };
        if (hv_vm_show(h->hv, name, &vm, &e) < 0 || hv_vm_boot_get(h->hv, name, &boot, &e) < 0) {
                hv_vm_info_done(&vm);
                return api_error(r, e.code == -ENOENT ? 404 : 500, "GeneralError", "%s", e.msg);
        }
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata);
        json_add_string(o, "@odata.type", "#ComputerSystem.v1_20_0.ComputerSystem");
        json_add_string(o, "Id", vm.uuid);
        json_add_string(o, "Name", vm.name);
        json_add_string(o, "UUID", vm.uuid);
        json_add_string(o, "SystemType", "Virtual");
        json_add_string(o, "PowerState", power_state(vm.state));
        json_object *st = json_object_new_object();
        json_add_string(st, "State", streq(vm.state, "running") ? "Enabled" : "StandbyOffline");
        json_add_string(st, "Health", streq(vm.state, "crashed") ? "Critical" : "OK");
        json_object_object_add(o, "Status", st);
        json_object *mem = json_object_new_object(), *cpu = json_object_new_object();
        json_add_int(mem, "TotalSystemMemoryGiB", (int64_t)(vm.memory >> 30));
        json_object_object_add(o, "MemorySummary", mem);
        json_add_int(cpu, "LogicalProcessorCount", vm.vcpus);
        json_object_object_add(o, "ProcessorSummary", cpu);
        json_object_object_add(o, "Boot", boot_json(boot));
        _cleanup_free_ char *vmedia = strdup_printf("%s/VirtualMedia", odata);
        _cleanup_free_ char *target = strdup_printf("%s/Actions/ComputerSystem.Reset", odata);
        json_object_object_add(o, "VirtualMedia", api_link(vmedia));
        json_object *acts = json_object_new_object(), *reset = json_object_new_object();
        json_add_string(reset, "target", target);
        json_object_object_add(reset, "ResetType@Redfish.AllowableValues", strings(reset_types, ELEMENTSOF(reset_types)));
        json_object_object_add(acts, "#ComputerSystem.Reset", reset);
        json_object_object_add(o, "Actions", acts);
        json_object *oem = json_object_new_object(), *hd = json_object_new_object();
        json_add_string(hd, "LibvirtState", vm.state);
        json_add_string(hd, "@odata.type", API_OEM_TYPE("ComputerSystem"));
        json_object_object_add(oem, "Hostd", hd);
        json_object_object_add(o, "Oem", oem);
        hv_vm_info_done(&vm);
        api_json(r, 200, o);
        r->etag = boot_etag(boot);
}

static void reset(struct hostd *h, const struct api_request *req, const char *name, struct api_response *r) {
        _cleanup_json_ json_object *b = api_body_object(req, r);
        if (!b)
                return;
        const char *type = json_get_string(b, "ResetType");
        if (!type)
                return api_error(r, 400, "ActionParameterMissing", "ComputerSystem.Reset needs the parameter ResetType");
        size_t i = 0;
        while (i < ELEMENTSOF(reset_types) && !streq(reset_types[i], type))
                i++;
        if (i == ELEMENTSOF(reset_types))
                return api_error(r, 400, "ActionParameterValueNotInList",
                                 "ResetType '%.64s' is not one of On, ForceOff, GracefulShutdown, ForceRestart, "
                                 "GracefulRestart", type);
        struct error e = { 0 };
        int k = i == 0 ? hv_vm_start(h->hv, name, &e)
              : i == 1 ? hv_vm_destroy(h->hv, name, &e)
              : i == 2 ? hv_vm_shutdown_request(h->hv, name, &e)
              : i == 3 ? hv_vm_reset(h->hv, name, &e)
                       : hv_vm_reboot(h->hv, name, &e);
        if (k == -EINVAL)
                return api_error(r, 409, "OperationNotAllowed", "%s", e.msg);
        if (k < 0)
                return api_error(r, k == -ENOENT ? 404 : 500, "GeneralError", "%s", e.msg);
        log_info("%s: ComputerSystem.Reset %s on VM %s", req->user ? req->user : "?", type, name);
        r->status = 204;
}

static void boot_patch(struct hostd *h, const struct api_request *req, const char *name, struct api_response *r) {
        _cleanup_json_ json_object *b = api_body_object(req, r);
        if (!b)
                return;
        json_object *boot = NULL;
        json_object_object_foreach(b, key, v) {
                (void)v;
                if (!streq(key, "Boot"))
                        return api_error(r, 400, "PropertyNotWritable", "%.64s cannot be changed here; only Boot", key);
        }
        if (!json_object_object_get_ex(b, "Boot", &boot) || !json_object_is_type(boot, json_type_object))
                return api_error(r, 400, "PropertyMissing", "the body needs a Boot object");
        const char *target = json_get_string(boot, "BootSourceOverrideTarget");
        const char *enabled = json_get_string(boot, "BootSourceOverrideEnabled");
        if (enabled && !streq(enabled, "Disabled") && !streq(enabled, "Continuous"))
                return api_error(r, 400, "PropertyValueNotInList",
                                 "BootSourceOverrideEnabled '%.64s': a VM's boot order holds until changed; "
                                 "use Continuous or Disabled", enabled);
        size_t i = 0;
        while (target && i < ELEMENTSOF(targets) && !streq(targets[i].target, target))
                i++;
        if (target && i == ELEMENTSOF(targets))
                return api_error(r, 400, "PropertyValueNotInList",
                                 "BootSourceOverrideTarget '%.64s' is not None, Pxe, Cd or Hdd", target);
        struct error e = { 0 };
        enum hv_boot_dev now = HV_BOOT_NONE, want = target ? targets[i].dev : HV_BOOT_NONE;
        if (hv_vm_boot_get(h->hv, name, &now, &e) < 0)
                return api_error(r, 500, "GeneralError", "%s", e.msg);
        if (!target && !streq_ptr(enabled, "Disabled"))
                want = now;
        if (streq_ptr(enabled, "Disabled"))
                want = HV_BOOT_NONE;
        _cleanup_free_ char *etag = boot_etag(now);
        if (req->if_match && !streq(req->if_match, "*") && !strstr(req->if_match, etag))
                return api_error(r, 412, "PreconditionFailed",
                                 "the System changed since it was read (ETag %s); GET it again", etag);
        if (hv_vm_boot_set(h->hv, name, want, &e) < 0)
                return api_error(r, e.code == -EINVAL ? 409 : 500, "GeneralError", "%s", e.msg);
        log_info("%s: VM %s boots from %s first", req->user ? req->user : "?", name,
                 hv_boot_dev_to_string(want == HV_BOOT_NONE ? HV_BOOT_HD : want));
        r->status = 204;
        r->etag = boot_etag(want);
}

void api_vms(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        _cleanup_free_ char *name = NULL;
        struct error e = { 0 };
        if (!h->hv)
                return api_not_found(r, req->path);
        int k = hv_vm_name_by_uuid(h->hv, p->segs[1], &name, &e);
        if (k == -ENOENT)
                return api_not_found(r, req->path);
        if (k < 0)
                return api_error(r, 500, "GeneralError", "%s", e.msg);
        _cleanup_free_ char *odata = strdup_printf(SYSTEMS "/%s", p->segs[1]);
        if (p->n == 2 && streq(req->method, "GET"))
                return system_get(h, name, odata, r);
        if (p->n == 2 && streq(req->method, "PATCH"))
                return boot_patch(h, req, name, r);
        if (p->n == 2)
                return api_method_not_allowed(r, "GET, PATCH");
        if (p->n == 4 && streq(p->segs[2], "Actions") && streq(p->segs[3], "ComputerSystem.Reset"))
                return streq(req->method, "POST") ? reset(h, req, name, r) : api_method_not_allowed(r, "POST");
        if (streq(p->segs[2], "VirtualMedia"))
                return api_vmedia(h, req, p, name, r);
        api_not_found(r, req->path);
}
