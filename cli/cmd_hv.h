/* What `hostctl vm` and `hostctl pool` share: the libvirt options, the
 * spec file's `hypervisor:` section, and opening the connection. */
#pragma once

#include <json-c/json.h>

#include "cli.h"
#include "hypervisor/connect.h"
#include "hypervisor/spec.h"

enum {
        HV_OPT_SPEC = 1 << 0,
        HV_OPT_PRINT_XML = 1 << 1,
        HV_OPT_KEEP_DISKS = 1 << 2,
        HV_OPT_FORCE = 1 << 3,
        HV_OPT_TIMEOUT = 1 << 4,
        HV_OPT_POOL_DIRS = 1 << 5,   /* --pool-dir, --pool-mount, --images-dir, --console-dir */
};

struct hv_args {
        unsigned allowed;
        struct hv_config cfg;
        const char *spec;
        bool print_xml, keep_disks, force;
        int timeout;
        bool type_given;
        json_object *spec_json;       /* owned; the cfg strings may point into it */
        struct vm_spec_list *vms;
        char **operands;              /* the strings are argv's */
        int n_operands;
};
void hv_args_done(struct hv_args *a);

#define HV_COMMON_HELP \
        "  -c, --connect URI    libvirt URI (default qemu:///system; test:///default; hyperv://HOST)\n" \
        "  -t, --type TYPE      domain type kvm, qemu or auto (default: kvm only if /dev/kvm runs a guest)\n" \
        "      --pool NAME      storage pool (default hostd)\n"

/* Parse the options allowed by `allowed`, then read --spec when given. */
int hv_args_parse(struct cli_ctx *ctx, int argc, char **argv, unsigned allowed, struct hv_args *a, struct error *e);
