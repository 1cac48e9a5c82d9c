/* Which disks an array gets: the spec's selector, or the R630 default.
 * Internal to the planner (raid/plan*.c). Pure. */
#pragma once

#include "plan.h"

/* A disk that may be chosen at all: not removable, not USB, not a virtual
 * device, with a size and a stable identity. Else *why says why not. */
bool disk_selectable(const struct disk *d, const char **why);
/* A partition table or any signature, on the disk or a partition. */
bool disk_carries_data(const struct disk *d);
/* The array this disk belongs to by hostd's own marks, or NULL: a GPT whose
 * partitions are only what hostd makes for one array (member partitions of
 * type Linux RAID named after the array, plus bios-boot and esp for the os
 * layout) and whose signatures are only md members of that array (and its
 * -esp twin). Such a disk is a run of apply that stopped half way, or the
 * finished array: planning again continues it instead of refusing it. */
const char *disk_hostd_array(const struct disk *d);
/* Serial, WWN (with or without 0x), by-id link (full or last part) or
 * by-path; never sdX, which changes between boots. */
bool disk_matches_identity(const struct disk *d, const char *id);
/* "WFK00ABC" or "wwn 0x5000..." or the by-path: how plans name a disk. */
const char *disk_label(const struct disk *d);

/* Append to *ret the disks the selector picks among those not in taken[]
 * (indexes into inv). Problems go to errors/warnings. */
int select_disks(const struct disk_list *inv, const struct array_spec *a, const bool *taken,
                 size_t **ret, size_t *ret_n, char ***errors, char ***warnings);

/* The R630 default: an os RAID 1 and a data RAID 5 as array specs with the
 * disks already chosen (indexes into inv). n_arrays may come back smaller
 * than 2 with the reasons in errors. */
struct default_choice {
        struct array_spec spec;
        size_t *disks;
        size_t n_disks;
};
int default_choose(const struct disk_list *inv, struct default_choice ret[2], size_t *ret_n,
                   char ***errors, char ***warnings);
void default_choice_done(struct default_choice *c);

/* raid/plan_steps.c: the ordered steps that build p's arrays. */
int plan_add_steps(struct plan *p, const struct disk_list *inv, const struct storage_spec *spec);
char *plan_partition_path(const char *disk_path, int n);
