/* hostctl vm create|list|show|start|stop|reboot|delete: VMs through libvirt. */
#include <stdio.h>
#include <string.h>

#include "cmd_hv.h"
#include "commands.h"
#include "hypervisor/vm.h"
#include "lib/json.h"
#include "lib/outcome.h"
#include "lib/strutil.h"

static json_object *vm_to_json(const struct hv_vm_info *i) {
        json_object *o = json_object_new_object();
        json_add_string(o, "name", i->name);
        json_add_string(o, "uuid", i->uuid);
        json_add_string(o, "state", i->state);
        if (i->id >= 0)
                json_add_int(o, "id", i->id);
        else
                json_object_object_add(o, "id", NULL);
        json_add_int(o, "vcpus", i->vcpus);
        json_add_int(o, "memory_bytes", (int64_t)i->memory);
        json_add_bool(o, "autostart", i->autostart);
        json_add_bool(o, "persistent", i->persistent);
        json_add_string(o, "type", i->virt_type);
        json_add_string(o, "console_log", i->console_log);
        json_add_strv(o, "volumes", i->volumes);
        return o;
}

static int open_hv(struct hv_args *a, struct hv **h, struct error *e) {
        return hv_open(&a->cfg, h, e);
}

static int one_name(struct cli_ctx *ctx, struct hv_args *a, const char *verb, struct error *e) {
        if (a->n_operands != 1)
                return cli_usage_error(ctx, e, "'vm %s' takes one VM name", verb);
        return 0;
}

static int vm_create_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(hv_args_done) struct hv_args a = { 0 };
        int k = hv_args_parse(ctx, argc, argv, HV_OPT_SPEC | HV_OPT_PRINT_XML | HV_OPT_POOL_DIRS, &a, e);
        if (k < 0)
                return k;
        if (!a.spec)
                return cli_usage_error(ctx, e, "'vm create' needs --spec FILE");
        if (a.n_operands > 0)
                return cli_usage_error(ctx, e, "unexpected argument '%s'", a.operands[0]);
        if (a.print_xml) {
                const char *type = hv_virt_type_resolve(a.cfg.type, a.cfg.uri ? a.cfg.uri : HV_DEFAULT_URI);
                for (size_t i = 0; i < a.vms->n; i++) {
                        _cleanup_free_ char *xml = NULL;
                        if ((k = hv_vm_xml(&a.cfg, type, &a.vms->vms[i], &xml, e)) < 0)
                                return k;
                        fputs(xml, ctx->out);
                }
                return 0;
        }
        _cleanup_(hv_closep) struct hv *h = NULL;
        if ((k = open_hv(&a, &h, e)) < 0)
                return k;
        size_t n = a.vms->n, failed = 0;
        _cleanup_free_ int *codes = calloc(n, sizeof *codes);
        _cleanup_free_ struct error *errs = calloc(n, sizeof *errs);
        if (!codes || !errs)
                return error_set(e, -ENOMEM, "out of memory");
        k = hv_vm_create_many(h, a.vms->vms, n, codes, errs);
        _cleanup_json_ json_object *arr = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                struct hv_vm_info info = { 0 };
                if (codes[i] < 0) {
                        if (failed++ == 0)
                                *e = errs[i];
                        else
                                fprintf(stderr, "%s: %s\n", ctx->path, errs[i].msg);
                        continue;
                }
                if (hv_vm_show(h, a.vms->vms[i].name, &info, &errs[i]) < 0)
                        continue;
                if (ctx->json)
                        json_object_array_add(arr, vm_to_json(&info));
                else
                        fprintf(ctx->out, "created VM %s (%s, %s), console log %s\n", info.name, info.state,
                                info.virt_type ? info.virt_type : "?", info.console_log ? info.console_log : "-");
                hv_vm_info_done(&info);
        }
        if (failed && n > 1)
                error_prefix(e, "%zu of %zu VMs not created", failed, n);
        if (ctx->json)
                cli_print_json(ctx, arr);
        return k < 0 ? k : 0;
}

static int vm_list_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(hv_args_done) struct hv_args a = { 0 };
        int k = hv_args_parse(ctx, argc, argv, 0, &a, e);
        if (k < 0)
                return k;
        if (a.n_operands > 0)
                return cli_usage_error(ctx, e, "unexpected argument '%s'", a.operands[0]);
        _cleanup_(hv_closep) struct hv *h = NULL;
        struct hv_vm_info *vms = NULL;
        size_t n = 0;
        if ((k = open_hv(&a, &h, e)) < 0 || (k = hv_vm_list(h, &vms, &n, e)) < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *arr = json_object_new_array();
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(arr, vm_to_json(&vms[i]));
                cli_print_json(ctx, arr);
        } else {
                int w = 4;
                for (size_t i = 0; i < n; i++)
                        w = (int)strlen(vms[i].name) > w ? (int)strlen(vms[i].name) : w;
                fprintf(ctx->out, "%-*s  %-13s  %5s  %8s  %s\n", w, "NAME", "STATE", "VCPUS", "MEMORY", "AUTOSTART");
                for (size_t i = 0; i < n; i++) {
                        char mem[16];
                        fprintf(ctx->out, "%-*s  %-13s  %5d  %8s  %s\n", w, vms[i].name, vms[i].state, vms[i].vcpus,
                                format_size(vms[i].memory, mem, sizeof mem), vms[i].autostart ? "yes" : "no");
                }
        }
        hv_vm_info_array_free(vms, n);
        return 0;
}

static int vm_show_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        _cleanup_(hv_args_done) struct hv_args a = { 0 };
        int k = hv_args_parse(ctx, argc, argv, 0, &a, e);
        if (k < 0 || (k = one_name(ctx, &a, "show", e)) < 0)
                return k;
        _cleanup_(hv_closep) struct hv *h = NULL;
        _cleanup_(hv_vm_info_done) struct hv_vm_info i = { 0 };
        if ((k = open_hv(&a, &h, e)) < 0 || (k = hv_vm_show(h, a.operands[0], &i, e)) < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *o = vm_to_json(&i);
                cli_print_json(ctx, o);
                return 0;
        }
        char mem[16];
        _cleanup_free_ char *vols = i.volumes ? strv_join(i.volumes, " ") : NULL;
        fprintf(ctx->out, "name:        %s\nuuid:        %s\nstate:       %s\ntype:        %s\nvcpus:       %d\n"
                          "memory:      %s\nautostart:   %s\nvolumes:     %s\nconsole log: %s\n",
                i.name, i.uuid, i.state, i.virt_type ? i.virt_type : "-", i.vcpus, format_size(i.memory, mem, sizeof mem),
                i.autostart ? "yes" : "no", vols ? vols : "-", i.console_log ? i.console_log : "-");
        return 0;
}

/* start, stop, reboot, delete: one VM, one call, one line of outcome. */
static int vm_action(struct cli_ctx *ctx, int argc, char **argv, const char *verb, unsigned allowed, struct error *e) {
        _cleanup_(hv_args_done) struct hv_args a = { 0 };
        int k = hv_args_parse(ctx, argc, argv, allowed, &a, e);
        if (k < 0 || (k = one_name(ctx, &a, verb, e)) < 0)
                return k;
        const char *name = a.operands[0], *outcome = NULL;
        _cleanup_(hv_closep) struct hv *h = NULL;
        if ((k = open_hv(&a, &h, e)) < 0)
                return k;
        bool destroyed = false;
        if (streq(verb, "start")) {
                k = hv_vm_start(h, name, e);
                outcome = k == OUTCOME_UNCHANGED ? "already running" : "started";
        } else if (streq(verb, "stop") && a.force) {
                k = hv_vm_destroy(h, name, e);
                outcome = k == OUTCOME_UNCHANGED ? "not running" : "destroyed";
        } else if (streq(verb, "stop")) {
                k = hv_vm_shutdown(h, name, a.timeout, &destroyed, e);
                outcome = k == OUTCOME_UNCHANGED ? "not running" : destroyed ? "destroyed after the shutdown timeout" : "shut down";
        } else if (streq(verb, "reboot")) {
                k = hv_vm_reboot(h, name, e);
                outcome = "rebooting";
        } else {
                k = hv_vm_delete(h, name, a.keep_disks, e);
                outcome = a.keep_disks ? "deleted (disks kept)" : "deleted with its volumes";
        }
        if (k < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *o = json_object_new_object();
                json_add_string(o, "name", name);
                json_add_string(o, "action", verb);
                json_add_string(o, "outcome", outcome);
                cli_print_json(ctx, o);
        } else
                fprintf(ctx->out, "VM %s: %s\n", name, outcome);
        return 0;
}

static int vm_start_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return vm_action(ctx, argc, argv, "start", 0, e);
}
static int vm_stop_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return vm_action(ctx, argc, argv, "stop", HV_OPT_FORCE | HV_OPT_TIMEOUT, e);
}
static int vm_reboot_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return vm_action(ctx, argc, argv, "reboot", 0, e);
}
static int vm_delete_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        return vm_action(ctx, argc, argv, "delete", HV_OPT_KEEP_DISKS, e);
}

static const struct command vm_create = {
        .name = "create",
        .args = "--spec FILE [--print-xml] [options]",
        .summary = "Create the VMs of a spec: volumes in the pool, cloud-init seed, define, start",
        .help = "  -s, --spec FILE      YAML with a 'vms:' list (and optionally a 'hypervisor:' section)\n"
                "      --print-xml      print the domain XML of each VM; do not connect to libvirt\n"
                HV_COMMON_HELP
                "      --pool-mount DIR the RAID 5 mount (base images in DIR/images)\n"
                "      --pool-dir DIR   the pool directory, --images-dir DIR base images\n"
                "      --console-dir DIR serial console logs (default /var/log/hostd/vms)\n"
                "A VM that fails to be created leaves nothing behind: no domain, no volume, no seed.\n",
        .run = vm_create_run,
};
static const struct command vm_list = {
        .name = "list", .args = "[options]", .summary = "List the VMs with their state",
        .help = HV_COMMON_HELP, .run = vm_list_run,
};
static const struct command vm_show = {
        .name = "show", .args = "NAME [options]", .summary = "Show one VM: state, resources, volumes, console log",
        .help = HV_COMMON_HELP, .run = vm_show_run,
};
static const struct command vm_start = {
        .name = "start", .args = "NAME [options]", .summary = "Start a VM", .help = HV_COMMON_HELP,
        .run = vm_start_run,
};
static const struct command vm_stop = {
        .name = "stop", .args = "NAME [--timeout S] [--force] [options]",
        .summary = "Shut a VM down (ACPI), destroying it after the timeout",
        .help = "      --timeout S      seconds to wait for the guest (default 60)\n"
                "  -f, --force          power off at once (destroy)\n" HV_COMMON_HELP,
        .run = vm_stop_run,
};
static const struct command vm_reboot = {
        .name = "reboot", .args = "NAME [options]", .summary = "Reboot a running VM", .help = HV_COMMON_HELP,
        .run = vm_reboot_run,
};
static const struct command vm_delete = {
        .name = "delete", .args = "NAME [--keep-disks] [options]",
        .summary = "Delete a VM (powered off first) and its volumes",
        .help = "      --keep-disks     keep its volumes in the pool\n" HV_COMMON_HELP,
        .run = vm_delete_run,
};

static const struct command *const vm_verbs[] = {
        &vm_create, &vm_list, &vm_show, &vm_start, &vm_stop, &vm_reboot, &vm_delete, NULL,
};

const struct command cmd_vm = {
        .name = "vm",
        .summary = "Virtual machines through libvirt, their disks on the RAID 5 pool",
        .subs = vm_verbs,
};
