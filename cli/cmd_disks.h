/* hostctl disks: the human forms of the inventory, apart so tests can read them. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "raid/disk.h"

/* The table of `hostctl disks`; with sources, each disk's identity sources after it. */
void disks_print_table(FILE *out, const struct disk_list *l, bool sources);
/* The key: value view of `hostctl disks show ID`. */
void disks_print_disk(FILE *out, const struct disk *d, bool sources);

/* cli/cmd_disks_health.c: the HEALTH column's word ("-" when not asked) */
const char *disks_health_word(const struct disk *d);
/* The health lines of `show` */
void disks_print_health(FILE *out, const struct disk *d);
/* --health [--wake]: ask each disk's SMART now (smartctl, in parallel) */
int disks_check_health(struct disk_list *l, bool wake, struct error *e);
