/* A disk's controller (the PCI function it hangs from) and an NVMe
 * namespace's identity, read from sysfs. */
#pragma once

#include <libudev.h>

#include "disk.h"

/* Fill c from the PCI function above the block device at syspath; its name
 * from udev's hwdb when udev is given. 0 (all NULL when there is no PCI
 * device above it) or -ENOMEM. */
int disk_read_controller(struct disk_controller *c, const char *syspath, struct udev *udev);
/* Fill nv when the block device directory dirfd is an NVMe namespace. 0 or -ENOMEM. */
int disk_read_nvme(struct disk_nvme *nv, int dirfd);
