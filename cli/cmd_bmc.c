/* hostctl bmc: which BMC(s), with which credentials, then the verb
 * (cmd_bmc_verbs.c). Several BMCs run in parallel, one result line each. */
#include <stdio.h>
#include <string.h>

#include "cmd_bmc.h"
#include "commands.h"
#include "ipmi/bmc_multi.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strutil.h"

struct bmc_opts {
        char **names;                 /* --bmc a,b,c and --bmc-file */
        const char *address, *user, *password_file, *ca_file, *config_dir, *system;
        bool insecure, auth_given;
        enum bmc_auth auth;
        int parallel, timeout_s, wait_s;
        struct bmc_request rq;
};

static int read_name_file(const char *path, char ***names, struct error *e) {
        _cleanup_free_ char *text = NULL;
        int k = read_file(path, 1024 * 1024, &text, NULL, e);
        if (k < 0)
                return k;
        char *save = NULL;
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                l = str_trim(l);
                if (*l && *l != '#' && strv_push(names, l) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        return 0;
}

static int parse_int_opt(struct cli_ctx *ctx, const char *opt, const char *arg, int max, int *ret, struct error *e) {
        char *end;
        long v = strtol(arg, &end, 10);
        if (*end || v < 1 || v > max)
                return cli_usage_error(ctx, e, "%s takes a number from 1 to %d", opt, max);
        *ret = (int)v;
        return 0;
}

enum { O_BMC = 0x100, O_BMC_FILE, O_ADDRESS, O_USER, O_PWFILE, O_CA, O_INSECURE, O_CONFDIR, O_PARALLEL,
       O_TIMEOUT, O_WAIT, O_ONCE, O_PERSISTENT, O_UEFI, O_LEGACY, O_SYSTEM, O_AUTH, O_PASSWORD };

static const struct option options[] = {
        { "bmc", required_argument, NULL, O_BMC },         { "bmc-file", required_argument, NULL, O_BMC_FILE },
        { "address", required_argument, NULL, O_ADDRESS }, { "user", required_argument, NULL, O_USER },
        { "password-file", required_argument, NULL, O_PWFILE }, { "ca-file", required_argument, NULL, O_CA },
        { "insecure", no_argument, NULL, O_INSECURE },     { "config-dir", required_argument, NULL, O_CONFDIR },
        { "parallel", required_argument, NULL, O_PARALLEL }, { "timeout", required_argument, NULL, O_TIMEOUT },
        { "wait", required_argument, NULL, O_WAIT },       { "once", no_argument, NULL, O_ONCE },
        { "persistent", no_argument, NULL, O_PERSISTENT }, { "uefi", no_argument, NULL, O_UEFI },
        { "legacy", no_argument, NULL, O_LEGACY },         { "system", required_argument, NULL, O_SYSTEM },
        { "auth", required_argument, NULL, O_AUTH },
        /* only to say where passwords go; optional: "--password VALUE" leaves VALUE as a word, never read */
        { "password", optional_argument, NULL, O_PASSWORD },
        {},
};

static int handle(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct bmc_opts *o = userdata;
        switch (opt) {
        case O_BMC: {
                _cleanup_free_ char *copy = strdup(arg);
                char *save = NULL;
                for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                        if (strv_push(&o->names, t) < 0)
                                return error_set(e, -ENOMEM, "out of memory");
                return 0;
        }
        case O_BMC_FILE: return read_name_file(arg, &o->names, e);
        case O_ADDRESS: o->address = arg; return 0;
        case O_USER: o->user = arg; return 0;
        case O_PWFILE: o->password_file = arg; return 0;
        case O_CA: o->ca_file = arg; return 0;
        case O_SYSTEM: o->system = arg; return 0;
        case O_INSECURE: o->insecure = true; return 0;
        case O_CONFDIR: o->config_dir = arg; return 0;
        case O_PARALLEL: return parse_int_opt(ctx, "--parallel", arg, 1024, &o->parallel, e);
        case O_TIMEOUT: return parse_int_opt(ctx, "--timeout", arg, 3600, &o->timeout_s, e);
        case O_WAIT: return parse_int_opt(ctx, "--wait", arg, 3600, &o->wait_s, e);
        case O_ONCE: o->rq.boot.persistent = false; return 0;
        case O_PERSISTENT: o->rq.boot.persistent = true; return 0;
        case O_UEFI: o->rq.boot.mode = BMC_BOOT_MODE_UEFI; return 0;
        case O_LEGACY: o->rq.boot.mode = BMC_BOOT_MODE_LEGACY; return 0;
        case O_AUTH:
                if (bmc_auth_from_string(arg, &o->auth) < 0)
                        return cli_usage_error(ctx, e, "--auth takes auto, session or basic");
                o->auth_given = true;
                return 0;
        case O_PASSWORD:
                return cli_usage_error(ctx, e, "--password: a password on the command line is seen by every user "
                                               "(ps); give it in $HOSTD_BMC_PASSWORD, a file (--password-file FILE, "
                                               "mode 0600) or the BMC's config in %s", BMC_CONFIG_DIR);
        }
        return 0;
}

/* Options may stand before or after the verb: parse, take one word, repeat. */
static int parse_line(struct cli_ctx *ctx, int argc, char **argv, struct bmc_opts *o, struct error *e) {
        int i = 1;
        while (i < argc) {
                int next, k = cli_parse_options(ctx, argc - i + 1, argv + i - 1, "", options, handle, o, &next, e);
                if (k < 0)
                        return k;
                i += next - 1;
                if (i < argc && strv_push(&o->rq.words, argv[i++]) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        return 0;
}

/* One BMC's settings: a config file by name, or --address with the
 * credentials from --user/HOSTD_BMC_USER and --password-file/HOSTD_BMC_PASSWORD. */
static int target_config(const struct bmc_opts *o, const char *name, struct bmc_config **ret, struct error *e) {
        _cleanup_(bmc_config_freep) struct bmc_config *c = NULL;
        int k;
        if (name) {
                if ((k = bmc_config_load(o->config_dir, name, &c, e)) < 0)
                        return k;
        } else {
                const char *addr = o->address ? o->address : getenv("HOSTD_BMC_ADDRESS");
                if (!(c = bmc_config_new()) || !(c->name = strdup(addr)))
                        return error_set(e, -ENOMEM, "out of memory");
                if ((k = bmc_config_set_address(c, addr, e)) < 0)
                        return k;
        }
        const char *user = o->user ? o->user : getenv("HOSTD_BMC_USER");
        if (user && (o->user || !c->user)) {
                free(c->user);
                if (!(c->user = strdup(user)))
                        return error_set(e, -ENOMEM, "out of memory");
        }
        const char *pw = getenv("HOSTD_BMC_PASSWORD");
        if (o->password_file) {
                free(c->password);
                c->password = NULL;
                if ((k = bmc_read_password_file(o->password_file, &c->password, e)) < 0)
                        return k;
        } else if (!c->password && pw && !(c->password = strdup(pw)))
                return error_set(e, -ENOMEM, "out of memory");
        if (o->ca_file) {
                free(c->ca_file);
                if (!(c->ca_file = strdup(o->ca_file)))
                        return error_set(e, -ENOMEM, "out of memory");
        }
        if (o->system) {
                free(c->system);
                if (!(c->system = strdup(o->system)))
                        return error_set(e, -ENOMEM, "out of memory");
        }
        c->insecure = c->insecure || o->insecure;
        if (o->auth_given)
                c->auth = o->auth;
        if (o->timeout_s)
                c->timeout_s = o->timeout_s;
        if (o->wait_s)
                c->power_timeout_s = o->wait_s;
        if (c->insecure && c->driver == BMC_DRIVER_REDFISH)
                log_warning("BMC %s: TLS certificate verification is off (insecure)", c->name);
        *ret = TAKE_PTR(c);
        return 0;
}

struct job {
        const struct bmc_opts *o;
        const char *name;
        json_object *json;
        char *text, *summary;
        struct error e;
};

static void run_job(size_t i, void *userdata) {
        struct job *j = (struct job *)userdata + i;
        struct bmc_config *c = NULL;
        if (target_config(j->o, j->name, &c, &j->e) < 0)
                return;
        bmc_request_run(c, &j->o->rq, &j->json, &j->text, &j->summary, &j->e);
}

static void opts_done(struct bmc_opts *o) {
        strv_free(o->names);
        strv_free(o->rq.words);
}

static int bmc_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(opts_done) struct bmc_opts o = { .parallel = BMC_MULTI_DEFAULT };
        int k = parse_line(ctx, argc, argv, &o, e);
        if (k < 0)
                return k;
        if (bmc_request_check(&o.rq, e) < 0)
                return cli_usage_error(ctx, e, "%s", e->msg);
        if (o.address && o.names)
                return cli_usage_error(ctx, e, "give --bmc or --address, not both");
        if (!o.address && !o.names && !getenv("HOSTD_BMC_ADDRESS"))
                return cli_usage_error(ctx, e, "which BMC? give --bmc NAME or --address URL");
        size_t n = o.names ? strv_length(o.names) : 1;
        o.rq.progress = n == 1 && !ctx->json ? stderr : NULL;
        _cleanup_free_ struct job *jobs = calloc(n, sizeof *jobs);
        if (!jobs)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
                jobs[i] = (struct job){ .o = &o, .name = o.names ? o.names[i] : NULL };
        k = bmc_multi_run(n, (size_t)o.parallel, run_job, jobs);
        if (k < 0)
                return error_set(e, k, "cannot start worker threads");

        size_t failed = 0;
        _cleanup_json_ json_object *all = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                struct job *j = &jobs[i];
                const char *label = j->name ? j->name : o.address;
                if (j->e.code < 0) {
                        failed++;
                        if (n > 1) {
                                json_object *x = json_object_new_object();
                                json_add_string(x, "bmc", label);
                                json_add_string(x, "error", j->e.msg);
                                json_object_array_add(all, x);
                                if (!ctx->json)
                                        fprintf(ctx->out, "%s: error: %s\n", label, j->e.msg);
                        } else
                                *e = j->e;
                } else if (n > 1) {
                        json_object_array_add(all, json_object_get(j->json));
                        if (!ctx->json)
                                fprintf(ctx->out, "%s: %s\n", label, j->summary);
                } else if (ctx->json)
                        cli_print_json(ctx, j->json);
                else
                        fputs(j->text, ctx->out);
                json_object_put(j->json);
                free(j->text);
                free(j->summary);
        }
        if (n > 1 && failed)
                error_set(e, -EIO, "%zu of %zu BMCs failed", failed, n);
        if (n > 1 && ctx->json) {
                /* one document: each BMC's error in its result; the frame adds the overall one beside */
                _cleanup_json_ json_object *doc = json_object_new_object();
                json_object_object_add(doc, "results", json_object_get(all));
                cli_print_json(ctx, doc);
        }
        if (n > 1 && failed)
                return e->code;
        return n == 1 && failed ? e->code : 0;
}

const struct command cmd_bmc = {
        .name = "bmc",
        .args = "[--bmc NAME[,NAME...] | --bmc-file FILE | --address URL] [OPTIONS] VERB [ARGS]",
        .summary = "Drive the server's BMC (iDRAC) out of band: power, boot, virtual media, inventory, log, storage",
        .help = "Verbs:\n"
                "  power status|on|off|shutdown|cycle|reset   checks the state first, waits until reached\n"
                "  boot pxe|cd|hdd|bios|none [--once|--persistent] [--uefi|--legacy]\n"
                "                                              the firmware mode stays as the system has it\n"
                "                                              unless --uefi or --legacy is given\n"
                "  vmedia insert URL | eject | status          (Redfish) read back after each change; an image\n"
                "                                              replacing another must answer first (HEAD)\n"
                "  inventory                                   manufacturer, model, serial, BIOS, CPUs, memory,\n"
                "                                              NICs, storage controllers and drives\n"
                "  sel [list] | sel clear                      the event log (SEL / Redfish LogService)\n"
                "  identify on|off                             the identify LED\n"
                "  storage [show]                              the storage controllers (a PERC's mode) and their\n"
                "                                              drives: bay, serial, RAID status\n"
                "  storage non-raid DRIVE...                   (iDRAC) turn Ready drives (a serial, a bay or an\n"
                "                                              id) into non-RAID disks that md can use; waits\n"
                "                                              for the iDRAC's job (--wait); a drive in a\n"
                "                                              virtual disk is refused, nothing is sent\n"
                "\nWhich BMC:\n"
                "  --bmc NAME[,NAME...]  settings from /etc/hostd/bmc.d/NAME.yaml (mode 0600)\n"
                "  --bmc-file FILE       names, one per line; several BMCs run in parallel\n"
                "  --config-dir DIR      instead of /etc/hostd/bmc.d ($HOSTD_BMC_CONFIG_DIR)\n"
                "  --address URL         https://HOST[:PORT] (Redfish) or ipmi://HOST[:PORT]\n"
                "  --user USER           ($HOSTD_BMC_USER); the password from $HOSTD_BMC_PASSWORD or\n"
                "  --password-file FILE  (never on the command line)\n"
                "  --auth auto|session|basic  Redfish login (auto: a session, else Basic when the service\n"
                "                        has no sessions or gives none)\n"
                "  --ca-file FILE        the CA that signed the BMC's certificate\n"
                "  --insecure            do not verify the certificate (logged as a warning)\n"
                "  --system ID           Redfish: the System (Id or @odata.id) when there are several\n"
                "  --parallel N          BMCs in flight at once (16)\n"
                "  --timeout S           for all the BMC's requests of the command (20); a request that may\n"
                "                        have acted (a reset, an insert) is checked by reading, never sent twice\n"
                "  --wait S              for a power state, or the iDRAC's storage job (300)\n",
        .run = bmc_run,
};
