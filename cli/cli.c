#include "cli.h"

#include <stdarg.h>
#include <string.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/strutil.h"

#ifndef HOSTD_VERSION
#define HOSTD_VERSION "0.0.0"
#endif

static const char global_help[] =
        "Global options (anywhere on the line, before a lone --):\n"
        "  -h, --help      show help for the command given so far\n"
        "      --version   print the version and exit\n"
        "      --json      print data and errors as JSON on stdout\n"
        "  -v, --verbose   report progress (log level info)\n"
        "      --debug     log every external command with its exit and stderr\n"
        "      --host URL  ask a running hostd (unix:///run/hostd/hostd.sock or https://HOST:PORT;\n"
        "                  HOSTCTL_USER, HOSTCTL_PASSWORD, HOSTCTL_CACERT from the environment)\n"
        "      --local     run in-process (the default; first boot, rescue)\n"
        "\n"
        "Exit codes: 0 ok, 1 failure, 2 usage error, 3 refused for safety.\n";

struct global_opts {
        bool help, version, json;
        int verbosity;
        const char *host;
};

/* Global options may stand anywhere: take them out of argv in place so that
 * the command tree and the leaves only see their own words. */
static int take_global_options(int *argc, char **argv, struct global_opts *g, char **ret_bad) {
        int n = 1;
        bool rest = false;
        for (int i = 1; i < *argc; i++) {
                const char *a = argv[i];
                if (!rest && streq(a, "--"))
                        rest = true;
                else if (!rest && (streq(a, "-h") || streq(a, "--help")))
                        g->help = true;
                else if (!rest && streq(a, "--version"))
                        g->version = true;
                else if (!rest && streq(a, "--json"))
                        g->json = true;
                else if (!rest && (streq(a, "-v") || streq(a, "--verbose")))
                        g->verbosity = g->verbosity > 1 ? g->verbosity : 1;
                else if (!rest && streq(a, "--debug"))
                        g->verbosity = 2;
                else if (!rest && streq(a, "--local"))
                        g->host = NULL;
                else if (!rest && streq(a, "--host") && i + 1 < *argc)
                        g->host = argv[++i];
                else if (!rest && startswith(a, "--host="))
                        g->host = a + 7;
                else if (!rest && startswith(a, "--json=")) {
                        *ret_bad = argv[i];
                        return -EINVAL;
                } else
                        argv[n++] = argv[i];
        }
        argv[n] = NULL;
        *argc = n;
        return 0;
}

static void print_help(const char *path, const struct command *c, FILE *f) {
        fprintf(f, "Usage: %s%s%s\n", path, c->args ? " " : "", c->args ? c->args : "");
        if (c->summary)
                fprintf(f, "\n%s\n", c->summary);
        if (c->subs) {
                fprintf(f, "\nCommands:\n");
                for (const struct command *const *s = c->subs; *s; s++)
                        fprintf(f, "  %-14s %s\n", (*s)->name, (*s)->summary ? (*s)->summary : "");
                fprintf(f, "\nRun '%s COMMAND --help' for a command's options.\n", path);
        }
        if (c->help)
                fprintf(f, "\n%s", c->help);
        fprintf(f, "\n%s", global_help);
}

static const struct command *find_sub(const struct command *c, const char *name) {
        for (const struct command *const *s = c->subs; s && *s; s++)
                if (streq((*s)->name, name))
                        return *s;
        return NULL;
}

/* The error goes into the command's document, beside its data (the plan with
 * its errors, the BMCs that answered): one document, never data and then an
 * error. Data that is no object, or has an "error" of its own, goes under
 * "data". Without data the document is the error alone. */
static void add_error_to_document(struct cli_ctx *ctx, json_object *err) {
        json_object *doc = ctx->doc;
        if (!json_object_is_type(doc, json_type_object) || json_object_object_get_ex(doc, "error", NULL)) {
                json_object *o = json_object_new_object();
                if (doc)
                        json_object_object_add(o, "data", doc);
                ctx->doc = doc = o;
        }
        json_object_object_add(doc, "error", json_object_get(err));
}

static int report(struct cli_ctx *ctx, const struct error *e) {
        int code = ctx->usage_error ? CLI_EXIT_USAGE : e->code == ERROR_REFUSED ? CLI_EXIT_REFUSED : CLI_EXIT_FAILURE;
        fprintf(stderr, "%s: %s\n", ctx->path, e->msg[0] ? e->msg : error_code_text(e->code));
        if (ctx->json) {
                _cleanup_json_ json_object *err = json_object_new_object();
                json_add_string(err, "message", e->msg);
                json_add_string(err, "errno", error_code_name(e->code));
                json_add_int(err, "exit_code", code);
                add_error_to_document(ctx, err);
        }
        return code;
}

/* Parse the global options, walk the command tree, run the leaf; on failure,
 * report. Returns the exit code; the document to print stays in ctx->doc. */
static int run_frame(const struct command *root, int argc, char **argv, struct cli_ctx *ctx) {
        struct global_opts g = { 0 };
        char *bad = NULL;
        struct error e = { 0 };
        if (take_global_options(&argc, argv, &g, &bad) < 0) {
                ctx->usage_error = true;
                error_set(&e, -EINVAL, "%s: --json takes no value", bad);
                return report(ctx, &e);
        }
        ctx->json = g.json;
        ctx->host = g.host;
        log_setup(root->name, LOG_TARGET_STDERR,
                  g.verbosity >= 2 ? LOG_LEVEL_DEBUG : g.verbosity == 1 ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING);
        if (g.version) {
                if (ctx->json) {
                        _cleanup_json_ json_object *o = json_object_new_object();
                        json_add_string(o, "name", root->name);
                        json_add_string(o, "version", HOSTD_VERSION);
                        cli_print_json(ctx, o);
                } else
                        printf("%s %s\n", root->name, HOSTD_VERSION);
                return CLI_EXIT_OK;
        }

        /* walk down the tree: "hostctl raid create ..." */
        const struct command *c = root;
        char path[256];
        snprintf(path, sizeof path, "%s", root->name);
        int i = 1;
        while (c->subs && i < argc) {
                const struct command *s = find_sub(c, argv[i]);
                if (!s) {
                        ctx->path = path;
                        ctx->usage_error = true;
                        error_set(&e, -EINVAL, "unknown command '%s'; run '%s --help' for the list",
                                  argv[i], path);
                        return report(ctx, &e);
                }
                size_t len = strlen(path);
                snprintf(path + len, sizeof path - len, " %s", s->name);
                c = s;
                i++;
        }
        ctx->path = path;
        if (g.help) {
                print_help(path, c, stdout);
                return CLI_EXIT_OK;
        }
        if (!c->run) {
                print_help(path, c, stderr);
                ctx->usage_error = true;
                error_set(&e, -EINVAL, "a command is missing; run '%s --help' for the list", path);
                return report(ctx, &e);
        }
        /* an answer from this machine where the operator asked another would be a lie */
        if (ctx->host && !c->remote) {
                error_set(&e, -EOPNOTSUPP, "--host: hostd does not serve '%s' yet; run it on that machine itself "
                                           "(without --host)", path);
                return report(ctx, &e);
        }
        /* the leaf sees argv[0] = its own name, then its options and operands */
        int k = c->run(ctx, argc - i + 1, argv + i - 1, &e);
        if (k < 0) {
                if (!e.code)
                        error_set(&e, k, "%s", error_code_text(k));
                return report(ctx, &e);
        }
        return CLI_EXIT_OK;
}

int cli_main(const struct command *root, int argc, char **argv) {
        struct cli_ctx ctx = { .out = stdout, .path = root->name };
        int code = run_frame(root, argc, argv, &ctx);
        /* the one document of --json, with the error in it when the command failed */
        if (ctx.doc) {
                fprintf(ctx.out, "%s\n", json_pretty(ctx.doc));
                fflush(ctx.out);
                json_object_put(ctx.doc);
        }
        return code;
}

int cli_usage_error(struct cli_ctx *ctx, struct error *e, const char *fmt, ...) {
        ctx->usage_error = true;
        char msg[ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        return error_set(e, -EINVAL, "%s; see '%s --help'", msg, ctx->path);
}

static const struct option *long_option(const struct option *longopts, const char *name, size_t len) {
        for (const struct option *o = longopts; o && o->name; o++)
                if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                        return o;
        return NULL;
}

/* Does short option c take a value (in getopt's "ab:c" notation)? */
static bool short_takes_value(const char *shortopts, char c) {
        const char *p = c != ':' && shortopts ? strchr(shortopts, c) : NULL;
        return p && p[1] == ':';
}

/* getopt_long takes any unique prefix of a long option ("--pass X" is
 * "--password-file X"): before it runs, every "--name" must be a whole name.
 * The message names the option only, never its value (it may be a secret). */
static int check_whole_names(struct cli_ctx *ctx, int argc, char **argv, const char *shortopts,
                             const struct option *longopts, struct error *e) {
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (streq(a, "--"))
                        return 0;
                if (a[0] != '-' || !a[1])
                        continue;
                if (a[1] != '-') {      /* -x, -xVALUE, -x VALUE */
                        for (const char *c = a + 1; *c; c++)
                                if (short_takes_value(shortopts, *c)) {
                                        i += c[1] ? 0 : 1;
                                        break;
                                }
                        continue;
                }
                size_t len = strcspn(a + 2, "=");
                const struct option *o = long_option(longopts, a + 2, len);
                if (!o)
                        return cli_usage_error(ctx, e, "unknown option '%.*s'", (int)(len + 2), a);
                if (o->has_arg == required_argument && !a[2 + len])
                        i++;            /* its value, whatever it looks like */
        }
        return 0;
}

int cli_parse_options(struct cli_ctx *ctx, int argc, char **argv, const char *shortopts,
                      const struct option *longopts,
                      int (*handle)(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e),
                      void *userdata, int *ret_optind, struct error *e) {
        int k = check_whole_names(ctx, argc, argv, shortopts, longopts, e);
        if (k < 0)
                return k;
        /* options may follow the operands: "raid replace data --failed X" */
        _cleanup_free_ char *opts = strdup_printf(":%s", shortopts ? shortopts : "");
        if (!opts)
                return error_set(e, -ENOMEM, "out of memory");
        optind = 0; /* 0 re-initialises getopt for each command */
        opterr = 0;
        int opt;
        while ((opt = getopt_long(argc, argv, opts, longopts, NULL)) != -1) {
                const char *word = argv[optind - 1];
                int len = (int)strcspn(word, "=");          /* "--opt=VALUE": the name only */
                if (opt == '?')
                        return cli_usage_error(ctx, e, "unknown option '%.*s'", len, word);
                if (opt == ':')
                        return cli_usage_error(ctx, e, "option '%.*s' needs a value", len, word);
                k = handle(ctx, opt, optarg, userdata, e);
                if (k < 0)
                        return k;
        }
        *ret_optind = optind;
        return 0;
}

void cli_print_json(struct cli_ctx *ctx, json_object *o) {
        json_object_put(ctx->doc);
        ctx->doc = json_object_get(o);
}
