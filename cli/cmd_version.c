/* hostctl version: what this binary is and what it was built with. */
#include <json-c/json.h>
#include <stdio.h>

#include "commands.h"
#include "lib/json.h"

#ifndef HOSTD_VERSION
#define HOSTD_VERSION "0.0.0"
#endif

static int version_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        (void)argv;
        if (argc > 1)
                return cli_usage_error(ctx, e, "'version' takes no arguments");
        if (ctx->json) {
                _cleanup_json_ json_object *o = json_object_new_object();
                json_add_string(o, "name", "hostctl");
                json_add_string(o, "version", HOSTD_VERSION);
                json_add_string(o, "json_c", json_c_version());
                cli_print_json(ctx, o);
        } else
                fprintf(ctx->out, "hostctl %s (json-c %s)\n", HOSTD_VERSION, json_c_version());
        return 0;
}

const struct command cmd_version = {
        .name = "version",
        .summary = "Print the version of hostctl",
        .run = version_run,
};
