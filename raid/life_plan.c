/* The lifecycle planner: steps = f(request, facts). Pure: no I/O. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk_props.h"
#include "lib/strutil.h"
#include "lifecycle.h"
#include "look.h"
#include "plan_select.h"

static const char *const verb_names[] = {
        [RAID_ADD_SPARE] = "add-spare", [RAID_REPLACE] = "replace", [RAID_REMOVE] = "remove",
        [RAID_GROW] = "grow",           [RAID_SCRUB] = "scrub",     [RAID_STOP] = "stop",
        [RAID_ASSEMBLE] = "assemble",   [RAID_DESTROY] = "destroy",
};

const char *raid_verb_name(enum raid_verb v) {
        return (unsigned)v < ELEMENTSOF(verb_names) ? verb_names[v] : "?";
}

int raid_verb_from_name(const char *name, enum raid_verb *ret) {
        for (size_t i = 0; i < ELEMENTSOF(verb_names); i++)
                if (streq(name, verb_names[i]))
                        return *ret = (enum raid_verb)i, 0;
        return -EINVAL;
}

const char *life_kind_name(enum life_kind k) {
        static const char *const names[] = {
                [LIFE_WIPE] = "wipe",     [LIFE_PARTITION] = "partition", [LIFE_FAIL] = "fail",
                [LIFE_REMOVE] = "remove", [LIFE_ADD] = "add",             [LIFE_GROW] = "grow",
                [LIFE_CHECK] = "check",   [LIFE_STOP] = "stop",           [LIFE_ASSEMBLE] = "assemble",
                [LIFE_ZERO] = "zero-superblock", [LIFE_CONF] = "mdadm-conf", [LIFE_FSTAB] = "fstab",
                [LIFE_INITRAMFS] = "initramfs",
        };
        return (unsigned)k < ELEMENTSOF(names) && names[k] ? names[k] : "?";
}

void life_plan_free(struct life_plan *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n_steps; i++) {
                free(p->steps[i].target);
                free(p->steps[i].source);
                free(p->steps[i].label);
                free(p->steps[i].seen);
                strv_free(p->steps[i].members);
                free(p->steps[i].description);
        }
        free(p->steps);
        free(p->array);
        free(p->device);
        free(p->summary);
        free(p);
}

/* A step acting on target (taken), described by fmt. NULL on ENOMEM. */
static struct life_step *add_step(struct life_plan *p, enum life_kind kind, char *target, const char *fmt, ...) {
        struct life_step *v = realloc(p->steps, (p->n_steps + 1) * sizeof *v);
        if (!v) {
                free(target);
                return NULL;
        }
        p->steps = v;
        struct life_step *s = &v[p->n_steps];
        *s = (struct life_step){ .kind = kind, .target = target };
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&s->description, fmt, ap) < 0)
                s->description = NULL;
        va_end(ap);
        if (!target || !s->description) {
                free(target);
                free(s->description);
                return NULL;
        }
        p->n_steps++;
        return s;
}

#define OOM(e) error_set(e, -ENOMEM, "out of memory")

static const struct disk *find_disk(const struct disk_list *inv, const char *id, struct error *e) {
        for (size_t i = 0; inv && i < inv->n; i++)
                if (disk_matches_identity(&inv->disks[i], id))
                        return &inv->disks[i];
        if (startswith(id, "sd") || startswith(id, "/dev/sd") || startswith(id, "nvme") || startswith(id, "/dev/nvme"))
                error_set(e, -EINVAL, "name the disk by serial, WWN or by-id, not '%s': kernel names change between boots", id);
        else
                error_set(e, -ENOENT, "no disk with serial, WWN or by-id '%s' on this machine", id);
        return NULL;
}

/* The member of the running array that lives on disk d ("sdc1"): the
 * member's partition must be one of d's own, by the inventory. */
static const struct md_member *member_on(const struct md_status *s, const struct disk_list *inv, const struct disk *d) {
        for (size_t i = 0; i < s->n_members; i++)
                if (!s->members[i].missing && disk_list_holder(inv, s->members[i].dev, NULL) == d)
                        return &s->members[i];
        return NULL;
}

/* "sdb1 sdc1 (faulty) sdd1 (spare)": the members, for messages. */
static char *members_text(const struct md_status *s) {
        _cleanup_strv_free_ char **v = NULL;
        for (size_t i = 0; i < s->n_members; i++) {
                const struct md_member *m = &s->members[i];
                bool plain = !m->missing && streq(m->state, "in_sync");
                if (strv_push_printf(&v, "%s%s%s%s", m->dev, plain ? "" : " (", plain ? "" : m->missing ? "missing" : m->state,
                                     plain ? "" : ")") < 0)
                        return NULL;
        }
        return v ? strv_join(v, ", ") : strdup("none");
}

static bool member_faulty(const struct md_member *m) {
        return m->missing || (m->state && strstr(m->state, "faulty"));
}

/* Steps that give the new disk the layout of a healthy member's disk and
 * add its member partition (and, for grow, reshape onto it). */
static int add_disk_steps(struct life_plan *p, const struct raid_request *rq, const struct raid_facts *f, const char *id,
                          struct error *e) {
        const struct md_status *s = f->status;
        const struct disk *fresh = find_disk(f->inv, id, e);
        if (!fresh)
                return e->code;
        const struct md_member *already = member_on(s, f->inv, fresh);
        if (already) {
                /* an earlier run added it: only a grow may be left to do */
                if (rq->verb == RAID_GROW && already->slot < 0) {
                        struct life_step *g = add_step(p, LIFE_GROW, strdup(p->device), "reshape %s onto %d devices",
                                                       p->device, s->raid_disks + 1);
                        if (!g)
                                return OOM(e);
                        g->number = s->raid_disks + 1;
                }
                return 0;
        }
        const struct md_member *healthy = NULL;
        for (size_t i = 0; i < s->n_members && !healthy; i++)
                if (!s->members[i].missing && s->members[i].slot >= 0 && streq(s->members[i].state, "in_sync"))
                        healthy = &s->members[i];
        if (!healthy)
                return error_set(e, -ENODEV, "array %s has no healthy member to copy the layout from", rq->array);
        const struct disk_partition *part = NULL;
        const struct disk *src = disk_list_holder(f->inv, healthy->dev, &part);
        if (!src || !part)
                return error_set(e, -ENODEV, "cannot find the disk and partition of member %s", healthy->dev);
        if (fresh->in_use)
                return error_set(e, ERROR_REFUSED, "disk %s (%s) is in use: %s", disk_label(fresh), fresh->name,
                                 fresh->in_use_reasons ? fresh->in_use_reasons[0] : "");
        bool ours = disk_hostd_array(fresh) && streq(disk_hostd_array(fresh), disk_hostd_array(src));
        if (!ours && disk_carries_data(fresh) && !rq->wipe)
                return error_set(e, ERROR_REFUSED, "disk %s (%s) carries data: add --wipe to allow wiping it",
                                 disk_label(fresh), fresh->name);
        if (fresh->size_bytes < src->size_bytes)
                return error_set(e, ERROR_REFUSED, "disk %s is smaller than the members of %s", disk_label(fresh), rq->array);
        _cleanup_free_ char *partition = plan_partition_path(fresh->path, part->number);
        if (!partition)
                return OOM(e);
        struct life_step *ws = NULL;
        if (!ours && rq->wipe &&
            (!(ws = add_step(p, LIFE_WIPE, strdup(fresh->path), "wipe %s (%s)", disk_label(fresh), fresh->path)) ||
             !(ws->seen = disk_contents_key(fresh))))
                return OOM(e);
        struct life_step *ps = add_step(p, LIFE_PARTITION, strdup(fresh->path), "copy the partitions of %s onto %s (%s)",
                                        disk_label(src), disk_label(fresh), fresh->path);
        if (!ps || !(ps->source = strdup(src->path)) || (part->label && !(ps->label = strdup(part->label))) ||
            !(ps->seen = disk_contents_key(fresh)))
                return OOM(e);
        ps->number = part->number;
        if (!add_step(p, LIFE_ADD, strdup(partition), "add %s to %s", partition, p->device))
                return OOM(e);
        if (rq->verb == RAID_GROW) {
                struct life_step *g = add_step(p, LIFE_GROW, strdup(p->device), "reshape %s onto %d devices", p->device,
                                               s->raid_disks + 1);
                if (!g)
                        return OOM(e);
                g->number = s->raid_disks + 1;
        }
        return 0;
}

/* Take member m out: fail it unless md did, then remove it. */
static int take_out_steps(struct life_plan *p, const struct md_member *m, struct error *e) {
        _cleanup_free_ char *dev = strdup_printf("/dev/%s", m->dev);
        if (!dev)
                return OOM(e);
        if (!member_faulty(m) && m->slot >= 0 && !add_step(p, LIFE_FAIL, strdup(dev), "mark %s faulty in %s", dev, p->device))
                return OOM(e);
        /* a vanished member goes by the name md has for all of them */
        const char *what = m->missing ? "detached" : dev;
        if (!add_step(p, LIFE_REMOVE, strdup(what), "remove %s from %s", what, p->device))
                return OOM(e);
        return 0;
}

static int plan_replace(struct life_plan *p, const struct raid_request *rq, const struct raid_facts *f, struct error *e) {
        const struct md_status *s = f->status;
        if (!rq->failed || !rq->with)
                return error_set(e, -EINVAL, "replace needs the failed disk and the new one");
        const struct disk *old = find_disk(f->inv, rq->failed, e);
        if (!old && e->code == -EINVAL)
                return e->code;   /* a kernel name: it may name another disk after a reboot */
        *e = (struct error){ 0 };   /* a disk gone from the machine is what replace is for */
        const struct md_member *m = old ? member_on(s, f->inv, old) : NULL;
        /* a disk that is gone from the machine shows as the missing (or faulty) member */
        for (size_t i = 0; !old && !m && i < s->n_members; i++)
                if (member_faulty(&s->members[i]))
                        m = &s->members[i];
        if (!m) {
                _cleanup_free_ char *members = members_text(s);
                return error_set(e, ERROR_REFUSED,
                                 old ? "disk %s is not a member of %s (members: %s): nothing to replace"
                                     : "disk %s is not on this machine and %s has no missing or faulty member (members: %s): "
                                       "nothing to replace",
                                 rq->failed, p->device, members ? members : "?");
        }
        if (!member_faulty(m) && s->degraded > 0)
                return error_set(e, ERROR_REFUSED, "%s is degraded already: taking %s out as well would lose data",
                                 p->device, rq->failed);
        int k = take_out_steps(p, m, e);
        if (k < 0)
                return k;
        return add_disk_steps(p, rq, f, rq->with, e);
}

static int plan_remove(struct life_plan *p, const struct raid_request *rq, const struct raid_facts *f, struct error *e) {
        const struct md_status *s = f->status;
        if (!rq->disk)
                return error_set(e, -EINVAL, "remove needs the disk");
        const struct disk *d = find_disk(f->inv, rq->disk, e);
        if (!d)
                return e->code;
        const struct md_member *m = member_on(s, f->inv, d);
        if (!m) {
                _cleanup_free_ char *members = members_text(s);
                return error_set(e, -ENOENT, "disk %s is not a member of %s (members: %s)", rq->disk, p->device,
                                 members ? members : "?");
        }
        if (m->slot >= 0 && s->degraded > 0 && !member_faulty(m))
                return error_set(e, ERROR_REFUSED, "%s is degraded already: removing %s would lose data", p->device, rq->disk);
        return take_out_steps(p, m, e);
}

/* The partitions whose md superblock names the array, from the inventory. */
static int superblock_members(const struct disk_list *inv, const char *array, char ***ret, char **ret_uuid) {
        for (size_t i = 0; inv && i < inv->n; i++)
                for (size_t j = 0; j < inv->disks[i].n_partitions; j++) {
                        const struct disk_partition *part = &inv->disks[i].partitions[j];
                        for (size_t s = 0; s < part->n_signatures; s++)
                                if (part->name && streq(part->signatures[s].array_name, array)) {
                                        if (strv_push_printf(ret, "/dev/%s", part->name) < 0)
                                                return -ENOMEM;
                                        if (ret_uuid && !*ret_uuid && part->signatures[s].array_uuid &&
                                            !(*ret_uuid = strdup(part->signatures[s].array_uuid)))
                                                return -ENOMEM;
                                }
                }
        return 0;
}

static int plan_destroy(struct life_plan *p, const struct raid_request *rq, const struct raid_facts *f, struct error *e) {
        _cleanup_strv_free_ char **members = NULL;
        _cleanup_free_ char *uuid = NULL;
        if (f->status) {
                for (size_t i = 0; i < f->status->n_members; i++)
                        if (!f->status->members[i].missing && strv_push_printf(&members, "/dev/%s", f->status->members[i].dev) < 0)
                                return OOM(e);
                if (f->status->uuid && !(uuid = strdup(f->status->uuid)))
                        return OOM(e);
                if (!add_step(p, LIFE_STOP, strdup(p->device), "stop %s", p->device))
                        return OOM(e);
        } else if (superblock_members(f->inv, rq->array, &members, &uuid) < 0)
                return OOM(e);
        if (!f->status && !members)
                return error_set(e, -ENOENT, "no array named %s is running, and no disk carries a member of it", rq->array);
        /* ITS members only: the list is the array's own, and each step
         * checks that the superblock it zeroes names this array */
        for (char **m = members; m && *m; m++) {
                struct life_step *z = add_step(p, LIFE_ZERO, strdup(*m), "zero the md superblock on %s", *m);
                if (!z || !(z->label = strdup(rq->array)))
                        return OOM(e);
        }
        if (uuid && !add_step(p, LIFE_CONF, strdup(uuid), "drop the ARRAY line of UUID=%s from mdadm.conf (and its tuning rule)", uuid))
                return OOM(e);
        if (f->fs_uuid && !add_step(p, LIFE_FSTAB, fstab_key(f->fs_uuid), "drop the line of UUID=%s from fstab", f->fs_uuid))
                return OOM(e);
        if (!add_step(p, LIFE_INITRAMFS, strdup("update-initramfs"),
                      "update the initramfs, so that it stops assembling the array (when the system has it)"))
                return OOM(e);
        p->summary = strdup_printf("%s destroyed: stopped, superblocks of %zu member(s) zeroed, "
                                   "its mdadm.conf and fstab lines gone", p->device, strv_length(members));
        return 0;
}

static int plan_assemble(struct life_plan *p, const struct raid_request *rq, const struct raid_facts *f, struct error *e) {
        if (f->status) {
                p->summary = strdup_printf("/dev/md/%s is running already (%s)", rq->array, f->status->kernel_name);
                return 0;
        }
        _cleanup_strv_free_ char **members = NULL;
        if (superblock_members(f->inv, rq->array, &members, NULL) < 0)
                return OOM(e);
        if (!members)
                return error_set(e, -ENOENT, "no disk carries a member of an array named %s", rq->array);
        struct life_step *s = add_step(p, LIFE_ASSEMBLE, strdup(rq->array), "assemble /dev/md/%s from %zu member(s)",
                                       rq->array, strv_length(members));
        if (!s)
                return OOM(e);
        s->members = TAKE_PTR(members);
        p->summary = strdup_printf("/dev/md/%s assembled from %zu member(s)", rq->array, strv_length(s->members));
        return 0;
}

static bool valid_array_name(const char *s) {
        return s && *s && strlen(s) <= 32 &&
               strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == strlen(s) && s[0] != '.';
}

int life_plan_make(const struct raid_request *rq, const struct raid_facts *f, struct life_plan **ret, struct error *e) {
        if (!valid_array_name(rq->array))
                return error_set(e, -EINVAL, "'%s' is no array name", rq->array ? rq->array : "");
        _cleanup_(life_plan_freep) struct life_plan *p = calloc(1, sizeof *p);
        if (!p || !(p->array = strdup(rq->array)))
                return OOM(e);
        p->verb = rq->verb;
        const struct md_status *s = f->status;
        p->device = s ? strdup_printf("/dev/%s", s->kernel_name) : strdup_printf("/dev/md/%s", rq->array);
        if (!p->device)
                return OOM(e);
        bool needs_running = rq->verb != RAID_ASSEMBLE && rq->verb != RAID_DESTROY && rq->verb != RAID_STOP;
        if (needs_running && !s)
                return error_set(e, -ENOENT, "array %s is not running", rq->array);
        int k = 0;
        switch (rq->verb) {
        case RAID_ADD_SPARE:
                if (!rq->disk)
                        return error_set(e, -EINVAL, "add-spare needs the disk");
                k = add_disk_steps(p, rq, f, rq->disk, e);
                p->summary = strdup_printf("/dev/md/%s: %s added as a hot spare", rq->array, rq->disk);
                break;
        case RAID_REPLACE:
                k = plan_replace(p, rq, f, e);
                p->summary = strdup_printf("/dev/md/%s: %s replaced by %s; recovery runs", rq->array, rq->failed, rq->with);
                break;
        case RAID_REMOVE:
                k = plan_remove(p, rq, f, e);
                p->summary = strdup_printf("/dev/md/%s: %s removed", rq->array, rq->disk);
                break;
        case RAID_GROW:
                if (!rq->disk)
                        return error_set(e, -EINVAL, "grow needs the disk to add");
                if (!streq(s->level, "raid5") && !streq(s->level, "raid6"))
                        return error_set(e, -EINVAL, "array %s is %s: grow reshapes raid5 and raid6 only", rq->array, s->level);
                k = add_disk_steps(p, rq, f, rq->disk, e);
                p->summary = strdup_printf("/dev/md/%s: reshaping onto %d devices; grow the filesystem when it is done "
                                           "(xfs_growfs MOUNTPOINT)", rq->array, s->raid_disks + 1);
                break;
        case RAID_SCRUB:
                if (!streq(s->sync_action, "idle") && !streq(s->sync_action, "check"))
                        return error_set(e, -EBUSY, "/dev/md/%s is busy with %s: scrub when it is idle", rq->array,
                                         s->sync_action);
                if (!add_step(p, LIFE_CHECK, strdup(s->kernel_name), "start md's check on %s", p->device))
                        return OOM(e);
                p->summary = strdup_printf("/dev/md/%s: check started", rq->array);
                break;
        case RAID_STOP:
                if (!s) {
                        _cleanup_strv_free_ char **members = NULL;
                        if (superblock_members(f->inv, rq->array, &members, NULL) < 0)
                                return OOM(e);
                        if (!members)
                                return error_set(e, -ENOENT, "array %s is not running", rq->array);
                } else if (!add_step(p, LIFE_STOP, strdup(p->device), "stop %s", p->device))
                        return OOM(e);
                p->summary = strdup_printf("/dev/md/%s stopped", rq->array);
                break;
        case RAID_ASSEMBLE: k = plan_assemble(p, rq, f, e); break;
        case RAID_DESTROY: k = plan_destroy(p, rq, f, e); break;
        default: return error_set(e, -EINVAL, "unknown operation");
        }
        if (k < 0)
                return k;
        if (!p->summary)
                return OOM(e);
        *ret = TAKE_PTR(p);
        return 0;
}

json_object *life_plan_to_json(const struct life_plan *p) {
        json_object *o = json_object_new_object(), *steps = json_object_new_array();
        json_object_object_add(o, "operation", json_object_new_string(raid_verb_name(p->verb)));
        json_object_object_add(o, "array", json_object_new_string(p->array));
        json_object_object_add(o, "device", json_object_new_string(p->device));
        for (size_t i = 0; i < p->n_steps; i++) {
                json_object *s = json_object_new_object();
                json_object_object_add(s, "kind", json_object_new_string(life_kind_name(p->steps[i].kind)));
                json_object_object_add(s, "target", json_object_new_string(p->steps[i].target));
                json_object_object_add(s, "description", json_object_new_string(p->steps[i].description));
                json_object_array_add(steps, s);
        }
        json_object_object_add(o, "steps", steps);
        json_object_object_add(o, "summary", json_object_new_string(p->summary));
        return o;
}
