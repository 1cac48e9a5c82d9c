/* The RAID planner: plan = f(inventory, spec). Pure: no I/O, no clock, no
 * hostname. Given the same inventory and spec it gives the same plan, which
 * is a list of arrays with their member disks, the ordered steps that build
 * them, and the errors and warnings a person must read. A plan with errors
 * must not be applied. Disks are named by serial (and WWN), never sdX. */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "disk.h"
#include "spec.h"
#include "tuning.h"

enum step_kind {
        STEP_WIPE,                /* wipefs --all on a disk listed under wipe */
        STEP_PARTITION,           /* sgdisk: a fresh GPT with the member partition(s) */
        STEP_CREATE_ARRAY,        /* mdadm --create */
        STEP_WAIT,                /* the md device and its udev links exist */
        STEP_MKFS,                /* mkfs aligned to the stripe */
        STEP_MDADM_CONF,          /* the ARRAY line in mdadm.conf */
        STEP_FSTAB,               /* the filesystem in fstab, by UUID */
        STEP_MOUNT,
        STEP_INITRAMFS,           /* update-initramfs when the system has it */
        STEP_TUNE,                /* md's tuning of a parity array, and its udev rule */
};
const char *step_kind_name(enum step_kind k);

struct plan_disk {
        char *serial, *wwn, *path;   /* path: the stable /dev/disk/by-id name when there is one */
        int64_t size_bytes;
        char *seen;               /* what the disk carried when planned (disk_contents_key) */
};

struct plan_array {
        char *name;               /* md name; the device is /dev/md/<name> */
        int level;
        char *metadata;           /* "1.2", or "1.0" for the ESP */
        uint64_t chunk;           /* bytes; 0 for RAID 1 */
        int partition;            /* member partition number on each disk */
        struct plan_disk *members, *spares;
        size_t n_members, n_spares;
        int64_t size_bytes;       /* usable size, before md's own metadata */
        bool bitmap;
        char *consistency_policy;
        char *fs_type, *fs_mount, *fs_label;
        bool tuned;               /* plan_tune() sized a tuning for it */
        struct md_tuning tuning;
};

struct plan_step {
        enum step_kind kind;
        char *array;              /* the array it serves */
        char *disk;               /* the disk's serial for wipe/partition, else NULL */
        char *description;        /* for people */
        char **argv;              /* the command, when the step is one; NULL otherwise */
};

struct plan {
        struct plan_array *arrays;
        size_t n_arrays;
        struct plan_step *steps;
        size_t n_steps;
        char **errors;
        char **warnings;
        bool default_spec;        /* made without a spec: the R630 default */
};

void plan_free(struct plan *p);
static inline void plan_freep(struct plan **p) {
        plan_free(*p);
}

/* spec NULL: the R630 default (OS RAID 1 on the two smallest identical SSDs,
 * RAID 5 over the largest group of same-size disks left, one hot spare from
 * four disks on). wipe: disks that may be wiped besides the spec's own wipe
 * list (the command line's --wipe). Returns NULL only on memory exhaustion. */
struct plan *plan_make(const struct disk_list *inventory, const struct storage_spec *spec, char *const *wipe);

/* The operator's promise that every member is all zeroes (brand-new or
 * freshly made disks): mdadm skips the initial sync (--assume-clean). */
int plan_set_assume_clean(struct plan *p);

/* Size md's tuning of each parity array to the machine it will run on, and
 * add the step that sets it (right after the array exists). Pure: the
 * machine's facts come in like the inventory does. */
int plan_tune(struct plan *p, const struct md_host *h);
/* plan_tune() for this machine, which the plan is to be applied on. */
int plan_tune_here(struct plan *p, struct error *e);

json_object *plan_to_json(const struct plan *p);
