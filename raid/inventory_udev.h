/* The disk inventory's contents from udev's database. Internal to raid/. */
#pragma once

#include <libudev.h>

#include "disk.h"

/* Fill the partition table and signatures of d and of the partitions the
 * kernel gave it from what udev's blkid builtin stored: 1 when udev has
 * processed the disk and every partition, 0 when not (nothing is changed:
 * probe it), -ENOMEM. Not thread-safe (libudev). */
int inventory_contents_from_udev(struct udev *u, struct udev_device *dev, struct disk *d);
