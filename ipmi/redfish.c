#include "redfish.h"

#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"
#include "redfish_http.h"
#include "redfish_json.h"

#define RF_ROOT "/redfish/v1"          /* the one path the standard fixes */
#define RF_MAX_PAGES 64

struct rf_driver {
        struct rf_client *c;
        char *system, *manager;        /* @odata.id of each */
};

static struct rf_driver *drv(struct bmc *b) {
        return b->driver;
}

static int bad_service(struct bmc *b, const char *what, struct error *e) {
        return error_set(e, -EBADMSG, "BMC %s: the Redfish service shows no %s", b->cfg->name, what);
}

/* GET path and the member of the collection it is that is want (NULL: the first). */
static int pick_member(struct bmc *b, const char *path, const char *want, char **ret, struct error *e) {
        _cleanup_json_ json_object *coll = NULL;
        _cleanup_strv_free_ char **m = NULL;
        int k = rf_get(drv(b)->c, path, &coll, NULL, e);
        if (k < 0)
                return k;
        if (rf_members(coll, &m) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        if (!m[0])
                return error_set(e, -ENOENT, "BMC %s: %s has no members", b->cfg->name, path);
        const char *pick = rf_member_pick(m, want);
        if (!pick)
                return error_set(e, -ENOENT, "BMC %s: %s has no member '%s'", b->cfg->name, path, want);
        *ret = strdup(pick);
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

static int get_system(struct bmc *b, json_object **ret, char **ret_etag, struct error *e) {
        return rf_get(drv(b)->c, drv(b)->system, ret, ret_etag, e);
}

static int rf_power_get(struct bmc *b, enum bmc_power *ret, struct error *e) {
        _cleanup_json_ json_object *s = NULL;
        int k = get_system(b, &s, NULL, e);
        if (k < 0)
                return k;
        if (rf_power_state(s, ret) < 0)
                return bad_service(b, "PowerState for the system", e);
        return 0;
}

static int rf_power_do(struct bmc *b, enum bmc_power_action a, struct error *e) {
        static const char *const types[][2] = {
                [BMC_ACTION_ON] = { "On", "ForceOn" },           [BMC_ACTION_OFF] = { "ForceOff", NULL },
                [BMC_ACTION_SHUTDOWN] = { "GracefulShutdown", NULL }, [BMC_ACTION_CYCLE] = { "PowerCycle", "ForceRestart" },
                [BMC_ACTION_RESET] = { "ForceRestart", NULL },
        };
        _cleanup_json_ json_object *s = NULL;
        int k = get_system(b, &s, NULL, e);
        if (k < 0)
                return k;
        const char *target = rf_action_target(s, "#ComputerSystem.Reset");
        if (!target)
                return bad_service(b, "#ComputerSystem.Reset action", e);
        const char *type = types[a][0];
        if (!rf_action_allows(s, "#ComputerSystem.Reset", "ResetType", type) && types[a][1])
                type = types[a][1];
        if (!rf_action_allows(s, "#ComputerSystem.Reset", "ResetType", type))
                return error_set(e, -EOPNOTSUPP, "BMC %s: the system does not allow ResetType %s", b->cfg->name, type);
        _cleanup_json_ json_object *body = json_object_new_object();
        json_add_string(body, "ResetType", type);
        return rf_post_action(drv(b)->c, target, body, e);
}

static int rf_boot_set(struct bmc *b, const struct bmc_boot *boot, struct error *e) {
        static const char *const targets[] = {
                [BMC_BOOT_NONE] = "None", [BMC_BOOT_PXE] = "Pxe", [BMC_BOOT_CD] = "Cd",
                [BMC_BOOT_HDD] = "Hdd", [BMC_BOOT_BIOS] = "BiosSetup",
        };
        _cleanup_json_ json_object *body = json_object_new_object(), *bo = json_object_new_object();
        json_add_string(bo, "BootSourceOverrideTarget", targets[boot->target]);
        json_add_string(bo, "BootSourceOverrideEnabled",
                        boot->target == BMC_BOOT_NONE ? "Disabled" : boot->persistent ? "Continuous" : "Once");
        if (boot->target != BMC_BOOT_NONE)
                json_add_string(bo, "BootSourceOverrideMode", boot->legacy ? "Legacy" : "UEFI");
        json_object_object_add(body, "Boot", json_object_get(bo));
        return rf_patch(drv(b)->c, drv(b)->system, body, e);
}

/* The CD/DVD virtual media: under the System (newer BMCs) or the Manager (iDRAC 8). */
static int find_vmedia(struct bmc *b, char **ret_path, json_object **ret, struct error *e) {
        struct rf_driver *d = drv(b);
        _cleanup_json_ json_object *s = NULL, *m = NULL, *coll = NULL;
        int k = get_system(b, &s, NULL, e);
        if (k < 0)
                return k;
        const char *link = rf_link(s, "VirtualMedia");
        if (!link && d->manager) {
                if ((k = rf_get(d->c, d->manager, &m, NULL, e)) < 0)
                        return k;
                link = rf_link(m, "VirtualMedia");
        }
        if (!link)
                return bad_service(b, "VirtualMedia under the system or its manager", e);
        _cleanup_strv_free_ char **members = NULL;
        if ((k = rf_get(d->c, link, &coll, NULL, e)) < 0)
                return k;
        if (rf_members(coll, &members) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        for (char **p = members; *p; p++) {
                json_object *v = NULL;
                if ((k = rf_get(d->c, *p, &v, NULL, e)) < 0)
                        return k;
                if (rf_vmedia_is_cd(v) || !p[1]) {
                        *ret_path = strdup(*p);
                        *ret = v;
                        return *ret_path ? 0 : error_set(e, -ENOMEM, "out of memory");
                }
                json_object_put(v);
        }
        return bad_service(b, "virtual media device", e);
}

static int rf_vmedia_eject(struct bmc *b, struct error *e) {
        _cleanup_free_ char *path = NULL;
        _cleanup_json_ json_object *v = NULL;
        _cleanup_(bmc_vmedia_done) struct bmc_vmedia st = { 0 };
        int k = find_vmedia(b, &path, &v, e);
        if (k < 0)
                return k;
        if (rf_read_vmedia(v, &st) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        if (!st.inserted)
                return 0;
        _cleanup_json_ json_object *body = json_object_new_object();
        const char *target = rf_action_target(v, "#VirtualMedia.EjectMedia");
        if (target)
                return rf_post_action(drv(b)->c, target, body, e);
        json_object_object_add(body, "Image", NULL);
        json_add_bool(body, "Inserted", false);
        return rf_patch(drv(b)->c, path, body, e);
}

static int rf_vmedia_insert(struct bmc *b, const char *url, struct error *e) {
        _cleanup_free_ char *path = NULL;
        _cleanup_json_ json_object *v = NULL;
        _cleanup_(bmc_vmedia_done) struct bmc_vmedia st = { 0 };
        int k = find_vmedia(b, &path, &v, e);
        if (k < 0)
                return k;
        if (rf_read_vmedia(v, &st) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        if (st.inserted && streq(st.image, url))
                return 0;
        if (st.inserted && (k = rf_vmedia_eject(b, e)) < 0)
                return k;
        _cleanup_json_ json_object *body = json_object_new_object();
        json_add_string(body, "Image", url);
        json_add_bool(body, "Inserted", true);
        json_add_bool(body, "WriteProtected", true);
        const char *target = rf_action_target(v, "#VirtualMedia.InsertMedia");
        if (target)
                return rf_post_action(drv(b)->c, target, body, e);
        return rf_patch(drv(b)->c, path, body, e);
}

static int rf_vmedia_status(struct bmc *b, struct bmc_vmedia *ret, struct error *e) {
        _cleanup_free_ char *path = NULL;
        _cleanup_json_ json_object *v = NULL;
        int k = find_vmedia(b, &path, &v, e);
        if (k < 0)
                return k;
        return rf_read_vmedia(v, ret) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}

/* GET each member of the collection at link and hand it to fn. */
static int each_member(struct bmc *b, const char *link, int (*fn)(json_object *o, struct bmc_inventory *inv),
                       struct bmc_inventory *inv, struct error *e) {
        _cleanup_json_ json_object *coll = NULL;
        _cleanup_strv_free_ char **m = NULL;
        if (!link)
                return 0;
        int k = rf_get(drv(b)->c, link, &coll, NULL, e);
        if (k < 0)
                return k;
        if (rf_members(coll, &m) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        for (char **p = m; *p; p++) {
                _cleanup_json_ json_object *o = NULL;
                if ((k = rf_get(drv(b)->c, *p, &o, NULL, e)) < 0)
                        return k;
                if (fn(o, inv) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        return 0;
}

static int read_storage(struct bmc *b, const char *link, struct bmc_inventory *inv, struct error *e) {
        _cleanup_json_ json_object *coll = NULL;
        _cleanup_strv_free_ char **m = NULL;
        int k = rf_get(drv(b)->c, link, &coll, NULL, e);
        if (k < 0)
                return k;
        if (rf_members(coll, &m) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        for (char **p = m; *p; p++) {
                _cleanup_json_ json_object *st = NULL;
                _cleanup_strv_free_ char **drives = NULL;
                if ((k = rf_get(drv(b)->c, *p, &st, NULL, e)) < 0)
                        return k;
                if (rf_read_storage(st, inv, &drives) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
                for (char **d = drives; d && *d; d++) {
                        _cleanup_json_ json_object *o = NULL;
                        if ((k = rf_get(drv(b)->c, *d, &o, NULL, e)) < 0)
                                return k;
                        if (rf_read_drive(o, inv) < 0)
                                return error_set(e, -ENOMEM, "out of memory");
                }
        }
        return 0;
}

static int rf_inventory(struct bmc *b, struct bmc_inventory *ret, struct error *e) {
        _cleanup_json_ json_object *s = NULL, *m = NULL;
        _cleanup_(bmc_inventory_done) struct bmc_inventory inv = { .cpu_count = -1 };
        int k = get_system(b, &s, NULL, e);
        if (k < 0)
                return k;
        if (rf_read_system(s, &inv) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        if ((k = each_member(b, rf_link(s, "Processors"), rf_read_processor, &inv, e)) < 0 ||
            (k = each_member(b, rf_link(s, "EthernetInterfaces"), rf_read_nic, &inv, e)) < 0)
                return k;
        if (rf_link(s, "Storage"))
                k = read_storage(b, rf_link(s, "Storage"), &inv, e);
        else
                k = each_member(b, rf_link(s, "SimpleStorage"), rf_read_simple_storage, &inv, e);
        if (k < 0)
                return k;
        if (drv(b)->manager && rf_get(drv(b)->c, drv(b)->manager, &m, NULL, e) >= 0) {
                const char *fw = json_get_string(m, "FirmwareVersion");
                if (fw && !(inv.bmc_firmware = strdup(fw)))
                        return error_set(e, -ENOMEM, "out of memory");
        }
        *ret = inv;
        inv = (struct bmc_inventory){ 0 };
        return 0;
}

/* The event log: a LogService called Sel/SEL (iDRAC: under the Manager), else
 * one that says LogEntryType SEL, else the system's first. */
static int find_log(struct bmc *b, json_object **ret, struct error *e) {
        struct rf_driver *d = drv(b);
        const char *owners[2] = { d->system, d->manager };
        _cleanup_strv_free_ char **all = NULL;
        for (size_t i = 0; i < 2; i++) {
                _cleanup_json_ json_object *o = NULL, *coll = NULL;
                _cleanup_strv_free_ char **m = NULL;
                if (!owners[i] || rf_get(d->c, owners[i], &o, NULL, e) < 0 || !rf_link(o, "LogServices"))
                        continue;
                if (rf_get(d->c, rf_link(o, "LogServices"), &coll, NULL, e) < 0)
                        continue;
                if (rf_members(coll, &m) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
                for (char **p = m; *p; p++)
                        if (strv_push(&all, *p) < 0)
                                return error_set(e, -ENOMEM, "out of memory");
        }
        json_object *fallback = NULL;
        for (char **p = all; p && *p; p++) {
                json_object *o = NULL;
                if (rf_get(d->c, *p, &o, NULL, e) < 0)
                        continue;
                const char *id = json_get_string(o, "Id");
                if (strcasestr(id ? id : "", "sel") || streq(json_get_string(o, "LogEntryType"), "SEL")) {
                        json_object_put(fallback);
                        *ret = o;
                        return 0;
                }
                if (!fallback)
                        fallback = o;
                else
                        json_object_put(o);
        }
        if (!fallback)
                return bad_service(b, "LogService under the system or its manager", e);
        *ret = fallback;
        return 0;
}

static int rf_sel_read(struct bmc *b, struct bmc_sel *ret, struct error *e) {
        _cleanup_json_ json_object *log = NULL;
        _cleanup_(bmc_sel_done) struct bmc_sel sel = { 0 };
        int k = find_log(b, &log, e);
        if (k < 0)
                return k;
        _cleanup_free_ char *page = rf_link(log, "Entries") ? strdup(rf_link(log, "Entries")) : NULL;
        if (!page)
                return bad_service(b, "Entries in the log service", e);
        for (int n = 0; page && n < RF_MAX_PAGES; n++) {
                _cleanup_json_ json_object *coll = NULL;
                if ((k = rf_get(drv(b)->c, page, &coll, NULL, e)) < 0)
                        return k;
                json_object *m;
                if (json_object_object_get_ex(coll, "Members", &m) && json_object_is_type(m, json_type_array))
                        for (size_t i = 0; i < json_object_array_length(m); i++) {
                                json_object *x = json_object_array_get_idx(m, i);
                                _cleanup_json_ json_object *full = NULL;
                                if (!json_get_string(x, "Id") && json_get_string(x, "@odata.id")) {
                                        if ((k = rf_get(drv(b)->c, json_get_string(x, "@odata.id"), &full, NULL, e)) < 0)
                                                return k;
                                        x = full;
                                }
                                if (rf_read_log_entry(x, &sel) < 0)
                                        return error_set(e, -ENOMEM, "out of memory");
                        }
                const char *next = json_get_string(coll, "@odata.nextLink");
                free(page);
                page = next ? strdup(next) : NULL;
        }
        *ret = sel;
        sel = (struct bmc_sel){ 0 };
        return 0;
}

static int rf_sel_clear(struct bmc *b, struct error *e) {
        _cleanup_json_ json_object *log = NULL;
        int k = find_log(b, &log, e);
        if (k < 0)
                return k;
        const char *target = rf_action_target(log, "#LogService.ClearLog");
        if (!target)
                return bad_service(b, "#LogService.ClearLog action", e);
        _cleanup_json_ json_object *body = json_object_new_object();
        return rf_post_action(drv(b)->c, target, body, e);
}

static int rf_identify(struct bmc *b, bool on, struct error *e) {
        _cleanup_json_ json_object *s = NULL, *body = json_object_new_object();
        int k = get_system(b, &s, NULL, e);
        if (k < 0)
                return k;
        json_object *v;
        if (json_object_object_get_ex(s, "LocationIndicatorActive", &v))
                json_add_bool(body, "LocationIndicatorActive", on);
        else
                json_add_string(body, "IndicatorLED", on ? "Lit" : "Off");
        return rf_patch(drv(b)->c, drv(b)->system, body, e);
}

static void rf_close(struct bmc *b) {
        struct rf_driver *d = drv(b);
        if (!d)
                return;
        rf_client_free(d->c);          /* deletes the session */
        free(d->system);
        free(d->manager);
        free(d);
        b->driver = NULL;
}

static const struct bmc_ops redfish_ops = {
        .power_get = rf_power_get,
        .power_do = rf_power_do,
        .boot_set = rf_boot_set,
        .vmedia_insert = rf_vmedia_insert,
        .vmedia_eject = rf_vmedia_eject,
        .vmedia_status = rf_vmedia_status,
        .inventory = rf_inventory,
        .sel_read = rf_sel_read,
        .sel_clear = rf_sel_clear,
        .identify = rf_identify,
        .close = rf_close,
};

int redfish_open(struct bmc *b, struct error *e) {
        struct rf_driver *d = calloc(1, sizeof *d);
        if (!d)
                return error_set(e, -ENOMEM, "out of memory");
        b->driver = d;
        b->ops = &redfish_ops;
        int k = rf_client_new(b->cfg, &d->c, e);
        _cleanup_json_ json_object *root = NULL, *sys = NULL;
        if (k >= 0)
                k = rf_get(d->c, RF_ROOT, &root, NULL, e);
        if (k >= 0 && b->cfg->auth == BMC_AUTH_SESSION) {
                const char *sessions = rf_links_first(root, "Sessions");
                if (!sessions)
                        k = bad_service(b, "Links.Sessions (use auth: basic)", e);
                else
                        k = rf_login(d->c, sessions, e);
        }
        if (k >= 0 && !rf_link(root, "Systems"))
                k = bad_service(b, "Systems", e);
        if (k >= 0)
                k = pick_member(b, rf_link(root, "Systems"), b->cfg->system, &d->system, e);
        if (k >= 0)
                k = rf_get(d->c, d->system, &sys, NULL, e);
        if (k >= 0) {
                const char *m = rf_links_first(sys, "ManagedBy");
                if (m)
                        d->manager = strdup(m);
                else if (rf_link(root, "Managers"))
                        pick_member(b, rf_link(root, "Managers"), NULL, &d->manager, e);
        }
        if (k < 0) {
                rf_close(b);           /* logs out if the login worked */
                b->ops = NULL;
        }
        return k;
}
