/* The VM spec: what `vms:` in a host spec (YAML) or the API (JSON) asks for.
 * Read from json_object and checked here, with errors that name the key
 * ("vms[0].memory: '2X' is not a size"). Pure: no I/O, no libvirt. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

enum vm_net_type { VM_NET_NONE, VM_NET_NAT, VM_NET_BRIDGE, VM_NET_USER };
enum vm_firmware { VM_FIRMWARE_BIOS, VM_FIRMWARE_UEFI };

struct vm_disk_spec {
        uint64_t size;            /* bytes; 0: the backing image's size */
        char *image;              /* backing image: a name in the images directory or an absolute path */
};

struct vm_spec {
        char *name;
        int vcpus;                /* default 1 */
        uint64_t memory;          /* bytes; default 512M */
        struct vm_disk_spec *disks;
        size_t n_disks;
        enum vm_net_type net;
        char *net_source;         /* NAT: the libvirt network ("default"); bridge: the host bridge */
        char *mac;                /* NULL: libvirt picks one */
        char *user_data;          /* cloud-init files, absolute or relative to the spec file */
        char *meta_data;
        char *network_config;
        bool cloud_init;          /* a seed ISO is made (also with no files: instance-id only) */
        enum vm_firmware firmware;
        bool autostart;
        char *kernel, *initrd, *cmdline;   /* direct kernel boot, optional */
};

struct vm_spec_list {
        struct vm_spec *vms;
        size_t n;
};

void vm_spec_done(struct vm_spec *v);
void vm_spec_list_free(struct vm_spec_list *l);
static inline void vm_spec_list_freep(struct vm_spec_list **l) {
        vm_spec_list_free(*l);
}

/* Read the value of `vms:` (an array). base_dir resolves relative cloud-init
 * and kernel paths (NULL: keep them as given). */
int vm_spec_list_from_json(json_object *vms, const char *base_dir, struct vm_spec_list **ret, struct error *e);
/* One VM object; path is the key for messages ("vms[0]"). */
int vm_spec_from_json(json_object *o, const char *path, const char *base_dir, struct vm_spec *ret, struct error *e);

/* Names: 1-64 characters, no '/', no control characters, not "." or "..". */
bool vm_name_valid(const char *name);

/* The pool volume names a VM owns: "<name>-disk<i>.qcow2" and "<name>-cidata.iso". */
char *vm_disk_volume_name(const char *vm, size_t i);
char *vm_seed_volume_name(const char *vm);

const char *vm_net_type_to_string(enum vm_net_type t);
