#include "plan_select.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "disk_health.h"
#include "lib/strutil.h"

bool disk_selectable(const struct disk *d, const char **why) {
        if (disk_name_is_virtual(d->name))
                return *why = "a virtual device", false;
        if (d->removable == 1)
                return *why = "removable", false;
        if (streq(d->transport, "usb"))
                return *why = "on USB", false;
        if (d->size_bytes <= 0)
                return *why = "its size is unknown", false;
        if (d->contents_unreadable)
                return *why = "its contents cannot be read", false;
        if (!d->serial && !d->wwn && !d->by_path)
                return *why = "it has no serial, WWN or by-path name to be found by after a reboot", false;
        return true;
}

bool disk_carries_data(const struct disk *d) {
        if (d->partition_table || d->n_signatures > 0)
                return true;
        for (size_t i = 0; i < d->n_partitions; i++)
                if (d->partitions[i].n_signatures > 0)
                        return true;
        return false;
}

#define GPT_LINUX_RAID "a19d880f-05fc-4d3b-a006-743f0f84911e"
#define GPT_BIOS_BOOT "21686148-6449-6e6f-744e-656564454649"
#define GPT_ESP "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"

static bool only_md_of(const struct disk_signature *s, size_t n, const char *a, const char *b) {
        for (size_t i = 0; i < n; i++) {
                if (streq(s[i].type, "vfat"))   /* the ESP's FAT shows through metadata 1.0 */
                        continue;
                if (!streq(s[i].type, "linux_raid_member") || (!streq(s[i].array_name, a) && !streq(s[i].array_name, b)))
                        return false;
        }
        return true;
}

const char *disk_hostd_array(const struct disk *d) {
        if (!streq(d->partition_table, "gpt") || d->n_signatures > 0 || d->n_partitions == 0)
                return NULL;
        const struct disk_partition *member = &d->partitions[d->n_partitions - 1];
        if (!member->type || strcasecmp(member->type, GPT_LINUX_RAID) != 0 || !member->label)
                return NULL;
        const char *name = member->label;
        _cleanup_free_ char *esp_name = strdup_printf("%s-esp", name);
        for (size_t i = 0; i < d->n_partitions; i++) {
                const struct disk_partition *p = &d->partitions[i];
                bool ok = p == member ||
                          (d->n_partitions == 3 && p->number == 1 && streq(p->label, "bios-boot") && p->type &&
                           strcasecmp(p->type, GPT_BIOS_BOOT) == 0 && p->n_signatures == 0) ||
                          (d->n_partitions == 3 && p->number == 2 && streq(p->label, "esp") && p->type &&
                           strcasecmp(p->type, GPT_ESP) == 0);
                if (!ok || !esp_name || !only_md_of(p->signatures, p->n_signatures, name, esp_name))
                        return NULL;
        }
        return name;
}

static const char *last_part(const char *p) {
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

bool disk_matches_identity(const struct disk *d, const char *id) {
        if (!id || !*id)
                return false;
        if (streq(d->serial, id) || streq(d->by_path, id) || (d->by_path && streq(last_part(d->by_path), id)))
                return true;
        if (d->wwn && (strcasecmp(d->wwn, id) == 0 || (startswith(d->wwn, "0x") && strcasecmp(d->wwn + 2, id) == 0)))
                return true;
        for (char **b = d->by_id; b && *b; b++)
                if (streq(*b, id) || streq(last_part(*b), id))
                        return true;
        return false;
}

const char *disk_label(const struct disk *d) {
        return d->serial ? d->serial : d->wwn ? d->wwn : d->by_path ? d->by_path : d->name;
}

struct pick_order {
        const struct disk_list *inv;
        enum disk_pick pick;
        const char *array;
};

static int cmp_pick(const void *a, const void *b, void *userdata) {
        const struct pick_order *o = userdata;
        size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
        const struct disk *x = &o->inv->disks[ia], *y = &o->inv->disks[ib];
        if (o->pick != PICK_ANY && x->size_bytes != y->size_bytes) {
                bool less = x->size_bytes < y->size_bytes;
                return (o->pick == PICK_SMALLEST) == less ? -1 : 1;
        }
        /* the inventory's order (bays) breaks ties */
        return ia < ib ? -1 : ia > ib;
}

/* Disks an earlier run already gave this array come first. */
static int cmp_ours_first(const void *a, const void *b, void *userdata) {
        const struct pick_order *o = userdata;
        bool oa = o->array && streq(disk_hostd_array(&o->inv->disks[*(const size_t *)a]), o->array);
        bool ob = o->array && streq(disk_hostd_array(&o->inv->disks[*(const size_t *)b]), o->array);
        return oa != ob ? (oa ? -1 : 1) : cmp_pick(a, b, userdata);
}

static void sort_indexes(const struct disk_list *inv, size_t *v, size_t n, enum disk_pick pick, const char *array) {
        struct pick_order o = { inv, pick, array };
        qsort_r(v, n, sizeof *v, cmp_ours_first, &o);
}

/* A disk SMART says is failing, or predicts will: never picked on the
 * planner's own choice, only where the array's spec allows it. */
static bool health_refuses(const struct disk *d, bool allow_failing) {
        return !allow_failing && disk_health_refuses(d->health);
}

static const char *health_reason(const struct disk *d) {
        return d->health && d->health->reason ? d->health->reason : "SMART predicts a failure";
}

/* A hardware RAID controller's virtual disk (a PERC in RAID mode): md on it
 * stacks two RAIDs, and the controller's hides its disks' failures from md
 * (and from hostd's replace). */
static bool controller_refuses(const struct disk *d, bool allow_hardware_raid) {
        return !allow_hardware_raid && d->controller_volume == 1;
}

#define HW_RAID_ADVICE                                                                                          \
        "switch the controller to HBA mode or set its disks to non-RAID (through the iDRAC: hostctl bmc " \
        "storage non-raid DRIVE...), " \
        "so that md sees the disks themselves"

static const char *controller_name(const struct disk *d) {
        return d->controller.model ? d->controller.model : d->controller.driver ? d->controller.driver : d->model;
}

/* Free, or already ours for this array (a run that stopped half way), and
 * healthy and no controller's virtual disk unless allowed otherwise. */
static bool available_for(const struct disk *d, const char *array, const struct disk_selector *s) {
        const char *why;
        if (!disk_selectable(d, &why) || health_refuses(d, s->allow_failing) ||
            controller_refuses(d, s->allow_hardware_raid))
                return false;
        const char *owner = disk_hostd_array(d);
        if (owner)
                return streq(owner, array);
        return !d->in_use;
}

static bool selector_accepts(const struct disk_selector *s, const struct disk *d) {
        if (s->rotational >= 0 && d->rotational != s->rotational)
                return false;
        if (s->size_min && (uint64_t)d->size_bytes < s->size_min)
                return false;
        if (s->size_max && (uint64_t)d->size_bytes > s->size_max)
                return false;
        if (s->model && (!d->model || fnmatch(s->model, d->model, 0) != 0))
                return false;
        if (s->transport && !streq(s->transport, d->transport))
                return false;
        return true;
}

static int select_named(const struct disk_list *inv, const struct array_spec *a, size_t **ret, size_t *ret_n,
                        char ***errors, char ***warnings) {
        const struct disk_selector *s = &a->disks;
        char **ids = s->serials ? s->serials : s->wwns ? s->wwns : s->by_path;
        const char *kind = s->serials ? "serial" : s->wwns ? "WWN" : "by-path";
        for (size_t i = 0; ids[i]; i++) {
                size_t found = inv->n;
                for (size_t j = 0; j < inv->n && found == inv->n; j++)
                        if (disk_matches_identity(&inv->disks[j], ids[i]))
                                found = j;
                if (found == inv->n) {
                        if (strv_push_printf(errors, "array %s: disk with %s %s is missing from this machine", a->name, kind,
                                     ids[i]) < 0)
                                return -ENOMEM;
                        continue;
                }
                const char *why;
                if (!disk_selectable(&inv->disks[found], &why)) {
                        if (strv_push_printf(errors, "array %s: disk %s (%s) cannot be used: %s", a->name, ids[i],
                                     inv->disks[found].name, why) < 0)
                                return -ENOMEM;
                        continue;
                }
                const struct disk *d = &inv->disks[found];
                if (d->controller_volume == 1) {
                        if (strv_push_printf(s->allow_hardware_raid ? warnings : errors,
                                             "array %s: disk %s (%s) is a virtual disk of the RAID controller %s%s", a->name,
                                             ids[i], d->name, controller_name(d),
                                             s->allow_hardware_raid ? ": used all the same, as disks.allow_hardware_raid says"
                                                                    : ": md on hardware RAID hides the disks' failures; "
                                                                      HW_RAID_ADVICE) < 0)
                                return -ENOMEM;
                        if (!s->allow_hardware_raid)
                                continue;
                }
                if (disk_health_refuses(d->health)) {
                        if (strv_push_printf(s->allow_failing ? warnings : errors,
                                             "array %s: disk %s (%s) fails its health check (%s)%s", a->name, ids[i],
                                             d->name, health_reason(d),
                                             s->allow_failing ? ": used all the same, as disks.allow_failing says"
                                                              : "; set disks.allow_failing: true to use it anyway") < 0)
                                return -ENOMEM;
                        if (!s->allow_failing)
                                continue;
                }
                size_t *nv = realloc(*ret, (*ret_n + 1) * sizeof *nv);
                if (!nv)
                        return -ENOMEM;
                *ret = nv;
                nv[(*ret_n)++] = found;
        }
        return 0;
}

int select_disks(const struct disk_list *inv, const struct array_spec *a, const bool *taken, size_t **ret,
                 size_t *ret_n, char ***errors, char ***warnings) {
        const struct disk_selector *s = &a->disks;
        if (s->serials || s->wwns || s->by_path)
                return select_named(inv, a, ret, ret_n, errors, warnings);

        _cleanup_free_ size_t *cand = calloc(inv->n + 1, sizeof *cand);
        size_t n = 0;
        if (!cand)
                return -ENOMEM;
        for (size_t i = 0; i < inv->n; i++) {
                const struct disk *d = &inv->disks[i];
                /* in-use disks can never be written, so choosing them would
                 * only make an error; disks with data stay candidates and are
                 * refused unless wiped, so the choice does not silently move */
                if (taken[i] || !selector_accepts(s, d))
                        continue;
                if (!available_for(d, a->name, s)) {
                        struct disk_selector lenient = *s;
                        lenient.allow_hardware_raid = true;
                        if (controller_refuses(d, s->allow_hardware_raid) && available_for(d, a->name, &lenient) &&
                            strv_push_printf(warnings, "array %s: disk %s (%s) is not chosen: it is a virtual disk of the "
                                             "RAID controller %s; " HW_RAID_ADVICE, a->name, disk_label(d), d->name,
                                             controller_name(d)) < 0)
                                return -ENOMEM;
                        lenient = *s;
                        lenient.allow_failing = true;
                        if (health_refuses(d, s->allow_failing) && available_for(d, a->name, &lenient) &&
                            strv_push_printf(warnings, "array %s: disk %s (%s) is not chosen: its health check fails (%s)",
                                             a->name, disk_label(d), d->name, health_reason(d)) < 0)
                                return -ENOMEM;
                        continue;
                }
                cand[n++] = i;
        }
        sort_indexes(inv, cand, n, s->pick, a->name);
        int spares = a->spares > 0 ? a->spares : 0;
        int need = s->count ? s->count : s->min ? s->min : raid_level_min_members(a->level) + spares;
        size_t take = s->count ? (size_t)s->count : n;
        if (n < (size_t)need) {
                if (strv_push_printf(errors,
                             "array %s: needs %d disk%s matching its selector and finds %zu free; "
                             "add disks or relax storage.arrays[].disks",
                             a->name, need, need == 1 ? "" : "s", n) < 0)
                        return -ENOMEM;
                return 0;
        }
        *ret = malloc(take * sizeof **ret);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, cand, take * sizeof **ret);
        *ret_n = take;
        return 0;
}

void default_choice_done(struct default_choice *c) {
        free(c->spec.name);
        free(c->spec.fs.type);
        free(c->spec.fs.mount);
        free(c->spec.fs.label);
        free(c->disks);
        *c = (struct default_choice){ 0 };
}

/* The largest set of selectable, unused disks of one exact size among
 * those that pass want(); ties go to smaller (os) or larger (data) sizes. */
static bool in_size_group(const struct disk_list *inv, const bool *taken, size_t i, int rotational, const char *array) {
        const struct disk *d = &inv->disks[i];
        static const struct disk_selector strict = { .rotational = -1 };
        return !taken[i] && available_for(d, array, &strict) && (rotational < 0 || d->rotational == rotational);
}

static size_t group_by_size(const struct disk_list *inv, const bool *taken, int rotational, bool prefer_small,
                            bool largest_group, const char *array, size_t *ret) {
        size_t best_n = 0;
        int64_t best_size = -1;
        for (size_t i = 0; i < inv->n; i++) {
                const struct disk *d = &inv->disks[i];
                if (!in_size_group(inv, taken, i, rotational, array))
                        continue;
                size_t n = 0;
                for (size_t j = 0; j < inv->n; j++)
                        if (in_size_group(inv, taken, j, rotational, array) && inv->disks[j].size_bytes == d->size_bytes)
                                n++;
                bool better;
                if (largest_group)
                        better = n > best_n || (n == best_n && d->size_bytes > best_size);
                else /* the smallest size that has at least two */
                        better = n >= 2 && (best_n < 2 || (prefer_small && d->size_bytes < best_size));
                if (better) {
                        best_n = n;
                        best_size = d->size_bytes;
                }
        }
        size_t n = 0;
        for (size_t i = 0; i < inv->n && best_size >= 0; i++)
                if (in_size_group(inv, taken, i, rotational, array) && inv->disks[i].size_bytes == best_size)
                        ret[n++] = i;
        sort_indexes(inv, ret, n, PICK_ANY, array);
        return n;
}

static int default_array(struct default_choice *c, const char *name, int level, bool os, const char *fs,
                         const char *mount, const char *label, int spares, size_t *disks, size_t n) {
        c->spec = (struct array_spec){
                .name = strdup(name), .level = level, .os_layout = os, .bitmap = true, .spares = spares,
                .chunk = level == 5 ? 512 * 1024 : 0,
                .fs = { .type = strdup(fs), .mount = strdup(mount), .label = label ? strdup(label) : NULL },
        };
        c->spec.disks.rotational = -1;
        c->disks = malloc(n * sizeof *c->disks);
        if (!c->spec.name || !c->spec.fs.type || !c->spec.fs.mount || !c->disks || (label && !c->spec.fs.label))
                return -ENOMEM;
        memcpy(c->disks, disks, n * sizeof *disks);
        c->n_disks = n;
        return 0;
}

int default_choose(const struct disk_list *inv, struct default_choice ret[2], size_t *ret_n, char ***errors,
                   char ***warnings) {
        _cleanup_free_ bool *taken = calloc(inv->n + 1, sizeof *taken);
        _cleanup_free_ size_t *group = calloc(inv->n + 1, sizeof *group);
        if (!taken || !group)
                return -ENOMEM;
        *ret_n = 0;
        for (size_t i = 0; i < inv->n; i++) {
                const struct disk *d = &inv->disks[i];
                const char *why;
                if (!disk_selectable(d, &why)) {
                        if (!disk_name_is_virtual(d->name) &&
                            strv_push_printf(warnings, "disk %s (%s) is never chosen: %s", disk_label(d), d->name, why) < 0)
                                return -ENOMEM;
                } else if (controller_refuses(d, false)) {
                        if (strv_push_printf(warnings, "disk %s (%s) is not chosen: it is a virtual disk of the RAID "
                                             "controller %s; " HW_RAID_ADVICE, disk_label(d), d->name, controller_name(d)) < 0)
                                return -ENOMEM;
                } else if (health_refuses(d, false)) {
                        if (strv_push_printf(warnings, "disk %s (%s) is not chosen: its health check fails (%s)",
                                             disk_label(d), d->name, health_reason(d)) < 0)
                                return -ENOMEM;
                } else if (d->in_use && !disk_hostd_array(d)) {
                        _cleanup_free_ char *reasons = strv_join(d->in_use_reasons, "; ");
                        if (strv_push_printf(warnings, "disk %s (%s) is left alone: in use (%s)", disk_label(d), d->name,
                                     reasons ? reasons : "") < 0)
                                return -ENOMEM;
                }
        }

        size_t n = group_by_size(inv, taken, 0, true, false, "os", group);
        if (n < 2) {
                if (strv_push_printf(errors, "no OS RAID 1: it needs 2 free non-rotational (SSD) disks of the same size; "
                                     "this machine has %zu", n) < 0)
                        return -ENOMEM;
                return 0;
        }
        if (default_array(&ret[0], "os", 1, true, "ext4", "/", NULL, 0, group, 2) < 0)
                return -ENOMEM;
        *ret_n = 1;
        taken[group[0]] = taken[group[1]] = true;

        n = group_by_size(inv, taken, -1, false, true, "data", group);
        if (n < 3) {
                char size[16] = "-";
                if (n > 0)
                        format_size((uint64_t)inv->disks[group[0]].size_bytes, size, sizeof size);
                if (strv_push_printf(errors, "no data RAID 5: it needs at least 3 free disks of the same size besides the "
                                     "OS disks; the largest such group here is %zu x %s", n, size) < 0)
                        return -ENOMEM;
                return 0;
        }
        if (default_array(&ret[1], "data", 5, false, "xfs", "/srv/pool", "pool", n >= 4 ? 1 : 0, group, n) < 0)
                return -ENOMEM;
        *ret_n = 2;
        return 0;
}
