/* hostctl apply SPEC: the whole host spec, planned, then converged. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "provision/apply.h"
#include "provision/apply_run.h"
#include "cmd_raid.h"
#include "commands.h"
#include "lib/json.h"
#include "lib/store.h"
#include "lib/strutil.h"

#define DEFAULT_STATE_DIR "/var/lib/hostd"

struct apply_args {
        const char *inventory, *phase, *state_dir, *package;
        char **wipe;
        bool plan, yes, assume_clean, journal, progress;
        int limit;
};

/* --package FILE: a hostd .deb that exists; what is in it, the package step reads. */
static int package_option(struct cli_ctx *ctx, struct apply_args *a, const char *arg, struct error *e) {
        struct stat st;
        if (!endswith(arg, ".deb") || strpbrk(arg, "\n\r"))
                return cli_usage_error(ctx, e, "--package: a Debian package file (hostd_VERSION_amd64.deb), not '%s'", arg);
        if (stat(arg, &st) < 0 || !S_ISREG(st.st_mode))
                return cli_usage_error(ctx, e, "--package %s: no such file", arg);
        a->package = arg;
        return 0;
}

static int apply_option(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct apply_args *a = userdata;
        switch (opt) {
        case 'p': a->plan = true; return 0;
        case 'y': a->yes = true; return 0;
        case 'i': a->inventory = arg; return 0;
        case 'P': a->phase = arg; return 0;
        case 'S': a->state_dir = arg; return 0;
        case 'k': return package_option(ctx, a, arg, e);
        case 'C': a->assume_clean = true; return 0;
        case 'J': a->journal = true; return 0;
        case 'G': a->progress = true; return 0;
        case 'n': a->limit = atoi(arg); return a->limit > 0 ? 0 : cli_usage_error(ctx, e, "--limit: a number above 0");
        case 'w': return strv_push(&a->wipe, arg) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
        default: return cli_usage_error(ctx, e, "unexpected option");
        }
}

/* Is "/" on an md array? Then this is the installed system, after its first boot. */
static bool root_on_md(void) {
        struct stat st;
        if (stat("/", &st) < 0)
                return false;
        char path[128];
        snprintf(path, sizeof path, "/sys/dev/block/%u:%u/md", major(st.st_dev), minor(st.st_dev));
        return access(path, F_OK) == 0;
}

static char *self_dir(void) {
        char buf[4096];
        ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
        if (n <= 0)
                return NULL;
        buf[n] = '\0';
        char *slash = strrchr(buf, '/');
        if (slash)
                *slash = '\0';
        return strdup(buf);
}

struct ui {
        struct cli_ctx *ctx;
        bool quiet;               /* --json without --progress: stderr stays empty */
        size_t n;
        bool tty;
        int last_tenth;
};

static void on_step(void *userdata, size_t i, const struct apply_step *s, const struct apply_step_result *r, bool starting) {
        struct ui *u = userdata;
        if (u->quiet)
                return;
        if (starting) {
                fprintf(stderr, "[%2zu/%zu] %s ...\n", i + 1, u->n, s->description);
                u->last_tenth = -1;
                return;
        }
        fprintf(stderr, "%s        %s%s%s (%.1f s)\n", u->tty ? "\r\033[K" : "", apply_step_result_word(r),
                *r->message ? ": " : "", r->message, r->seconds);
}

static void on_bytes(void *userdata, long long done, long long total) {
        struct ui *u = userdata;
        if (u->quiet)
                return;
        if (u->tty) {
                if (total > 0)
                        fprintf(stderr, "\r\033[K        %5.1f%%  %lld of %lld MiB", 100.0 * (double)done / (double)total,
                                done >> 20, total >> 20);
                else
                        fprintf(stderr, "\r\033[K        %lld MiB", done >> 20);
                return;
        }
        int tenth = total > 0 ? (int)(10 * done / total) : (int)(done >> 26);
        if (tenth != u->last_tenth) {
                u->last_tenth = tenth;
                fprintf(stderr, "        %lld MiB%s\n", done >> 20, total > 0 ? "" : " (size unknown)");
        }
}

static json_object *result_json(const struct apply_plan *p, const struct host_spec *spec, bool plan,
                                const struct apply_step_result *res, size_t changed, size_t pending) {
        json_object *o = json_object_new_object(), *steps = json_object_new_array();
        json_add_string(o, "host", spec->name);
        json_add_string(o, "spec", spec->path);
        json_add_string(o, "phase", apply_phase_name(p->phase));
        json_add_string(o, "mode", plan ? "plan" : "apply");
        for (size_t i = 0; i < p->n_steps; i++) {
                json_object *s = json_object_new_object();
                json_add_int(s, "index", (int64_t)i + 1);
                json_add_string(s, "id", p->steps[i].id);
                json_add_string(s, "domain", p->steps[i].domain);
                json_add_string(s, "description", p->steps[i].description);
                json_add_string(s, "state", apply_step_result_word(&res[i]));
                json_add_string(s, "message", res[i].message);
                json_object_object_add(s, "seconds", json_object_new_double(res[i].seconds));
                json_object_array_add(steps, s);
        }
        json_object_object_add(o, "steps", steps);
        json_add_int(o, "changed", (int64_t)changed);
        json_add_int(o, "pending", (int64_t)pending);
        json_object_object_add(o, "next", p->next ? json_object_new_string(p->next) : NULL);
        return o;
}

/* the run a journal record belongs to (its data's "run"), or -1 */
static int64_t record_run(const struct journal_record *r) {
        _cleanup_json_ json_object *d = r->data ? json_tokener_parse(r->data) : NULL;
        json_object *run = NULL;
        return d && json_object_object_get_ex(d, "run", &run) ? json_object_get_int64(run) : -1;
}

/* The index of the first record of the newest `runs` runs (records are
 * oldest first, and a run's records are contiguous). */
static size_t first_of_last_runs(const struct journal_record *v, size_t n, int runs) {
        size_t i = n;
        int64_t current = INT64_MIN;
        int seen = 0;
        while (i > 0) {
                int64_t run = record_run(&v[i - 1]);
                if (run != current) {
                        if (seen == runs)
                                break;
                        current = run;
                        seen++;
                }
                i--;
        }
        return i;
}

static int show_journal(struct cli_ctx *ctx, const struct apply_args *a, struct error *e) {
        _cleanup_free_ char *path = strdup_printf("%s/hostd.db", a->state_dir);
        if (access(path, F_OK) != 0)
                return error_set(e, -ENOENT, "%s: no journal yet (hostctl apply has not run here)", path);
        _cleanup_(store_closep) struct store *db = NULL;
        struct journal_record *v = NULL;
        size_t n = 0;
        if (store_open(path, &db, e) < 0 || store_journal_list(db, "apply", SIZE_MAX / 2, &v, &n, e) < 0)
                return e->code;
        _cleanup_json_ json_object *arr = json_object_new_array();
        for (size_t i = a->limit ? first_of_last_runs(v, n, a->limit) : 0; i < n; i++) {
                time_t t = (time_t)(v[i].time_ms / 1000);
                char when[32];
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime(&t));
                if (ctx->json) {
                        json_object *o = json_object_new_object();
                        json_add_int(o, "id", v[i].id);
                        json_add_string(o, "time", when);
                        json_add_string(o, "severity", v[i].severity);
                        json_add_string(o, "message", v[i].message);
                        json_object *d = v[i].data ? json_tokener_parse(v[i].data) : NULL;
                        json_object_object_add(o, "data", d);
                        json_object_array_add(arr, o);
                } else
                        fprintf(ctx->out, "%s  %-8s %s\n", when, v[i].severity, v[i].message);
        }
        journal_record_list_free(v, n);
        if (ctx->json)
                cli_print_json(ctx, arr);
        return 0;
}

static void print_plan(FILE *out, const struct apply_plan *p, const struct host_spec *spec) {
        fprintf(out, "Plan for %s (phase %s), %zu steps:\n", spec->name ? spec->name : spec->path, apply_phase_name(p->phase),
                p->n_steps);
        for (size_t i = 0; i < p->n_steps; i++)
                fprintf(out, "  %2zu. %-28s %s\n", i + 1, p->steps[i].id, p->steps[i].description);
        for (char **x = p->errors; x && *x; x++)
                fprintf(out, "error: %s\n", *x);
}

static int apply_main(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        static const struct option opts[] = {
                { "plan", no_argument, NULL, 'p' },        { "yes", no_argument, NULL, 'y' },
                { "inventory", required_argument, NULL, 'i' }, { "phase", required_argument, NULL, 'P' },
                { "state-dir", required_argument, NULL, 'S' }, { "assume-clean", no_argument, NULL, 'C' },
                { "wipe", required_argument, NULL, 'w' },  { "journal", no_argument, NULL, 'J' },
                { "limit", required_argument, NULL, 'n' }, { "package", required_argument, NULL, 'k' },
                { "progress", no_argument, NULL, 'G' },
                { 0 },
        };
        struct apply_args a = { .state_dir = DEFAULT_STATE_DIR };
        int first = 0;
        int k = cli_parse_options(ctx, argc, argv, "pyi:w:", opts, apply_option, &a, &first, e);
        _cleanup_strv_free_ char **wipe = a.wipe;
        if (k < 0)
                return k;
        if (a.journal)
                return first < argc ? cli_usage_error(ctx, e, "--journal takes no spec") : show_journal(ctx, &a, e);
        if (first != argc - 1)
                return cli_usage_error(ctx, e, first < argc ? "one spec file, not several" : "which host spec? hostctl apply SPEC");
        if (a.inventory && !a.plan)
                return cli_usage_error(ctx, e, "--inventory plans from a captured inventory: it goes with --plan only");
        if (a.package && a.phase && !streq(a.phase, "install"))
                return cli_usage_error(ctx, e, "--package puts hostd into the system the install phase makes: "
                                               "it goes with phase install");
        _cleanup_(host_spec_freep) struct host_spec *spec = NULL;
        if ((k = host_spec_load(argv[first], &spec, e)) < 0)
                return k;
        enum apply_phase phase = !spec->os || root_on_md() ? APPLY_PHASE_FIRSTBOOT : APPLY_PHASE_INSTALL;
        if (a.phase && apply_phase_from_string(a.phase, &phase) < 0)
                return cli_usage_error(ctx, e, "--phase: install or firstboot, not '%s'", a.phase);
        _cleanup_(disk_list_freep) struct disk_list *inv = NULL;
        if (spec->storage && (k = raid_load_inventory(a.inventory, &inv, e)) < 0)
                return k;
        /* a captured inventory is another machine's: its memory and CPUs are not known here */
        struct md_host host;
        if (!a.inventory && (k = md_host_read(&host, e)) < 0)
                return k;
        _cleanup_(apply_plan_freep) struct apply_plan *p = NULL;
        if ((k = apply_plan_make(spec, inv, a.inventory ? NULL : &host, phase, wipe, a.assume_clean, &p, e)) < 0)
                return k;
        _cleanup_free_ struct apply_step_result *res = calloc(p->n_steps + 1, sizeof *res);
        if (!res)
                return error_set(e, -ENOMEM, "out of memory");
        bool offline = a.inventory != NULL;
        if (p->errors || offline) {
                /* a plan from a captured inventory cannot look at this machine: every step is pending */
                for (size_t i = 0; i < p->n_steps; i++)
                        res[i].pending = true;
                if (p->errors) {
                        /* --json: the plan with its errors; the frame puts the refusal beside them */
                        if (ctx->json) {
                                _cleanup_json_ json_object *o = result_json(p, spec, true, res, 0, p->n_steps);
                                json_add_strv(o, "errors", p->errors);
                                cli_print_json(ctx, o);
                        } else
                                print_plan(ctx->out, p, spec);
                        _cleanup_free_ char *all = strv_join(p->errors, "; ");
                        return error_set(e, ERROR_REFUSED, "the plan has %zu error(s): nothing was written: %s",
                                         strv_length(p->errors), all ? all : "");
                }
                if (ctx->json) {
                        _cleanup_json_ json_object *o = result_json(p, spec, true, res, 0, p->n_steps);
                        cli_print_json(ctx, o);
                } else
                        print_plan(ctx->out, p, spec);
                return 0;
        }
        if (!a.plan && !a.yes) {
                print_plan(stderr, p, spec);
                if ((k = raid_confirm(ctx, "\nThe steps above write to the disks they name.", e)) < 0)
                        return k;
        }
        _cleanup_free_ char *self = self_dir();
        struct ui u = { .ctx = ctx, .quiet = ctx->json && !a.progress, .n = p->n_steps, .tty = isatty(STDERR_FILENO), .last_tenth = -1 };
        struct apply_run_opts ro = { .spec = spec, .dry = a.plan, .state_dir = a.state_dir, .self_dir = self,
                                     .package_path = a.package,
                                     .progress = a.plan ? NULL : on_step, .bytes = on_bytes, .userdata = &u };
        size_t changed = 0, pending = 0;
        k = apply_run(p, &ro, res, &changed, &pending, e);
        if (ctx->json) {
                /* also on failure: the steps that ran before the failed one changed the machine;
                 * the frame puts the error beside them */
                _cleanup_json_ json_object *o = result_json(p, spec, a.plan, res, changed, pending);
                cli_print_json(ctx, o);
        } else if (a.plan) {
                fprintf(ctx->out, "Plan for %s (phase %s): %zu of %zu steps would change the machine\n",
                        spec->name ? spec->name : spec->path, apply_phase_name(p->phase), pending, p->n_steps);
                for (size_t i = 0; i < p->n_steps; i++)
                        fprintf(ctx->out, "  %2zu. %-8s %-28s %s%s%s\n", i + 1, apply_step_result_word(&res[i]),
                                p->steps[i].id, p->steps[i].description, *res[i].message ? ": " : "", res[i].message);
        } else if (k >= 0) {
                if (changed)
                        fprintf(ctx->out, "%zu step(s) changed the machine; it is as %s says.\n", changed, spec->path);
                else
                        fprintf(ctx->out, "Nothing to do: the machine is already as %s says (0 changes).\n", spec->path);
                if (p->next)
                        fprintf(ctx->out, "Next: boot the installed system from its disks; " "hostd-firstboot.service "
                                          "does the rest of the spec there.\n");
        }
        return k;
}

const struct command cmd_apply = {
        .name = "apply",
        .args = "SPEC [--plan [--inventory FILE]] [--yes] [--phase install|firstboot] [--package DEB] [--json [--progress]] | --journal",
        .summary = "Make this machine what a host spec says: RAID, OS on the RAID 1, boot loader, pool, runtime, VMs",
        .help = "Plans first, then converges step by step; each step looks before it changes anything, so a\n"
                "second run changes nothing and a run that was stopped, run again, finishes.\n"
                "\n"
                "Phases:\n"
                "  install     from the provisioning system (/ not on an md array): the image is fetched and\n"
                "              checked against os.sha256 before any disk is written, then RAID, filesystems,\n"
                "              the OS onto the RAID 1, initramfs, GRUB on every OS disk (BIOS and UEFI)\n"
                "  firstboot   in the installed system (/ on the RAID 1), run once by hostd-firstboot.service:\n"
                "              arrays mounted, libvirt pool, containerd on the RAID 5 pool, a container run, VMs\n"
                "  The phase follows from where / is; --phase overrides it.\n"
                "\n"
                "Options:\n"
                "  --plan              show the steps and which of them would change the machine; write nothing\n"
                "  --inventory FILE    with --plan: plan from a captured `hostctl disks --json` (offline)\n"
                "  --yes               do not ask (first boot, Ansible); without it, a terminal is asked\n"
                "  --wipe ID           this disk may be wiped although it holds data (repeatable)\n"
                "  --assume-clean      the disks are brand-new (all zeroes): skip the initial RAID sync\n"
                "  --phase P           install or firstboot\n"
                "  --package DEB       install: put hostd into the target with its own apt from this package\n"
                "                      (hostd_VERSION_amd64.deb, `make deb`), so apt upgrades it there; without\n"
                "                      it, hostctl and hostd are copied from where this hostctl runs\n"
                "  --progress          with --json: the steps' progress on stderr too (the installer's console)\n"
                "  --state-dir DIR     the step journal's place (default " DEFAULT_STATE_DIR "/hostd.db)\n"
                "  --journal [--limit N]  show what earlier runs did, when\n"
                "\n"
                "Exit codes: 0 done, 1 a step failed (the journal says which), 2 usage, 3 refused for safety.",
        .run = apply_main,
};
