/* plan = f(inventory, spec): arrays, checks, steps. Pure. */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk_props.h"
#include "lib/strutil.h"
#include "plan_select.h"

#define MiB (1024LL * 1024)
#define SLACK_END (64 * MiB)   /* left free at a disk's end: a replacement a little smaller still fits */
#define ESP_SIZE (512 * MiB)
#define BIOS_BOOT_SIZE (1 * MiB)

static const char *const step_names[] = {
        [STEP_WIPE] = "wipe", [STEP_PARTITION] = "partition", [STEP_CREATE_ARRAY] = "create-array",
        [STEP_WAIT] = "wait", [STEP_MKFS] = "mkfs", [STEP_MDADM_CONF] = "mdadm-conf", [STEP_TUNE] = "tune",
        [STEP_FSTAB] = "fstab", [STEP_MOUNT] = "mount", [STEP_INITRAMFS] = "initramfs",
};

const char *step_kind_name(enum step_kind k) {
        return k < ELEMENTSOF(step_names) ? step_names[k] : "?";
}

static void plan_disk_done(struct plan_disk *d) {
        free(d->serial);
        free(d->wwn);
        free(d->path);
        free(d->seen);
}

static void plan_array_done(struct plan_array *a) {
        for (size_t i = 0; i < a->n_members; i++)
                plan_disk_done(&a->members[i]);
        for (size_t i = 0; i < a->n_spares; i++)
                plan_disk_done(&a->spares[i]);
        free(a->members);
        free(a->spares);
        free(a->name);
        free(a->metadata);
        free(a->consistency_policy);
        free(a->fs_type);
        free(a->fs_mount);
        free(a->fs_label);
}

void plan_free(struct plan *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n_arrays; i++)
                plan_array_done(&p->arrays[i]);
        free(p->arrays);
        for (size_t i = 0; i < p->n_steps; i++) {
                free(p->steps[i].array);
                free(p->steps[i].disk);
                free(p->steps[i].description);
                strv_free(p->steps[i].argv);
        }
        free(p->steps);
        strv_free(p->errors);
        strv_free(p->warnings);
        free(p);
}

/* ---- disks ---------------------------------------------------------------- */

/* The by-id link commands use: wwn- first (it names the medium), then any. */
static char *stable_path(const struct disk *d) {
        for (char **b = d->by_id; b && *b; b++)
                if (strstr(*b, "/wwn-"))
                        return strdup(*b);
        if (d->by_id && d->by_id[0])
                return strdup(d->by_id[0]);
        if (d->by_path)
                return strdup(d->by_path);
        return strdup(d->path ? d->path : d->name);
}

char *plan_partition_path(const char *disk_path, int n) {
        if (startswith(disk_path, "/dev/disk/"))
                return strdup_printf("%s-part%d", disk_path, n);
        size_t len = strlen(disk_path);
        bool digit_end = len > 0 && disk_path[len - 1] >= '0' && disk_path[len - 1] <= '9';
        return strdup_printf("%s%s%d", disk_path, digit_end ? "p" : "", n);
}

static int plan_disk_from(const struct disk *d, struct plan_disk *ret) {
        *ret = (struct plan_disk){
                .serial = d->serial ? strdup(d->serial) : NULL,
                .wwn = d->wwn ? strdup(d->wwn) : NULL,
                .path = stable_path(d),
                .size_bytes = d->size_bytes,
                .seen = disk_contents_key(d),
        };
        return (d->serial && !ret->serial) || (d->wwn && !ret->wwn) || !ret->path || !ret->seen ? -ENOMEM : 0;
}

static bool listed_for_wipe(char *const *wipe, const struct disk *d) {
        for (size_t i = 0; wipe && wipe[i]; i++)
                if (disk_matches_identity(d, wipe[i]))
                        return true;
        return false;
}

/* ---- arrays --------------------------------------------------------------- */

struct builder {
        struct plan *p;
        const struct disk_list *inv;
        const struct storage_spec *spec;
        char *const *wipe;        /* besides spec->wipe */
        int *owner;               /* per inventory disk: index of the array that took it, or -1 */
};

static struct plan_array *add_array(struct plan *p) {
        struct plan_array *v = realloc(p->arrays, (p->n_arrays + 1) * sizeof *v);
        if (!v)
                return NULL;
        p->arrays = v;
        v[p->n_arrays] = (struct plan_array){ 0 };
        return &v[p->n_arrays++];
}

/* Refusals that protect data: in use, carries data, named twice. */
static int check_disk(struct builder *b, size_t idx, const char *array, int array_no) {
        const struct disk *d = &b->inv->disks[idx];
        if (b->owner[idx] >= 0 && b->owner[idx] != array_no)
                return strv_push_printf(&b->p->errors, "disk %s (%s) is named twice: by arrays %s and %s",
                                        disk_label(d), d->name, b->p->arrays[b->owner[idx]].name, array);
        if (b->owner[idx] == array_no)
                return strv_push_printf(&b->p->errors, "disk %s (%s) is named twice in array %s",
                                        disk_label(d), d->name, array);
        b->owner[idx] = array_no;
        if (streq(disk_hostd_array(d), array))
                return 0;   /* ours: an earlier run of this plan made it so */
        if (d->in_use) {
                _cleanup_free_ char *why = strv_join(d->in_use_reasons, "; ");
                return strv_push_printf(&b->p->errors,
                                        "disk %s (%s) is in use (%s): hostd never writes to it; free it first",
                                        disk_label(d), d->name, why ? why : "");
        }
        if (disk_carries_data(d) && !listed_for_wipe(b->spec ? b->spec->wipe : NULL, d) && !listed_for_wipe(b->wipe, d)) {
                char what[128];
                return strv_push_printf(&b->p->errors,
                                        "disk %s (%s) carries data (%s): list it under storage.wipe "
                                        "(or --wipe %s) to allow wiping it",
                                        disk_label(d), d->name, disk_contents(d, what, sizeof what), disk_label(d));
        }
        return 0;
}

static int64_t member_size(const struct disk *d, bool os_layout) {
        int64_t s = d->size_bytes - 1 * MiB - SLACK_END;
        return os_layout ? s - BIOS_BOOT_SIZE - ESP_SIZE : s;
}

/* esp: the ESP beside an os array: a RAID 1 of the same disks with
 * metadata 1.0, no bitmap and no spares. */
static int fill_array(struct builder *b, struct plan_array *pa, const struct array_spec *a, const size_t *disks,
                      size_t n, bool esp) {
        int spares = a->spares > 0 && !esp ? a->spares : 0;
        pa->level = esp ? 1 : a->level;
        pa->partition = esp ? 2 : a->os_layout ? 3 : 1;
        pa->metadata = strdup(esp ? "1.0" : "1.2");
        pa->bitmap = !esp && a->bitmap;
        pa->chunk = pa->level == 1 ? 0 : a->chunk ? a->chunk : 512 * 1024;
        if (!esp && a->consistency_policy && !(pa->consistency_policy = strdup(a->consistency_policy)))
                return -ENOMEM;
        size_t n_members = n > (size_t)spares ? n - (size_t)spares : 0;
        pa->members = calloc(n_members + 1, sizeof *pa->members);
        pa->spares = calloc((size_t)spares + 1, sizeof *pa->spares);
        if (!pa->metadata || !pa->members || !pa->spares)
                return -ENOMEM;
        int64_t smallest = -1;
        for (size_t i = 0; i < n; i++) {
                const struct disk *d = &b->inv->disks[disks[i]];
                struct plan_disk *pd = i < n_members ? &pa->members[pa->n_members++] : &pa->spares[pa->n_spares++];
                if (plan_disk_from(d, pd) < 0)
                        return -ENOMEM;
                int64_t s = esp ? ESP_SIZE : member_size(d, a->os_layout);
                if (smallest < 0 || s < smallest)
                        smallest = s;
        }
        pa->size_bytes = smallest > 0 ? smallest * raid_level_data_disks(pa->level, (int)pa->n_members) : 0;
        return 0;
}

static int check_array(struct builder *b, const struct plan_array *pa, const struct array_spec *a,
                       const size_t *disks, size_t n) {
        struct plan *p = b->p;
        int min = raid_level_min_members(pa->level);
        if ((int)pa->n_members < min)
                return strv_push_printf(&p->errors,
                                        "array %s: raid%d needs at least %d members%s; it has %zu",
                                        pa->name, pa->level, min, pa->n_spares ? " besides its spares" : "",
                                        pa->n_members);
        int64_t lo = -1, hi = -1;
        size_t ilo = 0, ihi = 0;
        bool ssd = false, hdd = false;
        for (size_t i = 0; i < n; i++) {
                const struct disk *d = &b->inv->disks[disks[i]];
                if (lo < 0 || d->size_bytes < lo)
                        lo = d->size_bytes, ilo = disks[i];
                if (d->size_bytes > hi)
                        hi = d->size_bytes, ihi = disks[i];
                ssd = ssd || d->rotational == 0;
                hdd = hdd || d->rotational == 1;
        }
        if (hi - lo > hi / 100 && !a->allow_size_mismatch) {
                char s1[16], s2[16];
                const struct disk *x = &b->inv->disks[ilo], *y = &b->inv->disks[ihi];
                if (strv_push_printf(&p->errors,
                                     "array %s: members differ in size by more than 1%%: %s (%s) is %s, %s (%s) is %s; "
                                     "set allow_size_mismatch: true to use the smallest size on all",
                                     pa->name, disk_label(x), x->name, format_size((uint64_t)lo, s1, sizeof s1),
                                     disk_label(y), y->name, format_size((uint64_t)hi, s2, sizeof s2)) < 0)
                        return -ENOMEM;
        }
        if (ssd && hdd && strv_push_printf(&p->warnings,
                                           "array %s mixes SSDs and HDDs: it runs at the speed of the HDDs", pa->name) < 0)
                return -ENOMEM;
        if (pa->level == 5 && hdd && !ssd && pa->n_members > 8 && lo >= 1000LL * 1000 * 1000 * 1000 &&
            strv_push_printf(&p->warnings,
                             "array %s: RAID 5 over %zu large HDDs risks a second failure during the long rebuild; "
                             "consider raid6", pa->name, pa->n_members) < 0)
                return -ENOMEM;
        if ((pa->level == 5 || pa->level == 6) && pa->n_spares == 0 &&
            strv_push_printf(&p->warnings, "array %s has no hot spare: after a disk fails it stays degraded "
                                           "until someone replaces the disk", pa->name) < 0)
                return -ENOMEM;
        return 0;
}

static int plan_one(struct builder *b, const struct array_spec *a, const size_t *disks, size_t n) {
        size_t errors_before = strv_length(b->p->errors);
        int array_no = (int)b->p->n_arrays;
        for (size_t i = 0; i < n; i++)
                if (check_disk(b, disks[i], a->name, array_no) < 0)
                        return -ENOMEM;
        if (a->os_layout) {
                /* the ESP: a RAID 1 with metadata 1.0 (at the end) so firmware reads it as plain FAT */
                struct plan_array *esp = add_array(b->p);
                if (!esp || !(esp->name = strdup_printf("%s-esp", a->name)) ||
                    fill_array(b, esp, a, disks, n, true) < 0 || !(esp->fs_type = strdup("vfat")) ||
                    !(esp->fs_mount = strdup("/boot/efi")) ||
                    !(esp->fs_label = strdup("ESP")))
                        return -ENOMEM;
                array_no++;
                for (size_t i = 0; i < n; i++)
                        b->owner[disks[i]] = array_no;
        }
        struct plan_array *pa = add_array(b->p);
        if (!pa || !(pa->name = strdup(a->name)) ||
            fill_array(b, pa, a, disks, n, false) < 0)
                return -ENOMEM;
        if ((a->fs.type && !(pa->fs_type = strdup(a->fs.type))) || (a->fs.mount && !(pa->fs_mount = strdup(a->fs.mount))) ||
            (a->fs.label && !(pa->fs_label = strdup(a->fs.label))))
                return -ENOMEM;
        if (strv_length(b->p->errors) > errors_before)
                return 0;
        return check_array(b, pa, a, disks, n);
}




struct plan *plan_make(const struct disk_list *inv, const struct storage_spec *spec, char *const *wipe) {
        _cleanup_(plan_freep) struct plan *p = calloc(1, sizeof *p);
        _cleanup_free_ int *owner = malloc((inv->n + 1) * sizeof *owner);
        _cleanup_free_ bool *taken = calloc(inv->n + 1, sizeof *taken);
        if (!p || !owner || !taken)
                return NULL;
        for (size_t i = 0; i < inv->n; i++)
                owner[i] = -1;
        struct builder b = { .p = p, .inv = inv, .spec = spec, .wipe = wipe, .owner = owner };

        if (!spec) {
                p->default_spec = true;
                struct default_choice choice[2] = { 0 };
                size_t n = 0;
                int k = default_choose(inv, choice, &n, &p->errors, &p->warnings);
                for (size_t i = 0; k >= 0 && i < n; i++)
                        k = plan_one(&b, &choice[i].spec, choice[i].disks, choice[i].n_disks);
                for (size_t i = 0; i < 2; i++)
                        default_choice_done(&choice[i]);
                if (k < 0)
                        return NULL;
        } else {
                for (size_t i = 0; i < spec->n_arrays; i++) {
                        _cleanup_free_ size_t *disks = NULL;
                        size_t n = 0;
                        if (select_disks(inv, &spec->arrays[i], taken, &disks, &n, &p->errors, &p->warnings) < 0)
                                return NULL;
                        if (n == 0)
                                continue;
                        for (size_t j = 0; j < n; j++)
                                taken[disks[j]] = true;
                        if (plan_one(&b, &spec->arrays[i], disks, n) < 0)
                                return NULL;
                }
        }
        if (!p->errors && plan_add_steps(p, inv, spec) < 0)
                return NULL;
        return TAKE_PTR(p);
}
