#include "cmd_hv.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"
#include "lib/yaml_json.h"

void hv_args_done(struct hv_args *a) {
        vm_spec_list_free(a->vms);
        free(a->operands);
        if (a->spec_json)
                json_object_put(a->spec_json);
        *a = (struct hv_args) { 0 };
}

static const struct {
        struct option opt;
        unsigned needs;
} all_opts[] = {
        { { "connect", required_argument, NULL, 'c' }, 0 },
        { { "type", required_argument, NULL, 't' }, 0 },
        { { "pool", required_argument, NULL, 'P' }, 0 },
        { { "pool-dir", required_argument, NULL, 'D' }, HV_OPT_POOL_DIRS },
        { { "pool-mount", required_argument, NULL, 'M' }, HV_OPT_POOL_DIRS },
        { { "images-dir", required_argument, NULL, 'I' }, HV_OPT_POOL_DIRS },
        { { "console-dir", required_argument, NULL, 'L' }, HV_OPT_POOL_DIRS },
        { { "spec", required_argument, NULL, 's' }, HV_OPT_SPEC },
        { { "print-xml", no_argument, NULL, 'x' }, HV_OPT_PRINT_XML },
        { { "keep-disks", no_argument, NULL, 'k' }, HV_OPT_KEEP_DISKS },
        { { "force", no_argument, NULL, 'f' }, HV_OPT_FORCE },
        { { "timeout", required_argument, NULL, 'T' }, HV_OPT_TIMEOUT },
};

static int handle(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct hv_args *a = userdata;
        switch (opt) {
        case 'c': a->cfg.uri = arg; break;
        case 't':
                if (hv_virt_type_from_string(arg, &a->cfg.type) < 0)
                        return cli_usage_error(ctx, e, "--type: '%s' is not kvm, qemu or auto", arg);
                a->type_given = true;
                break;
        case 'P': a->cfg.pool = arg; break;
        case 'D': a->cfg.pool_dir = arg; break;
        case 'M': a->cfg.pool_mount = arg; break;
        case 'I': a->cfg.images_dir = arg; break;
        case 'L': a->cfg.console_dir = arg; break;
        case 's': a->spec = arg; break;
        case 'x': a->print_xml = true; break;
        case 'k': a->keep_disks = true; break;
        case 'f': a->force = true; break;
        case 'T': {
                char *end;
                long v = strtol(arg, &end, 10);
                if (*end || v < 1 || v > 3600)
                        return cli_usage_error(ctx, e, "--timeout: '%s' is not a number of seconds (1-3600)", arg);
                a->timeout = (int)v;
                break;
        }
        default: return cli_usage_error(ctx, e, "unknown option");
        }
        return 0;
}

static int read_spec(struct hv_args *a, struct error *e) {
        int k = yaml_read_file_to_json(a->spec, &a->spec_json, e);
        if (k < 0)
                return k;
        if (!json_object_is_type(a->spec_json, json_type_object))
                return error_set(e, -EINVAL, "%s: must be a mapping with a 'vms' list", a->spec);
        json_object *hyp = NULL, *vms = NULL;
        json_object_object_get_ex(a->spec_json, "hypervisor", &hyp);
        enum hv_virt_type type = a->cfg.type;
        if ((k = hv_config_from_json(hyp, &a->cfg, e)) < 0)
                return error_prefix(e, "%s", a->spec);
        if (a->type_given)      /* --type wins over the spec, even --type auto */
                a->cfg.type = type;
        if (!json_object_object_get_ex(a->spec_json, "vms", &vms))
                return error_set(e, -EINVAL, "%s: no 'vms' list", a->spec);
        _cleanup_free_ char *copy = strdup(a->spec);
        if (!copy)
                return error_set(e, -ENOMEM, "out of memory");
        if ((k = vm_spec_list_from_json(vms, dirname(copy), &a->vms, e)) < 0)
                return error_prefix(e, "%s", a->spec);
        return 0;
}

int hv_args_parse(struct cli_ctx *ctx, int argc, char **argv, unsigned allowed, struct hv_args *a, struct error *e) {
        struct option opts[ELEMENTSOF(all_opts) + 1] = { 0 };
        char shortopts[8] = "c:t:";
        size_t n = 0;
        for (size_t i = 0; i < ELEMENTSOF(all_opts); i++)
                if (!all_opts[i].needs || (all_opts[i].needs & allowed))
                        opts[n++] = all_opts[i].opt;
        if (allowed & HV_OPT_FORCE)
                strcat(shortopts, "f");
        a->allowed = allowed;
        /* options and operands in any order: "vm show web1 -c URI" */
        a->operands = calloc((size_t)argc + 1, sizeof *a->operands);
        if (!a->operands)
                return error_set(e, -ENOMEM, "out of memory");
        int k;
        for (int base = 0;;) {
                int first = 0;
                if ((k = cli_parse_options(ctx, argc - base, argv + base, shortopts, opts, handle, a, &first, e)) < 0)
                        return k;
                int i = base + first;
                if (i >= argc)
                        break;
                if (streq(argv[i], "--")) {
                        while (++i < argc)
                                a->operands[a->n_operands++] = argv[i];
                        break;
                }
                a->operands[a->n_operands++] = argv[i];
                base = i;     /* the operand stands in for argv[0] of the next round */
        }
        if (a->spec && (k = read_spec(a, e)) < 0)
                return k;
        return 0;
}
