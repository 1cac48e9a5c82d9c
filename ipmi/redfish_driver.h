/* Inside the Redfish driver (redfish.c, redfish_vmedia.c): its state and the
 * helpers its files share. Not for use outside ipmi/redfish*.c. */
#pragma once

#include <json-c/json.h>

#include "bmc.h"

struct rf_driver {
        struct rf_client *c;
        char *system, *manager;        /* @odata.id of each */
};

static inline struct rf_driver *drv(struct bmc *b) {
        return b->driver;
}

/* "BMC x: the Redfish service shows no <what>" (-EBADMSG). */
int rf_bad_service(struct bmc *b, const char *what, struct error *e);
int rf_oom(struct error *e);
/* The @odata.id of each member of the collection at path, all its pages. */
int rf_collect_members(struct bmc *b, const char *path, char ***ret, struct error *e);
int rf_get_system(struct bmc *b, json_object **ret, char **ret_etag, struct error *e);

int rf_bays(struct bmc *b, struct bmc_bays *ret, struct error *e);
int rf_bay_blink(struct bmc *b, const struct bmc_bay *bay, bool on, struct error *e);

int rf_storage_read(struct bmc *b, struct bmc_storage *ret, struct error *e);
int rf_non_raid_start(struct bmc *b, char *const *drive_ids, char **ret_job, struct error *e);
int rf_job_read(struct bmc *b, const char *job, struct bmc_job *ret, struct error *e);

int rf_vmedia_insert(struct bmc *b, const char *url, struct error *e);
int rf_vmedia_eject(struct bmc *b, struct error *e);
int rf_vmedia_status(struct bmc *b, struct bmc_vmedia *ret, struct error *e);
