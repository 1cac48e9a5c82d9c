/* hostctl raid ...: plan (and, in time, create and keep alive) the arrays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_raid.h"
#include "commands.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strutil.h"
#include "lib/yaml_json.h"
#include "raid/inventory.h"
#include "raid/plan.h"

struct plan_args {
        const char *spec;
        const char *inventory;
        char **wipe;
};

static int plan_option(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct plan_args *a = userdata;
        switch (opt) {
        case 's': a->spec = arg; return 0;
        case 'i': a->inventory = arg; return 0;
        case 'w': return strv_push(&a->wipe, arg) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
        default: return cli_usage_error(ctx, e, "unexpected option");
        }
}

/* The storage section of a host spec, or a file that is only that section. */
int raid_load_spec(const char *path, struct storage_spec **ret, struct error *e) {
        _cleanup_json_ json_object *doc = NULL;
        int k = yaml_read_file_to_json(path, &doc, e);
        if (k < 0)
                return k;
        json_object *storage = doc;
        if (doc && json_object_is_type(doc, json_type_object))
                json_object_object_get_ex(doc, "storage", &storage);
        if (!storage || storage == doc) {
                if (!doc || !json_object_is_type(doc, json_type_object) || !json_object_object_get_ex(doc, "arrays", NULL))
                        return error_set(e, -EINVAL, "%s: no storage section (storage: {arrays: [...]})", path);
        }
        k = storage_spec_from_json(storage, ret, e);
        return k < 0 ? error_prefix(e, "%s", path) : 0;
}

int raid_load_inventory(const char *path, struct disk_list **ret, struct error *e) {
        /* tests only, as in hostd: plan from an inventory file that names
         * loop devices (which have no serial), the stale view the look
         * before each write must catch */
        const char *test_inventory = getenv("HOSTD_TEST_INVENTORY");
        if (!path && test_inventory && *test_inventory) {
                log_warning("HOSTD_TEST_INVENTORY: the disks are those of %s, not this machine's; this is for tests",
                            test_inventory);
                inventory_set_test_file(test_inventory);
        }
        if (!path) {
                /* a plan decides writes: what each disk carries from the disk
                 * itself, as the look before each write reads it, not from
                 * udev's record, which lags a write it has not processed yet
                 * (a run again right after a killed one saw a stale vfat) */
                struct inventory_opts opts = { .probe = true };
                return inventory_scan(&opts, ret, e);
        }
        int k = disk_list_read_json_file(path, ret, e);
        return k < 0 ? error_prefix(e, "--inventory") : 0;
}

static void print_disks(FILE *out, const struct plan_disk *v, size_t n) {
        if (n == 0)
                fprintf(out, "-");
        for (size_t i = 0; i < n; i++)
                fprintf(out, "%s%s", i ? " " : "", v[i].serial ? v[i].serial : v[i].wwn);
}

void raid_print_plan(FILE *out, const struct plan *p) {
        fprintf(out, "%s\n", p->default_spec ? "Plan: the R630 default (no spec given)" : "Plan");
        if (p->n_arrays)
                fprintf(out, "\nArrays:\n");
        for (size_t i = 0; i < p->n_arrays; i++) {
                const struct plan_array *a = &p->arrays[i];
                char size[16];
                fprintf(out, "  /dev/md/%-10s raid%-2d %8s  %s%s%s\n    members: ", a->name, a->level,
                        format_size((uint64_t)a->size_bytes, size, sizeof size), a->fs_type ? a->fs_type : "no filesystem",
                        a->fs_mount ? " on " : "", a->fs_mount ? a->fs_mount : "");
                print_disks(out, a->members, a->n_members);
                fprintf(out, "\n    spares:  ");
                print_disks(out, a->spares, a->n_spares);
                fprintf(out, "\n");
        }
        if (p->n_steps)
                fprintf(out, "\nSteps:\n");
        for (size_t i = 0; i < p->n_steps; i++) {
                fprintf(out, "  %2zu. %s\n", i + 1, p->steps[i].description);
                if (p->steps[i].argv) {
                        _cleanup_free_ char *cmd = argv_to_display((const char *const *)p->steps[i].argv);
                        fprintf(out, "      $ %s\n", cmd ? cmd : "");
                }
        }
        if (p->warnings)
                fprintf(out, "\nWarnings:\n");
        for (char **w = p->warnings; w && *w; w++)
                fprintf(out, "  - %s\n", *w);
        if (p->errors)
                fprintf(out, "\nErrors (nothing can be applied until they are solved):\n");
        for (char **x = p->errors; x && *x; x++)
                fprintf(out, "  - %s\n", *x);
}

static int raid_plan_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        static const struct option opts[] = {
                { "spec", required_argument, NULL, 's' },
                { "inventory", required_argument, NULL, 'i' },
                { "wipe", required_argument, NULL, 'w' },
                { 0 },
        };
        _cleanup_strv_free_ char **wipe = NULL;
        struct plan_args a = { 0 };
        int optind_ = 0;
        int k = cli_parse_options(ctx, argc, argv, "s:i:w:", opts, plan_option, &a, &optind_, e);
        wipe = a.wipe;
        if (k < 0)
                return k;
        if (optind_ < argc)
                return cli_usage_error(ctx, e, "unexpected argument '%s'", argv[optind_]);

        _cleanup_(storage_spec_freep) struct storage_spec *spec = NULL;
        if (a.spec && (k = raid_load_spec(a.spec, &spec, e)) < 0)
                return k;
        _cleanup_(disk_list_freep) struct disk_list *inv = NULL;
        if ((k = raid_load_inventory(a.inventory, &inv, e)) < 0)
                return k;
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, spec, wipe);
        if (!p)
                return error_set(e, -ENOMEM, "out of memory while planning");
        /* an inventory from a file is another machine's: its memory and CPUs are not known here */
        if (!a.inventory && (k = plan_tune_here(p, e)) < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *o = plan_to_json(p);
                cli_print_json(ctx, o);
        } else
                raid_print_plan(ctx->out, p);
        size_t n = strv_length(p->errors);
        if (n)
                return error_set(e, ERROR_REFUSED, "the plan has %zu error%s: nothing was written", n, n == 1 ? "" : "s");
        return 0;
}

static const struct command raid_plan = {
        .name = "plan",
        .args = "[--spec FILE] [--inventory FILE] [--wipe ID]... [--json]",
        .summary = "Show which arrays would be built from which disks, step by step; change nothing",
        .help = "Options:\n"
                "  --spec FILE       a host spec (YAML or JSON) with a storage section; without it,\n"
                "                    the R630 default: OS RAID 1 on the two smallest identical SSDs,\n"
                "                    RAID 5 (+1 hot spare from 4 disks on) over the largest group of\n"
                "                    same-size disks left\n"
                "  --inventory FILE  plan for the disks in FILE (from 'hostctl disks --json'), not this machine's\n"
                "  --wipe ID         allow wiping this disk (serial, WWN or by-id) although it carries data\n"
                "\n"
                "Exit status 3 when the plan has errors: a disk in use, a disk with data not listed\n"
                "under wipe, too few disks, members of different sizes, a disk named twice or missing.\n",
        .run = raid_plan_run,
};

static const struct command *const raid_verbs[] = {
        &raid_plan, &raid_create, &raid_status, &raid_replace, &raid_add_spare, &raid_remove,
        &raid_scrub, &raid_grow, &raid_stop, &raid_assemble, &raid_destroy, NULL,
};

const struct command cmd_raid = {
        .name = "raid",
        .args = "VERB [ARGS...]",
        .summary = "Software RAID (mdadm): plan the OS RAID 1 and the data RAID 5",
        .subs = raid_verbs,
};
