/* hostctl containers: what cmd_containers.c (containerd, the frame) and
 * cmd_containers_engine.c (Docker Engine, podman) share. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "cli.h"
#include "containers/verify.h"

struct containers_opts {
        const char *pool, *config, *run_dir, *runtime, *output;
        bool keep_old, runtime_set;
        struct verify_opts v;
};

/* Each check as a line (text) and as "checks" in o. */
void containers_print_checks(struct cli_ctx *ctx, const struct checks *c, json_object *o);

/* The verbs for runtime docker or podman (o->runtime). */
int engine_setup_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e);
int engine_start_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e);
int engine_stop_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e);
int engine_verify_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e);
int engine_migrate_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e);
/* status: st is the document of containers_engine_status_json() */
void engine_print_status(FILE *out, const char *name, json_object *st);
