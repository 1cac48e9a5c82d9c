/* The step functions behind os_step_run (os/deploy.c), one file per area.
 * Each returns an enum outcome (lib/outcome.h) or a negative errno. */
#pragma once

#include "deploy.h"

int step_fetch(struct os_target *t, bool dry, char *msg, size_t n, struct error *e);
int step_unpack(struct os_target *t, bool dry, char *msg, size_t n, struct error *e);
int step_package(struct os_target *t, bool dry, char *msg, size_t n, struct error *e);
int step_configure(struct os_target *t, bool dry, char *msg, size_t n, struct error *e);
int step_initramfs(struct os_target *t, bool dry, char *msg, size_t n, struct error *e);
int step_grub_bios(struct os_target *t, const char *disk, bool dry, char *msg, size_t n, struct error *e);
int step_grub_efi(struct os_target *t, bool dry, char *msg, size_t n, struct error *e);
int step_efi_entries(struct os_target *t, bool dry, char *msg, size_t n, struct error *e);
int step_grub_config(struct os_target *t, bool dry, char *msg, size_t n, struct error *e);
