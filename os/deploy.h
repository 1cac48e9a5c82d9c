/* Putting an OS image onto the RAID 1 and making every member bootable.
 * Each step looks at the target first and returns an enum outcome
 * (lib/outcome.h): OUTCOME_CHANGED when it changed something,
 * OUTCOME_UNCHANGED when the target already was so, OUTCOME_SKIPPED when the
 * step does not apply here (no UEFI firmware, ...); or a negative errno.
 * With dry set it only looks and returns OUTCOME_CHANGED for "would
 * change". msg says what was found. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "spec.h"

enum os_step_kind {
        OS_FETCH,                 /* download and check the image: before any disk is touched */
        OS_MOUNT_ROOT,            /* the root array on the target directory */
        OS_UNPACK,                /* the image into the root */
        OS_MOUNT_ESP,             /* the ESP array on <target>/boot/efi */
        OS_PACKAGE,               /* the hostd package (--package) into the target with the target's apt */
        OS_CONFIGURE,             /* hostname, fstab for / and /boot/efi, root login, first-boot unit */
        OS_INITRAMFS,             /* update-initramfs in the target: mdadm and the ARRAY lines */
        OS_GRUB_BIOS,             /* grub-install i386-pc on one member disk */
        OS_GRUB_EFI,              /* grub-install x86_64-efi, removable path, on the ESP */
        OS_EFI_ENTRIES,           /* one firmware boot entry per disk (efibootmgr), when booted by UEFI */
        OS_GRUB_CONFIG,           /* update-grub */
        OS_FINISH,                /* unmount the target */
};
const char *os_step_name(enum os_step_kind k);

struct os_target {
        const struct os_spec *spec;
        const char *mnt;              /* OS_TARGET unless testing */
        const char *root_dev;         /* "/dev/md/os" */
        const char *esp_dev;          /* "/dev/md/os-esp", or NULL */
        int esp_partition;            /* the ESP's partition number on each disk */
        char *const *boot_disks;      /* whole member disks, stable paths */
        const char *hostname;
        const char *spec_path;        /* copied into the target for the first boot */
        const char *self_dir;         /* where hostctl and hostd are, copied into the target without a package */
        const char *package_path;     /* hostd_<version>_amd64.deb installed into the target, or NULL */
        char *const *data_mounts;     /* the spec's data filesystems (/srv/pool): the first boot waits for them */
        char *image_path;             /* set by OS_FETCH: the checked local image */
        void (*progress)(void *userdata, long long done, long long total);
        void *userdata;
};

/* disk: the member disk for OS_GRUB_BIOS, else NULL. An enum outcome or a negative errno. */
int os_step_run(enum os_step_kind kind, struct os_target *t, const char *disk, bool dry, char *msg, size_t msg_len,
                struct error *e);

/* Unmount whatever is mounted under the target (after a failure). */
void os_target_release(const struct os_target *t);

/* The unit that runs `hostctl apply` once in the installed system, with
 * the hostctl at hostctl_path (the package's, or the copied one), after
 * systemd has mounted data_mounts (NULL-terminated, or NULL). */
char *os_firstboot_unit(const char *hostctl_path, char *const *data_mounts);
/* systemd's mount unit name of a normalized absolute path. */
char *os_mount_unit_name(const char *path);
#define OS_FIRSTBOOT_UNIT "hostd-firstboot.service"
#define OS_FIRSTBOOT_DONE "/var/lib/hostd/firstboot.done"
