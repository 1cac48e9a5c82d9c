#include "md_detail.h"

#include <stdlib.h>
#include <string.h>

#include "lib/strutil.h"

void md_detail_free(struct md_detail *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n_members; i++) {
                free(d->members[i].dev);
                free(d->members[i].role);
        }
        free(d->members);
        free(d->level);
        free(d->metadata);
        free(d->uuid);
        free(d->name);
        free(d->devname);
        free(d);
}

/* MD_DEVICE_<key>_ROLE and _DEV share the key: find or add its member. */
static struct md_detail_member *member_for(struct md_detail *d, char **keys, const char *key) {
        for (size_t i = 0; i < d->n_members; i++)
                if (streq(keys[i], key))
                        return &d->members[i];
        struct md_detail_member *v = realloc(d->members, (d->n_members + 1) * sizeof *v);
        if (!v)
                return NULL;
        d->members = v;
        v[d->n_members] = (struct md_detail_member){ 0 };
        return &v[d->n_members++];
}

int md_detail_parse(const char *text, struct md_detail **ret, struct error *e) {
        _cleanup_(md_detail_freep) struct md_detail *d = calloc(1, sizeof *d);
        _cleanup_free_ char *copy = strdup(text);
        _cleanup_strv_free_ char **keys = NULL;
        if (!d || !copy)
                return error_set(e, -ENOMEM, "out of memory");
        d->devices = -1;
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *eq = strchr(line, '=');
                if (!eq)
                        continue;
                *eq = '\0';
                const char *key = line, *value = eq + 1;
                char **field = NULL;
                if (streq(key, "MD_LEVEL"))
                        field = &d->level;
                else if (streq(key, "MD_METADATA"))
                        field = &d->metadata;
                else if (streq(key, "MD_UUID"))
                        field = &d->uuid;
                else if (streq(key, "MD_NAME"))
                        field = &d->name;
                else if (streq(key, "MD_DEVNAME"))
                        field = &d->devname;
                else if (streq(key, "MD_DEVICES"))
                        d->devices = atoi(value);
                const char *dev = startswith(key, "MD_DEVICE_");
                if (dev && (endswith(dev, "_ROLE") || endswith(dev, "_DEV"))) {
                        _cleanup_free_ char *id = strndup(dev, strlen(dev) - (endswith(dev, "_ROLE") ? 5 : 4));
                        size_t before = d->n_members;
                        struct md_detail_member *m = id ? member_for(d, keys, id) : NULL;
                        if (!m || (d->n_members > before && strv_push(&keys, id) < 0))
                                return error_set(e, -ENOMEM, "out of memory");
                        field = endswith(dev, "_ROLE") ? &m->role : &m->dev;
                }
                if (field) {
                        free(*field);
                        if (!(*field = strdup(value)))
                                return error_set(e, -ENOMEM, "out of memory");
                }
        }
        if (!d->level && !d->uuid)
                return error_set(e, -EBADMSG, "not the output of mdadm --detail --export: no MD_LEVEL or MD_UUID");
        *ret = TAKE_PTR(d);
        return 0;
}
