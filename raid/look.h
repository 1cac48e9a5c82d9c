/* What raid's steps look at before they act, shared by the create steps
 * (raid/apply.c) and the lifecycle steps (raid/life_apply.c). Internal to raid/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "lib/outcome.h"

/* Wait up to timeout_s for path to exist: 0 or -ETIMEDOUT. */
int wait_for_path(const char *path, int timeout_s);
bool udev_running(void);
/* udevadm settle, when udev runs; failures are ignored (a slow udev is no error). */
void udev_settle(void);
/* Does the disk carry a GPT whose partition n is named label? */
bool has_partition(const char *dev, int n, const char *label);
/* A filesystem, RAID member or partition table on dev (libblkid). */
bool has_any_signature(const char *dev);
bool file_contains(const char *path, const char *needle);
/* The look right before a step writes to a disk the plan chose (path, named
 * id for people): what the disk carries now, probed from the disk (libblkid,
 * O_RDONLY; never udev's record, which a write behind udev's back leaves
 * stale), against what the plan saw (disk_contents_key). 0 when the same;
 * ERROR_REFUSED naming the disk and both when not; or a negative errno when
 * the disk cannot be read. */
int disk_still_as_planned(const char *path, const char *id, const char *seen, struct error *e);
/* The running array with this md name: 1 with its kernel name ("md127"), else 0. */
int find_array(const char *name, char **ret_kname);
/* root ("/" when NULL) joined with rel ("etc/fstab"); NULL on ENOMEM. */
char *root_path(const char *root, const char *rel);

/* The fstab line of a data array's filesystem. nofail: a missing or
 * destroyed pool never holds up the boot (systemd would otherwise drop to the
 * emergency shell). A device timeout of 90 s, not shorter: the boot does not
 * wait for it anyway, and a pool whose array comes up late (a degraded boot,
 * disks spinning up) must still be mounted, since the runtimes on it wait
 * for the mount. Not for / or the ESP. */
char *fstab_data_line(const char *fs_uuid, const char *mountpoint, const char *fs_type);
/* Its key: the text that finds the line again ("UUID=<fs_uuid> "). */
char *fstab_key(const char *fs_uuid);

/* update-initramfs -u, so that the initramfs carries the new mdadm.conf:
 * only when the running system boots from these files (root is "/" or NULL)
 * and has update-initramfs. OUTCOME_SKIPPED otherwise, with msg saying why;
 * OUTCOME_CHANGED (dry: would run); or a negative errno. */
int initramfs_refresh(const char *root, bool dry, char *msg, size_t n, struct error *e);
