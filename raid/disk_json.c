/* struct disk <-> JSON: the schema of `hostctl disks --json` (man/hostctl-disks.8).
 * Unknown values are JSON null; sizes are bytes. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk.h"
#include "disk_health.h"
#include "lib/json.h"
#include "lib/spec_read.h"
#include "lib/strutil.h"

/* ---- to JSON ------------------------------------------------------------- */

static void add_int_or_null(json_object *o, const char *key, int64_t v) {
        json_object_object_add(o, key, v < 0 ? NULL : json_object_new_int64(v));
}

static void add_tristate(json_object *o, const char *key, int v) {
        json_object_object_add(o, key, v < 0 ? NULL : json_object_new_boolean(v));
}

static json_object *signatures_to_json(const struct disk_signature *s, size_t n) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object();
                json_add_string(o, "type", s[i].type);
                json_add_string(o, "usage", s[i].usage);
                json_add_string(o, "uuid", s[i].uuid);
                json_add_string(o, "label", s[i].label);
                json_add_string(o, "version", s[i].version);
                json_add_string(o, "array_uuid", s[i].array_uuid);
                json_add_string(o, "array_name", s[i].array_name);
                json_object_array_add(a, o);
        }
        return a;
}

static json_object *partition_to_json(const struct disk_partition *p) {
        json_object *o = json_object_new_object();
        json_add_int(o, "number", p->number);
        json_add_string(o, "name", p->name);
        json_add_string(o, "maj_min", p->maj_min);
        add_int_or_null(o, "start", p->start);
        add_int_or_null(o, "size", p->size);
        json_add_string(o, "type", p->type);
        json_add_string(o, "type_name", p->type_name);
        json_add_string(o, "uuid", p->uuid);
        json_add_string(o, "label", p->label);
        json_object_object_add(o, "signatures", signatures_to_json(p->signatures, p->n_signatures));
        json_add_strv(o, "holders", p->holders);
        json_add_strv(o, "mountpoints", p->mountpoints);
        json_add_bool(o, "swap_in_use", p->swap_in_use);
        return o;
}

static json_object *controller_to_json(const struct disk_controller *c) {
        if (!c->pci_slot)
                return NULL;
        json_object *o = json_object_new_object();
        json_add_string(o, "pci_slot", c->pci_slot);
        json_add_string(o, "pci_id", c->pci_id);
        json_add_string(o, "driver", c->driver);
        json_add_string(o, "model", c->model);
        return o;
}

static json_object *nvme_to_json(const struct disk_nvme *nv) {
        if (!nv->controller)
                return NULL;
        json_object *o = json_object_new_object();
        json_add_string(o, "controller", nv->controller);
        add_int_or_null(o, "nsid", nv->nsid);
        json_add_string(o, "eui64", nv->eui64);
        json_add_string(o, "nguid", nv->nguid);
        json_add_string(o, "uuid", nv->uuid);
        return o;
}

json_object *disk_to_json(const struct disk *d, unsigned flags) {
        json_object *o = json_object_new_object();
        json_add_string(o, "name", d->name);
        json_add_string(o, "path", d->path);
        json_add_string(o, "maj_min", d->maj_min);
        json_add_string(o, "vendor", d->vendor);
        json_add_string(o, "model", d->model);
        json_add_string(o, "serial", d->serial);
        json_add_string(o, "wwn", d->wwn);
        json_add_string(o, "firmware", d->firmware);
        json_add_string(o, "hctl", d->hctl);
        json_add_string(o, "transport", d->transport);
        json_add_strv(o, "by_id", d->by_id);
        json_add_string(o, "by_path", d->by_path);
        json_object_object_add(o, "controller", controller_to_json(&d->controller));
        add_tristate(o, "controller_volume", d->controller_volume);
        json_object_object_add(o, "nvme", nvme_to_json(&d->nvme));
        add_int_or_null(o, "size_bytes", d->size_bytes);
        add_int_or_null(o, "logical_sector_size", d->logical_sector_size);
        add_int_or_null(o, "physical_sector_size", d->physical_sector_size);
        add_tristate(o, "rotational", d->rotational);
        add_tristate(o, "removable", d->removable);
        add_tristate(o, "read_only", d->read_only);
        json_add_string(o, "partition_table", d->partition_table);
        json_object *parts = json_object_new_array();
        for (size_t i = 0; i < d->n_partitions; i++)
                json_object_array_add(parts, partition_to_json(&d->partitions[i]));
        json_object_object_add(o, "partitions", parts);
        json_object_object_add(o, "signatures", signatures_to_json(d->signatures, d->n_signatures));
        json_add_bool(o, "contents_unreadable", d->contents_unreadable);
        json_add_strv(o, "holders", d->holders);
        json_add_strv(o, "mountpoints", d->mountpoints);
        json_add_bool(o, "swap_in_use", d->swap_in_use);
        json_add_bool(o, "in_use", d->in_use);
        json_add_strv(o, "in_use_reasons", d->in_use_reasons);
        json_object_object_add(o, "health", d->health ? disk_health_to_json(d->health) : NULL);
        json_add_string(o, "bay", d->bay);
        if (flags & DISK_JSON_SOURCES) {
                json_object *src = json_object_new_object();
                for (size_t i = 0; i < _DISK_SRC_MAX; i++)
                        json_add_string(src, disk_source_field(i), d->sources[i]);
                json_object_object_add(o, "sources", src);
        }
        return o;
}

json_object *disk_list_to_json(const struct disk_list *l, unsigned flags) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        for (size_t i = 0; l && i < l->n; i++)
                json_object_array_add(a, disk_to_json(&l->disks[i], flags));
        json_object_object_add(o, "disks", a);
        return o;
}

/* ---- from JSON -------------------------------------------------------------- */

/* A copy of the string at key: 0 (NULL when null or missing), -EBADMSG when
 * it is something else, -ENOMEM. */
static int get_str(json_object *o, const char *key, char **ret) {
        json_object *v;
        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        *ret = strdup(json_object_get_string(v));
        return *ret ? 0 : -ENOMEM;
}

static int get_int(json_object *o, const char *key, int64_t *ret) {
        json_object *v;
        *ret = -1;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return -EBADMSG;
        *ret = json_object_get_int64(v);
        return 0;
}

static int get_bool(json_object *o, const char *key, int *ret) {
        json_object *v;
        *ret = -1;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_boolean))
                return -EBADMSG;
        *ret = json_object_get_boolean(v);
        return 0;
}

static int get_strv(json_object *o, const char *key, char ***ret) {
        json_object *v;
        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return -EBADMSG;
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *s = json_object_array_get_idx(v, i);
                if (!json_object_is_type(s, json_type_string))
                        return -EBADMSG;
                int k = strv_push(ret, json_object_get_string(s));
                if (k < 0)
                        return k;
        }
        return 0;
}

/* The array at key (NULL when missing or null): 0 or -EBADMSG. */
static int get_array(json_object *o, const char *key, json_object **ret) {
        json_object *v;
        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return -EBADMSG;
        *ret = v;
        return 0;
}

#define TRY(expr)                               \
        do {                                    \
                int _k = (expr);                \
                if (_k < 0)                     \
                        return _k;              \
        } while (0)

static int signatures_from_json(json_object *o, struct disk_signature **v, size_t *n) {
        json_object *a;
        TRY(get_array(o, "signatures", &a));
        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                json_object *so = json_object_array_get_idx(a, i);
                if (!json_object_is_type(so, json_type_object))
                        return -EBADMSG;
                struct disk_signature *s = disk_signatures_add(v, n);
                if (!s)
                        return -ENOMEM;
                TRY(get_str(so, "type", &s->type));
                TRY(get_str(so, "usage", &s->usage));
                TRY(get_str(so, "uuid", &s->uuid));
                TRY(get_str(so, "label", &s->label));
                TRY(get_str(so, "version", &s->version));
                TRY(get_str(so, "array_uuid", &s->array_uuid));
                TRY(get_str(so, "array_name", &s->array_name));
        }
        return 0;
}

static int partition_from_json(json_object *o, struct disk_partition *p) {
        int64_t number;
        int swap;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        TRY(get_int(o, "number", &number));
        p->number = (int)number;
        TRY(get_str(o, "name", &p->name));
        TRY(get_str(o, "maj_min", &p->maj_min));
        TRY(get_int(o, "start", &p->start));
        TRY(get_int(o, "size", &p->size));
        TRY(get_str(o, "type", &p->type));
        TRY(get_str(o, "type_name", &p->type_name));
        TRY(get_str(o, "uuid", &p->uuid));
        TRY(get_str(o, "label", &p->label));
        TRY(signatures_from_json(o, &p->signatures, &p->n_signatures));
        TRY(get_strv(o, "holders", &p->holders));
        TRY(get_strv(o, "mountpoints", &p->mountpoints));
        TRY(get_bool(o, "swap_in_use", &swap));
        p->swap_in_use = swap > 0;
        return 0;
}

/* The object at key, NULL when missing or null: 0 or -EBADMSG. */
static int get_object(json_object *o, const char *key, json_object **ret) {
        json_object *v;
        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_object))
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int controller_from_json(json_object *o, struct disk_controller *c) {
        json_object *co;
        TRY(get_object(o, "controller", &co));
        if (!co)
                return 0;
        TRY(get_str(co, "pci_slot", &c->pci_slot));
        TRY(get_str(co, "pci_id", &c->pci_id));
        TRY(get_str(co, "driver", &c->driver));
        return get_str(co, "model", &c->model);
}

static int nvme_from_json(json_object *o, struct disk_nvme *nv) {
        json_object *no;
        TRY(get_object(o, "nvme", &no));
        if (!no)
                return 0;
        TRY(get_str(no, "controller", &nv->controller));
        TRY(get_int(no, "nsid", &nv->nsid));
        TRY(get_str(no, "eui64", &nv->eui64));
        TRY(get_str(no, "nguid", &nv->nguid));
        return get_str(no, "uuid", &nv->uuid);
}

static int disk_fill_from_json(json_object *o, struct disk *d) {
        int b;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        struct {
                const char *key;
                char **dst;
        } strings[] = {
                { "name", &d->name },         { "path", &d->path },
                { "maj_min", &d->maj_min },   { "vendor", &d->vendor },
                { "model", &d->model },       { "serial", &d->serial },
                { "wwn", &d->wwn },           { "firmware", &d->firmware },
                { "hctl", &d->hctl },         { "transport", &d->transport },
                { "by_path", &d->by_path },   { "partition_table", &d->partition_table },
                { "bay", &d->bay },
        };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                TRY(get_str(o, strings[i].key, strings[i].dst));
        if (!d->name || (d->bay && !disk_bay_valid(d->bay)))
                return -EBADMSG;
        TRY(get_strv(o, "by_id", &d->by_id));
        TRY(controller_from_json(o, &d->controller));
        TRY(get_bool(o, "controller_volume", &d->controller_volume));
        TRY(nvme_from_json(o, &d->nvme));
        TRY(get_int(o, "size_bytes", &d->size_bytes));
        TRY(get_int(o, "logical_sector_size", &d->logical_sector_size));
        TRY(get_int(o, "physical_sector_size", &d->physical_sector_size));
        TRY(get_bool(o, "rotational", &d->rotational));
        TRY(get_bool(o, "removable", &d->removable));
        TRY(get_bool(o, "read_only", &d->read_only));
        json_object *parts;
        TRY(get_array(o, "partitions", &parts));
        for (size_t i = 0; parts && i < json_object_array_length(parts); i++) {
                struct disk_partition *p = disk_add_partition(d);
                if (!p)
                        return -ENOMEM;
                TRY(partition_from_json(json_object_array_get_idx(parts, i), p));
        }
        TRY(signatures_from_json(o, &d->signatures, &d->n_signatures));
        TRY(get_bool(o, "contents_unreadable", &b));
        d->contents_unreadable = b > 0;
        TRY(get_strv(o, "holders", &d->holders));
        TRY(get_strv(o, "mountpoints", &d->mountpoints));
        TRY(get_bool(o, "swap_in_use", &b));
        d->swap_in_use = b > 0;
        TRY(get_bool(o, "in_use", &b));
        d->in_use = b > 0;
        TRY(get_strv(o, "in_use_reasons", &d->in_use_reasons));
        json_object *health = json_get(o, "health");
        struct error he = { 0 };
        if (health && disk_health_from_json(health, &d->health, &he) < 0)
                return he.code;
        json_object *src;
        if (json_object_object_get_ex(o, "sources", &src) && json_object_is_type(src, json_type_object))
                for (size_t i = 0; i < _DISK_SRC_MAX; i++)
                        TRY(get_str(src, disk_source_field(i), &d->sources[i]));
        return 0;
}

/* A device name from an inventory file ("sda", "nvme0n1p2", "md127"). */
static bool valid_kernel_name(const char *s) {
        if (!s || !*s || strlen(s) > 64 || s[0] == '.' || s[0] == '-')
                return false;
        for (const char *c = s; *c; c++)
                if (!isalnum((unsigned char)*c) && !strchr("._-:!", *c))
                        return false;
        return true;
}

/* A device path from an inventory file: what the plan puts in mdadm's,
 * sgdisk's and wipefs's argv. Only a /dev path in normal form. */
static const char *bad_device_path(const char *s) {
        if (!s)
                return NULL;
        _cleanup_free_ char *clean = NULL;
        const char *why = NULL;
        if (spec_normalize_path(s, &clean, &why) < 0)
                return why;
        if (!streq(clean, s))
                return "is not in normal form (repeated or trailing '/')";
        if (!startswith(s, "/dev/"))
                return "is not below /dev";
        return NULL;
}

/* Offline inventories (--inventory FILE) are as untrusted as a spec: every
 * string that can reach a command line is checked where it is read. */
static int check_disk_strings(const struct disk *d, const char *where, struct error *e) {
        if (!valid_kernel_name(d->name))
                return error_set(e, -EBADMSG, "%s: \"name\": '%s' is not a device name", where, d->name);
        const char *why;
        if ((why = bad_device_path(d->path)))
                return error_set(e, -EBADMSG, "%s (%s): \"path\": '%s' %s", where, d->name, d->path, why);
        if ((why = bad_device_path(d->by_path)))
                return error_set(e, -EBADMSG, "%s (%s): \"by_path\": '%s' %s", where, d->name, d->by_path, why);
        for (char **b = d->by_id; b && *b; b++)
                if ((why = bad_device_path(*b)))
                        return error_set(e, -EBADMSG, "%s (%s): \"by_id\": '%s' %s", where, d->name, *b, why);
        for (size_t i = 0; i < d->n_partitions; i++)
                if (d->partitions[i].name && !valid_kernel_name(d->partitions[i].name))
                        return error_set(e, -EBADMSG, "%s (%s): partition \"name\": '%s' is not a device name", where,
                                         d->name, d->partitions[i].name);
        return 0;
}

/* index: which disk of a list, or SIZE_MAX for a lone disk */
static int report(int k, struct error *e, size_t index) {
        if (k == -ENOMEM)
                return error_set(e, k, "out of memory");
        if (index == SIZE_MAX)
                return error_set(e, -EBADMSG, "disk: a field has the wrong type, or \"name\" is missing");
        return error_set(e, -EBADMSG, "disk %zu of the inventory: a field has the wrong type, or \"name\" is missing",
                         index);
}

int disk_from_json(json_object *o, struct disk *ret, struct error *e) {
        struct disk d = { 0 };
        d.size_bytes = d.logical_sector_size = d.physical_sector_size = -1;
        d.rotational = d.removable = d.read_only = -1;
        int k = disk_fill_from_json(o, &d);
        if (k < 0) {
                disk_done(&d);
                return report(k, e, SIZE_MAX);
        }
        if ((k = check_disk_strings(&d, "disk", e)) < 0) {
                disk_done(&d);
                return k;
        }
        *ret = d;
        return 0;
}

int disk_list_from_json(json_object *o, struct disk_list **ret, struct error *e) {
        json_object *a;
        if (!o || !json_object_is_type(o, json_type_object) || get_array(o, "disks", &a) < 0 || !a)
                return error_set(e, -EBADMSG, "not a disk inventory: no \"disks\" array");
        _cleanup_(disk_list_freep) struct disk_list *l = calloc(1, sizeof *l);
        if (!l)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                struct disk *d = disk_list_add(l);
                if (!d)
                        return error_set(e, -ENOMEM, "out of memory");
                int k = disk_fill_from_json(json_object_array_get_idx(a, i), d);
                if (k < 0)
                        return report(k, e, i);
                char where[48];
                snprintf(where, sizeof where, "disk %zu of the inventory", i);
                if ((k = check_disk_strings(d, where, e)) < 0)
                        return k;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int disk_list_from_inventory_json(json_object *o, struct disk_list **ret, struct error *e) {
        _cleanup_(disk_list_freep) struct disk_list *l = NULL;
        int k = disk_list_from_json(o, &l, e);
        if (k < 0)
                return k;
        for (size_t i = 0; i < l->n; i++)
                if (disk_compute_in_use(&l->disks[i]) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        *ret = TAKE_PTR(l);
        return 0;
}

int disk_list_read_json_file(const char *path, struct disk_list **ret, struct error *e) {
        _cleanup_json_ json_object *doc = NULL;
        int k = json_read_file(path, &doc, e); /* its messages name the file */
        if (k < 0)
                return k;
        k = disk_list_from_inventory_json(doc, ret, e);
        return k < 0 ? error_prefix(e, "%s", path) : 0;
}
