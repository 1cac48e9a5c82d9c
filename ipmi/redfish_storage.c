/* The Redfish driver's storage view and Dell's DellRaidService: the PERC's
 * controllers and drives as the system's Storage lists them, and the
 * ConvertToNonRAID action whose Location is a job of the iDRAC's queue. */
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"
#include "redfish_driver.h"
#include "redfish_http.h"
#include "redfish_json.h"

int rf_storage_read(struct bmc *b, struct bmc_storage *ret, struct error *e) {
        _cleanup_json_ json_object *s = NULL;
        _cleanup_strv_free_ char **storages = NULL;
        _cleanup_(bmc_storage_done) struct bmc_storage st = { 0 };
        int k = rf_get_system(b, &s, NULL, e);
        if (k < 0)
                return k;
        const char *coll = rf_link(s, "Storage");
        if (!coll)
                return rf_bad_service(b, "Storage collection in its system", e);
        if ((k = rf_collect_members(b, coll, &storages, e)) < 0)
                return k;
        for (char **p = storages; p && *p; p++) {
                _cleanup_json_ json_object *o = NULL;
                _cleanup_strv_free_ char **drives = NULL;
                if ((k = rf_get(drv(b)->c, *p, &o, NULL, e)) < 0)
                        return k;
                if (rf_read_storage_controller(o, &st) < 0 || rf_storage_drives(o, &drives) < 0)
                        return rf_oom(e);
                for (char **d = drives; d && *d; d++) {
                        _cleanup_json_ json_object *x = NULL;
                        if ((k = rf_get(drv(b)->c, *d, &x, NULL, e)) < 0)
                                return k;
                        if (rf_read_storage_drive(x, &st.v[st.n - 1]) < 0)
                                return rf_oom(e);
                }
        }
        *ret = st;
        st = (struct bmc_storage){ 0 };
        return 0;
}

/* Dell documents DellRaidService at <system>/Oem/Dell/DellRaidService; the
 * iDRAC links it nowhere, so the path is built as Dell's own tools do. */
int rf_non_raid_start(struct bmc *b, char *const *drive_ids, char **ret_job, struct error *e) {
        _cleanup_free_ char *target = strdup_printf(
                "%s/Oem/Dell/DellRaidService/Actions/DellRaidService.ConvertToNonRAID", drv(b)->system);
        _cleanup_json_ json_object *body = json_object_new_object();
        json_add_strv(body, "PDArray", (char **)drive_ids);
        _cleanup_(rf_response_done) struct rf_response r = { 0 };
        int k = rf_request(drv(b)->c, "POST", target, body, NULL, &r, e);
        if (k < 0)
                return k;
        if (r.status == 404)
                return error_set(e, -EOPNOTSUPP, "BMC %s has no DellRaidService (not an iDRAC, or too old a "
                                                 "firmware): set the disks to non-RAID in the controller's own setup",
                                 b->cfg->name);
        if (r.status >= 500)
                return error_set(e, BMC_UNCONFIRMED, "BMC %s answered %ld to ConvertToNonRAID: it may have started "
                                                     "the job all the same; hostctl bmc storage shows the drives",
                                 b->cfg->name, r.status);
        if (r.status >= 400) {
                _cleanup_free_ char *msg = r.body ? rf_error_message(r.body, r.len) : NULL;
                return error_set(e, -EINVAL, "BMC %s refused ConvertToNonRAID (%ld): %s", b->cfg->name, r.status,
                                 msg ? msg : "no reason given");
        }
        if (!r.location || !startswith(r.location, "/redfish/v1/") || strpbrk(r.location, " \t\r\n"))
                return rf_bad_service(b, "job in its answer to ConvertToNonRAID (no Location)", e);
        *ret_job = strdup(r.location);
        return *ret_job ? 0 : rf_oom(e);
}

int rf_job_read(struct bmc *b, const char *job, struct bmc_job *ret, struct error *e) {
        _cleanup_json_ json_object *o = NULL;
        int k = rf_get(drv(b)->c, job, &o, NULL, e);
        if (k < 0)
                return k;
        return rf_read_job(o, ret) < 0 ? rf_oom(e) : 0;
}
