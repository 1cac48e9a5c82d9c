/* The md arrays of this machine: sysfs state (never prose) and the mdadm
 * commands. The only file that knows mdadm's argv; raid/md_detail.c parses. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "lib/error.h"
#include "md_detail.h"

struct md_member {
        char *dev;                /* "sdb1" */
        char *state;              /* md/dev-X/state: "in_sync", "faulty", "spare", ... */
        int slot;                 /* -1: none (a spare) */
        bool missing;             /* the block device behind it is gone */
};

struct md_status {
        char *kernel_name;        /* "md127" */
        char *name;               /* "data", from /dev/md/<name> or the superblock */
        char *level;              /* "raid5" */
        char *array_state;        /* "clean", "active", "inactive", ... */
        char *sync_action;        /* "idle", "resync", "recover", "check", "reshape", ... */
        char *uuid;               /* mdadm's form */
        char *metadata;
        int raid_disks;
        int degraded;             /* md/degraded: members missing */
        double sync_percent;      /* -1 when idle */
        int64_t sync_speed_kib;   /* -1 when idle */
        int64_t sync_left_bytes;  /* per member, still to sync; -1 when idle */
        int64_t mismatch_cnt;
        int64_t stripe_cache_size;  /* -1: no parity, no stripe cache (raid/tuning.h) */
        int64_t size_bytes;
        struct md_member *members;
        size_t n_members;
};

void md_status_free(struct md_status *s);
static inline void md_status_freep(struct md_status **s) {
        md_status_free(*s);
}

/* No sync runs or waits to run (a delayed resync is not idle). */
/* md's sync_action names work that progresses (resync, recover, check, repair, reshape) */
bool md_sync_action_runs(const char *action);
bool md_sync_idle(const struct md_status *s);
/* A degraded array holding a spare that md has not started rebuilding onto yet:
 * right after `mdadm --add` the kernel starts recovery asynchronously. */
bool md_recovery_pending(const struct md_status *s);

/* How an array is, worst last, so that the worst of several is the largest.
 * The values are the health gauges of hostd's /metrics. */
enum md_health {
        MD_HEALTH_OK = 0,         /* all members in sync (a resync or check may run) */
        MD_HEALTH_WARNING = 1,    /* degraded, or a member failed or gone: the data is whole, redundancy is not */
        MD_HEALTH_CRITICAL = 2,   /* inactive, broken, or more members lost than the level survives */
};
/* From the status alone (raid/md_health.c, no I/O); a NULL status is Critical. */
enum md_health md_health(const struct md_status *s);
enum md_health md_health_worst(enum md_health a, enum md_health b);
/* "OK", "Warning", "Critical": Redfish's words for Status.Health. */
const char *md_health_name(enum md_health h);

/* Read md state from this directory instead of /sys (tests: a copy of the
 * md part of sysfs); NULL or "" restores /sys. Not thread-safe: call first. */
void md_set_sysfs_root(const char *root);
const char *md_sysfs_root(void);

/* "/dev/md/data", "data", "md127" or "/dev/md127" -> "md127"; -ENOENT when
 * no such array runs. */
int md_resolve(const char *id, char **ret_kernel_name, struct error *e);
/* State of one running array, from sysfs and `mdadm --detail --export`. */
int md_status_read(const char *id, struct md_status **ret, struct error *e);
/* The status as `hostctl raid status --json` prints it (raid/md_json.c). */
json_object *md_status_to_json(const struct md_status *s);
/* All running arrays (kernel names), from /sys/block/md*. */
int md_list(char ***ret, struct error *e);

/* mdadm. dev: "/dev/md/<name>" or "/dev/mdN"; members: block device paths. */
int md_create(char *const *plan_argv, struct error *e);   /* the planner's mdadm --create argv */
/* Assemble (and run, degraded if need be) from these member partitions. */
int md_assemble(const char *name, char *const *members, struct error *e);
int md_stop(const char *dev, struct error *e);
int md_fail_member(const char *dev, const char *member, struct error *e);
/* A member's block device is gone. md_mark_member_faulty() tells md at once
 * (its sysfs dev-<member>/state, no program to start): the array counts it
 * missing. md_fail_gone_member() then does what udev's rule runs on "remove",
 * `mdadm --incremental --fail`: the member leaves the array and mdadm's map.
 * md, member: kernel names ("md127", "sdb1"), not paths; -EINVAL otherwise;
 * -ENOENT from md_mark_member_faulty() when md no longer has that member. */
int md_mark_member_faulty(const char *md, const char *member, struct error *e);
int md_fail_gone_member(const char *member, struct error *e);
int md_remove_member(const char *dev, const char *member, struct error *e);
int md_add_member(const char *dev, const char *member, struct error *e);
int md_grow_devices(const char *dev, int raid_devices, struct error *e);
int md_zero_superblock(const char *member, struct error *e);
int md_sync_action(const char *id, const char *action, struct error *e);   /* "check", "idle" via sysfs */
/* "ARRAY /dev/md/data metadata=1.2 name=host:data UUID=..." */
int md_detail_brief(const char *dev, char **ret_line, struct error *e);
/* The array name in the md superblock on this partition (libblkid), or
 * *ret_name NULL when it carries none. */
int md_examine_name(const char *partition, char **ret_name, struct error *e);
/* The running arrays mdadm has in its map (/run/mdadm/map): pairs of kernel
 * name and array name ("md127", "os", ...); an empty list without a map. */
int md_map_read(char ***ret_pairs, struct error *e);
