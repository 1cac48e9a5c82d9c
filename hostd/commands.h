/* The nouns of hostctl; each lives in its own cmd_*.c. */
#pragma once

#include "cli.h"

extern const struct command cmd_version;
extern const struct command cmd_containers;
extern const struct command cmd_raid;
extern const struct command cmd_bmc;
extern const struct command cmd_disks;
extern const struct command cmd_vm;
extern const struct command cmd_pool;
