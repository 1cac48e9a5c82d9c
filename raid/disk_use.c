/* Whether a disk is in use, and why, in words a person reads: mounts (from
 * /proc/self/mountinfo text), active swap, holders (md, dm). Pure: the
 * inventory reads the files and hands the text and the facts in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk.h"
#include "lib/strutil.h"

void mount_table_done(struct mount_table *t) {
        for (size_t i = 0; i < t->n_mounts; i++) {
                free(t->mounts[i].maj_min);
                free(t->mounts[i].mountpoint);
        }
        free(t->mounts);
        strv_free(t->swap_maj_min);
        *t = (struct mount_table){ 0 };
}

int mount_table_parse_mountinfo(struct mount_table *t, const char *text, struct error *e) {
        for (const char *line = text; line && *line;) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                /* fields: id parent maj:min root mountpoint options ... */
                const char *f[5] = { 0 };
                size_t flen[5] = { 0 };
                size_t nf = 0, i = 0;
                while (nf < 5 && i < len) {
                        while (i < len && line[i] == ' ')
                                i++;
                        f[nf] = line + i;
                        while (i < len && line[i] != ' ')
                                i++;
                        flen[nf] = (size_t)(line + i - f[nf]);
                        if (flen[nf] > 0)
                                nf++;
                }
                if (nf == 5) {
                        struct mount_entry *nm = realloc(t->mounts, (t->n_mounts + 1) * sizeof *nm);
                        if (!nm)
                                return error_set(e, -ENOMEM, "out of memory");
                        t->mounts = nm;
                        struct mount_entry *m = &t->mounts[t->n_mounts];
                        m->maj_min = strndup(f[2], flen[2]);
                        m->mountpoint = unescape_octal(f[4], flen[4]);
                        t->n_mounts++;
                        if (!m->maj_min || !m->mountpoint)
                                return error_set(e, -ENOMEM, "out of memory");
                }
                line = end ? end + 1 : NULL;
        }
        return 0;
}

static int strv_extend_unique(char ***dst, char *const *src) {
        for (size_t i = 0; src && src[i]; i++)
                if (!strv_contains(*dst, src[i]) && strv_push(dst, src[i]) < 0)
                        return -ENOMEM;
        return 0;
}

static int mounts_of(const struct mount_table *t, const char *maj_min, char ***ret) {
        strv_free(*ret);
        *ret = NULL;
        for (size_t i = 0; maj_min && i < t->n_mounts; i++)
                if (streq(t->mounts[i].maj_min, maj_min) && !strv_contains(*ret, t->mounts[i].mountpoint) &&
                    strv_push(ret, t->mounts[i].mountpoint) < 0)
                        return -ENOMEM;
        return 0;
}

int disk_list_compute_use(struct disk_list *l, const struct mount_table *t) {
        for (size_t i = 0; i < l->n; i++) {
                struct disk *d = &l->disks[i];
                if (mounts_of(t, d->maj_min, &d->mountpoints) < 0)
                        return -ENOMEM;
                d->swap_in_use = d->maj_min && strv_contains(t->swap_maj_min, d->maj_min);
                for (size_t j = 0; j < d->n_partitions; j++) {
                        struct disk_partition *p = &d->partitions[j];
                        if (mounts_of(t, p->maj_min, &p->mountpoints) < 0 ||
                            strv_extend_unique(&d->mountpoints, p->mountpoints) < 0 ||
                            strv_extend_unique(&d->holders, p->holders) < 0)
                                return -ENOMEM;
                        p->swap_in_use = p->maj_min && strv_contains(t->swap_maj_min, p->maj_min);
                        d->swap_in_use = d->swap_in_use || p->swap_in_use;
                }
                if (disk_compute_in_use(d) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* The md array name from an md signature in sigs, or NULL. */
static const char *md_name(const struct disk_signature *sigs, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (sigs[i].array_name && *sigs[i].array_name)
                        return sigs[i].array_name;
        return NULL;
}

static int holder_reasons(char ***reasons, const char *who, char *const *holders, char *const *skip,
                          const struct disk_signature *sigs, size_t n_sigs) {
        for (size_t i = 0; holders && holders[i]; i++) {
                const char *h = holders[i];
                if (strv_contains(skip, h))
                        continue;
                const char *name = md_name(sigs, n_sigs);
                char *r;
                if (startswith(h, "md") && name)
                        r = strdup_printf("%s%smember of %s (%s)", who, *who ? " " : "", h, name);
                else if (startswith(h, "md"))
                        r = strdup_printf("%s%smember of %s", who, *who ? " " : "", h);
                else
                        r = strdup_printf("%s%sheld by %s", who, *who ? " " : "", h);
                if (strv_push_take(reasons, r) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int disk_compute_in_use(struct disk *d) {
        _cleanup_strv_free_ char **reasons = NULL, **part_mounts = NULL, **part_holders = NULL;
        bool part_swap = false;
        for (size_t j = 0; j < d->n_partitions; j++) {
                const struct disk_partition *p = &d->partitions[j];
                if (strv_extend_unique(&part_mounts, p->mountpoints) < 0 ||
                    strv_extend_unique(&part_holders, p->holders) < 0)
                        return -ENOMEM;
                part_swap = part_swap || p->swap_in_use;
        }
        /* the disk itself: what is not explained by one of its partitions */
        for (size_t i = 0; d->mountpoints && d->mountpoints[i]; i++)
                if (!strv_contains(part_mounts, d->mountpoints[i]) &&
                    strv_push_take(&reasons, strdup_printf("mounted on %s", d->mountpoints[i])) < 0)
                        return -ENOMEM;
        if (d->swap_in_use && !part_swap && strv_push(&reasons, "active swap") < 0)
                return -ENOMEM;
        if (holder_reasons(&reasons, "", d->holders, part_holders, d->signatures, d->n_signatures) < 0)
                return -ENOMEM;
        for (size_t j = 0; j < d->n_partitions; j++) {
                const struct disk_partition *p = &d->partitions[j];
                _cleanup_free_ char *who = p->name ? strdup_printf("partition %s", p->name)
                                                   : strdup_printf("partition %d", p->number);
                if (!who)
                        return -ENOMEM;
                for (size_t i = 0; p->mountpoints && p->mountpoints[i]; i++)
                        if (strv_push_take(&reasons, strdup_printf("%s mounted on %s", who, p->mountpoints[i])) < 0)
                                return -ENOMEM;
                if (p->swap_in_use && strv_push_take(&reasons, strdup_printf("%s is active swap", who)) < 0)
                        return -ENOMEM;
                if (holder_reasons(&reasons, who, p->holders, NULL, p->signatures, p->n_signatures) < 0)
                        return -ENOMEM;
        }
        strv_free(d->in_use_reasons);
        d->in_use = reasons != NULL;
        d->in_use_reasons = TAKE_PTR(reasons);
        return 0;
}
