/* The lifecycle steps: each looks at the machine before it acts. Also the
 * facts a lifecycle plan is made from, and the request's stored form. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory.h"
#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/probe.h"
#include "lib/strutil.h"
#include "lifecycle.h"
#include "look.h"
#include "plan_select.h"
#include "tuning.h"

int raid_facts_read(const char *array, struct raid_facts *ret, struct error *e) {
        struct raid_facts f = { 0 };
        int k = md_status_read(array, &f.status, e);
        if (k == -ENOENT)
                *e = (struct error){ 0 };
        else if (k < 0)
                return k;
        struct inventory_opts io = { 0 };
        if ((k = inventory_scan(&io, &f.inv, e)) < 0) {
                raid_facts_done(&f);
                return k;
        }
        if (f.status) {
                _cleanup_free_ char *dev = strdup_printf("/dev/%s", f.status->kernel_name);
                f.fs_uuid = dev ? probe_value(dev, "UUID") : NULL;
        }
        *ret = f;
        return 0;
}

void raid_facts_done(struct raid_facts *f) {
        md_status_free(f->status);
        disk_list_free(f->inv);
        free(f->fs_uuid);
        *f = (struct raid_facts){ 0 };
}

json_object *raid_request_to_json(const struct raid_request *r) {
        json_object *o = json_object_new_object();
        json_add_string(o, "failed", r->failed);
        json_add_string(o, "with", r->with);
        json_add_string(o, "disk", r->disk);
        json_add_bool(o, "wipe", r->wipe);
        return o;
}

/* A disk identity from a request: a serial, WWN or by-id path. */
static bool valid_identity(const char *s) {
        if (strlen(s) == 0 || strlen(s) > 200)
                return false;
        for (const char *c = s; *c; c++)
                if (*c <= ' ' || *c > '~')
                        return false;
        return true;
}

int raid_request_from_json(json_object *o, enum raid_verb verb, const char *array, struct raid_request *ret,
                           struct error *e) {
        struct raid_request r = { .verb = verb, .array = array };
        const char *const keys[] = { "failed", "with", "disk" };
        const char **fields[] = { &r.failed, &r.with, &r.disk };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                json_object *v = NULL;
                if (!o || !json_object_object_get_ex(o, keys[i], &v) || !v)
                        continue;
                if (!json_object_is_type(v, json_type_string) || !valid_identity(json_object_get_string(v)))
                        return error_set(e, -EINVAL, "%s must name a disk by serial, WWN or by-id", keys[i]);
                *fields[i] = json_object_get_string(v);
        }
        json_object *w = NULL;
        if (o && json_object_object_get_ex(o, "wipe", &w) && w) {
                if (!json_object_is_type(w, json_type_boolean))
                        return error_set(e, -EINVAL, "wipe must be true or false");
                r.wipe = json_object_get_boolean(w);
        }
        *ret = r;
        return 0;
}

/* ---- the steps: an enum outcome, or a negative errno ------------------------- */

struct ctx {
        const struct life_plan *p;
        const struct life_opts *o;
        const char *kname;        /* "md127", of a running array */
        bool conf_changed;
        bool looked;              /* at the new disk, before this run's first write to it */
        char msg[512];
};

/* Before the run's first write to the new disk: is it still what the plan
 * saw? After that the run's own writes are what changes it. */
static int look_before_write(struct ctx *c, const struct life_step *s, struct error *e) {
        if (c->looked || !s->seen)
                return 0;
        int k = disk_still_as_planned(s->target, s->target, s->seen, e);
        c->looked = k >= 0;
        return k;
}

/* /sys/block/<array>/md/dev-<member's kernel name>: is it a member now? */
static char *member_dir(const struct ctx *c, const char *member) {
        char real[PATH_MAX];
        const char *dev = realpath(member, real) ? real : member;
        const char *base = strrchr(dev, '/');
        return strdup_printf("/sys/block/%s/md/dev-%s", c->kname ? c->kname : "-", base ? base + 1 : dev);
}

static int run_simple(const char *const *argv, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        int k = run_checked(argv, NULL, &r, e);
        return k < 0 ? k : OUTCOME_CHANGED;
}

static int do_wipe(struct ctx *c, const struct life_step *s, struct error *e) {
        if (!has_any_signature(s->target))
                return snprintf(c->msg, sizeof c->msg, "%s carries no signature", s->target), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        int k = look_before_write(c, s, e);
        return k < 0 ? k : run_simple((const char *[]){ "wipefs", "--all", s->target, NULL }, e);
}

static int do_partition(struct ctx *c, const struct life_step *s, struct error *e) {
        _cleanup_free_ char *part = plan_partition_path(s->target, s->number);
        if (!part)
                return error_set(e, -ENOMEM, "out of memory");
        if (s->label ? has_partition(s->target, s->number, s->label) : access(part, F_OK) == 0)
                return snprintf(c->msg, sizeof c->msg, "%s has partition %d", s->target, s->number), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        _cleanup_free_ char *replicate = strdup_printf("--replicate=%s", s->target);
        if (!replicate)
                return error_set(e, -ENOMEM, "out of memory");
        int k = look_before_write(c, s, e);
        if (k >= 0)
                k = run_simple((const char *[]){ "sgdisk", replicate, s->source, NULL }, e);
        if (k >= 0)
                k = run_simple((const char *[]){ "sgdisk", "--randomize-guids", s->target, NULL }, e);
        if (k < 0)
                return k;
        udev_settle();
        if (wait_for_path(part, 10) < 0)
                return error_set(e, -ETIMEDOUT, "partition %s did not appear within 10 s", part);
        return OUTCOME_CHANGED;
}

static int do_fail(struct ctx *c, const struct life_step *s, struct error *e) {
        _cleanup_free_ char *dir = member_dir(c, s->target), *state = NULL;
        _cleanup_free_ char *path = dir ? strdup_printf("%s/state", dir) : NULL;
        struct error ignore = { 0 };
        if (!path || read_file(path, 4096, &state, NULL, &ignore) < 0 || strstr(state, "faulty"))
                return snprintf(c->msg, sizeof c->msg, "%s is faulty or gone already", s->target), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        return md_fail_member(c->p->device, s->target, e) < 0 ? e->code : OUTCOME_CHANGED;
}

static int do_remove(struct ctx *c, const struct life_step *s, struct error *e) {
        _cleanup_free_ char *dir = streq(s->target, "detached") ? NULL : member_dir(c, s->target);
        if (dir && access(dir, F_OK) != 0)
                return snprintf(c->msg, sizeof c->msg, "%s is no member", s->target), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        return md_remove_member(c->p->device, s->target, e) < 0 ? e->code : OUTCOME_CHANGED;
}

static int do_add(struct ctx *c, const struct life_step *s, struct error *e) {
        _cleanup_free_ char *dir = member_dir(c, s->target);
        if (dir && access(dir, F_OK) == 0)
                return snprintf(c->msg, sizeof c->msg, "%s is a member already", s->target), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        return md_add_member(c->p->device, s->target, e) < 0 ? e->code : OUTCOME_CHANGED;
}

static int do_grow(struct ctx *c, const struct life_step *s, struct error *e) {
        _cleanup_free_ char *path = strdup_printf("/sys/block/%s/md/raid_disks", c->kname), *text = NULL;
        struct error ignore = { 0 };
        if (path && read_file(path, 64, &text, NULL, &ignore) >= 0 && atoi(text) >= s->number)
                return snprintf(c->msg, sizeof c->msg, "%s has %d devices", c->p->device, atoi(text)), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        return md_grow_devices(c->p->device, s->number, e) < 0 ? e->code : OUTCOME_CHANGED;
}

static int do_check(struct ctx *c, const struct life_step *s, struct error *e) {
        _cleanup_free_ char *path = strdup_printf("/sys/block/%s/md/sync_action", s->target), *text = NULL;
        struct error ignore = { 0 };
        if (path && read_file(path, 64, &text, NULL, &ignore) >= 0 && startswith(text, "check"))
                return snprintf(c->msg, sizeof c->msg, "a check runs already"), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        return md_sync_action(s->target, "check", e) < 0 ? e->code : OUTCOME_CHANGED;
}

static int do_stop(struct ctx *c, const struct life_step *s, struct error *e) {
        _cleanup_free_ char *kname = NULL;
        if (find_array(c->p->array, &kname) <= 0)
                return snprintf(c->msg, sizeof c->msg, "/dev/md/%s is not running", c->p->array), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        _cleanup_free_ char *dev = strdup_printf("/dev/%s", kname);
        if (!dev)
                return error_set(e, -ENOMEM, "out of memory");
        if (md_stop(dev, e) < 0)
                return error_prefix(e, "is %s mounted?", dev);
        return OUTCOME_CHANGED;
}

static int do_assemble(struct ctx *c, const struct life_step *s, struct error *e) {
        _cleanup_free_ char *kname = NULL;
        if (find_array(s->target, &kname) > 0)
                return snprintf(c->msg, sizeof c->msg, "/dev/md/%s is running as %s", s->target, kname), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        return md_assemble(s->target, s->members, e) < 0 ? e->code : OUTCOME_CHANGED;
}

static int do_zero(struct ctx *c, const struct life_step *s, struct error *e) {
        _cleanup_free_ char *name = NULL;
        if (md_examine_name(s->target, &name, e) < 0)
                return e->code;
        if (!name)
                return snprintf(c->msg, sizeof c->msg, "%s carries no md superblock", s->target), OUTCOME_UNCHANGED;
        if (!streq(name, s->label))
                return error_set(e, ERROR_REFUSED, "the superblock on %s names array %s, not %s: left alone", s->target,
                                 name, s->label);
        if (c->o->dry)
                return OUTCOME_CHANGED;
        return md_zero_superblock(s->target, e) < 0 ? e->code : OUTCOME_CHANGED;
}

/* Drop the lines holding s->target from root's file rel. */
static int drop_lines(struct ctx *c, const struct life_step *s, const char *rel, struct error *e) {
        _cleanup_free_ char *path = root_path(c->o->root, rel);
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        if (!file_contains(path, s->target))
                return snprintf(c->msg, sizeof c->msg, "%s has no such line", path), OUTCOME_UNCHANGED;
        if (c->o->dry)
                return OUTCOME_CHANGED;
        int k = file_remove_lines(path, s->target, e);
        return k < 0 ? k : OUTCOME_CHANGED;
}

static int do_conf(struct ctx *c, const struct life_step *s, struct error *e) {
        int k = drop_lines(c, s, "etc/mdadm/mdadm.conf", e);
        if (k == OUTCOME_CHANGED)
                c->conf_changed = true;
        if (k < 0)
                return k;
        /* the array's tuning rule (raid/tuning.h) names it by the same UUID */
        char said[sizeof c->msg];
        snprintf(said, sizeof said, "%s", c->msg);
        int t = drop_lines(c, s, MD_TUNING_RULES, e);
        snprintf(c->msg, sizeof c->msg, "%s", said);
        return t < 0 ? t : t == OUTCOME_CHANGED ? OUTCOME_CHANGED : k;
}

static int do_fstab(struct ctx *c, const struct life_step *s, struct error *e) {
        return drop_lines(c, s, "etc/fstab", e);
}

static int do_initramfs(struct ctx *c, const struct life_step *s, struct error *e) {
        if (!c->conf_changed)
                return snprintf(c->msg, sizeof c->msg, "mdadm.conf did not change"), OUTCOME_UNCHANGED;
        return initramfs_refresh(c->o->root, c->o->dry, c->msg, sizeof c->msg, e);
}

int life_apply(const struct life_plan *p, const struct life_opts *o, size_t *ret_changed, struct error *e) {
        static int (*const run[])(struct ctx *, const struct life_step *, struct error *) = {
                [LIFE_WIPE] = do_wipe,   [LIFE_PARTITION] = do_partition, [LIFE_FAIL] = do_fail,
                [LIFE_REMOVE] = do_remove, [LIFE_ADD] = do_add,           [LIFE_GROW] = do_grow,
                [LIFE_CHECK] = do_check, [LIFE_STOP] = do_stop,           [LIFE_ASSEMBLE] = do_assemble,
                [LIFE_ZERO] = do_zero,   [LIFE_CONF] = do_conf,           [LIFE_FSTAB] = do_fstab,
                [LIFE_INITRAMFS] = do_initramfs,
        };
        const char *kname = startswith(p->device, "/dev/md") && !startswith(p->device, "/dev/md/") ? p->device + 5 : NULL;
        struct ctx c = { .p = p, .o = o, .kname = kname };
        size_t changed = 0;
        for (size_t i = 0; i < p->n_steps; i++) {
                const struct life_step *s = &p->steps[i];
                if (o->cancelled && o->cancelled(o->userdata))
                        return error_set(e, -ECANCELED, "stopped before step %zu (%s): asked to stop", i + 1, s->description);
                c.msg[0] = '\0';
                if (o->step_begin)
                        o->step_begin(o->userdata, i, s);
                int k = run[s->kind](&c, s, e);
                if (k < 0)
                        return error_prefix(e, "step %zu (%s)", i + 1, s->description);
                if (k == OUTCOME_CHANGED)
                        changed++;
                if (o->step_end)
                        o->step_end(o->userdata, i, s, (enum outcome)k, c.msg[0] ? c.msg : NULL);
        }
        if (ret_changed)
                *ret_changed = changed;
        return 0;
}
