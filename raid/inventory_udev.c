/* Contents from udev's database: what lsblk shows. udev's blkid builtin ran
 * the same low-level probe when the disk appeared or last changed (a write
 * closes, a partition table is re-read), so reading its record costs a file
 * read instead of an open of the disk and a dozen reads from it. A write
 * behind udev's back is not in it: apply probes directly before it writes. */
#include "inventory_udev.h"

#include <stdlib.h>
#include <string.h>

#include "disk_props.h"
#include "lib/macro.h"

static void udev_device_unrefp(struct udev_device **p) {
        if (*p)
                udev_device_unref(*p);
}

static const char *get(void *ud, const char *name) {
        return udev_device_get_property_value(ud, name);
}

int inventory_contents_from_udev(struct udev *u, struct udev_device *dev, struct disk *d) {
        if (udev_device_get_is_initialized(dev) <= 0)
                return 0;
        struct udev_device **parts = d->n_partitions ? calloc(d->n_partitions, sizeof *parts) : NULL;
        if (d->n_partitions && !parts)
                return -ENOMEM;
        int k = 1;
        for (size_t i = 0; i < d->n_partitions && k > 0; i++) {
                const char *name = d->partitions[i].name;
                parts[i] = name ? udev_device_new_from_subsystem_sysname(u, "block", name) : NULL;
                if (!parts[i] || udev_device_get_is_initialized(parts[i]) <= 0)
                        k = 0;   /* udev is behind the kernel: ask the disk */
        }
        if (k > 0 && disk_table_from_props(get, dev, d) < 0)
                k = -ENOMEM;
        for (size_t i = 0; i < d->n_partitions && k > 0; i++)
                if (disk_partition_from_props(get, parts[i], &d->partitions[i]) < 0)
                        k = -ENOMEM;
        for (size_t i = 0; i < d->n_partitions; i++)
                udev_device_unrefp(&parts[i]);
        free(parts);
        if (k > 0 && !(d->sources[DISK_SRC_CONTENTS] = strdup("udev:ID_FS_*,ID_PART_*")))
                k = -ENOMEM;
        return k;
}
