/* A disk's contents from the properties udev's blkid builtin stored, and the
 * key that says what a disk carries (the plan records it, apply compares).
 * Pure: the properties come through a getter. */
#include "disk_props.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strutil.h"

char *disk_udev_decode(const char *enc) {
        _cleanup_free_ char *raw = malloc(strlen(enc) + 1);
        if (!raw)
                return NULL;
        size_t n = 0;
        for (const char *s = enc; *s; s++) {
                unsigned v;
                if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3] && sscanf(s + 2, "%2x", &v) == 1) {
                        raw[n++] = (char)v;
                        s += 3;
                } else
                        raw[n++] = *s;
        }
        char *clean = disk_clean_string(raw, n);
        if (clean && !*clean) {
                free(clean);
                return NULL;
        }
        return clean;
}

/* The value as the low-level probe would give it; NULL when absent. The
 * *_ENC form holds the raw bytes (the plain one has blanks made '_'). */
static char *prop(disk_prop_fn get, void *ud, const char *name, const char *enc_name) {
        const char *v = enc_name ? get(ud, enc_name) : NULL;
        if (v && *v)
                return disk_udev_decode(v);
        v = get(ud, name);
        if (!v || !*v)
                return NULL;
        char *s = disk_clean_string(v, strlen(v));
        if (s && !*s) {
                free(s);
                return NULL;
        }
        return s;
}

int disk_signature_from_props(disk_prop_fn get, void *ud, struct disk_signature **v, size_t *n) {
        _cleanup_free_ char *type = prop(get, ud, "ID_FS_TYPE", NULL);
        if (!type)
                return 0;
        struct disk_signature *s = disk_signatures_add(v, n);
        if (!s)
                return -ENOMEM;
        s->type = TAKE_PTR(type);
        s->usage = prop(get, ud, "ID_FS_USAGE", NULL);
        s->uuid = prop(get, ud, "ID_FS_UUID", "ID_FS_UUID_ENC");
        s->label = prop(get, ud, "ID_FS_LABEL", "ID_FS_LABEL_ENC");
        s->version = prop(get, ud, "ID_FS_VERSION", NULL);
        if (streq(s->type, "linux_raid_member")) {
                s->array_uuid = disk_md_uuid(s->uuid);
                s->array_name = disk_md_name(s->label);
        }
        return 0;
}

int disk_table_from_props(disk_prop_fn get, void *ud, struct disk *d) {
        free(d->partition_table);
        d->partition_table = prop(get, ud, "ID_PART_TABLE_TYPE", NULL);
        return disk_signature_from_props(get, ud, &d->signatures, &d->n_signatures);
}

int disk_partition_from_props(disk_prop_fn get, void *ud, struct disk_partition *p) {
        p->type = prop(get, ud, "ID_PART_ENTRY_TYPE", NULL);
        const char *name = p->type ? disk_part_type_name(p->type) : NULL;
        p->type_name = name ? strdup(name) : NULL;
        p->uuid = prop(get, ud, "ID_PART_ENTRY_UUID", NULL);
        p->label = prop(get, ud, "ID_PART_ENTRY_NAME", NULL);   /* blkid-encoded: \x20 */
        if (p->label) {
                char *raw = disk_udev_decode(p->label);
                free(p->label);
                p->label = raw;
        }
        if ((name && !p->type_name) || disk_signature_from_props(get, ud, &p->signatures, &p->n_signatures) < 0)
                return -ENOMEM;
        return 0;
}

/* ---- what a disk carries, as one comparable line ------------------------- */

static void add_signatures(char **key, const struct disk_signature *v, size_t n) {
        for (size_t i = 0; i < n && *key; i++) {
                char *next = strdup_printf("%s%s%s%s%s", *key, **key ? " " : "", v[i].type ? v[i].type : "?",
                                           v[i].uuid ? " " : "", v[i].uuid ? v[i].uuid : "");
                free(*key);
                *key = next;
        }
}

char *disk_contents_key(const struct disk *d) {
        if (d->contents_unreadable)
                return strdup("unreadable");
        char *key = strdup(d->partition_table ? d->partition_table : "");
        add_signatures(&key, d->signatures, d->n_signatures);
        for (size_t i = 0; i < d->n_partitions && key; i++) {
                const struct disk_partition *p = &d->partitions[i];
                if (!p->type)   /* in the kernel only: not on the disk */
                        continue;
                char *next = strdup_printf("%s; partition %d %s", key, p->number, p->type);
                free(key);
                key = next;
                add_signatures(&key, p->signatures, p->n_signatures);
        }
        if (key && !*key) {
                free(key);
                key = strdup("nothing");
        }
        return key;
}
