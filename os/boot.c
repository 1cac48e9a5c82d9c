/* Making the mirror bootable from either disk: the initramfs that assembles
 * the arrays, GRUB in every member's MBR + BIOS boot partition, GRUB on the
 * ESP (a RAID 1 with its superblock at the end, so firmware sees plain FAT),
 * and the menu. Stamps in <target>/var/lib/hostd/ record what the inputs
 * were, so that a second run can tell "done" from "to do" without redoing
 * minutes of work. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "deploy_steps.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/probe.h"
#include "lib/strutil.h"
#include "target.h"

#define SLOW_MS (30 * 60 * 1000)

/* "6.1.0-28-amd64 ..." : the kernels in the target, sorted. */
static char *kernels(const char *mnt) {
        _cleanup_free_ char *dir = target_path(mnt, "lib/modules");
        DIR *d = dir ? opendir(dir) : NULL;
        if (!d)
                return strdup("");
        _cleanup_strv_free_ char **v = NULL;
        for (struct dirent *de; (de = readdir(d));)
                if (de->d_name[0] != '.')
                        strv_push(&v, de->d_name);
        closedir(d);
        size_t n = strv_length(v);
        for (size_t i = 1; i < n; i++)   /* a handful of names: insertion sort */
                for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
                        char *x = v[j];
                        v[j] = v[j - 1];
                        v[j - 1] = x;
                }
        return v ? strv_join(v, " ") : strdup("");
}

/* The stamp's expected text; the step is done when the stamp holds it. */
static bool stamp_is(const char *mnt, const char *name, const char *want) {
        _cleanup_free_ char *path = strdup_printf("%s/var/lib/hostd/%s", mnt, name), *have = NULL;
        struct error ignore = { 0 };
        return path && read_file(path, 64 << 10, &have, NULL, &ignore) >= 0 && streq(have, want);
}

static int stamp_write(const char *mnt, const char *name, const char *text, struct error *e) {
        _cleanup_free_ char *path = strdup_printf("%s/var/lib/hostd/%s", mnt, name);
        return file_ensure_content(path, text, 0644, e) < 0 ? e->code : 0;
}

/* Run argv in the target (with /dev, /proc, /sys, /run bound in), then record its stamp. */
static int run_and_stamp(const struct os_target *t, const char *const *argv, const char *stamp, const char *text,
                         struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        if (target_bind_system(t->mnt, e) < 0 || target_run(t->mnt, argv, SLOW_MS, &r, e) < 0)
                return e->code;
        return stamp ? stamp_write(t->mnt, stamp, text, e) : 0;
}

int step_initramfs(struct os_target *t, bool dry, char *msg, size_t n, struct error *e) {
        _cleanup_free_ char *conf_path = target_path(t->mnt, "etc/mdadm/mdadm.conf"), *conf = NULL, *ks = kernels(t->mnt);
        struct error ignore = { 0 };
        read_file(conf_path, 1 << 20, &conf, NULL, &ignore);
        _cleanup_free_ char *want = strdup_printf("kernels: %s\nmdadm.conf:\n%s", ks, conf ? conf : "");
        if (!want || !ks)
                return error_set(e, -ENOMEM, "out of memory");
        if (stamp_is(t->mnt, "initramfs.stamp", want)) {
                snprintf(msg, n, "the initramfs of %s carries this mdadm.conf", ks);
                return OUTCOME_UNCHANGED;
        }
        if (!*ks)
                return error_set(e, -ENOENT, "%s/lib/modules holds no kernel: the image cannot boot", t->mnt);
        snprintf(msg, n, "build the initramfs of %s with mdadm and the ARRAY lines", ks);
        if (dry)
                return OUTCOME_CHANGED;
        if (target_bind_system(t->mnt, e) < 0)
                return e->code;
        char *save = NULL;
        for (char *k = strtok_r(ks, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
                /* -u only refreshes initrds that exist: a new kernel needs -c */
                _cleanup_free_ char *initrd = strdup_printf("%s/boot/initrd.img-%s", t->mnt, k);
                const char *mode = initrd && access(initrd, F_OK) == 0 ? "-u" : "-c";
                _cleanup_(run_result_free) struct run_result r = { 0 };
                if (target_run(t->mnt, (const char *[]){ "update-initramfs", mode, "-k", k, NULL }, SLOW_MS, &r, e) < 0)
                        return e->code;
                _cleanup_(run_result_free) struct run_result l = { 0 };
                _cleanup_free_ char *img = strdup_printf("/boot/initrd.img-%s", k);
                if (target_run(t->mnt, (const char *[]){ "lsinitramfs", img, NULL }, SLOW_MS, &l, e) < 0)
                        return e->code;
                if (!l.out || !strstr(l.out, "etc/mdadm/mdadm.conf") || !strstr(l.out, "sbin/mdadm"))
                        return error_set(e, -ENOENT, "%s lacks mdadm or mdadm.conf: the arrays would not assemble at "
                                                     "boot (is mdadm installed in the image?)", img);
        }
        _cleanup_free_ char *again = kernels(t->mnt);
        snprintf(msg, n, "initramfs of %s rebuilt with mdadm and the ARRAY lines", again ? again : "?");
        return stamp_write(t->mnt, "initramfs.stamp", want, e) < 0 ? e->code : OUTCOME_CHANGED;
}

/* GRUB's boot.img in the MBR carries the string "GRUB". */
static bool mbr_has_grub(const char *disk) {
        char mbr[512];
        int fd = open(disk, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t l = pread(fd, mbr, sizeof mbr, 0);
        close(fd);
        return l == (ssize_t)sizeof mbr && memmem(mbr, sizeof mbr, "GRUB", 4);
}

static char *root_uuid(const struct os_target *t) {
        return probe_value(t->root_dev, "UUID");
}

int step_grub_bios(struct os_target *t, const char *disk, bool dry, char *msg, size_t n, struct error *e) {
        _cleanup_free_ char *uuid = root_uuid(t), *base = strdup(strrchr(disk, '/') ? strrchr(disk, '/') + 1 : disk);
        _cleanup_free_ char *stamp = strdup_printf("grub-bios.%s", base);
        if (!uuid)
                return error_set(e, -ENOENT, "%s has no filesystem", t->root_dev);
        if (mbr_has_grub(disk) && stamp_is(t->mnt, stamp, uuid)) {
                snprintf(msg, n, "%s boots GRUB for root %s", disk, uuid);
                return OUTCOME_UNCHANGED;
        }
        snprintf(msg, n, "GRUB (BIOS) into the MBR and BIOS boot partition of %s", disk);
        if (dry)
                return OUTCOME_CHANGED;
        if (run_and_stamp(t, (const char *[]){ "grub-install", "--target=i386-pc", disk, NULL }, NULL, NULL, e) < 0)
                return e->code;
        if (!mbr_has_grub(disk))
                return error_set(e, -EIO, "grub-install said yes, but the MBR of %s holds no GRUB", disk);
        return stamp_write(t->mnt, stamp, uuid, e) < 0 ? e->code : OUTCOME_CHANGED;
}

int step_grub_efi(struct os_target *t, bool dry, char *msg, size_t n, struct error *e) {
        _cleanup_free_ char *uuid = root_uuid(t), *loader = target_path(t->mnt, "boot/efi/EFI/BOOT/BOOTX64.EFI");
        if (!uuid)
                return error_set(e, -ENOENT, "%s has no filesystem", t->root_dev);
        if (access(loader, F_OK) == 0 && stamp_is(t->mnt, "grub-efi", uuid)) {
                snprintf(msg, n, "the ESP holds \\EFI\\BOOT\\BOOTX64.EFI for root %s", uuid);
                return OUTCOME_UNCHANGED;
        }
        snprintf(msg, n, "GRUB (UEFI) onto the ESP mirror, removable path \\EFI\\BOOT\\BOOTX64.EFI");
        if (dry)
                return OUTCOME_CHANGED;
        /* --removable: found by any firmware without boot entries; --no-nvram:
         * the entries are the next step's, one per disk */
        return run_and_stamp(t,
                             (const char *[]){ "grub-install", "--target=x86_64-efi", "--efi-directory=/boot/efi",
                                               "--removable", "--no-nvram", NULL },
                             "grub-efi", uuid, e) < 0
                       ? e->code
                       : OUTCOME_CHANGED;
}

int step_efi_entries(struct os_target *t, bool dry, char *msg, size_t n, struct error *e) {
        if (access("/sys/firmware/efi/efivars", F_OK) != 0) {
                snprintf(msg, n, "booted by BIOS: no firmware boot entries to write (the removable path boots under UEFI)");
                return OUTCOME_SKIPPED;
        }
        _cleanup_(run_result_free) struct run_result l = { 0 };
        if (run_checked((const char *[]){ "efibootmgr", NULL }, NULL, &l, e) < 0)
                return e->code;
        bool changed = false;
        for (char *const *d = t->boot_disks; d && *d; d++) {
                const char *base = strrchr(*d, '/') ? strrchr(*d, '/') + 1 : *d;
                _cleanup_free_ char *label = strdup_printf("hostd %.40s", base), *part = strdup_printf("%d", t->esp_partition);
                if (l.out && strstr(l.out, label))
                        continue;
                changed = true;
                if (dry)
                        continue;
                _cleanup_(run_result_free) struct run_result r = { 0 };
                if (run_checked((const char *[]){ "efibootmgr", "--create", "--disk", *d, "--part", part, "--label", label,
                                                  "--loader", "\\EFI\\BOOT\\BOOTX64.EFI", NULL },
                                NULL, &r, e) < 0)
                        return e->code;
        }
        snprintf(msg, n, changed ? "a firmware boot entry for each OS disk" : "every OS disk has its boot entry");
        return changed ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

int step_grub_config(struct os_target *t, bool dry, char *msg, size_t n, struct error *e) {
        _cleanup_free_ char *uuid = root_uuid(t), *ks = kernels(t->mnt);
        _cleanup_free_ char *want = strdup_printf("root %s kernels %s", uuid ? uuid : "?", ks ? ks : "");
        _cleanup_free_ char *cfg_path = target_path(t->mnt, "boot/grub/grub.cfg"), *cfg = NULL;
        _cleanup_free_ char *root_arg = strdup_printf("root=UUID=%s", uuid ? uuid : "?");
        struct error ignore = { 0 };
        if (!uuid)
                return error_set(e, -ENOENT, "%s has no filesystem", t->root_dev);
        if (read_file(cfg_path, 4 << 20, &cfg, NULL, &ignore) >= 0 && strstr(cfg, root_arg) &&
            stamp_is(t->mnt, "grub-config", want)) {
                snprintf(msg, n, "grub.cfg boots %s with %s", ks, root_arg);
                return OUTCOME_UNCHANGED;
        }
        snprintf(msg, n, "write grub.cfg (update-grub) for %s", ks);
        if (dry)
                return OUTCOME_CHANGED;
        if (run_and_stamp(t, (const char *[]){ "update-grub", NULL }, NULL, NULL, e) < 0)
                return e->code;
        free(cfg);
        cfg = NULL;
        if (read_file(cfg_path, 4 << 20, &cfg, NULL, e) < 0)
                return e->code;
        if (!strstr(cfg, root_arg))
                return error_set(e, -EIO, "update-grub wrote %s without %s: the kernel would not find its root", cfg_path,
                                 root_arg);
        return stamp_write(t->mnt, "grub-config", want, e) < 0 ? e->code : OUTCOME_CHANGED;
}
