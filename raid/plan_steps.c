/* The steps of a plan, in the only order that works: per array wipe,
 * partition, create, wait, mkfs; then mdadm.conf, fstab, mounts, initramfs.
 * Pure: the argv are what apply will run, with stable device names. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strutil.h"
#include "plan_select.h"

static int add_step(struct plan *p, enum step_kind kind, const char *array, const char *disk, char **argv_take,
                    const char *fmt, ...) _printf_(6, 7);
static int add_step(struct plan *p, enum step_kind kind, const char *array, const char *disk, char **argv_take,
                    const char *fmt, ...) {
        _cleanup_strv_free_ char **argv = argv_take;
        struct plan_step *v = realloc(p->steps, (p->n_steps + 1) * sizeof *v);
        if (!v)
                return -ENOMEM;
        p->steps = v;
        struct plan_step *s = &v[p->n_steps];
        *s = (struct plan_step){ .kind = kind };
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&s->description, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        p->n_steps++;
        s->array = array ? strdup(array) : NULL;
        s->disk = disk ? strdup(disk) : NULL;
        s->argv = TAKE_PTR(argv);
        return (array && !s->array) || (disk && !s->disk) ? -ENOMEM : 0;
}

/* A NULL-terminated argv from a list ending in NULL; NULL on ENOMEM. */
static char **argv_of(const char *first, ...) {
        char **v = NULL;
        va_list ap;
        va_start(ap, first);
        for (const char *a = first; a; a = va_arg(ap, const char *))
                if (strv_push(&v, a) < 0) {
                        strv_free(v);
                        v = NULL;
                        break;
                }
        va_end(ap);
        return v;
}

static const struct disk *find_disk(const struct disk_list *inv, const struct plan_disk *pd) {
        for (size_t i = 0; i < inv->n; i++)
                if ((pd->serial && streq(inv->disks[i].serial, pd->serial)) ||
                    (!pd->serial && pd->wwn && streq(inv->disks[i].wwn, pd->wwn)))
                        return &inv->disks[i];
        return NULL;
}

static int partition_argv(const struct plan_array *a, const char *path, const char *name, char ***ret) {
        char **v = argv_of("sgdisk", "--clear", NULL);
        if (!v)
                return -ENOMEM;
        int k = 0;
        if (a->partition == 3) {
                k = strv_push(&v, "--new=1:0:+1M") ?: strv_push(&v, "--typecode=1:EF02") ?:
                    strv_push(&v, "--change-name=1:bios-boot") ?: strv_push(&v, "--new=2:0:+512M") ?:
                    strv_push(&v, "--typecode=2:EF00") ?: strv_push(&v, "--change-name=2:esp");
        }
        if (k >= 0)
                k = strv_push_printf(&v, "--new=%d:0:-64M", a->partition) ?:
                    strv_push_printf(&v, "--typecode=%d:FD00", a->partition) ?:
                    strv_push_printf(&v, "--change-name=%d:%s", a->partition, name) ?: strv_push(&v, path);
        if (k < 0) {
                strv_free(v);
                return -ENOMEM;
        }
        *ret = v;
        return 0;
}

static int disk_steps(struct plan *p, const struct disk_list *inv, const struct storage_spec *spec,
                      const struct plan_array *a, const struct plan_disk *pd) {
        const struct disk *d = find_disk(inv, pd);
        const char *label = pd->serial ? pd->serial : pd->wwn;
        if (d && disk_carries_data(d) && !streq(disk_hostd_array(d), a->name)) {
                char what[128];
                if (add_step(p, STEP_WIPE, a->name, label, argv_of("wipefs", "--all", pd->path, NULL),
                             "wipe disk %s (%s): it carries %s and is listed under wipe", label, d->name,
                             disk_contents(d, what, sizeof what)) < 0)
                        return -ENOMEM;
        }
        (void)spec;
        char **argv = NULL;
        if (partition_argv(a, pd->path, a->name, &argv) < 0)
                return -ENOMEM;
        return add_step(p, STEP_PARTITION, a->name, label, argv, "partition disk %s: %s", label,
                        a->partition == 3 ? "BIOS boot 1M, ESP 512M, root (GPT)" : "one RAID member partition (GPT)");
}

static int create_steps(struct plan *p, const struct storage_spec *spec, const struct plan_array *a) {
        _cleanup_free_ char *dev = strdup_printf("/dev/md/%s", a->name);
        char **v = argv_of("mdadm", "--create", dev ? dev : "", "--run", NULL);
        int k = v ? 0 : -ENOMEM;
        if (k >= 0)
                k = strv_push_printf(&v, "--name=%s", a->name);
        if (k >= 0 && spec && spec->homehost)
                k = strv_push_printf(&v, "--homehost=%s", spec->homehost);
        if (k >= 0)
                k = strv_push_printf(&v, "--metadata=%s", a->metadata) ?: strv_push_printf(&v, "--level=%d", a->level) ?:
                    strv_push_printf(&v, "--raid-devices=%zu", a->n_members);
        if (k >= 0 && a->chunk)
                k = strv_push_printf(&v, "--chunk=%lluK", (unsigned long long)(a->chunk / 1024));
        if (k >= 0)
                k = strv_push(&v, a->bitmap ? "--bitmap=internal" : "--bitmap=none");
        /* resync is md's own way (with a bitmap: "bitmap"); mdadm refuses to be told it next to --bitmap */
        if (k >= 0 && streq(a->consistency_policy, "ppl"))
                k = strv_push(&v, "--consistency-policy=ppl");
        if (k >= 0 && a->n_spares)
                k = strv_push_printf(&v, "--spare-devices=%zu", a->n_spares);
        for (size_t i = 0; k >= 0 && i < a->n_members + a->n_spares; i++) {
                const struct plan_disk *pd = i < a->n_members ? &a->members[i] : &a->spares[i - a->n_members];
                k = strv_push_take(&v, plan_partition_path(pd->path, a->partition));
        }
        if (k < 0) {
                strv_free(v);
                return -ENOMEM;
        }
        char size[16];
        k = add_step(p, STEP_CREATE_ARRAY, a->name, NULL, v, "create %s: raid%d of %zu member%s%s%s, %s usable",
                     dev, a->level, a->n_members, a->n_members == 1 ? "" : "s", a->n_spares ? " and " : "",
                     a->n_spares ? "hot spare(s)" : "", format_size((uint64_t)a->size_bytes, size, sizeof size));
        if (k >= 0)
                k = add_step(p, STEP_WAIT, a->name, NULL, NULL, "wait until %s and its udev links exist", dev);
        return k;
}

static int mkfs_step(struct plan *p, const struct plan_array *a) {
        if (!a->fs_type)
                return 0;
        _cleanup_free_ char *dev = strdup_printf("/dev/md/%s", a->name);
        int data = raid_level_data_disks(a->level, (int)a->n_members);
        unsigned long long chunk_k = a->chunk / 1024;
        char **v = NULL;
        int k = 0;
        if (streq(a->fs_type, "xfs")) {
                v = argv_of("mkfs.xfs", NULL);
                if (v && a->fs_label)
                        k = strv_push(&v, "-L") ?: strv_push(&v, a->fs_label);
                if (v && k >= 0 && a->chunk)
                        k = strv_push(&v, "-d") ?: strv_push_printf(&v, "su=%lluk,sw=%d", chunk_k, data);
        } else if (streq(a->fs_type, "ext4")) {
                v = argv_of("mkfs.ext4", "-q", NULL);
                if (v && a->fs_label)
                        k = strv_push(&v, "-L") ?: strv_push(&v, a->fs_label);
                if (v && k >= 0 && a->chunk)
                        k = strv_push(&v, "-E") ?:
                            strv_push_printf(&v, "stride=%llu,stripe_width=%llu", chunk_k / 4, chunk_k / 4 * (unsigned long long)data);
        } else {
                v = argv_of("mkfs.vfat", "-F", "32", NULL);
                if (v && a->fs_label)
                        k = strv_push(&v, "-n") ?: strv_push(&v, a->fs_label);
        }
        if (!v || k < 0 || strv_push(&v, dev) < 0) {
                strv_free(v);
                return -ENOMEM;
        }
        return add_step(p, STEP_MKFS, a->name, NULL, v, "make %s on %s%s", a->fs_type, dev,
                        a->chunk ? ", aligned to the stripe" : "");
}

int plan_add_steps(struct plan *p, const struct disk_list *inv, const struct storage_spec *spec) {
        for (size_t i = 0; i < p->n_arrays; i++) {
                const struct plan_array *a = &p->arrays[i];
                /* the ESP array shares the disks of the os array after it: partition once */
                bool shares_disks = a->partition == 2;
                for (size_t j = 0; !shares_disks && j < a->n_members + a->n_spares; j++)
                        if (disk_steps(p, inv, spec, a, j < a->n_members ? &a->members[j] : &a->spares[j - a->n_members]) < 0)
                                return -ENOMEM;
        }
        for (size_t i = 0; i < p->n_arrays; i++)
                if (create_steps(p, spec, &p->arrays[i]) < 0 || mkfs_step(p, &p->arrays[i]) < 0)
                        return -ENOMEM;
        if (add_step(p, STEP_MDADM_CONF, NULL, NULL, NULL,
                     "record the arrays' ARRAY lines (by UUID) in /etc/mdadm/mdadm.conf") < 0)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_arrays; i++) {
                const struct plan_array *a = &p->arrays[i];
                /* "/" and /boot/efi belong to the OS deploy, which writes the
                 * target's fstab: this system's own fstab keeps its root */
                if (!a->fs_mount || streq(a->fs_mount, "/") || startswith(a->fs_mount, "/boot"))
                        continue;
                _cleanup_free_ char *dev = strdup_printf("/dev/md/%s", a->name);
                if (!dev || add_step(p, STEP_FSTAB, a->name, NULL, NULL, "add %s (%s, by UUID) on %s to /etc/fstab",
                                     dev, a->fs_type, a->fs_mount) < 0 ||
                    add_step(p, STEP_MOUNT, a->name, NULL, argv_of("mount", dev, a->fs_mount, NULL), "mount %s on %s",
                             dev, a->fs_mount) < 0)
                        return -ENOMEM;
        }
        return add_step(p, STEP_INITRAMFS, NULL, NULL, argv_of("update-initramfs", "-u", NULL),
                        "update the initramfs so that it assembles the arrays at boot (when the system has it)");
}

int plan_set_assume_clean(struct plan *p) {
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].kind == STEP_CREATE_ARRAY && !strv_contains(p->steps[i].argv, "--assume-clean")) {
                        /* before the member list: right after --run */
                        size_t n = strv_length(p->steps[i].argv);
                        char **v = realloc(p->steps[i].argv, (n + 2) * sizeof *v);
                        if (!v)
                                return -ENOMEM;
                        memmove(v + 5, v + 4, (n - 4 + 1) * sizeof *v);
                        v[4] = strdup("--assume-clean");
                        p->steps[i].argv = v;
                        if (!v[4])
                                return -ENOMEM;
                }
        return 0;
}

int plan_tune(struct plan *p, const struct md_host *h) {
        for (size_t i = 0; i < p->n_arrays; i++) {
                struct plan_array *a = &p->arrays[i];
                if (a->tuned || !md_tuning_for(a->level, a->n_members, h, &a->tuning))
                        continue;
                a->tuned = true;
                const struct md_tuning *t = &a->tuning;
                char cache[16], mem[16];
                format_size(4096ull * a->n_members * t->stripe_cache_size, cache, sizeof cache);
                format_size(h->mem_bytes, mem, sizeof mem);
                if (add_step(p, STEP_TUNE, a->name, NULL, NULL,
                             "tune /dev/md/%s: stripe cache %u (%s of %s memory; md's default %d), %u worker "
                             "thread(s) for %u CPU(s), sync floor %u KiB/s (md's 1000); a udev rule keeps it",
                             a->name, t->stripe_cache_size, cache, mem, MD_STRIPE_CACHE_DEFAULT, t->group_thread_cnt,
                             h->cpus, t->sync_speed_min) < 0)
                        return -ENOMEM;
                /* right after the array's wait step: before mkfs and the data */
                size_t at = p->n_steps - 1;
                for (size_t j = 0; j + 1 < p->n_steps; j++)
                        if (p->steps[j].kind == STEP_WAIT && streq(p->steps[j].array, a->name)) {
                                at = j + 1;
                                break;
                        }
                struct plan_step s = p->steps[p->n_steps - 1];
                memmove(&p->steps[at + 1], &p->steps[at], (p->n_steps - 1 - at) * sizeof s);
                p->steps[at] = s;
        }
        return 0;
}
