/* What the raid verbs share (hostd/cmd_raid*.c). */
#pragma once

#include <stdio.h>

#include "cli.h"
#include "raid/disk.h"
#include "raid/lifecycle.h"
#include "raid/plan.h"
#include "raid/spec.h"

/* The storage section of a host spec (YAML or JSON), or a file that is only that section. */
int raid_load_spec(const char *path, struct storage_spec **ret, struct error *e);
/* This machine's disks, or those of a captured `hostctl disks --json`. */
int raid_load_inventory(const char *path, struct disk_list **ret, struct error *e);
void raid_print_plan(FILE *out, const struct plan *p);
/* Ask "yes" on the terminal; refuses without one. 0 yes, ERROR_REFUSED no. */
int raid_confirm(struct cli_ctx *ctx, const char *question, struct error *e);
/* Follow resync/recovery of /dev/md/<name> with a progress line until idle. */
int raid_wait_sync(struct cli_ctx *ctx, const char *name, struct error *e);
/* The operation through the hostd at ctx->host (cmd_raid_remote.c): its
 * Volume action, followed to the end of its task. */
int raid_life_remote(struct cli_ctx *ctx, const struct raid_request *rq, struct error *e);

extern const struct command raid_create, raid_status, raid_replace, raid_add_spare, raid_remove, raid_scrub,
        raid_grow, raid_stop, raid_assemble, raid_destroy;
