/* The target root while the OS is put on it: mounts and commands run in it. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"
#include "lib/exec.h"

/* mount dev on dir (created) unless dir already holds exactly dev:
 * OUTCOME_CHANGED mounted now, OUTCOME_UNCHANGED already; -EBUSY when
 * something else is mounted there. */
int target_mount(const char *dev, const char *dir, const char *fstype, struct error *e);
/* /dev, /dev/pts, /proc, /sys, /run of this system inside root, for chroot. */
int target_bind_system(const char *root, struct error *e);
/* Mount points below root (and root itself when with_root), in mountinfo order. */
int target_mounts_below(const char *root, bool with_root, char ***ret, struct error *e);
/* Unmount everything at or below root, deepest first; 1 when something was. */
int target_umount_all(const char *root, struct error *e);
/* Run argv inside root (chroot) with a Debian-like PATH, noninteractive. */
int target_run(const char *root, const char *const *argv, int timeout_ms, struct run_result *r, struct error *e);
/* <root>/<rel> (allocated). */
char *target_path(const char *root, const char *rel);
