/* hostctl raid create: plan, ask, apply step by step; --wait follows the sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_raid.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "raid/apply.h"
#include "raid/md.h"

struct create_args {
        const char *spec;
        char **wipe;
        bool yes, wait, assume_clean;
};

static int create_option(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct create_args *a = userdata;
        switch (opt) {
        case 's': a->spec = arg; return 0;
        case 'w': return strv_push(&a->wipe, arg) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
        case 'y': a->yes = true; return 0;
        case 'W': a->wait = true; return 0;
        case 'C': a->assume_clean = true; return 0;
        default: return cli_usage_error(ctx, e, "unexpected option");
        }
}

int raid_confirm(struct cli_ctx *ctx, const char *question, struct error *e) {
        if (!isatty(STDIN_FILENO))
                return error_set(e, ERROR_REFUSED, "%s: refusing without --yes (standard input is not a terminal)",
                                 question);
        fprintf(stderr, "%s Type 'yes' to go on: ", question);
        char answer[16] = "";
        if (!fgets(answer, sizeof answer, stdin) || strcmp(answer, "yes\n") != 0)
                return error_set(e, ERROR_REFUSED, "not confirmed: nothing was written");
        return 0;
}

struct progress {
        struct cli_ctx *ctx;
        size_t n;
        json_object *steps;       /* --json: what each step did */
        struct timespec t0;
};

static double elapsed(const struct timespec *t0) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* the words create has always printed (and --json carries as "result") */
static const char *create_word(enum outcome o) {
        return o == OUTCOME_CHANGED ? "done" : o == OUTCOME_UNCHANGED ? "already done" : outcome_name(o);
}

static void on_step(void *userdata, size_t i, const struct plan_step *s, bool before, enum outcome st, const char *msg) {
        struct progress *p = userdata;
        if (before) {
                clock_gettime(CLOCK_MONOTONIC, &p->t0);
                if (!p->ctx->json)
                        fprintf(stderr, "[%2zu/%zu] %s ...\n", i + 1, p->n, s->description);
                return;
        }
        double secs = elapsed(&p->t0);
        if (p->ctx->json) {
                json_object *o = json_object_new_object();
                json_add_string(o, "kind", step_kind_name(s->kind));
                json_add_string(o, "description", s->description);
                json_add_string(o, "result", create_word(st));
                json_add_string(o, "detail", msg);
                json_object_object_add(o, "seconds", json_object_new_double(secs));
                json_object_array_add(p->steps, o);
        } else
                fprintf(stderr, "        %s%s%s (%.1f s)\n", create_word(st), msg ? ": " : "", msg ? msg : "", secs);
}

static int raid_create_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        static const struct option opts[] = {
                { "spec", required_argument, NULL, 's' }, { "wipe", required_argument, NULL, 'w' },
                { "yes", no_argument, NULL, 'y' },         { "wait", no_argument, NULL, 'W' },
                { "assume-clean", no_argument, NULL, 'C' }, { 0 },
        };
        struct create_args a = { 0 };
        int first = 0;
        int k = cli_parse_options(ctx, argc, argv, "s:w:y", opts, create_option, &a, &first, e);
        _cleanup_strv_free_ char **wipe = a.wipe;
        if (k < 0)
                return k;
        if (first < argc)
                return cli_usage_error(ctx, e, "unexpected argument '%s'", argv[first]);
        _cleanup_(storage_spec_freep) struct storage_spec *spec = NULL;
        _cleanup_(disk_list_freep) struct disk_list *inv = NULL;
        if ((a.spec && (k = raid_load_spec(a.spec, &spec, e)) < 0) || (k = raid_load_inventory(NULL, &inv, e)) < 0)
                return k;
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, spec, wipe);
        if (!p || (a.assume_clean && plan_set_assume_clean(p) < 0))
                return error_set(e, -ENOMEM, "out of memory while planning");
        if ((k = plan_tune_here(p, e)) < 0)
                return k;
        if (p->errors) {
                if (ctx->json) {
                        _cleanup_json_ json_object *o = plan_to_json(p);
                        cli_print_json(ctx, o);
                } else
                        raid_print_plan(ctx->out, p);
                return error_set(e, ERROR_REFUSED, "the plan has %zu error(s): nothing was written", strv_length(p->errors));
        }
        if (!a.yes) {
                raid_print_plan(stderr, p);
                if ((k = raid_confirm(ctx, "\nThe steps above write to the disks they name.", e)) < 0)
                        return k;
        } else if (!ctx->json) {
                /* not asked, but told: a disk used against the planner's own judgement */
                for (char **w = p->warnings; w && *w; w++)
                        fprintf(stderr, "warning: %s\n", *w);
        }
        _cleanup_json_ json_object *steps = json_object_new_array();
        struct progress prog = { .ctx = ctx, .n = p->n_steps, .steps = steps };
        struct apply_opts o = { .progress = on_step, .userdata = &prog };
        size_t changed = 0;
        k = raid_apply(p, &o, &changed, e);
        if (ctx->json) {
                _cleanup_json_ json_object *out = plan_to_json(p);
                json_object_object_add(out, "applied", json_object_get(steps));
                json_add_int(out, "changed", (int64_t)changed);
                if (k >= 0)
                        cli_print_json(ctx, out);
        }
        if (k < 0)
                return k;
        if (!ctx->json)
                fprintf(ctx->out, changed ? "%zu step(s) changed the machine; the arrays are as planned.\n"
                                          : "Nothing to do: the arrays are already as planned (%zu changes).\n",
                        changed);
        for (size_t i = 0; a.wait && i < p->n_arrays; i++)
                if ((k = raid_wait_sync(ctx, p->arrays[i].name, e)) < 0)
                        return k;
        return 0;
}

/* How long a spare may sit in a degraded array before we call the recovery stuck. */
#define RECOVERY_START_GRACE_S 60

int raid_wait_sync(struct cli_ctx *ctx, const char *name, struct error *e) {
        bool tty = isatty(STDERR_FILENO);
        time_t pending_since = 0;
        for (;;) {
                _cleanup_(md_status_freep) struct md_status *s = NULL;
                int k = md_status_read(name, &s, e);
                if (k < 0)
                        return k;
                if (md_recovery_pending(s)) {
                        time_t now = time(NULL);
                        if (!pending_since)
                                pending_since = now;
                        else if (now - pending_since > RECOVERY_START_GRACE_S)
                                return error_set(e, -ETIMEDOUT,
                                                 "/dev/md/%s is degraded and has a spare, but md has not started "
                                                 "recovery in %d s (see dmesg)", name, RECOVERY_START_GRACE_S);
                        sleep(1);
                        continue;
                }
                if (md_sync_idle(s)) {
                        if (!ctx->json)
                                fprintf(stderr, "%s/dev/md/%s: %s\n", tty ? "\r\033[K" : "", name,
                                        s->degraded > 0 ? "idle, still degraded" : "in sync");
                        return 0;
                }
                pending_since = 0;
                if (s->sync_percent < 0) {   /* "delayed": waits for another array on the same disks */
                        if (!ctx->json)
                                fprintf(stderr, "%s/dev/md/%s: %s waits for another array%s", tty ? "\r\033[K" : "",
                                        name, s->sync_action, tty ? "" : "\n");
                        sleep(tty ? 1 : 10);
                        continue;
                }
                double left_min = s->sync_speed_kib > 0 && s->sync_left_bytes >= 0
                                          ? (double)s->sync_left_bytes / 1024.0 / (double)s->sync_speed_kib / 60.0
                                          : -1;
                if (!ctx->json)
                        fprintf(stderr, "%s/dev/md/%s: %s %5.1f%%  %6.1f MB/s  %s%.1f min left%s", tty ? "\r\033[K" : "",
                                name, s->sync_action, s->sync_percent, (double)s->sync_speed_kib / 1024.0,
                                left_min < 0 ? "?" : "", left_min < 0 ? 0.0 : left_min, tty ? "" : "\n");
                sleep(tty ? 1 : 10);
        }
}

const struct command raid_create = {
        .name = "create",
        .args = "[--spec FILE] [--wipe ID]... [--yes] [--wait] [--assume-clean] [--json]",
        .summary = "Build the planned arrays: partition, mdadm --create, mkfs, mdadm.conf, fstab, mount",
        .help = "Options:\n"
                "  --spec FILE   a host spec with a storage section (default: the R630 default plan)\n"
                "  --wipe ID     allow wiping this disk (serial, WWN or by-id) although it carries data\n"
                "  --yes         do not ask; without it the plan is shown and 'yes' must be typed\n"
                "  --wait        follow the initial sync until the arrays are in sync\n"
                "  --assume-clean  skip the initial sync: only for members known to be all zeroes\n"
                "                (brand-new disks); on anything else parity would be wrong\n"
                "\n"
                "Each step checks the machine first: a run stopped at any point finishes when run\n"
                "again, and a run on a machine where the arrays exist changes nothing and says so.\n",
        .run = raid_create_run,
};
