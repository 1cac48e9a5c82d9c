/* A disk's health as SMART tells it (raid/smart.h reads it from smartctl):
 * the verdict, whether a failure is predicted, and the counters behind them.
 * Pure: the names, the verdict's rules, copies and the JSON form (the
 * "health" member of `hostctl disks --json`, man/hostctl-disks.8). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

enum disk_health_state {
        DISK_HEALTH_UNKNOWN,      /* no SMART (a virtual disk), or smartctl could not ask: never a failure */
        DISK_HEALTH_STANDBY,      /* asleep, and not woken to be asked */
        DISK_HEALTH_OK,
        DISK_HEALTH_WARNING,      /* passes, with signs of wear or damage (sectors, media errors, life left) */
        DISK_HEALTH_FAILED,       /* SMART's overall assessment says the disk is failing */
        _DISK_HEALTH_MAX,
};

struct disk_health {
        enum disk_health_state state;
        bool failure_predicted;   /* SMART says failing, or a pre-failure attribute is at its threshold */
        char *protocol;           /* "ATA", "SCSI", "NVMe", or NULL */
        char *reason;             /* for people: why not ok, or why unknown; NULL when ok */
        /* -1: unknown or not of this kind of disk */
        int64_t temperature_c;
        int64_t power_on_hours;
        int64_t reallocated_sectors;      /* ATA 5 */
        int64_t pending_sectors;          /* ATA 197 */
        int64_t uncorrectable_sectors;    /* ATA 198 */
        int64_t grown_defects;            /* SCSI/SAS grown defect list */
        int64_t percentage_used;          /* NVMe, SAS SSD endurance indicator */
        int64_t media_errors;             /* NVMe */
        int64_t life_left_percent;        /* SSDs: 100 new, 0 worn out */
};

/* SSD wear at or below this life left is a warning. */
#define DISK_HEALTH_LIFE_LEFT_WARN 10

/* "unknown", "standby", "ok", "warning", "failed" */
const char *disk_health_state_name(enum disk_health_state s);
/* -1 for a name that is none of them */
int disk_health_state_from_name(const char *name);

/* A health with every counter unknown. */
void disk_health_init(struct disk_health *h);
void disk_health_done(struct disk_health *h);
void disk_health_free(struct disk_health *h);
static inline void disk_health_freep(struct disk_health **h) {
        disk_health_free(*h);
}
/* A deep copy (new); NULL on ENOMEM. */
struct disk_health *disk_health_dup(const struct disk_health *h);

/* Would the planner refuse this disk for its health: SMART says failing or
 * predicts a failure. NULL (never checked) is no reason to refuse. */
bool disk_health_refuses(const struct disk_health *h);

json_object *disk_health_to_json(const struct disk_health *h);
/* From the "health" member; every string checked. */
int disk_health_from_json(json_object *o, struct disk_health **ret, struct error *e);
