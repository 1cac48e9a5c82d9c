/* The disk inventory: every block disk of this machine, from libudev (the
 * udev database when udevd runs, sysfs attributes when it does not),
 * libblkid's low-level probe (never its cache), the holders directories,
 * /proc/self/mountinfo and /proc/swaps. */
#pragma once

#include <stdbool.h>

#include "disk.h"
#include "lib/error.h"

struct inventory_opts {
        bool all;                 /* loop, ram, zram, md and dm devices too */
        bool no_udev;             /* ignore the udev database: sysfs only */
};

/* Tests only: every scan returns the disks of this inventory JSON file (the
 * form of `hostctl disks --json`) instead of the machine's; NULL or ""
 * restores the scan. Not thread-safe: call first. */
void inventory_set_test_file(const char *path);

/* Scan the machine. Disks come sorted by name, with in_use computed. */
int inventory_scan(const struct inventory_opts *opts, struct disk_list **ret, struct error *e);
