/* The storage spec: which arrays to build from which disks. It is read from
 * the `storage` section of a host spec (YAML or JSON, through json-c), checked
 * here with errors that name the key, and planned by raid/plan.c. Pure. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

enum disk_pick { PICK_ANY, PICK_SMALLEST, PICK_LARGEST };

struct disk_selector {
        int count;                /* exactly this many disks; 0: not given */
        int min;                  /* at least this many; 0: not given */
        int rotational;           /* 1 HDD, 0 SSD, -1 either */
        enum disk_pick pick;
        char **serials, **wwns, **by_path;   /* explicit disks (any one list) */
        uint64_t size_min, size_max;         /* bytes; 0: not given */
        char *model;              /* glob, e.g. "ST1200*" */
        char *transport;          /* "nvme", "sas", "sata", "virtio"; NULL: any */
        bool allow_failing;       /* may take a disk whose SMART health check fails */
        bool allow_hardware_raid; /* may take a hardware RAID controller's virtual disk */
};

struct fs_spec {
        char *type;               /* xfs, ext4, vfat; NULL: no filesystem */
        char *mount;
        char *label;
};

struct array_spec {
        char *name;               /* /dev/md/<name> and the md name */
        int level;                /* 1, 5, 6 or 10 */
        struct disk_selector disks;
        bool os_layout;           /* BIOS boot + ESP (RAID 1, metadata 1.0) + root */
        uint64_t chunk;           /* bytes; 0: mdadm's default (512K) */
        bool bitmap;              /* internal write-intent bitmap */
        char *consistency_policy; /* "resync" or "ppl"; NULL: mdadm's default */
        int spares;               /* hot spares taken from the selected disks; -1: not given */
        bool allow_size_mismatch; /* members may differ by more than 1% */
        struct fs_spec fs;
};

struct storage_spec {
        struct array_spec *arrays;
        size_t n_arrays;
        char **wipe;              /* serials, WWNs or by-id paths that may be wiped */
        char *homehost;           /* recorded in the md superblocks; NULL: the host's name */
};

void storage_spec_free(struct storage_spec *s);
static inline void storage_spec_freep(struct storage_spec **s) {
        storage_spec_free(*s);
}

/* Read {"arrays": [...], "wipe": [...]} (the value of the `storage` key);
 * every problem is an error naming its key: "storage.arrays[1].level: ...". */
int storage_spec_from_json(json_object *storage, struct storage_spec **ret, struct error *e);

/* Minimum members of a RAID level. */
int raid_level_min_members(int level);
/* Members' worth of data: n-1 for RAID 5, n-2 for RAID 6, n/2 for RAID 10, 1 for RAID 1. */
int raid_level_data_disks(int level, int members);
