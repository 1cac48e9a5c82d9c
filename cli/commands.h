/* The nouns of hostctl; each lives in its own cmd_*.c. */
#pragma once

#include "cli.h"

extern const struct command cmd_version;
extern const struct command cmd_host_status;   /* "status"; cmd_status is taken by containers */
extern const struct command cmd_apply;
extern const struct command cmd_containers;
extern const struct command cmd_raid;
extern const struct command cmd_bmc;
extern const struct command cmd_disks;
extern const struct command cmd_vm;
extern const struct command cmd_pool;
extern const struct command cmd_os_image;   /* "image"; cmd_image is taken by containers */
extern const struct command cmd_report;
