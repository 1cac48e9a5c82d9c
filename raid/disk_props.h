/* A disk's contents from udev's database (the properties its blkid builtin
 * stored when the disk appeared or changed), and the one-line key of what a
 * disk carries. Pure: no I/O; raid/inventory.c hands in the properties. */
#pragma once

#include "disk.h"

/* The value of udev property name, or NULL. */
typedef const char *(*disk_prop_fn)(void *userdata, const char *name);

/* udev's \x20-style encoding (ID_MODEL_ENC, ID_FS_LABEL_ENC) back to bytes,
 * then cleaned (disk_clean_string); NULL when empty or on ENOMEM. */
char *disk_udev_decode(const char *enc);

/* ID_FS_TYPE, _USAGE, _UUID, _LABEL, _VERSION: one signature appended to
 * the array, or none when ID_FS_TYPE is unset. 0 or -ENOMEM. */
int disk_signature_from_props(disk_prop_fn get, void *ud, struct disk_signature **v, size_t *n);
/* A whole disk: ID_PART_TABLE_TYPE and its signature. */
int disk_table_from_props(disk_prop_fn get, void *ud, struct disk *d);
/* A partition: ID_PART_ENTRY_TYPE, _UUID, _NAME and its signature (the
 * kernel gave number, start and size). */
int disk_partition_from_props(disk_prop_fn get, void *ud, struct disk_partition *p);

/* What the disk carries on it, in one line a person can read: "nothing",
 * "ext4 <uuid>", "gpt; partition 1 <type-guid> linux_raid_member <uuid>".
 * Partitions only the kernel knows (no type read from the disk) are left
 * out. Two looks at an unchanged disk give the same key whether they came
 * from udev's database or from libblkid. NULL on ENOMEM. */
char *disk_contents_key(const struct disk *d);
