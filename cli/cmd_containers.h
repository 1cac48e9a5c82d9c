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

struct migrate_report;

/* The end of every verify: each check as a line (text) or as "checks" and
 * "ok" in o, printed as the one document (--json); an error naming what
 * (containerd, runc bundle, ...) on pool when a check failed. */
int containers_report_checks(struct cli_ctx *ctx, const struct checks *c, json_object *o, const char *what,
                             const char *pool, struct error *e);
/* What a migrate of runtime did, moving its data to root. */
void containers_print_migrate(struct cli_ctx *ctx, const char *runtime, const char *root,
                              const struct migrate_report *r);

/* The verbs for runtime docker or podman (o->runtime). */
int engine_setup_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e);
int engine_start_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e);
int engine_stop_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e);
int engine_verify_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e);
int engine_migrate_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e);
/* status: st is the document of containers_engine_status_json() */
void engine_print_status(FILE *out, const char *name, json_object *st);
