#include "apply.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/probe.h"
#include "lib/strutil.h"
#include "look.h"
#include "md.h"
#include "plan_select.h"
#include "tuning.h"

struct ctx {
        const struct plan *p;
        const struct apply_opts *o;
        size_t changed;
        size_t changed_boot;      /* of those, what the initramfs carries: arrays and their ARRAY lines */
        char **created;           /* arrays mdadm --create made in this run */
        char **looked;            /* disks looked at before this run's first write to them */
        char msg[512];
};

static const struct plan_array *array_of(const struct ctx *c, const char *name) {
        for (size_t i = 0; i < c->p->n_arrays; i++)
                if (streq(c->p->arrays[i].name, name))
                        return &c->p->arrays[i];
        return NULL;
}

static const struct plan_disk *disk_of(const struct plan_array *a, const char *serial) {
        for (size_t i = 0; i < a->n_members + a->n_spares; i++) {
                const struct plan_disk *d = i < a->n_members ? &a->members[i] : &a->spares[i - a->n_members];
                if (streq(d->serial, serial) || (!d->serial && streq(d->wwn, serial)))
                        return d;
        }
        return NULL;
}

/* Before the run's first write to a disk: is it still what the plan saw?
 * After that the run's own writes are what changes it. */
static int look_before_write(struct ctx *c, const struct plan_disk *d, struct error *e) {
        const char *id = d->serial ? d->serial : d->wwn;
        if (strv_contains(c->looked, id))
                return 0;
        int k = disk_still_as_planned(d->path, id, d->seen, e);
        if (k < 0)
                return k;
        return strv_push(&c->looked, id) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}

/* ---- one function per step kind: an enum outcome, or a negative errno ------ */

static int do_wipe(struct ctx *c, const struct plan_step *s, struct error *e) {
        const char *dev = s->argv[2];
        const struct plan_array *a = array_of(c, s->array);
        const struct plan_disk *d = a ? disk_of(a, s->disk) : NULL;
        if (!d)
                return error_set(e, -EINVAL, "step for disk %s: not in array %s", s->disk, s->array);
        if (!has_any_signature(dev))
                return snprintf(c->msg, sizeof c->msg, "%s carries no signature", dev), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return snprintf(c->msg, sizeof c->msg, "%s carries a signature: wipe it", dev), OUTCOME_CHANGED;
        int k = look_before_write(c, d, e);
        if (k < 0)
                return k;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        k = run_checked((const char *const *)s->argv, NULL, &r, e);
        return k < 0 ? k : OUTCOME_CHANGED;
}

static int do_partition(struct ctx *c, const struct plan_step *s, struct error *e) {
        const struct plan_array *a = array_of(c, s->array);
        const struct plan_disk *d = a ? disk_of(a, s->disk) : NULL;
        if (!d)
                return error_set(e, -EINVAL, "step for disk %s: not in array %s", s->disk, s->array);
        if (has_partition(d->path, a->partition, a->name)) {
                snprintf(c->msg, sizeof c->msg, "%s already has partition %d named %s", s->disk, a->partition, a->name);
                return OUTCOME_UNCHANGED;
        }
        if (c->o->dry)
                return OUTCOME_CHANGED;
        int k = look_before_write(c, d, e);
        if (k < 0)
                return k;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        k = run_checked((const char *const *)s->argv, NULL, &r, e);
        if (k < 0)
                return k;
        udev_settle();
        _cleanup_free_ char *part = plan_partition_path(d->path, a->partition);
        if (!part || wait_for_path(part, c->o->wait_timeout_s) < 0)
                return error_set(e, -ETIMEDOUT, "partition %s did not appear within %d s", part ? part : "?",
                                 c->o->wait_timeout_s);
        return OUTCOME_CHANGED;
}

static int member_paths(const struct plan_array *a, char ***ret) {
        for (size_t i = 0; i < a->n_members + a->n_spares; i++) {
                const struct plan_disk *d = i < a->n_members ? &a->members[i] : &a->spares[i - a->n_members];
                if (strv_push_take(ret, plan_partition_path(d->path, a->partition)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int do_create(struct ctx *c, const struct plan_step *s, struct error *e) {
        const struct plan_array *a = array_of(c, s->array);
        _cleanup_free_ char *kname = NULL;
        if (find_array(s->array, &kname) > 0)
                return snprintf(c->msg, sizeof c->msg, "/dev/md/%s is running as %s", s->array, kname), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        _cleanup_strv_free_ char **members = NULL;
        if (!a || member_paths(a, &members) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < a->n_members + a->n_spares; i++) {
                int k = look_before_write(c, i < a->n_members ? &a->members[i] : &a->spares[i - a->n_members], e);
                if (k < 0)
                        return k;
        }
        /* superblocks of this array on its members: an earlier run created it */
        _cleanup_free_ char *found = NULL;
        if (md_examine_name(members[0], &found, e) < 0)
                return e->code;
        if (streq(found, s->array)) {
                if (md_assemble(s->array, members, e) < 0)
                        return error_prefix(e, "assemble /dev/md/%s", s->array);
                snprintf(c->msg, sizeof c->msg, "assembled from the superblocks an earlier run wrote");
                return OUTCOME_CHANGED;
        }
        if (md_create(s->argv, e) < 0)
                return e->code;
        if (strv_push(&c->created, s->array) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        return OUTCOME_CHANGED;
}

static int do_wait(struct ctx *c, const struct plan_step *s, struct error *e) {
        _cleanup_free_ char *link = strdup_printf("/dev/md/%s", s->array), *kname = NULL;
        if (!link)
                return error_set(e, -ENOMEM, "out of memory");
        if (!c->o->dry)
                udev_settle();
        if (access(link, F_OK) == 0)
                return OUTCOME_UNCHANGED;
        if (c->o->dry)
                return find_array(s->array, &kname) > 0 ? 0 : 1;
        if (find_array(s->array, &kname) <= 0)
                return error_set(e, -ENOENT, "array %s is not running", s->array);
        /* udev makes the link from mdadm's map; give it a moment, then make
         * it as mdadm itself does where there is no udev */
        if (udev_running() && wait_for_path(link, 10) == 0)
                return OUTCOME_UNCHANGED;
        _cleanup_free_ char *target = strdup_printf("../%s", kname);
        if (mkdir("/dev/md", 0755) < 0 && errno != EEXIST)
                return error_set(e, -errno, "cannot make /dev/md: %s", strerror(errno));
        if (!target || (symlink(target, link) < 0 && errno != EEXIST))
                return error_set(e, -errno, "cannot link %s: %s", link, strerror(errno));
        snprintf(c->msg, sizeof c->msg, "linked %s to %s", link, kname);
        return OUTCOME_UNCHANGED;
}

static int do_mkfs(struct ctx *c, const struct plan_step *s, struct error *e) {
        const struct plan_array *a = array_of(c, s->array);
        _cleanup_free_ char *dev = strdup_printf("/dev/md/%s", s->array);
        _cleanup_free_ char *type = dev ? probe_value(dev, "TYPE") : NULL;
        /* On an array made in this run any signature is stale: what the wiped
         * disks held shows through at the same offsets. Only on an array an
         * earlier run made is a filesystem of the planned type ours. */
        bool fresh = strv_contains(c->created, s->array);
        if (!fresh && a && type && streq(type, a->fs_type))
                return snprintf(c->msg, sizeof c->msg, "%s already holds %s", dev, type), OUTCOME_UNCHANGED;
        if (!fresh && type)
                return error_set(e, ERROR_REFUSED, "%s holds %s, not the planned %s: refusing to make a filesystem over it",
                                 dev, type, a ? a->fs_type : "?");
        if (c->o->dry)
                return OUTCOME_CHANGED;
        _cleanup_strv_free_ char **argv = NULL;
        for (size_t i = 0; s->argv[i]; i++) {
                if (strv_push(&argv, s->argv[i]) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
                const char *force = streq(s->argv[0], "mkfs.xfs") ? "-f" : streq(s->argv[0], "mkfs.ext4") ? "-F" : NULL;
                if (i == 0 && fresh && type && force && strv_push(&argv, force) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        if (fresh && type)
                snprintf(c->msg, sizeof c->msg, "the new array showed a stale %s signature: overwritten", type);
        _cleanup_(run_result_free) struct run_result r = { 0 };
        int k = run_checked((const char *const *)argv, &(struct run_opts){ .timeout_ms = 600000 }, &r, e);
        return k < 0 ? k : OUTCOME_CHANGED;
}

static char *etc_path(const struct ctx *c, const char *rel) {
        return root_path(c->o->root, rel);
}

/* Add `line` to a file unless a line containing `key` is there already. */
static int do_mdadm_conf(struct ctx *c, const struct plan_step *s, struct error *e) {
        _cleanup_free_ char *conf = etc_path(c, "etc/mdadm/mdadm.conf");
        int changed = 0;
        for (size_t i = 0; conf && i < c->p->n_arrays; i++) {
                _cleanup_free_ char *dev = strdup_printf("/dev/md/%s", c->p->arrays[i].name), *line = NULL;
                struct error ignore = { 0 };
                if (md_detail_brief(dev, &line, c->o->dry ? &ignore : e) < 0) {
                        if (c->o->dry)
                                return OUTCOME_CHANGED;
                        return e->code;
                }
                const char *uuid = strstr(line, "UUID=");
                if (c->o->dry) {
                        if (!file_contains(conf, uuid ? uuid : line))
                                return OUTCOME_CHANGED;
                        continue;
                }
                int k = file_ensure_line(conf, uuid ? uuid : line, line, "# written by hostd: arrays by UUID\n", e);
                if (k < 0)
                        return k;
                changed |= k;
        }
        if (!changed)
                snprintf(c->msg, sizeof c->msg, "%s lists every array", conf);
        return changed ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

/* md's tuning now, and the udev rule that sets it at each start of the array */
static int do_tune(struct ctx *c, const struct plan_step *s, struct error *e) {
        const struct plan_array *a = array_of(c, s->array);
        if (!a || !a->tuned)
                return error_set(e, -EINVAL, "step for array %s: no tuning planned", s->array);
        _cleanup_free_ char *dev = strdup_printf("/dev/md/%s", a->name), *kname = NULL, *brief = NULL;
        struct error ignore = { 0 };
        if (c->o->dry && md_resolve(dev, &kname, &ignore) < 0)
                return OUTCOME_CHANGED;   /* the array is yet to be made */
        if (!kname && md_resolve(dev, &kname, e) < 0)
                return e->code;
        bool changed = false;
        if (md_tuning_write(kname, &a->tuning, c->o->dry, &changed, e) < 0 || md_detail_brief(dev, &brief, e) < 0)
                return e->code;
        const char *at = strstr(brief, "UUID=");
        _cleanup_free_ char *uuid = at ? strndup(at + 5, strcspn(at + 5, " \t\n")) : NULL;
        if (!uuid || !*uuid)
                return error_set(e, -EIO, "%s: mdadm gave no UUID", dev);
        _cleanup_free_ char *rules = etc_path(c, MD_TUNING_RULES), *line = md_tuning_udev_rule(uuid, &a->tuning);
        _cleanup_free_ char *key = strdup_printf("ENV{MD_UUID}==\"%s\"", uuid);
        if (!rules || !line || !key)
                return error_set(e, -ENOMEM, "out of memory");
        bool has_rule = file_contains(rules, line);
        if (!has_rule && !c->o->dry) {
                /* an earlier tuning of the same array gives way to this one */
                if (file_remove_lines(rules, key, e) < 0 ||
                    file_ensure_line(rules, line, line, "# written by hostd: md's tuning of its parity arrays, each by its UUID\n", e) < 0)
                        return e->code;
        }
        if (!changed && has_rule)
                return snprintf(c->msg, sizeof c->msg, "%s is tuned already", kname), OUTCOME_UNCHANGED;
        snprintf(c->msg, sizeof c->msg, "%s: stripe_cache_size %u, group_thread_cnt %u, sync_speed_min %u; %s",
                 kname, a->tuning.stripe_cache_size, a->tuning.group_thread_cnt, a->tuning.sync_speed_min, rules);
        return OUTCOME_CHANGED;
}

static int do_fstab(struct ctx *c, const struct plan_step *s, struct error *e) {
        const struct plan_array *a = array_of(c, s->array);
        _cleanup_free_ char *dev = strdup_printf("/dev/md/%s", s->array), *fstab = etc_path(c, "etc/fstab");
        _cleanup_free_ char *uuid = dev ? probe_value(dev, "UUID") : NULL;
        if (c->o->dry && (!uuid || !file_contains(fstab, uuid)))
                return OUTCOME_CHANGED;
        if (!a || !uuid)
                return error_set(e, -ENOENT, "%s has no filesystem UUID yet", dev ? dev : s->array);
        _cleanup_free_ char *key = fstab_key(uuid), *line = fstab_data_line(uuid, a->fs_mount, a->fs_type);
        if (!key || !line)
                return error_set(e, -ENOMEM, "out of memory");
        int k = file_ensure_line(fstab, key, line, "", e);
        if (k == 0)
                snprintf(c->msg, sizeof c->msg, "%s has UUID=%s", fstab, uuid);
        return k < 0 ? k : k ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

static int do_mount(struct ctx *c, const struct plan_step *s, struct error *e) {
        const char *mountpoint = s->argv[2];
        if (path_is_mounted(mountpoint))
                return snprintf(c->msg, sizeof c->msg, "%s is mounted", mountpoint), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        if (mkdir_p(mountpoint, 0755, e) < 0)
                return e->code;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        int k = run_checked((const char *const *)s->argv, NULL, &r, e);
        return k < 0 ? k : OUTCOME_CHANGED;
}

static int do_initramfs(struct ctx *c, const struct plan_step *s, struct error *e) {
        if (c->changed_boot == 0)
                return snprintf(c->msg, sizeof c->msg, "no array changed"), OUTCOME_UNCHANGED;
        return initramfs_refresh(c->o->root, c->o->dry, c->msg, sizeof c->msg, e);
}

int raid_apply(const struct plan *p, const struct apply_opts *opts, size_t *ret_changed, struct error *e) {
        struct apply_opts o = *opts;
        if (o.wait_timeout_s <= 0)
                o.wait_timeout_s = 60;
        if (p->errors)
                return error_set(e, ERROR_REFUSED, "the plan has errors: nothing was written");
        struct ctx c = { .p = p, .o = &o };
        static int (*const run[])(struct ctx *, const struct plan_step *, struct error *) = {
                [STEP_WIPE] = do_wipe,           [STEP_PARTITION] = do_partition, [STEP_CREATE_ARRAY] = do_create,
                [STEP_WAIT] = do_wait,           [STEP_MKFS] = do_mkfs,           [STEP_MDADM_CONF] = do_mdadm_conf,
                [STEP_FSTAB] = do_fstab,         [STEP_MOUNT] = do_mount,         [STEP_INITRAMFS] = do_initramfs, [STEP_TUNE] = do_tune,
        };
        for (size_t i = 0; i < p->n_steps; i++) {
                const struct plan_step *s = &p->steps[i];
                if (o.only_kinds && !(o.only_kinds & (1u << s->kind)))
                        continue;
                if (o.cancelled && o.cancelled(o.userdata)) {
                        strv_free(c.created);
                        strv_free(c.looked);
                        return error_set(e, -ECANCELED, "stopped before step %zu (%s): asked to stop", i + 1,
                                         s->description);
                }
                c.msg[0] = '\0';
                if (o.progress)
                        o.progress(o.userdata, i, s, true, OUTCOME_UNCHANGED, NULL);
                int k = run[s->kind](&c, s, e);
                if (k < 0) {
                        strv_free(c.created);
                        strv_free(c.looked);
                        return error_prefix(e, "step %zu (%s)", i + 1, s->description);
                }
                if (k == OUTCOME_CHANGED)
                        c.changed++;
                /* the initramfs assembles the arrays from its copy of
                 * mdadm.conf; the rest (tuning, fstab, a mount the first boot
                 * made before systemd did) lives in the running system, and a
                 * rebuild costs minutes under emulation */
                if (k == OUTCOME_CHANGED && (s->kind == STEP_CREATE_ARRAY || s->kind == STEP_MDADM_CONF))
                        c.changed_boot++;
                if (o.progress)
                        o.progress(o.userdata, i, s, false, (enum outcome)k, c.msg[0] ? c.msg : NULL);
        }
        strv_free(c.created);
        strv_free(c.looked);
        if (ret_changed)
                *ret_changed = c.changed;
        return 0;
}
