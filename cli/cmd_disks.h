/* hostctl disks: the human forms of the inventory, apart so tests can read them. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "ipmi/bmc.h"
#include "raid/disk.h"

/* The table of `hostctl disks`; with sources, each disk's identity sources after it. */
void disks_print_table(FILE *out, const struct disk_list *l, bool sources);
/* The key: value view of `hostctl disks show ID`. */
void disks_print_disk(FILE *out, const struct disk *d, bool sources);

/* cli/cmd_disks_health.c: the HEALTH column's word ("-" when not asked) */
const char *disks_health_word(const struct disk *d);
/* The health lines of `show` */
void disks_print_health(FILE *out, const struct disk *d);
/* --health [--wake]: ask each disk's SMART now (smartctl, in parallel) */
int disks_check_health(struct disk_list *l, bool wake, struct error *e);

/* cli/cmd_disks_bay.c: the bays (the BMC named by its config, as `hostctl bmc --bmc NAME`) */
int disks_open_bmc(const char *name, struct bmc **ret, struct error *e);
/* Each disk of l whose serial the BMC shows gets that drive's bay. */
int disks_join_bays(struct disk_list *l, const struct bmc_bays *bays);
int disks_read_bays(const char *bmc_name, struct disk_list *l, struct error *e);
/* Blink (on) or stop the bay LED of d; *ret the --json document, *ret_text the line. */
int disks_locate(const struct disk *d, const char *bmc_name, bool on, json_object **ret, char **ret_text,
                 struct error *e);
/* The same through a running hostd: PATCH of its Drive's LocationIndicatorActive. */
/* in-band, through the disk's SCSI enclosure (SES) slot or PCIe hot-plug slot */
int disks_locate_enclosure(const struct disk *d, bool on, json_object **ret, char **ret_text, struct error *e);
int disks_locate_remote(const char *host, const struct disk *d, bool on, json_object **ret, char **ret_text,
                        struct error *e);
