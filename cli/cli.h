/* The hostctl command frame: `hostctl [global options] <noun> <verb> [args]`,
 * help on every level, --json everywhere, one error line, documented exit
 * codes (0 ok, 1 failure, 2 usage, 3 refused for safety). */
#pragma once

#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/error.h"

enum cli_exit {
        CLI_EXIT_OK = 0,
        CLI_EXIT_FAILURE = 1,
        CLI_EXIT_USAGE = 2,
        CLI_EXIT_REFUSED = 3,
};

struct cli_ctx {
        bool json;
        bool usage_error;         /* set by cli_usage_error(): exit 2 */
        const char *path;         /* "hostctl raid create", for messages */
        FILE *out;                /* stdout; tests may point it elsewhere */
        const char *host;         /* --host URL: ask a running hostd; NULL: in-process */
        json_object *doc;         /* --json: the document cli_print_json() was given, printed by the frame */
};

struct command {
        const char *name;
        const char *args;         /* what follows the name in the usage line */
        const char *summary;      /* one line, for the parent's list */
        const char *help;         /* options and details, or NULL */
        const struct command *const *subs;   /* NULL-terminated, or NULL for a leaf */
        int (*run)(struct cli_ctx *ctx, int argc, char **argv, struct error *e);
        bool remote;              /* answers --host from a running hostd; others refuse it */
};

/* Parse global options, walk the command tree, run the leaf, report.
 * Returns the process exit code. */
int cli_main(const struct command *root, int argc, char **argv);

/* Leaf helpers. */
int cli_usage_error(struct cli_ctx *ctx, struct error *e, const char *fmt, ...) _printf_(3, 4);
/* getopt_long over a leaf's own options; unknown options become usage errors,
 * and so do abbreviations (getopt_long would take "--pass" for
 * "--password-file"): a long option is its whole name or nothing.
 * handle() gets each option; returns <0 to stop. On success *ret_optind is
 * the index of the first operand. */
int cli_parse_options(struct cli_ctx *ctx, int argc, char **argv, const char *shortopts,
                      const struct option *longopts,
                      int (*handle)(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e),
                      void *userdata, int *ret_optind, struct error *e);
/* The command's JSON document (takes a reference). The frame prints it on
 * ctx->out when the command returns: as it is on success; on failure with the
 * "error" member added, so that --json always prints exactly one document.
 * A second call replaces the first document. */
void cli_print_json(struct cli_ctx *ctx, json_object *o);
