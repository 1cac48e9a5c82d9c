/* hostctl pool create|show: the libvirt storage pool on the RAID 5 mount. */
#include <stdio.h>

#include "cmd_hv.h"
#include "commands.h"
#include "hypervisor/pool.h"
#include "lib/json.h"
#include "lib/outcome.h"
#include "lib/strutil.h"

static json_object *pool_to_json(const struct hv_pool_info *p) {
        json_object *o = json_object_new_object();
        json_add_string(o, "name", p->name);
        json_add_string(o, "path", p->path);
        json_add_bool(o, "active", p->active);
        json_add_bool(o, "autostart", p->autostart);
        json_add_int(o, "capacity_bytes", (int64_t)p->capacity);
        json_add_int(o, "allocation_bytes", (int64_t)p->allocation);
        json_add_int(o, "available_bytes", (int64_t)p->available);
        json_add_strv(o, "volumes", p->volumes);
        return o;
}

static void pool_print(FILE *out, const struct hv_pool_info *p) {
        char cap[16], alloc[16], avail[16];
        _cleanup_free_ char *vols = p->volumes ? strv_join(p->volumes, " ") : NULL;
        fprintf(out, "name:       %s\npath:       %s\nactive:     %s\nautostart:  %s\ncapacity:   %s\n"
                     "allocation: %s\navailable:  %s\nvolumes:    %s\n",
                p->name, p->path ? p->path : "-", p->active ? "yes" : "no", p->autostart ? "yes" : "no",
                format_size(p->capacity, cap, sizeof cap), format_size(p->allocation, alloc, sizeof alloc),
                format_size(p->available, avail, sizeof avail), vols ? vols : "-");
}

static int pool_run(struct cli_ctx *ctx, int argc, char **argv, bool create, struct error *e) {
        _cleanup_(hv_args_done) struct hv_args a = { 0 };
        int k = hv_args_parse(ctx, argc, argv, create ? HV_OPT_POOL_DIRS | HV_OPT_SPEC : 0, &a, e);
        if (k < 0)
                return k;
        if (a.n_operands > 0)
                return cli_usage_error(ctx, e, "unexpected argument '%s'", a.operands[0]);
        if (create && !a.cfg.pool_dir && !a.cfg.pool_mount)
                return cli_usage_error(ctx, e, "'pool create' needs --pool-mount DIR (the RAID 5 mount) or --pool-dir DIR");
        _cleanup_(hv_closep) struct hv *h = NULL;
        if ((k = hv_open(&a.cfg, &h, e)) < 0)
                return k;
        int outcome = OUTCOME_UNCHANGED;
        if (create && (outcome = hv_pool_create(h, e)) < 0)
                return outcome;
        bool created = outcome == OUTCOME_CHANGED;
        _cleanup_(hv_pool_info_done) struct hv_pool_info p = { 0 };
        if ((k = hv_pool_show(h, &p, e)) < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *o = pool_to_json(&p);
                if (create)
                        json_add_bool(o, "created", created);
                cli_print_json(ctx, o);
        } else {
                if (create)
                        fprintf(ctx->out, "%s storage pool %s at %s\n", created ? "created" : "already had", p.name, p.path);
                pool_print(ctx->out, &p);
        }
        return 0;
}

static int pool_create_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return pool_run(ctx, argc, argv, true, e);
}
static int pool_show_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return pool_run(ctx, argc, argv, false, e);
}

static const struct command pool_create = {
        .name = "create",
        .args = "--pool-mount DIR | --pool-dir DIR [options]",
        .summary = "Define, start and autostart the dir pool (default <mount>/vms)",
        .help = "      --pool-mount DIR the RAID 5 mount; the pool directory is DIR/vms\n"
                "      --pool-dir DIR   the pool directory itself\n" HV_COMMON_HELP,
        .run = pool_create_run,
};
static const struct command pool_show = {
        .name = "show", .args = "[options]", .summary = "Show the pool: path, state, space, volumes",
        .help = HV_COMMON_HELP, .run = pool_show_run,
};
static const struct command *const pool_verbs[] = { &pool_create, &pool_show, NULL };

const struct command cmd_pool = {
        .name = "pool",
        .summary = "The libvirt storage pool for VM disks on the RAID 5 array",
        .subs = pool_verbs,
};
