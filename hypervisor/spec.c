#include "spec.h"

#include <stdio.h>
#include <string.h>

#include "lib/spec_read.h"
#include "lib/strutil.h"

void vm_spec_done(struct vm_spec *v) {
        if (!v)
                return;
        free(v->name);
        for (size_t i = 0; i < v->n_disks; i++)
                free(v->disks[i].image);
        free(v->disks);
        free(v->net_source);
        free(v->mac);
        free(v->user_data);
        free(v->meta_data);
        free(v->network_config);
        free(v->kernel);
        free(v->initrd);
        free(v->cmdline);
        *v = (struct vm_spec) { 0 };
}

void vm_spec_list_free(struct vm_spec_list *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++)
                vm_spec_done(&l->vms[i]);
        free(l->vms);
        free(l);
}

bool vm_name_valid(const char *name) {
        if (!name || !*name || strlen(name) > 64 || streq(name, ".") || streq(name, ".."))
                return false;
        for (const unsigned char *c = (const unsigned char *)name; *c; c++)
                if (*c == '/' || *c < 0x20 || *c == 0x7f)
                        return false;
        return true;
}

char *vm_disk_volume_name(const char *vm, size_t i) {
        return strdup_printf("%s-disk%zu.qcow2", vm, i);
}

char *vm_seed_volume_name(const char *vm) {
        return strdup_printf("%s-cidata.iso", vm);
}

const char *vm_net_type_to_string(enum vm_net_type t) {
        switch (t) {
        case VM_NET_NAT: return "nat";
        case VM_NET_BRIDGE: return "bridge";
        case VM_NET_USER: return "user";
        default: return "none";
        }
}

/* A string that must not be empty (names, paths, types). */
static int read_string(json_object *o, const char *key, const char *path, char **ret, struct error *e) {
        int k = spec_read_string(o, key, path, ret, e);
        if (k < 0)
                return k;
        if (*ret && !**ret)
                return error_set(e, -EINVAL, "%s.%s: must be a non-empty string", path, key);
        return 0;
}

/* A file named in the spec: relative names are relative to the spec's folder. */
static int read_path(json_object *o, const char *key, const char *path, const char *base, char **ret, struct error *e) {
        int k = read_string(o, key, path, ret, e);
        if (k < 0 || !*ret || (*ret)[0] == '/' || !base)
                return k;
        char *full = strdup_printf("%s/%s", base, *ret);
        if (!full)
                return error_set(e, -ENOMEM, "out of memory");
        free(*ret);
        *ret = full;
        return 0;
}

static int read_disk(json_object *o, const char *path, struct vm_disk_spec *d, struct error *e) {
        static const char *const known[] = { "size", "image", NULL };
        if (!json_object_is_type(o, json_type_object))
                return error_set(e, -EINVAL, "%s: must be a mapping such as {size: 20G, image: debian-12.qcow2}", path);
        int k = spec_check_keys(o, path, known, e);
        if (k >= 0)
                k = spec_read_size(o, "size", path, &d->size, e);
        if (k >= 0)
                k = read_string(o, "image", path, &d->image, e);
        if (k >= 0 && !d->size && !d->image)
                k = error_set(e, -EINVAL, "%s: give a size, an image or both", path);
        if (k >= 0 && d->image && !d->image[0])
                k = error_set(e, -EINVAL, "%s.image: empty", path);
        return k;
}

static int read_disks(json_object *o, const char *path, struct vm_spec *v, struct error *e) {
        json_object *a = spec_get(o, "disks");
        if (!a)
                return 0;
        if (!json_object_is_type(a, json_type_array))
                return error_set(e, -EINVAL, "%s.disks: must be a list", path);
        size_t n = json_object_array_length(a);
        if (n > 16)
                return error_set(e, -EINVAL, "%s.disks: at most 16 disks", path);
        v->disks = calloc(n ? n : 1, sizeof *v->disks);
        if (!v->disks)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                char sub[128];
                snprintf(sub, sizeof sub, "%s.disks[%zu]", path, i);
                v->n_disks = i + 1;
                int k = read_disk(json_object_array_get_idx(a, i), sub, &v->disks[i], e);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int read_network(json_object *o, const char *path, struct vm_spec *v, struct error *e) {
        static const char *const known[] = { "type", "bridge", "network", "mac", NULL };
        json_object *n = spec_get(o, "network");
        char sub[128];
        snprintf(sub, sizeof sub, "%s.network", path);
        if (!n) {
                v->net = VM_NET_NAT;
                v->net_source = strdup("default");
                return v->net_source ? 0 : error_set(e, -ENOMEM, "out of memory");
        }
        if (!json_object_is_type(n, json_type_object))
                return error_set(e, -EINVAL, "%s: must be a mapping such as {type: nat} or {type: bridge, bridge: br0}", sub);
        _cleanup_free_ char *type = NULL;
        int k = spec_check_keys(n, sub, known, e);
        if (k >= 0)
                k = read_string(n, "type", sub, &type, e);
        if (k >= 0)
                k = read_string(n, "mac", sub, &v->mac, e);
        if (k < 0)
                return k;
        if (!type || streq(type, "nat")) {
                v->net = VM_NET_NAT;
                if (spec_get(n, "bridge"))
                        return error_set(e, -EINVAL, "%s.bridge: only for type bridge", sub);
                if ((k = read_string(n, "network", sub, &v->net_source, e)) < 0)
                        return k;
                if (!v->net_source && !(v->net_source = strdup("default")))
                        return error_set(e, -ENOMEM, "out of memory");
        } else if (streq(type, "bridge")) {
                v->net = VM_NET_BRIDGE;
                if (spec_get(n, "network"))
                        return error_set(e, -EINVAL, "%s.network: only for type nat", sub);
                if ((k = read_string(n, "bridge", sub, &v->net_source, e)) < 0)
                        return k;
                if (!v->net_source)
                        return error_set(e, -EINVAL, "%s.bridge: missing: which host bridge (e.g. br0)", sub);
        } else if (streq(type, "user"))
                v->net = VM_NET_USER;
        else if (streq(type, "none"))
                v->net = VM_NET_NONE;
        else
                return error_set(e, -EINVAL, "%s.type: '%s' is not nat, bridge, user or none", sub, type);
        return 0;
}

static int read_cloud_init(json_object *o, const char *path, const char *base, struct vm_spec *v, struct error *e) {
        static const char *const known[] = { "user_data", "meta_data", "network_config", NULL };
        json_object *c = spec_get(o, "cloud_init");
        char sub[128];
        snprintf(sub, sizeof sub, "%s.cloud_init", path);
        if (!c)
                return 0;
        if (!json_object_is_type(c, json_type_object))
                return error_set(e, -EINVAL, "%s: must be a mapping such as {user_data: web1.user-data}", sub);
        v->cloud_init = true;
        int k = spec_check_keys(c, sub, known, e);
        if (k >= 0)
                k = read_path(c, "user_data", sub, base, &v->user_data, e);
        if (k >= 0)
                k = read_path(c, "meta_data", sub, base, &v->meta_data, e);
        if (k >= 0)
                k = read_path(c, "network_config", sub, base, &v->network_config, e);
        return k;
}

int vm_spec_from_json(json_object *o, const char *path, const char *base, struct vm_spec *v, struct error *e) {
        static const char *const known[] = { "name", "vcpus", "memory", "disks", "network", "cloud_init",
                                             "firmware", "autostart", "kernel", "initrd", "cmdline", NULL };
        *v = (struct vm_spec) { .vcpus = 1, .memory = 512ULL << 20 };
        if (!json_object_is_type(o, json_type_object))
                return error_set(e, -EINVAL, "%s: must be a mapping such as {name: web1, memory: 2G}", path);
        int k = spec_check_keys(o, path, known, e);
        if (k >= 0)
                k = read_string(o, "name", path, &v->name, e);
        if (k >= 0 && !v->name)
                k = error_set(e, -EINVAL, "%s.name: missing", path);
        if (k >= 0 && !vm_name_valid(v->name))
                k = error_set(e, -EINVAL, "%s.name: '%s' is not a valid VM name: use 1-64 characters, no '/'",
                              path, v->name);
        json_object *x = spec_get(o, "vcpus");
        if (k >= 0 && x && (!json_object_is_type(x, json_type_int) || json_object_get_int64(x) < 1 ||
                            json_object_get_int64(x) > 256))
                k = error_set(e, -EINVAL, "%s.vcpus: '%s' is not a whole number from 1 to 256", path,
                              json_object_get_string(x));
        if (k >= 0 && x)
                v->vcpus = json_object_get_int(x);
        if (k >= 0)
                k = spec_read_size(o, "memory", path, &v->memory, e);
        if (k >= 0 && v->memory < (16ULL << 20))
                k = error_set(e, -EINVAL, "%s.memory: at least 16M", path);
        if (k >= 0)
                k = read_disks(o, path, v, e);
        if (k >= 0)
                k = read_network(o, path, v, e);
        if (k >= 0)
                k = read_cloud_init(o, path, base, v, e);
        _cleanup_free_ char *fw = NULL;
        if (k >= 0)
                k = read_string(o, "firmware", path, &fw, e);
        if (k >= 0 && fw && streq(fw, "uefi"))
                v->firmware = VM_FIRMWARE_UEFI;
        else if (k >= 0 && fw && !streq(fw, "bios"))
                k = error_set(e, -EINVAL, "%s.firmware: '%s' is not bios or uefi", path, fw);
        if (k >= 0)
                k = spec_read_bool(o, "autostart", path, &v->autostart, e);
        if (k >= 0)
                k = read_path(o, "kernel", path, base, &v->kernel, e);
        if (k >= 0)
                k = read_path(o, "initrd", path, base, &v->initrd, e);
        if (k >= 0)
                k = read_string(o, "cmdline", path, &v->cmdline, e);
        if (k >= 0 && (v->initrd || v->cmdline) && !v->kernel)
                k = error_set(e, -EINVAL, "%s: initrd and cmdline need a kernel", path);
        if (k < 0)
                vm_spec_done(v);
        return k;
}

int vm_spec_list_from_json(json_object *vms, const char *base, struct vm_spec_list **ret, struct error *e) {
        if (!vms || !json_object_is_type(vms, json_type_array))
                return error_set(e, -EINVAL, "vms: must be a list of VMs");
        _cleanup_(vm_spec_list_freep) struct vm_spec_list *l = calloc(1, sizeof *l);
        size_t n = json_object_array_length(vms);
        if (!l || !(l->vms = calloc(n ? n : 1, sizeof *l->vms)))
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                char path[32];
                snprintf(path, sizeof path, "vms[%zu]", i);
                int k = vm_spec_from_json(json_object_array_get_idx(vms, i), path, base, &l->vms[i], e);
                if (k < 0)
                        return k;
                l->n = i + 1;
                for (size_t j = 0; j < i; j++)
                        if (streq(l->vms[j].name, l->vms[i].name))
                                return error_set(e, -EINVAL, "%s.name: '%s' is already the name of vms[%zu]", path,
                                                 l->vms[i].name, j);
        }
        *ret = TAKE_PTR(l);
        return 0;
}
