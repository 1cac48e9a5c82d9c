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
        bool no_udev;             /* ignore the udev database: sysfs and libblkid only */
        bool probe;               /* contents from each disk (libblkid), not udev's record of them */
};

/* Tests only: every scan returns the disks of this inventory JSON file (the
 * form of `hostctl disks --json`) instead of the machine's; NULL or ""
 * restores the scan. Not thread-safe: call first. */
void inventory_set_test_file(const char *path);

/* Scan the machine. Disks come sorted by name, with in_use computed. What a
 * disk carries comes from udev's database when udev has processed it (as
 * lsblk does), else from a probe of the disk. */
int inventory_scan(const struct inventory_opts *opts, struct disk_list **ret, struct error *e);

/* What the device or image at path carries now, read from it (libblkid,
 * O_RDONLY, never udev): partition table, partitions, signatures in ret
 * (ret->path set; free with disk_done). For the look right before a write. */
int inventory_probe_contents(const char *path, struct disk *ret, struct error *e);
