/* Readers of md's state: /proc/mdstat and `mdadm --detail --export`, as pure
 * parsers of their text (tested on captured outputs and fuzzed). State that
 * sysfs gives directly (md/degraded, md/sync_action) is read in raid/md.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct mdstat_member {
        char *name;               /* "sdb1" */
        int slot;                 /* the number in brackets */
        bool faulty;              /* (F) */
        bool spare;               /* (S) */
        bool write_mostly;        /* (W) */
        bool replacement;         /* (R) */
};

struct mdstat_array {
        char *name;               /* "md127" */
        bool active;              /* "active" (else "inactive") */
        bool read_only;           /* "(read-only)" or "(auto-read-only)" */
        char *level;              /* "raid1", "raid5"; NULL when inactive */
        struct mdstat_member *members;
        size_t n_members;
        int64_t blocks;           /* 1K blocks; -1 unknown */
        int raid_disks, working_disks;   /* [n/m]; -1 unknown */
        char *status;             /* "UU_U" */
        char *sync_action;        /* "resync", "recovery", "check", "repair", "reshape", or NULL */
        double sync_percent;      /* -1 when no sync runs */
        double finish_minutes;    /* -1 unknown */
        int64_t speed_kib;        /* K/sec; -1 unknown */
        bool sync_delayed;        /* resync=DELAYED / PENDING */
};

struct mdstat {
        char **personalities;     /* "raid1", "raid6", ... */
        struct mdstat_array *arrays;
        size_t n_arrays;
};

void mdstat_free(struct mdstat *m);
static inline void mdstat_freep(struct mdstat **m) {
        mdstat_free(*m);
}
int mdstat_parse(const char *text, struct mdstat **ret, struct error *e);
const struct mdstat_array *mdstat_find(const struct mdstat *m, const char *name);

/* `mdadm --detail --export DEV`: MD_LEVEL, MD_DEVICES, MD_UUID, ... and per
 * member MD_DEVICE_<dev>_ROLE / _DEV. */
struct md_detail_member {
        char *dev;                /* "/dev/sdb1" */
        char *role;               /* "0".."n-1", "spare", "faulty", "journal" */
};

struct md_detail {
        char *level, *metadata, *uuid, *name, *devname;
        int devices;              /* MD_DEVICES; -1 unknown */
        struct md_detail_member *members;
        size_t n_members;
};

void md_detail_free(struct md_detail *d);
static inline void md_detail_freep(struct md_detail **d) {
        md_detail_free(*d);
}
int md_detail_parse(const char *text, struct md_detail **ret, struct error *e);
