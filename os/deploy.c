#include "deploy.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "deploy_steps.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/strutil.h"
#include "target.h"

const char *os_step_name(enum os_step_kind k) {
        static const char *const names[] = {
                [OS_FETCH] = "fetch",         [OS_MOUNT_ROOT] = "mount-root", [OS_UNPACK] = "unpack",
                [OS_MOUNT_ESP] = "mount-esp", [OS_PACKAGE] = "package",   [OS_CONFIGURE] = "configure",   [OS_INITRAMFS] = "initramfs",
                [OS_GRUB_BIOS] = "grub-bios", [OS_GRUB_EFI] = "grub-efi",     [OS_EFI_ENTRIES] = "efi-entries",
                [OS_GRUB_CONFIG] = "grub-config", [OS_FINISH] = "finish",
        };
        return k < ELEMENTSOF(names) && names[k] ? names[k] : "?";
}

static int mount_step(const char *dev, const char *dir, const char *fstype, bool dry, char *msg, size_t n,
                      struct error *e) {
        if (access(dev, F_OK) != 0) {
                if (dry)   /* a plan on blank disks: the RAID steps before this one make it */
                        return snprintf(msg, n, "mount %s on %s once the RAID steps made it", dev, dir), OUTCOME_CHANGED;
                return error_set(e, -ENOENT, "%s does not exist: the RAID steps come first", dev);
        }
        if (dry) {
                bool mounted = path_is_mounted(dir);
                snprintf(msg, n, mounted ? "%s is mounted" : "mount %s on %s", mounted ? dir : dev, dir);
                return mounted ? OUTCOME_UNCHANGED : OUTCOME_CHANGED;
        }
        int k = target_mount(dev, dir, fstype, e);
        if (k >= 0)
                snprintf(msg, n, k == OUTCOME_CHANGED ? "mounted %s on %s" : "%s is on %s", dev, dir);
        return k;
}

static int finish(struct os_target *t, bool dry, char *msg, size_t n, struct error *e) {
        if (!path_is_mounted(t->mnt)) {
                snprintf(msg, n, "%s is not mounted", t->mnt);
                return OUTCOME_UNCHANGED;
        }
        snprintf(msg, n, "unmount %s and everything below it", t->mnt);
        if (dry)
                return OUTCOME_CHANGED;
        int k = target_umount_all(t->mnt, e);
        sync();
        return k < 0 ? k : OUTCOME_CHANGED;
}

int os_step_run(enum os_step_kind kind, struct os_target *t, const char *disk, bool dry, char *msg, size_t n,
                struct error *e) {
        msg[0] = '\0';
        _cleanup_free_ char *esp_dir = target_path(t->mnt, "boot/efi");
        switch (kind) {
        case OS_FETCH: return step_fetch(t, dry, msg, n, e);
        case OS_MOUNT_ROOT: return mount_step(t->root_dev, t->mnt, NULL, dry, msg, n, e);
        case OS_UNPACK:
                if (!dry && !t->image_path)
                        return error_set(e, -EINVAL, "no checked image: the fetch step did not run");
                return step_unpack(t, dry, msg, n, e);
        case OS_MOUNT_ESP: return mount_step(t->esp_dev, esp_dir, "vfat", dry, msg, n, e);
        case OS_PACKAGE: return step_package(t, dry, msg, n, e);
        case OS_CONFIGURE: return step_configure(t, dry, msg, n, e);
        case OS_INITRAMFS: return step_initramfs(t, dry, msg, n, e);
        case OS_GRUB_BIOS: return step_grub_bios(t, disk, dry, msg, n, e);
        case OS_GRUB_EFI: return step_grub_efi(t, dry, msg, n, e);
        case OS_EFI_ENTRIES: return step_efi_entries(t, dry, msg, n, e);
        case OS_GRUB_CONFIG: return step_grub_config(t, dry, msg, n, e);
        case OS_FINISH: return finish(t, dry, msg, n, e);
        }
        return error_set(e, -EINVAL, "unknown OS step %d", (int)kind);
}

void os_target_release(const struct os_target *t) {
        struct error ignore = { 0 };
        target_umount_all(t->mnt, &ignore);
}
