/* daemon/api_drive_bay.c: a Drive's bay (PhysicalLocation) and its LED
 * (LocationIndicatorActive, PATCH), through the BMC that hostd.conf names
 * (bmc:): the same ipmi/ call as `hostctl disks locate`; without one, the
 * disk's SCSI enclosure slot or PCIe hot-plug slot in-band
 * (raid/disk_enclosure.h), as hostctl. */
#include <pthread.h>
#include <string.h>

#include "api.h"
#include "daemon.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "raid/disk_enclosure.h"
#include "raid/md.h"
#include "state.h"

void api_drive_bay_json(json_object *o, const struct disk *d) {
        if (!d->bay)
                return;
        json_object *loc = json_object_new_object(), *part = json_object_new_object();
        char *end;
        long n = strtol(d->bay, &end, 10);
        if (!*end && n >= 0)
                json_add_int(part, "LocationOrdinalValue", n);
        json_add_string(part, "LocationType", "Bay");
        _cleanup_free_ char *label = strdup_printf("Bay %s", d->bay);
        json_add_string(part, "ServiceLabel", label);
        json_object_object_add(loc, "PartLocation", part);
        json_object_object_add(o, "PhysicalLocation", loc);
        int blinking = state_bay_blinking(d->serial);
        if (blinking < 0)   /* not the BMC's: the enclosure slot's LED, as the kernel reads it */
                blinking = disk_enclosure_locate_state(md_sysfs_root(), d->name);
        if (blinking >= 0)
                json_add_bool(o, "LocationIndicatorActive", blinking);
}

/* The status and MessageId of a failed locate, from its errno */
static unsigned locate_status(int k, const char **ret_id) {
        if (k == -EOPNOTSUPP)
                return *ret_id = "ActionNotSupported", 400;
        if (k == -ENOENT)
                return *ret_id = "ResourceNotFound", 404;
        if (k == -EACCES || k == -ETIMEDOUT || k == -ECONNREFUSED || k == -EHOSTUNREACH)
                return *ret_id = "ServiceTemporarilyUnavailable", 503;
        return *ret_id = "GeneralError", 500;
}

/* One BMC call at a time from the API: the call is made inside the request
 * (a locate is short on a healthy BMC), so a slow or dead BMC holds one of
 * the server's threads for up to its timeout, never all of them; a second
 * PATCH meanwhile is told to come back. */
static pthread_mutex_t bmc_busy = PTHREAD_MUTEX_INITIALIZER;

static int locate(const struct api_request *req, const char *serial, bool on, struct error *e) {
        struct bmc_config *cfg = NULL;
        _cleanup_(bmc_closep) struct bmc *bmc = NULL;
        int k = bmc_config_load(NULL, req->cfg->bmc, &cfg, e);
        if (k >= 0)
                k = bmc_open(cfg, &bmc, e);
        if (k >= 0)
                k = bmc_drive_locate(bmc, serial, on, NULL, e);
        return k;
}

/* PATCH {"LocationIndicatorActive": true|false}: blink the drive's bay or stop */
int api_drive_patch(const struct api_request *req, const struct disk *d, struct api_response *r) {
        _cleanup_json_ json_object *b = api_body_object(req, r);
        if (!b)
                return -1;
        json_object *v = NULL;
        json_object_object_foreach(b, key, val) {
                if (!streq(key, "LocationIndicatorActive"))
                        return api_error(r, 400, "PropertyNotWritable", "%.64s: not writable (only LocationIndicatorActive)",
                                         key), -1;
                v = val;
        }
        if (!v || !json_object_is_type(v, json_type_boolean))
                return api_error(r, 400, "PropertyValueTypeError", "LocationIndicatorActive must be true or false"), -1;
        struct error e = { 0 };
        bool on = json_object_get_boolean(v);
        if (!req->cfg->bmc) {
                /* in-band: the disk's SES or PCIe slot (a write to sysfs, no waiting) */
                int k = disk_enclosure_locate(md_sysfs_root(), d->name, on, NULL, &e);
                if (k == -ENOENT)
                        return api_error(r, 400, "ActionNotSupported", "hostd knows no BMC to blink the bay with "
                                                                       "(bmc: NAME in hostd.conf), and no SCSI "
                                                                       "enclosure (SES) or PCIe hot-plug slot "
                                                                       "holds %s", d->name), -1;
                if (k < 0) {
                        const char *id;
                        unsigned status = locate_status(k, &id);
                        return api_error(r, status, id, "%s", e.msg), -1;
                }
                return 0;
        }
        if (!d->serial)
                return api_error(r, 400, "ActionNotSupported", "%s has no serial: the BMC cannot tell its bay", d->name), -1;
        if (pthread_mutex_trylock(&bmc_busy) != 0) {
                r->retry_after = 5;
                return api_error(r, 503, "ServiceTemporarilyUnavailable",
                                 "hostd is talking to its BMC for another request: try again in a few seconds"), -1;
        }
        int k = locate(req, d->serial, on, &e);
        pthread_mutex_unlock(&bmc_busy);
        if (k < 0) {
                const char *id;
                unsigned status = locate_status(k, &id);
                return api_error(r, status, id, "%s", e.msg), -1;
        }
        state_set_bay_blinking(d->serial, on);
        return 0;
}
