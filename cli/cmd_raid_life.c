/* hostctl raid status|replace|add-spare|remove|scrub|grow|stop|assemble|destroy:
 * keeping the arrays alive. State comes from sysfs and mdadm --detail --export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "cmd_raid.h"
#include "lib/exec.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "raid/inventory.h"
#include "raid/md.h"
#include "raid/plan_select.h"

/* ---- status ------------------------------------------------------------------ */

/* Printed from the JSON, so that the local and the --host answers read the same. */
static const char *jstr(json_object *o, const char *key, const char *dflt) {
        json_object *v = NULL;
        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : dflt;
}

static int64_t jint(json_object *o, const char *key, int64_t dflt) {
        json_object *v = NULL;
        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : dflt;
}

static void status_print(FILE *out, json_object *a) {
        char size[16];
        int64_t bytes = jint(a, "size_bytes", 0), degraded = jint(a, "degraded", 0);
        fprintf(out, "%s (%s): %s, %s, %s", jstr(a, "device", "?"), jstr(a, "kernel_name", "?"), jstr(a, "level", "?"),
                format_size(bytes > 0 ? (uint64_t)bytes : 0, size, sizeof size), jstr(a, "array_state", "?"));
        if (degraded > 0)
                fprintf(out, ", DEGRADED (%lld missing)", (long long)degraded);
        json_object *pct = NULL;
        if (json_object_object_get_ex(a, "sync_percent", &pct) && pct)
                fprintf(out, ", %s %.1f%% at %.1f MB/s", jstr(a, "sync_action", "?"), json_object_get_double(pct),
                        (double)jint(a, "sync_speed_kib", 0) / 1024.0);
        fprintf(out, ", mismatches %lld\n", (long long)jint(a, "mismatch_cnt", 0));
        json_object *members = NULL;
        json_object_object_get_ex(a, "members", &members);
        for (size_t i = 0; members && i < json_object_array_length(members); i++) {
                json_object *m = json_object_array_get_idx(members, i);
                bool gone = json_object_get_boolean(json_object_object_get(m, "missing"));
                if (streq(jstr(m, "role", ""), "active"))
                        fprintf(out, "    %-10s slot %-3lld %s%s\n", jstr(m, "dev", "?"), (long long)jint(m, "slot", -1),
                                jstr(m, "state", "?"), gone ? " (disk gone)" : "");
                else
                        fprintf(out, "    %-10s spare    %s%s\n", jstr(m, "dev", "?"), jstr(m, "state", "?"),
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
                        const char *dev = jstr(a, "device", "");
                        if (!only || streq(only, jstr(a, "name", "")) || streq(only, jstr(a, "kernel_name", "")) ||
                            streq(only, dev) || (startswith(only, "/dev/") && streq(only + 5, jstr(a, "kernel_name", ""))))
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

/* ---- shared: disks by identity, member partitions ------------------------------ */

struct disk_args {
        const char *failed, *with, *disk;
        bool yes, wait, wipe;
};

static int disk_option(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct disk_args *a = userdata;
        switch (opt) {
        case 'f': a->failed = arg; return 0;
        case 'w': a->with = arg; return 0;
        case 'd': a->disk = arg; return 0;
        case 'y': a->yes = true; return 0;
        case 'W': a->wait = true; return 0;
        case 'x': a->wipe = true; return 0;
        default: return cli_usage_error(ctx, e, "unexpected option");
        }
}

static const struct option disk_options[] = {
        { "failed", required_argument, NULL, 'f' }, { "with", required_argument, NULL, 'w' },
        { "disk", required_argument, NULL, 'd' },   { "add", required_argument, NULL, 'd' },
        { "yes", no_argument, NULL, 'y' },          { "wait", no_argument, NULL, 'W' },
        { "wipe", no_argument, NULL, 'x' },         { 0 },
};

/* ARRAY and the options; exactly one operand. */
static int parse_array_args(struct cli_ctx *ctx, int argc, char **argv, struct disk_args *a, const char **ret_array,
                            struct error *e) {
        int first = 0;
        int k = cli_parse_options(ctx, argc, argv, "y", disk_options, disk_option, a, &first, e);
        if (k < 0)
                return k;
        if (first != argc - 1)
                return cli_usage_error(ctx, e, "name one array (e.g. data)");
        *ret_array = argv[first];
        return 0;
}

static const struct disk *find_disk(const struct disk_list *inv, const char *id, struct error *e) {
        for (size_t i = 0; i < inv->n; i++)
                if (disk_matches_identity(&inv->disks[i], id))
                        return &inv->disks[i];
        if (startswith(id, "sd") || startswith(id, "/dev/sd") || startswith(id, "nvme"))
                error_set(e, -EINVAL, "name the disk by serial, WWN or by-id, not '%s': kernel names change between boots", id);
        else
                error_set(e, -ENOENT, "no disk with serial, WWN or by-id '%s' on this machine", id);
        return NULL;
}

/* The member of a running array that lives on disk d: "sdc1". */
static const struct md_member *member_on(const struct md_status *s, const struct disk *d) {
        for (size_t i = 0; i < s->n_members; i++)
                if (startswith(s->members[i].dev, d->name))
                        return &s->members[i];
        return NULL;
}

static bool ends_in_digit(const char *s) {
        size_t n = strlen(s);
        return n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9';
}

/* Give the new disk the partitions of a healthy member's disk, then name the
 * partition that matches the healthy member. Refuses disks with data. */
static int prepare_new_disk(const struct md_status *s, const struct disk_list *inv, const struct disk *fresh,
                            bool wipe, char **ret_partition, struct error *e) {
        const struct md_member *healthy = NULL;
        for (size_t i = 0; i < s->n_members && !healthy; i++)
                if (!s->members[i].missing && s->members[i].slot >= 0 && streq(s->members[i].state, "in_sync"))
                        healthy = &s->members[i];
        if (!healthy)
                return error_set(e, -ENODEV, "array %s has no healthy member to copy the layout from", s->name);
        const struct disk *src = NULL;
        for (size_t i = 0; i < inv->n && !src; i++)
                if (startswith(healthy->dev, inv->disks[i].name) && inv->disks[i].n_partitions)
                        src = &inv->disks[i];
        if (!src)
                return error_set(e, -ENODEV, "cannot find the disk under %s", healthy->dev);
        const char *partno = healthy->dev + strlen(src->name);
        if (*partno == 'p')
                partno++;
        *ret_partition = strdup_printf("%s%s%s", fresh->path, ends_in_digit(fresh->name) ? "p" : "", partno);
        if (!*ret_partition)
                return error_set(e, -ENOMEM, "out of memory");
        if (fresh->in_use)
                return error_set(e, ERROR_REFUSED, "disk %s (%s) is in use: %s", disk_label(fresh), fresh->name,
                                 fresh->in_use_reasons ? fresh->in_use_reasons[0] : "");
        if (streq(disk_hostd_array(fresh), disk_hostd_array(src)) && access(*ret_partition, F_OK) == 0)
                return 0;   /* an earlier run partitioned it */
        if (disk_carries_data(fresh) && !wipe)
                return error_set(e, ERROR_REFUSED, "disk %s (%s) carries data: add --wipe to allow wiping it",
                                 disk_label(fresh), fresh->name);
        if (fresh->size_bytes < src->size_bytes)
                return error_set(e, ERROR_REFUSED, "disk %s is smaller than the members of %s", disk_label(fresh), s->name);
        _cleanup_(run_result_free) struct run_result r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
        _cleanup_free_ char *replicate = strdup_printf("--replicate=%s", fresh->path);
        if (wipe && run_checked((const char *[]){ "wipefs", "--all", fresh->path, NULL }, NULL, &r1, e) < 0)
                return e->code;
        if (!replicate || run_checked((const char *[]){ "sgdisk", replicate, src->path, NULL }, NULL, &r2, e) < 0 ||
            run_checked((const char *[]){ "sgdisk", "--randomize-guids", fresh->path, NULL }, NULL, &r3, e) < 0)
                return e->code ? e->code : error_set(e, -ENOMEM, "out of memory");
        for (int i = 0; i < 100 && access(*ret_partition, F_OK) != 0; i++)
                usleep(100000);
        return 0;
}

struct array_op {
        const char *array;
        struct disk_args a;
        struct md_status *status;
        struct disk_list *inv;
        char dev[80];
};

static void array_op_done(struct array_op *op) {
        md_status_free(op->status);
        disk_list_free(op->inv);
}

static int array_op_open(struct cli_ctx *ctx, int argc, char **argv, struct array_op *op, bool need_inventory,
                         struct error *e) {
        int k = parse_array_args(ctx, argc, argv, &op->a, &op->array, e);
        if (k < 0)
                return k;
        if ((k = md_status_read(op->array, &op->status, e)) < 0)
                return k;
        snprintf(op->dev, sizeof op->dev, "/dev/%s", op->status->kernel_name);
        if (need_inventory) {
                struct inventory_opts io = { 0 };
                if ((k = inventory_scan(&io, &op->inv, e)) < 0)
                        return k;
        }
        return 0;
}

static int add_disk(struct array_op *op, const char *id, bool grow, struct error *e) {
        const struct disk *d = find_disk(op->inv, id, e);
        if (!d)
                return e->code;
        _cleanup_free_ char *part = NULL;
        int k = prepare_new_disk(op->status, op->inv, d, op->a.wipe, &part, e);
        if (k < 0)
                return k;
        if (md_add_member(op->dev, part, e) < 0)
                return e->code;
        if (grow && md_grow_devices(op->dev, op->status->raid_disks + 1, e) < 0)
                return e->code;
        return 0;
}

static int replace_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(array_op_done) struct array_op op = { 0 };
        int k = array_op_open(ctx, argc, argv, &op, true, e);
        if (k < 0)
                return k;
        if (!op.a.failed || !op.a.with)
                return cli_usage_error(ctx, e, "replace needs --failed ID and --with ID");
        /* the failed disk may be gone from the machine: then its member shows as missing */
        const struct disk *old = NULL;
        for (size_t i = 0; i < op.inv->n && !old; i++)
                if (disk_matches_identity(&op.inv->disks[i], op.a.failed))
                        old = &op.inv->disks[i];
        const struct md_member *m = old ? member_on(op.status, old) : NULL;
        for (size_t i = 0; !m && i < op.status->n_members; i++)
                if (op.status->members[i].missing || streq(op.status->members[i].state, "faulty"))
                        m = &op.status->members[i];
        if (m) {
                _cleanup_free_ char *member = strdup_printf("/dev/%s", m->dev);
                struct error ignore = { 0 };
                if (!streq(m->state, "faulty"))
                        md_fail_member(op.dev, member, &ignore);
                /* a vanished member is removed by the kernel name md knows it by */
                if (md_remove_member(op.dev, m->missing ? "detached" : member, e) < 0)
                        return e->code;
        }
        if ((k = add_disk(&op, op.a.with, false, e)) < 0)
                return k;
        fprintf(ctx->out, "/dev/md/%s: %s replaced by %s; recovery runs\n", op.array, op.a.failed, op.a.with);
        return op.a.wait ? raid_wait_sync(ctx, op.array, e) : 0;
}

const struct command raid_replace = {
        .name = "replace",
        .args = "ARRAY --failed ID --with ID [--wipe] [--wait]",
        .summary = "Take a failed (or vanished) disk out of an array and rebuild onto a new one",
        .help = "The new disk gets the partition layout of a healthy member. IDs are serials, WWNs or by-id\n"
                "names. A new disk with data is refused unless --wipe is given.\n",
        .run = replace_run,
};

static int add_spare_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(array_op_done) struct array_op op = { 0 };
        int k = array_op_open(ctx, argc, argv, &op, true, e);
        if (k < 0)
                return k;
        if (!op.a.disk)
                return cli_usage_error(ctx, e, "add-spare needs --disk ID");
        if ((k = add_disk(&op, op.a.disk, false, e)) < 0)
                return k;
        fprintf(ctx->out, "/dev/md/%s: %s added as a hot spare\n", op.array, op.a.disk);
        return 0;
}

const struct command raid_add_spare = {
        .name = "add-spare",
        .args = "ARRAY --disk ID [--wipe]",
        .summary = "Add a hot spare to an array",
        .run = add_spare_run,
};

static int grow_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(array_op_done) struct array_op op = { 0 };
        int k = array_op_open(ctx, argc, argv, &op, true, e);
        if (k < 0)
                return k;
        if (!op.a.disk)
                return cli_usage_error(ctx, e, "grow needs --add ID");
        if (!streq(op.status->level, "raid5") && !streq(op.status->level, "raid6"))
                return error_set(e, -EINVAL, "array %s is %s: grow reshapes raid5 and raid6 only", op.array, op.status->level);
        if ((k = add_disk(&op, op.a.disk, true, e)) < 0)
                return k;
        fprintf(ctx->out, "/dev/md/%s: reshaping onto %d devices; grow the filesystem when it is done "
                          "(xfs_growfs MOUNTPOINT)\n", op.array, op.status->raid_disks + 1);
        return op.a.wait ? raid_wait_sync(ctx, op.array, e) : 0;
}

const struct command raid_grow = {
        .name = "grow",
        .args = "ARRAY --add ID [--wipe] [--wait]",
        .summary = "Reshape a RAID 5/6 onto one more disk",
        .run = grow_run,
};

static int remove_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(array_op_done) struct array_op op = { 0 };
        int k = array_op_open(ctx, argc, argv, &op, true, e);
        if (k < 0)
                return k;
        if (!op.a.disk)
                return cli_usage_error(ctx, e, "remove needs --disk ID");
        const struct disk *d = find_disk(op.inv, op.a.disk, e);
        if (!d)
                return e->code;
        const struct md_member *m = member_on(op.status, d);
        if (!m)
                return error_set(e, -ENOENT, "disk %s is not a member of /dev/md/%s", op.a.disk, op.array);
        if (m->slot >= 0 && op.status->degraded > 0 && !streq(m->state, "faulty"))
                return error_set(e, ERROR_REFUSED, "/dev/md/%s is degraded already: removing %s would lose data",
                                 op.array, op.a.disk);
        _cleanup_free_ char *member = strdup_printf("/dev/%s", m->dev);
        struct error ignore = { 0 };
        if (m->slot >= 0 && !streq(m->state, "faulty"))
                md_fail_member(op.dev, member, &ignore);
        if (md_remove_member(op.dev, member, e) < 0)
                return e->code;
        fprintf(ctx->out, "/dev/md/%s: %s removed\n", op.array, op.a.disk);
        return 0;
}

const struct command raid_remove = {
        .name = "remove",
        .args = "ARRAY --disk ID",
        .summary = "Take a disk (a spare, or a member of a healthy array) out of an array",
        .run = remove_run,
};

static int scrub_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(array_op_done) struct array_op op = { 0 };
        int k = array_op_open(ctx, argc, argv, &op, false, e);
        if (k < 0)
                return k;
        if (!streq(op.status->sync_action, "idle"))
                return error_set(e, -EBUSY, "/dev/md/%s is busy with %s: scrub when it is idle", op.array,
                                 op.status->sync_action);
        if ((k = md_sync_action(op.array, "check", e)) < 0)
                return k;
        if (!op.a.wait) {
                fprintf(ctx->out, "/dev/md/%s: check started; 'hostctl raid status %s' shows progress and mismatches\n",
                        op.array, op.array);
                return 0;
        }
        if ((k = raid_wait_sync(ctx, op.array, e)) < 0)
                return k;
        _cleanup_(md_status_freep) struct md_status *after = NULL;
        if ((k = md_status_read(op.array, &after, e)) < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *o = json_object_new_object();
                json_add_string(o, "array", op.array);
                json_add_int(o, "mismatch_cnt", after->mismatch_cnt);
                cli_print_json(ctx, o);
        } else
                fprintf(ctx->out, "/dev/md/%s: check finished, %lld mismatches\n", op.array, (long long)after->mismatch_cnt);
        return 0;
}

const struct command raid_scrub = {
        .name = "scrub",
        .args = "ARRAY [--wait] [--json]",
        .summary = "Read the whole array and count parity/mirror mismatches (md 'check')",
        .run = scrub_run,
};

static int stop_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(array_op_done) struct array_op op = { 0 };
        int k = array_op_open(ctx, argc, argv, &op, false, e);
        if (k < 0)
                return k;
        if ((k = md_stop(op.dev, e)) < 0)
                return k;
        fprintf(ctx->out, "/dev/md/%s stopped\n", op.array);
        return 0;
}

const struct command raid_stop = {
        .name = "stop",
        .args = "ARRAY",
        .summary = "Stop an array (its members keep their data and superblocks)",
        .run = stop_run,
};

static int assemble_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        if (argc != 2)
                return cli_usage_error(ctx, e, "name one array to assemble");
        const char *name = argv[1];
        _cleanup_free_ char *running = NULL;
        struct error ignore = { 0 };
        if (md_resolve(name, &running, &ignore) == 0) {
                fprintf(ctx->out, "/dev/md/%s is running already (%s)\n", name, running);
                return 0;
        }
        _cleanup_(disk_list_freep) struct disk_list *inv = NULL;
        struct inventory_opts io = { 0 };
        int k = inventory_scan(&io, &inv, e);
        if (k < 0)
                return k;
        _cleanup_strv_free_ char **members = NULL;
        for (size_t i = 0; i < inv->n; i++)
                for (size_t j = 0; j < inv->disks[i].n_partitions; j++) {
                        const struct disk_partition *p = &inv->disks[i].partitions[j];
                        for (size_t s = 0; s < p->n_signatures; s++)
                                if (streq(p->signatures[s].array_name, name) && p->name &&
                                    strv_push_take(&members, strdup_printf("/dev/%s", p->name)) < 0)
                                        return error_set(e, -ENOMEM, "out of memory");
                }
        if (!members)
                return error_set(e, -ENOENT, "no disk carries a member of an array named %s", name);
        if ((k = md_assemble(name, members, e)) < 0)
                return k;
        fprintf(ctx->out, "/dev/md/%s assembled from %zu member(s)\n", name, strv_length(members));
        return 0;
}

const struct command raid_assemble = {
        .name = "assemble",
        .args = "ARRAY",
        .summary = "Assemble a stopped array from the disks whose md superblocks name it",
        .run = assemble_run,
};

static int destroy_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(array_op_done) struct array_op op = { 0 };
        int k = array_op_open(ctx, argc, argv, &op, false, e);
        if (k < 0)
                return k;
        if (!op.a.yes)
                return error_set(e, ERROR_REFUSED, "destroying /dev/md/%s loses its data: say --yes", op.array);
        _cleanup_strv_free_ char **members = NULL;
        for (size_t i = 0; i < op.status->n_members; i++)
                if (!op.status->members[i].missing &&
                    strv_push_take(&members, strdup_printf("/dev/%s", op.status->members[i].dev)) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        if ((k = md_stop(op.dev, e)) < 0)
                return error_prefix(e, "stop /dev/md/%s (is it mounted?)", op.array);
        for (char **m = members; m && *m; m++)
                if ((k = md_zero_superblock(*m, e)) < 0)
                        return k;
        fprintf(ctx->out, "/dev/md/%s destroyed: stopped, superblocks of %zu member(s) zeroed\n", op.array,
                strv_length(members));
        return 0;
}

const struct command raid_destroy = {
        .name = "destroy",
        .args = "ARRAY --yes",
        .summary = "Stop an array and zero the md superblocks of its members (and nothing else)",
        .run = destroy_run,
};
