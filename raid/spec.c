#include "spec.h"

#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "lib/spec_read.h"
#include "lib/strutil.h"

static void fs_spec_done(struct fs_spec *f) {
        free(f->type);
        free(f->mount);
        free(f->label);
}

static void array_spec_done(struct array_spec *a) {
        free(a->name);
        strv_free(a->disks.serials);
        strv_free(a->disks.wwns);
        strv_free(a->disks.by_path);
        free(a->disks.model);
        free(a->disks.transport);
        free(a->consistency_policy);
        fs_spec_done(&a->fs);
}

void storage_spec_free(struct storage_spec *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_arrays; i++)
                array_spec_done(&s->arrays[i]);
        free(s->arrays);
        strv_free(s->wipe);
        free(s->homehost);
        free(s);
}

int raid_level_min_members(int level) {
        switch (level) {
        case 1: return 2;
        case 5: return 3;
        case 6: return 4;
        case 10: return 4;
        default: return 0;
        }
}

int raid_level_data_disks(int level, int members) {
        switch (level) {
        case 5: return members - 1;
        case 6: return members - 2;
        case 10: return members / 2;
        default: return 1;
        }
}

static int read_selector(json_object *o, const char *path, struct disk_selector *d, struct error *e) {
        static const char *const known[] = { "count", "min", "rotational", "pick", "serials", "wwns",
                                             "by_path", "size", "model", "allow_failing",
                                             "allow_hardware_raid", "transport", NULL };
        if (!json_object_is_type(o, json_type_object))
                return error_set(e, -EINVAL, "%s: must be a mapping such as {rotational: true, min: 3}", path);
        int k = spec_check_keys(o, path, known, e);
        bool rot = false;
        json_object *v;
        d->rotational = -1;
        if (k >= 0 && json_object_object_get_ex(o, "rotational", &v) && v) {
                k = spec_read_bool(o, "rotational", path, &rot, e);
                d->rotational = rot;
        }
        _cleanup_free_ char *pick = NULL;
        if (k >= 0)
                k = spec_read_int(o, "count", path, 1, 1024, &d->count, e);
        if (k >= 0)
                k = spec_read_int(o, "min", path, 1, 1024, &d->min, e);
        if (k >= 0)
                k = spec_read_string(o, "pick", path, &pick, e);
        if (k >= 0 && pick) {
                if (streq(pick, "smallest"))
                        d->pick = PICK_SMALLEST;
                else if (streq(pick, "largest"))
                        d->pick = PICK_LARGEST;
                else if (streq(pick, "any"))
                        d->pick = PICK_ANY;
                else
                        k = error_set(e, -EINVAL, "%s.pick: '%s' is not smallest, largest or any", path, pick);
        }
        if (k >= 0)
                k = spec_read_strv(o, "serials", path, &d->serials, e);
        if (k >= 0)
                k = spec_read_strv(o, "wwns", path, &d->wwns, e);
        if (k >= 0)
                k = spec_read_strv(o, "by_path", path, &d->by_path, e);
        if (k >= 0)
                k = spec_read_string(o, "model", path, &d->model, e);
        if (k >= 0)
                k = spec_read_string(o, "transport", path, &d->transport, e);
        if (k >= 0 && d->transport && !strv_contains((char *const[]){ "nvme", "sas", "sata", "virtio", NULL }, d->transport))
                k = error_set(e, -EINVAL, "%s.transport: '%s' is not nvme, sas, sata or virtio", path, d->transport);
        if (k >= 0 && json_object_object_get_ex(o, "allow_failing", &v) && v)
                k = spec_read_bool(o, "allow_failing", path, &d->allow_failing, e);
        if (k >= 0 && json_object_object_get_ex(o, "allow_hardware_raid", &v) && v)
                k = spec_read_bool(o, "allow_hardware_raid", path, &d->allow_hardware_raid, e);
        if (k >= 0 && json_object_object_get_ex(o, "size", &v) && v) {
                static const char *const size_keys[] = { "min", "max", NULL };
                _cleanup_free_ char *sub = strdup_printf("%s.size", path);
                if (!json_object_is_type(v, json_type_object))
                        return error_set(e, -EINVAL, "%s: must be a mapping such as {min: 1T, max: 2T}", sub);
                k = spec_check_keys(v, sub, size_keys, e);
                if (k >= 0)
                        k = spec_read_size(v, "min", sub, &d->size_min, e);
                if (k >= 0)
                        k = spec_read_size(v, "max", sub, &d->size_max, e);
        }
        if (k < 0)
                return k;
        int lists = !!d->serials + !!d->wwns + !!d->by_path;
        if (lists > 1)
                return error_set(e, -EINVAL, "%s: name the disks by one of serials, wwns or by_path", path);
        if (d->count && d->min)
                return error_set(e, -EINVAL, "%s: give count or min, not both", path);
        return 0;
}

static int read_level(json_object *o, const char *path, int *ret, struct error *e) {
        _cleanup_free_ char *level = NULL;
        int k = spec_read_string(o, "level", path, &level, e);
        if (k < 0)
                return k;
        if (!level)
                return error_set(e, -EINVAL, "%s.level: missing (raid1, raid5, raid6 or raid10)", path);
        static const struct { const char *name; int level; } levels[] = {
                { "raid1", 1 }, { "raid5", 5 }, { "raid6", 6 }, { "raid10", 10 },
                { "1", 1 }, { "5", 5 }, { "6", 6 }, { "10", 10 },
        };
        for (size_t i = 0; i < ELEMENTSOF(levels); i++)
                if (streq(level, levels[i].name)) {
                        *ret = levels[i].level;
                        return 0;
                }
        return error_set(e, -EINVAL, "%s.level: '%s' is not raid1, raid5, raid6 or raid10", path, level);
}

static bool valid_array_name(const char *n) {
        if (!n || !*n || strlen(n) > 32)
                return false;
        for (const char *c = n; *c; c++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *c))
                        return false;
        return true;
}

static int read_array(json_object *o, const char *path, struct array_spec *a, struct error *e) {
        static const char *const known[] = { "name", "level", "disks", "layout", "chunk", "bitmap",
                                             "consistency_policy", "spares", "allow_size_mismatch",
                                             "filesystem", NULL };
        if (!json_object_is_type(o, json_type_object))
                return error_set(e, -EINVAL, "%s: must be a mapping", path);
        a->spares = -1;
        a->bitmap = true;
        int k = spec_check_keys(o, path, known, e);
        if (k >= 0)
                k = spec_read_string(o, "name", path, &a->name, e);
        if (k >= 0 && !valid_array_name(a->name))
                k = error_set(e, -EINVAL, "%s.name: %s%s%s; use up to 32 letters, digits, '-' or '_'", path,
                              a->name ? "'" : "missing", a->name ? a->name : "", a->name ? "' is not a valid array name" : "");
        if (k >= 0)
                k = read_level(o, path, &a->level, e);
        json_object *v;
        if (k >= 0) {
                _cleanup_free_ char *sub = strdup_printf("%s.disks", path);
                if (!json_object_object_get_ex(o, "disks", &v) || !v)
                        k = error_set(e, -EINVAL, "%s: missing: which disks (e.g. {rotational: true, min: 3})", sub);
                else
                        k = read_selector(v, sub, &a->disks, e);
        }
        _cleanup_free_ char *layout = NULL, *bitmap = NULL;
        if (k >= 0)
                k = spec_read_string(o, "layout", path, &layout, e);
        if (k >= 0 && layout) {
                if (!streq(layout, "os"))
                        k = error_set(e, -EINVAL, "%s.layout: '%s' is not 'os'", path, layout);
                else if (a->level != 1)
                        k = error_set(e, -EINVAL, "%s.layout: the os layout needs level raid1", path);
                a->os_layout = true;
        }
        if (k >= 0)
                k = spec_read_size(o, "chunk", path, &a->chunk, e);
        if (k >= 0 && a->chunk && (a->chunk < 4096 || (a->chunk & (a->chunk - 1))))
                k = error_set(e, -EINVAL, "%s.chunk: must be a power of two of at least 4K", path);
        if (k >= 0)
                k = spec_read_string(o, "bitmap", path, &bitmap, e);
        if (k >= 0 && bitmap) {
                if (streq(bitmap, "none"))
                        a->bitmap = false;
                else if (!streq(bitmap, "internal"))
                        k = error_set(e, -EINVAL, "%s.bitmap: '%s' is not internal or none", path, bitmap);
        }
        if (k >= 0)
                k = spec_read_string(o, "consistency_policy", path, &a->consistency_policy, e);
        if (k >= 0 && a->consistency_policy && !streq(a->consistency_policy, "resync") &&
            !streq(a->consistency_policy, "ppl"))
                k = error_set(e, -EINVAL, "%s.consistency_policy: '%s' is not resync or ppl", path,
                              a->consistency_policy);
        if (k >= 0 && streq(a->consistency_policy, "ppl")) {
                if (a->level != 5)
                        k = error_set(e, -EINVAL, "%s.consistency_policy: ppl is for raid5 only", path);
                else if (bitmap && a->bitmap)
                        k = error_set(e, -EINVAL, "%s: ppl and an internal bitmap exclude each other; say bitmap: none", path);
                a->bitmap = false;
        }
        if (k >= 0 && json_object_object_get_ex(o, "spares", &v) && v)
                k = spec_read_int(o, "spares", path, 0, 1024, &a->spares, e);
        if (k >= 0)
                k = spec_read_bool(o, "allow_size_mismatch", path, &a->allow_size_mismatch, e);
        if (k >= 0 && json_object_object_get_ex(o, "filesystem", &v) && v) {
                static const char *const fs_keys[] = { "type", "mount", "label", NULL };
                _cleanup_free_ char *sub = strdup_printf("%s.filesystem", path);
                if (!json_object_is_type(v, json_type_object))
                        return error_set(e, -EINVAL, "%s: must be a mapping such as {type: xfs, mount: /srv/pool}", sub);
                k = spec_check_keys(v, sub, fs_keys, e);
                if (k >= 0)
                        k = spec_read_string(v, "type", sub, &a->fs.type, e);
                if (k >= 0)
                        k = spec_read_path(v, "mount", sub, &a->fs.mount, e);
                if (k >= 0)   /* XFS's limit; ext4 allows 16 */
                        k = spec_read_name(v, "label", sub, 12, &a->fs.label, e);
                if (k >= 0 && !streq(a->fs.type, "xfs") && !streq(a->fs.type, "ext4"))
                        k = error_set(e, -EINVAL, "%s.type: %s%s%s; use xfs or ext4", sub, a->fs.type ? "'" : "missing",
                                      a->fs.type ? a->fs.type : "", a->fs.type ? "' is not supported" : "");
        }
        return k < 0 ? k : 0;
}

int storage_spec_from_json(json_object *storage, struct storage_spec **ret, struct error *e) {
        static const char *const known[] = { "arrays", "wipe", "homehost", NULL };
        if (!storage || !json_object_is_type(storage, json_type_object))
                return error_set(e, -EINVAL, "storage: must be a mapping with arrays (and wipe)");
        int k = spec_check_keys(storage, "storage", known, e);
        if (k < 0)
                return k;
        _cleanup_(storage_spec_freep) struct storage_spec *s = calloc(1, sizeof *s);
        if (!s)
                return error_set(e, -ENOMEM, "out of memory");
        json_object *arrays;
        if (!json_object_object_get_ex(storage, "arrays", &arrays) || !json_object_is_type(arrays, json_type_array) ||
            json_object_array_length(arrays) == 0)
                return error_set(e, -EINVAL, "storage.arrays: must be a list of at least one array");
        size_t n = json_object_array_length(arrays);
        s->arrays = calloc(n, sizeof *s->arrays);
        if (!s->arrays)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                char path[64];
                snprintf(path, sizeof path, "storage.arrays[%zu]", i);
                s->n_arrays = i + 1;
                k = read_array(json_object_array_get_idx(arrays, i), path, &s->arrays[i], e);
                if (k < 0)
                        return k;
                for (size_t j = 0; j < i; j++)
                        if (streq(s->arrays[j].name, s->arrays[i].name))
                                return error_set(e, -EINVAL, "%s.name: '%s' is used twice", path, s->arrays[i].name);
        }
        k = spec_read_strv(storage, "wipe", "storage", &s->wipe, e);
        if (k >= 0)
                k = spec_read_name(storage, "homehost", "storage", 64, &s->homehost, e);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(s);
        return 0;
}
