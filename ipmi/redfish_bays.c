/* The Redfish driver's bay map and bay LEDs: the drives every Storage of the
 * system lists, and those of its chassis' Drives collection (services that
 * list drives only there), each read for its serial, bay and LED. */
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"
#include "redfish_driver.h"
#include "redfish_http.h"
#include "redfish_json.h"

static int push_new(char ***all, char **more) {
        for (char **p = more; p && *p; p++)
                if (!strv_contains(*all, *p) && strv_push(all, *p) < 0)
                        return -ENOMEM;
        return 0;
}

/* The @odata.id of every drive of the system, each once. */
static int drive_links(struct bmc *b, json_object *system, char ***ret, struct error *e) {
        _cleanup_strv_free_ char **all = calloc(1, sizeof(char *)), **storages = NULL;
        if (!all)
                return rf_oom(e);
        const char *storage = rf_link(system, "Storage");
        int k = storage ? rf_collect_members(b, storage, &storages, e) : 0;
        if (k < 0)
                return k;
        for (char **p = storages; p && *p; p++) {
                _cleanup_json_ json_object *st = NULL;
                _cleanup_strv_free_ char **drives = NULL;
                if ((k = rf_get(drv(b)->c, *p, &st, NULL, e)) < 0)
                        return k;
                if (rf_storage_drives(st, &drives) < 0 || push_new(&all, drives) < 0)
                        return rf_oom(e);
        }
        const char *chassis = rf_links_first(system, "Chassis");
        _cleanup_json_ json_object *ch = NULL;
        if (chassis && (k = rf_get(drv(b)->c, chassis, &ch, NULL, e)) < 0)
                return k;
        if (rf_link(ch, "Drives")) {
                _cleanup_strv_free_ char **drives = NULL;
                if ((k = rf_collect_members(b, rf_link(ch, "Drives"), &drives, e)) < 0)
                        return k;
                if (push_new(&all, drives) < 0)
                        return rf_oom(e);
        }
        *ret = TAKE_PTR(all);
        return 0;
}

int rf_bays(struct bmc *b, struct bmc_bays *ret, struct error *e) {
        _cleanup_json_ json_object *s = NULL;
        _cleanup_strv_free_ char **drives = NULL;
        _cleanup_(bmc_bays_done) struct bmc_bays bays = { 0 };
        int k = rf_get_system(b, &s, NULL, e);
        if (k < 0 || (k = drive_links(b, s, &drives, e)) < 0)
                return k;
        for (char **p = drives; *p; p++) {
                _cleanup_json_ json_object *o = NULL;
                if ((k = rf_get(drv(b)->c, *p, &o, NULL, e)) < 0)
                        return k;
                if (rf_read_drive_bay(o, &bays) < 0)
                        return rf_oom(e);
        }
        *ret = bays;
        bays = (struct bmc_bays){ 0 };
        return 0;
}

int rf_bay_blink(struct bmc *b, const struct bmc_bay *bay, bool on, struct error *e) {
        _cleanup_json_ json_object *body = json_object_new_object();
        if (bay->led == BMC_DRIVE_LED_LOCATION_INDICATOR)
                json_add_bool(body, "LocationIndicatorActive", on);
        else /* IndicatorLED: Drive allows Lit, Blinking and Off; a bay to find blinks */
                json_add_string(body, "IndicatorLED", on ? "Blinking" : "Off");
        return rf_patch(drv(b)->c, bay->drive, body, e);
}
