/* The reader of `mdadm --detail --export`, a pure parser of its text (tested
 * on captured outputs and fuzzed). The rest of md's state (md/degraded,
 * md/sync_action, sync progress) comes from sysfs, read in raid/md.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

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
