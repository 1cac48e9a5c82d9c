/* hostctl raid status|replace|add-spare|remove|scrub|grow|stop|assemble|destroy:
 * keeping the arrays alive. The operations are raid/lifecycle.h's, the code
 * hostd's Volume actions run too: here they are parsed, confirmed, called
 * and printed. State comes from sysfs and mdadm --detail --export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "cmd_disks.h"
#include "cmd_raid.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "raid/md.h"
#include "raid/lifecycle.h"
#include "raid/plan_select.h"

/* ---- status ------------------------------------------------------------------ */

/* Printed from the JSON, so that the local and the --host answers read the same. */
static void status_print(FILE *out, json_object *a) {
        char size[16];
        int64_t bytes = json_get_int_or(a, "size_bytes", 0), degraded = json_get_int_or(a, "degraded", 0);
        fprintf(out, "%s (%s): %s, %s, %s", json_get_string_or(a, "device", "?"), json_get_string_or(a, "kernel_name", "?"), json_get_string_or(a, "level", "?"),
                format_size(bytes > 0 ? (uint64_t)bytes : 0, size, sizeof size), json_get_string_or(a, "array_state", "?"));
        if (degraded > 0)
                fprintf(out, ", DEGRADED (%lld missing)", (long long)degraded);
        json_object *pct = NULL;
        if (json_object_object_get_ex(a, "sync_percent", &pct) && pct)
                fprintf(out, ", %s %.1f%% at %.1f MB/s", json_get_string_or(a, "sync_action", "?"), json_object_get_double(pct),
                        (double)json_get_int_or(a, "sync_speed_kib", 0) / 1024.0);
        fprintf(out, ", mismatches %lld\n", (long long)json_get_int_or(a, "mismatch_cnt", 0));
        json_object *members = NULL;
        json_object_object_get_ex(a, "members", &members);
        for (size_t i = 0; members && i < json_object_array_length(members); i++) {
                json_object *m = json_object_array_get_idx(members, i);
                bool gone = json_object_get_boolean(json_object_object_get(m, "missing"));
                if (streq(json_get_string_or(m, "role", ""), "active"))
                        fprintf(out, "    %-10s slot %-3lld %s%s\n", json_get_string_or(m, "dev", "?"), (long long)json_get_int_or(m, "slot", -1),
                                json_get_string_or(m, "state", "?"), gone ? " (disk gone)" : "");
                else
                        fprintf(out, "    %-10s spare    %s%s\n", json_get_string_or(m, "dev", "?"), json_get_string_or(m, "state", "?"),
                                gone ? " (disk gone)" : "");
        }
}

/* {"arrays": [...]} of this machine, or of the hostd at ctx->host. */
static int status_doc(struct cli_ctx *ctx, const char *only, json_object **ret, struct error *e) {
        if (ctx->host) {
                _cleanup_json_ json_object *o = NULL;
                if (client_get_json(ctx->host, "/redfish/v1/Systems/host/Storage/md/Oem/Hostd/Arrays", &o, e) < 0)
                        return error_prefix(e, "%s", ctx->host);
                json_object *arrays = NULL;
                if (!json_object_object_get_ex(o, "arrays", &arrays) || !json_object_is_type(arrays, json_type_array))
                        return error_set(e, -EBADMSG, "%s: the answer has no arrays list", ctx->host);
                json_object *keep = json_object_new_array();
                for (size_t i = 0; i < json_object_array_length(arrays); i++) {
                        json_object *a = json_object_array_get_idx(arrays, i);
                        const char *dev = json_get_string_or(a, "device", "");
                        if (!only || streq(only, json_get_string_or(a, "name", "")) || streq(only, json_get_string_or(a, "kernel_name", "")) ||
                            streq(only, dev) || (startswith(only, "/dev/") && streq(only + 5, json_get_string_or(a, "kernel_name", ""))))
                                json_object_array_add(keep, json_object_get(a));
                }
                if (only && json_object_array_length(keep) == 0) {
                        json_object_put(keep);
                        return error_set(e, -ENOENT, "array %s is not running on %s", only, ctx->host);
                }
                *ret = json_object_new_object();
                json_object_object_add(*ret, "arrays", keep);
                return 0;
        }
        _cleanup_strv_free_ char **names = NULL;
        int k = only ? strv_push(&names, only) : md_list(&names, e);
        if (k < 0)
                return k;
        json_object *all = json_object_new_array();
        for (char **a = names; a && *a; a++) {
                _cleanup_(md_status_freep) struct md_status *s = NULL;
                if ((k = md_status_read(*a, &s, e)) < 0) {
                        json_object_put(all);
                        return k;
                }
                json_object_array_add(all, md_status_to_json(s));
        }
        *ret = json_object_new_object();
        json_object_object_add(*ret, "arrays", all);
        return 0;
}

static int status_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        if (argc > 2)
                return cli_usage_error(ctx, e, "give at most one array");
        _cleanup_json_ json_object *doc = NULL;
        int k = status_doc(ctx, argc == 2 ? argv[1] : NULL, &doc, e);
        if (k < 0)
                return k;
        if (ctx->json)
                return cli_print_json(ctx, doc), 0;
        json_object *arrays = json_object_object_get(doc, "arrays");
        for (size_t i = 0; i < json_object_array_length(arrays); i++)
                status_print(ctx->out, json_object_array_get_idx(arrays, i));
        if (json_object_array_length(arrays) == 0)
                fprintf(ctx->out, "no md arrays are running\n");
        return 0;
}

const struct command raid_status = {
        .name = "status",
        .args = "[ARRAY] [--json]",
        .summary = "State, degradation, sync progress, mismatches and members of the running arrays",
        .run = status_run,
        .remote = true,
};

/* ---- the operations: raid/lifecycle.h ------------------------------------------ */

struct life_args {
        const char *failed, *with, *disk, *bmc;
        bool yes, wait, wipe, locate;
};

static int life_option(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct life_args *a = userdata;
        switch (opt) {
        case 'f': a->failed = arg; return 0;
        case 'w': a->with = arg; return 0;
        case 'd': a->disk = arg; return 0;
        case 'y': a->yes = true; return 0;
        case 'W': a->wait = true; return 0;
        case 'x': a->wipe = true; return 0;
        case 'L': a->locate = true; return 0;
        case 'B': a->bmc = arg; return 0;
        default: return cli_usage_error(ctx, e, "unexpected option");
        }
}

static const struct option life_options[] = {
        { "failed", required_argument, NULL, 'f' }, { "with", required_argument, NULL, 'w' },
        { "disk", required_argument, NULL, 'd' },   { "add", required_argument, NULL, 'd' },
        { "yes", no_argument, NULL, 'y' },          { "wait", no_argument, NULL, 'W' },
        { "wipe", no_argument, NULL, 'x' },         { "locate", no_argument, NULL, 'L' },
        { "bmc", required_argument, NULL, 'B' },    { 0 },
};

/* replace --failed ID --locate: blink the failed disk's bay (through the
 * BMC named, or hostd's with --host) so that the right disk is pulled;
 * nothing else is done. A disk gone from the OS is looked for by the ID as
 * its serial. */
static int locate_failed(struct cli_ctx *ctx, const char *array, const struct life_args *a, struct error *e) {
        _cleanup_(disk_list_freep) struct disk_list *inv = NULL;
        int k = ctx->host ? 0 : raid_load_inventory(NULL, &inv, e);
        if (k < 0)
                return k;
        const struct disk *found = NULL;
        for (size_t i = 0; inv && i < inv->n && !found; i++)
                if (disk_matches_identity(&inv->disks[i], a->failed))
                        found = &inv->disks[i];
        struct disk gone = { .name = (char *)a->failed, .serial = (char *)a->failed };
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *text = NULL;
        k = ctx->host ? disks_locate_remote(ctx->host, found ? found : &gone, true, &o, &text, e)
                      : disks_locate(found ? found : &gone, a->bmc, true, &o, &text, e);
        if (k < 0)
                return k;
        if (ctx->json) {
                json_add_string(o, "array", array);
                cli_print_json(ctx, o);
        } else
                fprintf(ctx->out, "%sPull that disk and put the new one in its bay, then: hostctl raid replace %s "
                                  "--failed %s --with NEW; hostctl disks locate NEW --off%s%s stops the blinking.\n",
                        text, array, a->failed, a->bmc ? " --bmc " : "", a->bmc ? a->bmc : "");
        return 0;
}

struct life_progress {
        struct cli_ctx *ctx;
        json_object *steps;       /* --json: what each step did */
};

static void on_life_step(void *userdata, size_t i, const struct life_step *s, enum outcome o, const char *msg) {
        struct life_progress *p = userdata;
        if (p->ctx->json) {
                json_object *j = json_object_new_object();
                json_add_string(j, "kind", life_kind_name(s->kind));
                json_add_string(j, "description", s->description);
                json_add_string(j, "result", outcome_name(o));
                json_add_string(j, "detail", msg);
                json_object_array_add(p->steps, j);
        } else
                fprintf(stderr, "  %s: %s%s%s\n", s->description, outcome_name(o), msg ? ": " : "", msg ? msg : "");
}

/* scrub --wait: the mismatches md counted */
static int print_scrub(struct cli_ctx *ctx, const char *array, struct error *e) {
        _cleanup_(md_status_freep) struct md_status *after = NULL;
        int k = md_status_read(array, &after, e);
        if (k < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *o = json_object_new_object();
                json_add_string(o, "array", array);
                json_add_int(o, "mismatch_cnt", after->mismatch_cnt);
                cli_print_json(ctx, o);
        } else
                fprintf(ctx->out, "/dev/md/%s: check finished, %lld mismatches\n", array, (long long)after->mismatch_cnt);
        return 0;
}

static int life_run(struct cli_ctx *ctx, enum raid_verb verb, int argc, char **argv, struct error *e) {
        struct life_args a = { 0 };
        int first = 0;
        int k = cli_parse_options(ctx, argc, argv, "y", life_options, life_option, &a, &first, e);
        if (k < 0)
                return k;
        if (first != argc - 1)
                return cli_usage_error(ctx, e, "name one array (e.g. data)");
        struct raid_request rq = { .verb = verb, .array = argv[first], .failed = a.failed, .with = a.with,
                                   .disk = a.disk, .wipe = a.wipe };
        if ((a.locate || a.bmc) && verb != RAID_REPLACE)
                return cli_usage_error(ctx, e, "--locate and --bmc go with replace");
        if (a.locate && (!a.failed || a.with))
                return cli_usage_error(ctx, e, "replace --locate blinks the bay of --failed ID before the swap: "
                                               "give --failed, not --with");
        if (a.locate && !a.bmc && !ctx->host)
                return cli_usage_error(ctx, e, "--locate needs the BMC: --bmc NAME (or --host, whose hostd knows it)");
        if (a.locate && a.bmc && ctx->host)
                return cli_usage_error(ctx, e, "--bmc with --host: hostd asks its own BMC");
        if (a.locate)
                return locate_failed(ctx, rq.array, &a, e);
        if (a.bmc)
                return cli_usage_error(ctx, e, "--bmc goes with --locate");
        if (verb == RAID_REPLACE && (!a.failed || !a.with))
                return cli_usage_error(ctx, e, "replace needs --failed ID and --with ID");
        if ((verb == RAID_ADD_SPARE || verb == RAID_REMOVE) && !a.disk)
                return cli_usage_error(ctx, e, "%s needs --disk ID", raid_verb_name(verb));
        if (verb == RAID_GROW && !a.disk)
                return cli_usage_error(ctx, e, "grow needs --add ID");
        if (verb == RAID_DESTROY && !a.yes)
                return error_set(e, ERROR_REFUSED, "destroying /dev/md/%s loses its data: say --yes", rq.array);
        if (ctx->host && a.wait)
                return cli_usage_error(ctx, e, "--wait follows md on this machine: with --host, follow it with 'raid status'");
        if (ctx->host)
                return raid_life_remote(ctx, &rq, e);
        struct raid_facts f = { 0 };
        if ((k = raid_facts_read(rq.array, &f, e)) < 0)
                return k;
        _cleanup_(life_plan_freep) struct life_plan *p = NULL;
        k = life_plan_make(&rq, &f, &p, e);
        raid_facts_done(&f);
        if (k < 0)
                return k;
        _cleanup_json_ json_object *steps = json_object_new_array();
        struct life_progress prog = { .ctx = ctx, .steps = steps };
        struct life_opts o = { .step_end = on_life_step, .userdata = &prog };
        if ((k = life_apply(p, &o, NULL, e)) < 0)
                return k;
        bool wait = a.wait && (verb == RAID_REPLACE || verb == RAID_GROW || verb == RAID_SCRUB);
        if (wait && (k = raid_wait_sync(ctx, rq.array, e)) < 0)
                return k;
        if (verb == RAID_SCRUB && wait)
                return print_scrub(ctx, rq.array, e);
        if (ctx->json) {
                _cleanup_json_ json_object *out = life_plan_to_json(p);
                json_object_object_add(out, "applied", json_object_get(steps));
                cli_print_json(ctx, out);
        } else
                fprintf(ctx->out, "%s%s\n", p->summary,
                        verb == RAID_SCRUB ? "; 'hostctl raid status ARRAY' shows progress and mismatches" : "");
        return 0;
}

static int replace_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return life_run(ctx, RAID_REPLACE, argc, argv, e);
}

const struct command raid_replace = {
        .name = "replace",
        .args = "ARRAY --failed ID --with ID [--wipe] [--wait] | ARRAY --failed ID --locate [--bmc NAME]",
        .summary = "Take a failed (or vanished) disk out of an array and rebuild onto a new one",
        .help = "The new disk gets the partition layout of a healthy member. IDs are serials, WWNs or by-id\n"
                "names. A new disk with data is refused unless --wipe is given; a --failed disk that is\n"
                "not a member of the array is refused.\n"
                "--locate (without --with): first blink the failed disk's bay through the BMC (--bmc NAME, as\n"
                "hostctl bmc finds it; with --host, hostd's own BMC) so that the right disk is pulled.\n",
        .run = replace_run,
        .remote = true,
};

static int add_spare_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return life_run(ctx, RAID_ADD_SPARE, argc, argv, e);
}

const struct command raid_add_spare = {
        .name = "add-spare",
        .args = "ARRAY --disk ID [--wipe]",
        .summary = "Add a hot spare to an array",
        .run = add_spare_run,
        .remote = true,
};

static int grow_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return life_run(ctx, RAID_GROW, argc, argv, e);
}

const struct command raid_grow = {
        .name = "grow",
        .args = "ARRAY --add ID [--wipe] [--wait]",
        .summary = "Reshape a RAID 5/6 onto one more disk",
        .run = grow_run,
        .remote = true,
};

static int remove_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return life_run(ctx, RAID_REMOVE, argc, argv, e);
}

const struct command raid_remove = {
        .name = "remove",
        .args = "ARRAY --disk ID",
        .summary = "Take a disk (a spare, or a member of a healthy array) out of an array",
        .run = remove_run,
        .remote = true,
};

static int scrub_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return life_run(ctx, RAID_SCRUB, argc, argv, e);
}

const struct command raid_scrub = {
        .name = "scrub",
        .args = "ARRAY [--wait] [--json]",
        .summary = "Read the whole array and count parity/mirror mismatches (md 'check')",
        .run = scrub_run,
        .remote = true,
};

static int stop_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return life_run(ctx, RAID_STOP, argc, argv, e);
}

const struct command raid_stop = {
        .name = "stop",
        .args = "ARRAY",
        .summary = "Stop an array (its members keep their data and superblocks)",
        .run = stop_run,
        .remote = true,
};

static int assemble_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return life_run(ctx, RAID_ASSEMBLE, argc, argv, e);
}

const struct command raid_assemble = {
        .name = "assemble",
        .args = "ARRAY",
        .summary = "Assemble a stopped array from the disks whose md superblocks name it",
        .run = assemble_run,
        .remote = true,
};

static int destroy_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return life_run(ctx, RAID_DESTROY, argc, argv, e);
}

const struct command raid_destroy = {
        .name = "destroy",
        .args = "ARRAY --yes",
        .summary = "Stop an array, zero the md superblocks of its members and drop its mdadm.conf and fstab lines",
        .help = "The same operation as DELETE of the Volume through hostd (what --host URL sends). Only the array's own members are\n"
                "touched; the initramfs is refreshed when mdadm.conf changed and the system has update-initramfs.\n",
        .run = destroy_run,
        .remote = true,
};
