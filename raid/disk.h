/* struct disk: what the inventory knows about one block disk, and the pure
 * logic around it: which disks are virtual, SSD or HDD, which transport,
 * what it carries, whether it is in use and why, and its JSON form (to and
 * from: the planner reads `hostctl disks --json` back through here).
 * No I/O in this file; raid/inventory.c fills the structs. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct disk_health;

/* One signature found by libblkid: a filesystem, swap, an md or LVM member. */
struct disk_signature {
        char *type;               /* "ext4", "swap", "linux_raid_member", "LVM2_member" */
        char *usage;              /* "filesystem", "raid", "other", "crypto" */
        char *uuid;
        char *label;
        char *version;
        char *array_uuid;         /* md members: mdadm's form, "3e1c...:...:...:..." */
        char *array_name;         /* md members: the name without "host:" */
};

struct disk_partition {
        int number;
        char *name;               /* kernel name: "sdb2", "nvme0n1p2"; NULL if the kernel has none */
        char *maj_min;
        int64_t start;            /* bytes; -1 unknown */
        int64_t size;             /* bytes; -1 unknown */
        char *type;               /* GPT type GUID, or "0x83" for dos */
        char *type_name;          /* "Linux filesystem", or NULL */
        char *uuid;               /* PARTUUID */
        char *label;              /* GPT partition name */
        struct disk_signature *signatures;
        size_t n_signatures;
        char **holders;           /* "md127", "dm-0" */
        char **mountpoints;
        bool swap_in_use;
};

/* Where each identity field came from ("udev:ID_SCSI_SERIAL",
 * "sysfs:device/vpd_pg80"), for --debug. */
enum disk_source {
        DISK_SRC_VENDOR,
        DISK_SRC_MODEL,
        DISK_SRC_SERIAL,
        DISK_SRC_WWN,
        DISK_SRC_FIRMWARE,
        DISK_SRC_HCTL,
        DISK_SRC_TRANSPORT,
        DISK_SRC_BY_ID,
        DISK_SRC_BY_PATH,
        DISK_SRC_CONTENTS,        /* "udev:ID_FS_*,ID_PART_*" or "libblkid" */
        _DISK_SRC_MAX,
};
const char *disk_source_field(enum disk_source s);   /* "vendor", "model", ... */

/* The PCI function a disk hangs from: its HBA, RAID controller or NVMe
 * controller. Every field NULL when the disk hangs from no PCI device. */
struct disk_controller {
        char *pci_slot;           /* "0000:03:00.0" */
        char *pci_id;             /* vendor:device, "1000:005d" */
        char *driver;             /* "megaraid_sas", "mpt3sas", "ahci", "nvme", "virtio-pci" */
        char *model;              /* from the PCI ids database (udev's hwdb), or NULL */
};

/* An NVMe namespace's identity (transport nvme only; else controller NULL). */
struct disk_nvme {
        char *controller;         /* "nvme0" */
        int64_t nsid;             /* the namespace id; -1 unknown */
        char *eui64, *nguid, *uuid;   /* as sysfs prints them, or NULL */
};

struct disk {
        /* identity */
        char *name, *path, *maj_min;
        char *vendor, *model, *serial, *wwn, *firmware, *hctl, *transport;
        char **by_id;
        char *by_path;
        struct disk_controller controller;
        /* 1: a virtual disk a hardware RAID controller makes of its disks (a
         * PERC's "virtual disk"), 0: a disk itself, -1 unknown */
        int controller_volume;
        struct disk_nvme nvme;
        /* geometry; -1 unknown */
        int64_t size_bytes, logical_sector_size, physical_sector_size;
        int rotational, removable, read_only;     /* 1, 0, or -1 unknown */
        /* contents */
        char *partition_table;    /* "gpt", "dos", or NULL */
        struct disk_partition *partitions;
        size_t n_partitions;
        struct disk_signature *signatures;
        size_t n_signatures;
        /* the disk could not be read (an empty CD drive, a dying disk): its
         * contents are unknown, so it is never chosen */
        bool contents_unreadable;
        /* use: of the disk and its partitions together */
        char **holders;
        char **mountpoints;
        bool swap_in_use;
        bool in_use;
        char **in_use_reasons;
        char *sources[_DISK_SRC_MAX];
        /* SMART (raid/smart.h): NULL when not asked, the plain listing's case */
        struct disk_health *health;
        /* the front bay ("3"), from the BMC's bay map; NULL: not known */
        char *bay;
};

struct disk_list {
        struct disk *disks;
        size_t n;
};

void disk_signature_done(struct disk_signature *s);
void disk_partition_done(struct disk_partition *p);
void disk_done(struct disk *d);
void disk_list_free(struct disk_list *l);
static inline void disk_list_freep(struct disk_list **l) {
        disk_list_free(*l);
}

/* Append a zeroed disk (geometry -1) to the list; NULL on ENOMEM. */
struct disk *disk_list_add(struct disk_list *l);
struct disk_partition *disk_add_partition(struct disk *d);
/* Append a signature to an array; NULL on ENOMEM. */
struct disk_signature *disk_signatures_add(struct disk_signature **v, size_t *n);
/* Kernel names first by length then by text: sda < sdz < sdaa. */
void disk_list_sort(struct disk_list *l);

/* ---- classification ----------------------------------------------------- */

/* Is the disk at hctl ("H:C:T:L") a hardware RAID controller's virtual
 * disk? megaraid_sas (PERC) puts its logical drives on channels 2 and 3 and
 * the disks it passes through (HBA mode, non-RAID) on 0 and 1; a PERC's
 * virtual disk also says so in its model ("PERC H730 Mini"); HPE's Smart
 * Array calls it "LOGICAL VOLUME". 1, 0, or -1 when nothing is known. */
int disk_controller_volume(const char *driver, const char *hctl, const char *vendor, const char *model);

/* loop, ram, zram, md and dm devices: shown only with --all. */
bool disk_name_is_virtual(const char *name);
/* "SSD" or "HDD" (or "?" when rotational is unknown). */
const char *disk_kind(const struct disk *d);
/* sata, sas, nvme, virtio, usb or NULL, from the sysfs device path and the
 * SCSI host's driver name (proc_name; may be NULL). */
const char *disk_transport(const char *devpath, const char *scsi_driver);
/* "naa.5000c500a0b0c000" -> "0x5000c500a0b0c000"; eui./nvme. as they are;
 * t10. vendor strings are no WWN: NULL. Returns a new string or NULL. */
char *disk_wwn_from_wwid(const char *wwid);
/* blkid's "3e1c0c39-..." -> mdadm's "3e1c0c39:...:...:..."; NULL if malformed. */
char *disk_md_uuid(const char *blkid_uuid);
/* "host:data" -> "data" (a new string). */
char *disk_md_name(const char *label);
/* Human name of a GPT type GUID or dos type ("0x83"); NULL when unknown. */
const char *disk_part_type_name(const char *type);
/* Make a string from a device safe to show and serialize: bytes outside
 * printable ASCII become \xNN, trailing and leading blanks go. New string. */
char *disk_clean_string(const char *raw, size_t len);
/* "gpt (2 partitions)", "ext4", "linux_raid_member", "-": for the table.
 * Writes into buf (at least 64 bytes). */
const char *disk_contents(const struct disk *d, char *buf, size_t len);

/* ---- use ------------------------------------------------------------------ */

struct mount_entry {
        char *maj_min;
        char *mountpoint;
};
struct mount_table {
        struct mount_entry *mounts;
        size_t n_mounts;
        char **swap_maj_min;       /* devices (maj:min) in use as swap */
};
void mount_table_done(struct mount_table *t);
/* Parse the text of /proc/self/mountinfo into t (appends). */
int mount_table_parse_mountinfo(struct mount_table *t, const char *text, struct error *e);

/* Fill mountpoints and swap_in_use of each disk and partition from t (by
 * maj:min), the disk-level unions of holders and mountpoints, then in_use and
 * in_use_reasons. Idempotent. 0 or -ENOMEM. */
int disk_list_compute_use(struct disk_list *l, const struct mount_table *t);
/* in_use and in_use_reasons from the holders, mountpoints and swap fields
 * already filled in (what disk_list_compute_use ends with). */
int disk_compute_in_use(struct disk *d);

/* The disk with this serial is in this bay (from a BMC's bay map, which the
 * top joins by serial): 0, -ENOENT when no disk has the serial, -EINVAL for
 * a bay that is no short printable name, -ENOMEM. */
int disk_list_set_bay(struct disk_list *l, const char *serial, const char *bay);
/* Is s a bay's name as the bay map and the JSON carry it: 1 to 16 of [A-Za-z0-9._-]. */
bool disk_bay_valid(const char *s);

/* A disk by name, /dev path, serial, WWN (with or without 0x) or by-id path
 * (or its last component); NULL when none matches. */
const struct disk *disk_list_find(const struct disk_list *l, const char *id);

/* The disk that holds kernel block device dev ("sdb", "sdb1", "nvme0n1p2"),
 * and in *ret_part (may be NULL) the partition when dev is one: by the
 * inventory's partition lists, which the kernel's sysfs filled with each
 * disk's own partitions; never by name prefix, for which sda would hold
 * sdaa1 and nvme0n1 nvme0n10p1. NULL when no disk of the list holds it. */
const struct disk *disk_list_holder(const struct disk_list *l, const char *dev, const struct disk_partition **ret_part);

/* Is part the kernel's name for a partition of disk ("sdb1" of "sdb",
 * "nvme0n1p2" of "nvme0n1"), by the kernel's exact naming rule: digits after
 * the disk's name, or "p" and digits when that name ends in a digit. Only for
 * when neither sysfs nor the inventory can tell (the disk is gone already):
 * "sdaa1" is no partition of "sda", nor "nvme0n10p1" of "nvme0n1". */
bool disk_name_is_partition_of(const char *part, const char *disk);

/* ---- JSON ------------------------------------------------------------------ */

enum { DISK_JSON_SOURCES = 1 << 0 };
json_object *disk_to_json(const struct disk *d, unsigned flags);
/* {"disks": [ ... ]} */
json_object *disk_list_to_json(const struct disk_list *l, unsigned flags);
int disk_from_json(json_object *o, struct disk *ret, struct error *e);
int disk_list_from_json(json_object *o, struct disk_list **ret, struct error *e);
/* An offline inventory (`hostctl disks --json`, hostd's Inventory): the list
 * as the scan would give it, whether each disk is in use (and why) worked out
 * again from the mounts, holders and swap it records, not taken on its word.
 * The one reader of every --from, --host, --inventory and test inventory. */
int disk_list_from_inventory_json(json_object *o, struct disk_list **ret, struct error *e);
/* The same from a file; the messages name the file. */
int disk_list_read_json_file(const char *path, struct disk_list **ret, struct error *e);
