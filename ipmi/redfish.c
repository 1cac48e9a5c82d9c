#include "redfish.h"

#include <string.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/strutil.h"
#include "redfish_driver.h"
#include "redfish_http.h"
#include "redfish_json.h"

#define RF_ROOT "/redfish/v1"          /* the one path the standard fixes */
#define RF_MAX_PAGES 64

int rf_bad_service(struct bmc *b, const char *what, struct error *e) {
        return error_set(e, -EBADMSG, "BMC %s: the Redfish service shows no %s", b->cfg->name, what);
}

int rf_oom(struct error *e) {
        return error_set(e, -ENOMEM, "out of memory");
}

/* fn(member as listed, which may be only its @odata.id) for each member of
 * the collection at first, page after page. Stops at a page seen before (its
 * link, or a first member already listed: a service whose next page is the
 * first again) and after RF_MAX_PAGES; *ret_cut (may be NULL) then says why. */
static int each_listed(struct bmc *b, const char *first, int (*fn)(json_object *m, void *u), void *u, char **ret_cut,
                       struct error *e) {
        _cleanup_strv_free_ char **pages = NULL, **listed = NULL;
        _cleanup_free_ char *page = strdup(first), *cut = NULL;
        if (!page)
                return rf_oom(e);
        for (int n = 0; page && !cut; n++) {
                _cleanup_json_ json_object *coll = NULL;
                if (n == RF_MAX_PAGES || strv_contains(pages, page)) {
                        cut = n == RF_MAX_PAGES ? strdup_printf("%s has more than %d pages", first, RF_MAX_PAGES)
                                                : strdup_printf("the service linked %s again", page);
                        break;
                }
                if (strv_push(&pages, page) < 0)
                        return rf_oom(e);
                int k = rf_get(drv(b)->c, page, &coll, NULL, e);
                if (k < 0)
                        return k;
                json_object *m = NULL;
                if (!json_object_object_get_ex(coll, "Members", &m) || !json_object_is_type(m, json_type_array))
                        m = NULL;
                for (size_t i = 0; m && i < json_object_array_length(m); i++) {
                        json_object *x = json_object_array_get_idx(m, i);
                        const char *id = json_get_string(x, "@odata.id");
                        if (i == 0 && id && strv_contains(listed, id)) {
                                cut = strdup_printf("the page %s repeats members already listed", page);
                                break;
                        }
                        if ((id && strv_push(&listed, id) < 0) || fn(x, u) < 0)
                                return rf_oom(e);
                }
                const char *next = cut ? NULL : rf_next_page(coll);
                free(page);
                page = next ? strdup(next) : NULL;
                if (next && !page)
                        return rf_oom(e);
        }
        if (cut && !ret_cut)
                log_debug("BMC %s: %s: the list is cut: %s", b->cfg->name, first, cut);
        if (ret_cut)
                *ret_cut = TAKE_PTR(cut);
        return 0;
}

static int push_link(json_object *m, void *u) {
        const char *id = json_get_string(m, "@odata.id");
        return id ? strv_push(u, id) : 0;
}

/* The @odata.id of each member of the collection at path, all pages. */
int rf_collect_members(struct bmc *b, const char *path, char ***ret, struct error *e) {
        _cleanup_strv_free_ char **m = calloc(1, sizeof(char *));
        if (!m)
                return rf_oom(e);
        int k = each_listed(b, path, push_link, &m, NULL, e);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(m);
        return 0;
}

/* GET path and the member of the collection it is that is want (NULL: the first). */
static int pick_member(struct bmc *b, const char *path, const char *want, char **ret, struct error *e) {
        _cleanup_strv_free_ char **m = NULL;
        int k = rf_collect_members(b, path, &m, e);
        if (k < 0)
                return k;
        if (!m[0])
                return error_set(e, -ENOENT, "BMC %s: %s has no members", b->cfg->name, path);
        const char *pick = rf_member_pick(m, want);
        if (!pick)
                return error_set(e, -ENOENT, "BMC %s: %s has no member '%s'", b->cfg->name, path, want);
        *ret = strdup(pick);
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

int rf_get_system(struct bmc *b, json_object **ret, char **ret_etag, struct error *e) {
        return rf_get(drv(b)->c, drv(b)->system, ret, ret_etag, e);
}

static int rf_power_get(struct bmc *b, enum bmc_power *ret, struct error *e) {
        _cleanup_json_ json_object *s = NULL;
        int k = rf_get_system(b, &s, NULL, e);
        if (k < 0)
                return k;
        if (rf_power_state(s, ret) < 0)
                return rf_bad_service(b, "PowerState for the system", e);
        return 0;
}

static int post_reset(struct bmc *b, const char *target, const char *type, struct error *e) {
        _cleanup_json_ json_object *body = json_object_new_object();
        json_add_string(body, "ResetType", type);
        return rf_post_action(drv(b)->c, target, body, e);
}

/* The first of the ResetTypes the system allows (all when it lists none). */
static const char *first_allowed(json_object *s, const char *const *types) {
        for (; *types; types++)
                if (rf_action_allows(s, "#ComputerSystem.Reset", "ResetType", *types))
                        return *types;
        return NULL;
}

static int rf_power_do(struct bmc *b, enum bmc_power_action a, const char **ret_how, struct error *e) {
        static const char *const types[][3] = {
                [BMC_ACTION_ON] = { "On", "ForceOn", NULL },     [BMC_ACTION_OFF] = { "ForceOff", NULL },
                [BMC_ACTION_SHUTDOWN] = { "GracefulShutdown", NULL },
                [BMC_ACTION_CYCLE] = { "ForceRestart", "GracefulRestart", NULL },
                [BMC_ACTION_RESET] = { "ForceRestart", NULL },
        };
        _cleanup_json_ json_object *s = NULL;
        int k = rf_get_system(b, &s, NULL, e);
        if (k < 0)
                return k;
        const char *target = rf_action_target(s, "#ComputerSystem.Reset");
        if (!target)
                return rf_bad_service(b, "#ComputerSystem.Reset action", e);
        const char *type = first_allowed(s, types[a]);
        if (!type && a == BMC_ACTION_CYCLE && rf_action_allows(s, "#ComputerSystem.Reset", "ResetType", "ForceOff") &&
            rf_action_allows(s, "#ComputerSystem.Reset", "ResetType", "On")) {
                /* no restart of any kind: off, wait, on */
                enum bmc_power now;
                *ret_how = "ForceOff, then On";
                if ((k = post_reset(b, target, "ForceOff", e)) < 0 && k != BMC_UNCONFIRMED)
                        return k;
                if ((k = bmc_power_wait(b, BMC_POWER_OFF, &now, e)) < 0)
                        return error_prefix(e, "BMC %s: power cycle: ForceOff sent, but", b->cfg->name);
                return post_reset(b, target, "On", e);
        }
        if (!type)
                return error_set(e, -EOPNOTSUPP, "BMC %s: the system allows none of the ResetTypes for power %s (%s%s%s)",
                                 b->cfg->name, bmc_action_to_string(a), types[a][0], types[a][1] ? ", " : "",
                                 types[a][1] ? types[a][1] : "");
        *ret_how = type;
        return post_reset(b, target, type, e);
}

static enum bmc_boot_mode boot_mode_of(json_object *system) {
        json_object *boot = NULL;
        const char *m = json_object_object_get_ex(system, "Boot", &boot) ? json_get_string(boot, "BootSourceOverrideMode")
                                                                         : NULL;
        return streq(m, "UEFI") ? BMC_BOOT_MODE_UEFI : streq(m, "Legacy") ? BMC_BOOT_MODE_LEGACY : BMC_BOOT_MODE_KEEP;
}

static int rf_boot_set(struct bmc *b, const struct bmc_boot *boot, enum bmc_boot_mode *ret_mode, struct error *e) {
        static const char *const targets[] = {
                [BMC_BOOT_NONE] = "None", [BMC_BOOT_PXE] = "Pxe", [BMC_BOOT_CD] = "Cd",
                [BMC_BOOT_HDD] = "Hdd", [BMC_BOOT_BIOS] = "BiosSetup",
        };
        _cleanup_json_ json_object *s = NULL;
        int k = rf_get_system(b, &s, NULL, e);
        if (k < 0)
                return k;
        _cleanup_json_ json_object *body = json_object_new_object(), *bo = json_object_new_object();
        json_add_string(bo, "BootSourceOverrideTarget", targets[boot->target]);
        json_add_string(bo, "BootSourceOverrideEnabled",
                        boot->target == BMC_BOOT_NONE ? "Disabled" : boot->persistent ? "Continuous" : "Once");
        /* the mode only on request: the system's own is what its disks boot with */
        if (boot->target != BMC_BOOT_NONE && boot->mode != BMC_BOOT_MODE_KEEP)
                json_add_string(bo, "BootSourceOverrideMode", bmc_boot_mode_to_string(boot->mode));
        json_object_object_add(body, "Boot", json_object_get(bo));
        if ((k = rf_patch(drv(b)->c, drv(b)->system, body, e)) < 0)
                return k;
        *ret_mode = boot->mode != BMC_BOOT_MODE_KEEP ? boot->mode : boot_mode_of(s);
        return 0;
}

/* GET each member of the collection at link and hand it to fn. */
static int each_member(struct bmc *b, const char *link, int (*fn)(json_object *o, struct bmc_inventory *inv),
                       struct bmc_inventory *inv, struct error *e) {
        _cleanup_strv_free_ char **m = NULL;
        if (!link)
                return 0;
        int k = rf_collect_members(b, link, &m, e);
        if (k < 0)
                return k;
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
        _cleanup_strv_free_ char **m = NULL;
        int k = rf_collect_members(b, link, &m, e);
        if (k < 0)
                return k;
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
        int k = rf_get_system(b, &s, NULL, e);
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
                _cleanup_json_ json_object *o = NULL;
                _cleanup_strv_free_ char **m = NULL;
                if (!owners[i] || rf_get(d->c, owners[i], &o, NULL, e) < 0 || !rf_link(o, "LogServices"))
                        continue;
                if (rf_collect_members(b, rf_link(o, "LogServices"), &m, e) < 0)
                        continue;
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
                return rf_bad_service(b, "LogService under the system or its manager", e);
        *ret = fallback;
        return 0;
}

struct sel_reader {
        struct bmc *b;
        struct bmc_sel *sel;
        struct error *e;
        int k;                         /* the first failure of a GET */
};

/* An entry as listed, or (when the page lists only links) fetched. */
static int read_listed_entry(json_object *x, void *u) {
        struct sel_reader *r = u;
        _cleanup_json_ json_object *full = NULL;
        if (r->k < 0)
                return 0;
        if (!json_get_string(x, "Id") && json_get_string(x, "@odata.id")) {
                if ((r->k = rf_get(drv(r->b)->c, json_get_string(x, "@odata.id"), &full, NULL, r->e)) < 0)
                        return 0;
                x = full;
        }
        return rf_read_log_entry(x, r->sel);
}

static int rf_sel_read(struct bmc *b, struct bmc_sel *ret, struct error *e) {
        _cleanup_json_ json_object *log = NULL;
        _cleanup_(bmc_sel_done) struct bmc_sel sel = { 0 };
        int k = find_log(b, &log, e);
        if (k < 0)
                return k;
        const char *entries = rf_link(log, "Entries");
        if (!entries)
                return rf_bad_service(b, "Entries in the log service", e);
        struct sel_reader r = { .b = b, .sel = &sel, .e = e };
        if ((k = each_listed(b, entries, read_listed_entry, &r, &sel.cut, e)) < 0 || (k = r.k) < 0)
                return k;
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
                return rf_bad_service(b, "#LogService.ClearLog action", e);
        _cleanup_json_ json_object *body = json_object_new_object();
        return rf_post_action(drv(b)->c, target, body, e);
}

static int rf_identify(struct bmc *b, bool on, struct error *e) {
        _cleanup_json_ json_object *s = NULL, *body = json_object_new_object();
        int k = rf_get_system(b, &s, NULL, e);
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
        .bays = rf_bays,
        .bay_blink = rf_bay_blink,
        .storage_read = rf_storage_read,
        .non_raid_start = rf_non_raid_start,
        .job_read = rf_job_read,
        .close = rf_close,
};

/* A session, or Basic (auth: basic; auth: auto when the service has no
 * Sessions link or answers the login without a session). */
static int authenticate(struct bmc *b, json_object *root, struct error *e) {
        enum bmc_auth auth = b->cfg->auth;
        const char *sessions = rf_links_first(root, "Sessions");
        if (auth == BMC_AUTH_BASIC)
                return 0;
        if (!sessions && auth == BMC_AUTH_SESSION)
                return rf_bad_service(b, "Links.Sessions (use --auth basic or auth: basic)", e);
        int k = sessions ? rf_login(drv(b)->c, sessions, e) : RF_NO_SESSION;
        if (k == RF_NO_SESSION && auth == BMC_AUTH_AUTO) {
                log_debug("BMC %s: no session (%s): Basic auth", b->cfg->name, sessions ? e->msg : "no Links.Sessions");
                error_clear(e);
                rf_use_basic(drv(b)->c);
                return 0;
        }
        return k;
}

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
        if (k >= 0)
                k = authenticate(b, root, e);
        if (k >= 0 && !rf_link(root, "Systems"))
                k = rf_bad_service(b, "Systems", e);
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
