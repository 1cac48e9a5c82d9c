/* daemon/api_host.c: Systems/host's Processors, Memory, EthernetInterfaces
 * (from os/host_facts.h) and its Reset (os/host_power.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "daemon.h"
#include "events.h"
#include "facts.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "os/host_power.h"

#define PROCESSORS API_HOST "/Processors"
#define MEMORY API_HOST "/Memory"
#define NICS API_HOST "/EthernetInterfaces"
#define RESET API_HOST "/Actions/ComputerSystem.Reset"

/* A new resource object with the members every one has. */
static json_object *resource(const char *collection, const char *id, const char *type, const char *name) {
        _cleanup_free_ char *odata = strdup_printf("%s/%s", collection, id);
        return api_resource(odata, type, id, name);
}

/* Status of a part the kernel uses: enabled; hostd reads no health for it. */
static json_object *status_enabled(void) {
        json_object *st = json_object_new_object();
        json_add_string(st, "State", "Enabled");
        return st;
}

static json_object *processor_json(const struct host_cpu *c) {
        char id[32], socket[40];
        snprintf(id, sizeof id, "CPU%d", c->socket);
        snprintf(socket, sizeof socket, "CPU %d", c->socket);
        json_object *o = resource(PROCESSORS, id, "#Processor.v1_18_4.Processor", socket);
        json_add_string(o, "Socket", socket);
        json_add_string(o, "ProcessorType", "CPU");
        json_add_string(o, "Manufacturer", c->vendor);
        json_add_string(o, "Model", c->model);
        if (c->cores > 0)
                json_add_int(o, "TotalCores", c->cores);
        json_add_int(o, "TotalThreads", c->threads);
        if (c->mhz > 0)
                json_add_int(o, "OperatingSpeedMHz", c->mhz);
        json_object_object_add(o, "Status", status_enabled());
        return o;
}

/* Without SMBIOS (hostd not root, or a VM without it) the one thing known of
 * the memory is the kernel's total: one member says so, with that capacity. */
#define MEMORY_TOTAL_ID "total"

static json_object *dimm_json(const struct host_dimm *d) {
        char id[32];
        snprintf(id, sizeof id, "DIMM%d", d->slot);
        json_object *o = resource(MEMORY, id, "#Memory.v1_19_1.Memory", d->locator ? d->locator : id);
        json_add_string(o, "MemoryType", "DRAM");
        if (d->type)
                json_add_string(o, "MemoryDeviceType", d->type);
        json_add_int(o, "CapacityMiB", d->size_mib);
        json_add_string(o, "Manufacturer", d->manufacturer);
        json_add_string(o, "SerialNumber", d->serial);
        json_add_string(o, "PartNumber", d->part_number);
        json_add_string(o, "DeviceLocator", d->locator);
        if (d->speed_mts)
                json_add_int(o, "OperatingSpeedMhz", d->speed_mts);
        json_object_object_add(o, "Status", status_enabled());
        return o;
}

static json_object *memory_total_json(const struct host_facts *f) {
        json_object *o = resource(MEMORY, MEMORY_TOTAL_ID, "#Memory.v1_19_1.Memory", "System memory");
        json_add_string(o, "Description",
                        "the memory the kernel manages (MemTotal): the DIMMs are not readable here "
                        "(SMBIOS needs root)");
        json_add_string(o, "MemoryType", "DRAM");
        json_add_int(o, "CapacityMiB", (int64_t)(f->mem_total_kib / 1024));
        json_object_object_add(o, "Status", status_enabled());
        return o;
}

static json_object *nic_json(const struct host_nic *n) {
        json_object *o = resource(NICS, n->name, "#EthernetInterface.v1_12_4.EthernetInterface", n->name);
        json_add_string(o, "Description", "a network device of the host");
        json_add_string(o, "MACAddress", n->mac);
        if (n->speed_mbps > 0)
                json_add_int(o, "SpeedMbps", n->speed_mbps);
        if (n->mtu > 0)
                json_add_int(o, "MTUSize", n->mtu);
        json_add_string(o, "LinkStatus", n->link_up ? "LinkUp" : "LinkDown");
        json_add_bool(o, "InterfaceEnabled", true);
        json_object_object_add(o, "Status", status_enabled());
        return o;
}

/* GET of a collection (p->n == 3) or one member (p->n == 4): members[i]
 * is the i-th member; the caller frees them. */
static void serve(const struct api_request *req, const struct api_path *p, const char *odata, const char *type,
                  const char *name, json_object **members, size_t n, struct api_response *r) {
        if (p->n == 3) {
                json_object *c = api_collection(odata, type, name);
                for (size_t i = 0; i < n; i++)
                        api_collection_add(c, json_get_string(members[i], "@odata.id"));
                return api_json(r, 200, c);
        }
        for (size_t i = 0; i < n; i++)
                if (streq_ptr(json_get_string(members[i], "Id"), p->segs[3])) {
                        api_json(r, 200, members[i]);
                        members[i] = NULL;
                        return;
                }
        api_not_found(r, req->path);
}

static void members_free(json_object **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                json_object_put(v[i]);
        free(v);
}

static void inventory(struct hostd *h, const struct api_request *req, const struct api_path *p,
                      struct api_response *r) {
        const struct host_facts *f = daemon_host_facts(req->cfg);
        const char *what = p->segs[2];
        json_object **v = NULL;
        size_t n = 0;
        struct host_nic *nics = NULL;
        size_t n_nics = 0;
        struct error e = { 0 };
        if (streq(what, "Processors")) {
                v = calloc(f->n_cpus + 1, sizeof *v);
                for (size_t i = 0; v && i < f->n_cpus; i++)
                        v[n++] = processor_json(&f->cpus[i]);
        } else if (streq(what, "Memory")) {
                v = calloc(f->n_dimms + 1, sizeof *v);
                for (size_t i = 0; v && i < f->n_dimms; i++)
                        v[n++] = dimm_json(&f->dimms[i]);
                if (v && n == 0 && f->mem_total_kib)
                        v[n++] = memory_total_json(f);
        } else {
                if (host_nics_read(daemon_facts_root(req->cfg), &nics, &n_nics, &e) < 0)
                        return api_error(r, 500, "InternalError", "%s", e.msg);
                v = calloc(n_nics + 1, sizeof *v);
                for (size_t i = 0; v && i < n_nics; i++)
                        v[n++] = nic_json(&nics[i]);
                host_nics_free(nics, n_nics);
        }
        if (!v)
                return api_error(r, 500, "InternalError", "out of memory");
        if (streq(what, "Processors"))
                serve(req, p, PROCESSORS, "#ProcessorCollection.ProcessorCollection", "Processors", v, n, r);
        else if (streq(what, "Memory"))
                serve(req, p, MEMORY, "#MemoryCollection.MemoryCollection", "Memory", v, n, r);
        else
                serve(req, p, NICS, "#EthernetInterfaceCollection.EthernetInterfaceCollection",
                      "Ethernet Interfaces", v, n, r);
        members_free(v, n);
}

json_object *api_host_actions_json(void) {
        json_object *acts = json_object_new_object(), *reset = json_object_new_object(),
                    *values = json_object_new_array();
        json_add_string(reset, "target", RESET);
        for (int i = 0; i < _HOST_RESET_MAX; i++)
                json_object_array_add(values, json_object_new_string(host_reset_name((enum host_reset)i)));
        json_object_object_add(reset, "ResetType@Redfish.AllowableValues", values);
        json_object_object_add(acts, "#ComputerSystem.Reset", reset);
        return acts;
}

/* The test seam (host_reset_record): the request is appended to a file. */
static int reset_record(const char *path, enum host_reset t, const char *user, struct error *e) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_set(e, -errno, "cannot record the reset in %s: %s", path, strerror(errno));
        _cleanup_free_ char *line = strdup_printf("%s %s\n", host_reset_name(t), user ? user : "-");
        ssize_t w = line ? write(fd, line, strlen(line)) : -1;
        close(fd);
        return w < 0 || (size_t)w != strlen(line) ? error_set(e, -EIO, "cannot record the reset in %s", path) : 0;
}

static void reset(struct hostd *h, const struct api_request *req, struct api_response *r) {
        _cleanup_json_ json_object *b = api_body_object(req, r);
        if (!b)
                return;
        json_object *v = NULL;
        if (!json_object_object_get_ex(b, "ResetType", &v))
                return api_error(r, 400, "PropertyMissing", "The property ResetType is a required property");
        enum host_reset t;
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        if (host_reset_from_name(s, &t) < 0)
                return api_error(r, 400, "PropertyValueNotInList",
                                 "The value '%.64s' for the property ResetType is not in the list of acceptable "
                                 "values (GracefulRestart, GracefulShutdown)",
                                 json_object_get_string(v));
        struct error e = { 0 };
        const char *record = req->cfg->host_reset_record;
        int k = record ? reset_record(record, t, req->user, &e) : host_reset(t, &e);
        if (k < 0)
                return api_error(r, 500, "InternalError", "%s", e.msg);
        events_emit(h->events, "HostReset", "Warning", API_HOST, "%s of the host requested by %s%s",
                    host_reset_name(t), req->user, record ? " (recorded, not carried out)" : "");
        r->status = 204;
}

void api_host(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        if (p->n == 4 && streq(p->segs[2], "Actions")) {
                if (!streq(p->segs[3], "ComputerSystem.Reset"))
                        return api_not_found(r, req->path);
                if (!streq(req->method, "POST"))
                        return api_method_not_allowed(r, "POST");
                return reset(h, req, r);
        }
        if (p->n > 4 || streq(p->segs[2], "Actions"))
                return api_not_found(r, req->path);
        if (!streq(req->method, "GET"))
                return api_method_not_allowed(r, "GET");
        inventory(h, req, p, r);
}
