/* hostctl bmc VERB on one BMC: power, boot, vmedia, inventory, sel, identify, storage.
 * Each verb gives a JSON object, a text for a person and a one-line summary. */
#include <stdio.h>
#include <string.h>

#include "cmd_bmc.h"
#include "lib/json.h"
#include "lib/strutil.h"

#define W(i) (strv_length(rq->words) > (i) ? rq->words[i] : NULL)

int bmc_request_check(const struct bmc_request *rq, struct error *e) {
        const char *verb = W(0), *arg = W(1);
        size_t n = strv_length(rq->words);
        enum bmc_power_action a;
        enum bmc_boot_target t;
        if (!verb)
                return error_set(e, -EINVAL, "a verb is missing: power, boot, vmedia, inventory, sel, identify or storage");
        if (streq(verb, "power")) {
                if (n != 2 || (!streq(arg, "status") && bmc_action_from_string(arg, &a) < 0))
                        return error_set(e, -EINVAL, "power takes one of status, on, off, shutdown, cycle, reset");
        } else if (streq(verb, "boot")) {
                if (n != 2 || bmc_boot_target_from_string(arg, &t) < 0)
                        return error_set(e, -EINVAL, "boot takes one of pxe, cd, hdd, bios, none");
        } else if (streq(verb, "vmedia")) {
                if (!((n == 3 && streq(arg, "insert")) || (n == 2 && (streq(arg, "eject") || streq(arg, "status")))))
                        return error_set(e, -EINVAL, "vmedia takes insert URL, eject or status");
                if (n == 3 && !startswith(W(2), "http://") && !startswith(W(2), "https://") &&
                    !startswith(W(2), "nfs://") && !startswith(W(2), "cifs://"))
                        return error_set(e, -EINVAL, "vmedia insert: the image must be a URL (http, https, nfs, cifs)");
        } else if (streq(verb, "inventory")) {
                if (n != 1)
                        return error_set(e, -EINVAL, "inventory takes no arguments");
        } else if (streq(verb, "sel")) {
                if (n > 2 || (n == 2 && !streq(arg, "list") && !streq(arg, "clear")))
                        return error_set(e, -EINVAL, "sel takes list (default) or clear");
        } else if (streq(verb, "identify")) {
                if (n != 2 || (!streq(arg, "on") && !streq(arg, "off")))
                        return error_set(e, -EINVAL, "identify takes on or off");
        } else if (streq(verb, "storage")) {
                return bmc_storage_check(rq->words, e);
        } else
                return error_set(e, -EINVAL, "unknown verb '%s': power, boot, vmedia, inventory, sel, identify or storage",
                                 verb);
        return 0;
}

static json_object *inventory_json(const struct bmc_inventory *inv) {
        json_object *o = json_object_new_object(), *a;
        json_add_string(o, "manufacturer", inv->manufacturer);
        json_add_string(o, "model", inv->model);
        json_add_string(o, "serial", inv->serial);
        json_add_string(o, "service_tag", inv->service_tag);
        json_add_string(o, "bios_version", inv->bios_version);
        json_add_string(o, "bmc_firmware", inv->bmc_firmware);
        if (inv->cpu_count >= 0)
                json_add_int(o, "cpu_count", inv->cpu_count);
        else
                json_object_object_add(o, "cpu_count", NULL);
        json_add_int(o, "memory_bytes", (int64_t)inv->memory_bytes);
        json_object_object_add(o, "cpus", a = json_object_new_array());
        for (size_t i = 0; i < inv->n_cpus; i++) {
                json_object *c = json_object_new_object();
                json_add_string(c, "socket", inv->cpus[i].socket);
                json_add_string(c, "model", inv->cpus[i].model);
                json_add_int(c, "cores", inv->cpus[i].cores);
                json_add_int(c, "threads", inv->cpus[i].threads);
                json_object_array_add(a, c);
        }
        json_object_object_add(o, "nics", a = json_object_new_array());
        for (size_t i = 0; i < inv->n_nics; i++) {
                json_object *c = json_object_new_object();
                json_add_string(c, "id", inv->nics[i].id);
                json_add_string(c, "mac", inv->nics[i].mac);
                json_object_array_add(a, c);
        }
        json_object_object_add(o, "storage_controllers", a = json_object_new_array());
        for (size_t i = 0; i < inv->n_controllers; i++) {
                json_object *c = json_object_new_object();
                json_add_string(c, "id", inv->controllers[i].id);
                json_add_string(c, "model", inv->controllers[i].model);
                json_object_array_add(a, c);
        }
        json_object_object_add(o, "drives", a = json_object_new_array());
        for (size_t i = 0; i < inv->n_drives; i++) {
                json_object *c = json_object_new_object();
                json_add_string(c, "id", inv->drives[i].id);
                json_add_string(c, "model", inv->drives[i].model);
                json_add_string(c, "serial", inv->drives[i].serial);
                json_add_string(c, "media", inv->drives[i].media);
                json_add_int(c, "bytes", (int64_t)inv->drives[i].bytes);
                json_object_array_add(a, c);
        }
        return o;
}

#define S(x) ((x) ? (x) : "-")

static void inventory_text(FILE *f, const struct bmc_inventory *inv) {
        char sz[16];
        fprintf(f, "Manufacturer:  %s\nModel:         %s\nSerial:        %s\nService tag:   %s\nBIOS:          %s\n",
                S(inv->manufacturer), S(inv->model), S(inv->serial), S(inv->service_tag), S(inv->bios_version));
        if (inv->bmc_firmware)
                fprintf(f, "BMC firmware:  %s\n", inv->bmc_firmware);
        if (inv->cpu_count >= 0)
                fprintf(f, "CPUs:          %d\n", inv->cpu_count);
        for (size_t i = 0; i < inv->n_cpus; i++)
                fprintf(f, "  %-12s %s (%d cores, %d threads)\n", S(inv->cpus[i].socket), S(inv->cpus[i].model),
                        inv->cpus[i].cores, inv->cpus[i].threads);
        if (inv->memory_bytes)
                fprintf(f, "Memory:        %s\n", format_size(inv->memory_bytes, sz, sizeof sz));
        for (size_t i = 0; i < inv->n_nics; i++)
                fprintf(f, "NIC %-10s %s\n", S(inv->nics[i].id), S(inv->nics[i].mac));
        for (size_t i = 0; i < inv->n_controllers; i++)
                fprintf(f, "Controller %-10s %s\n", S(inv->controllers[i].id), S(inv->controllers[i].model));
        for (size_t i = 0; i < inv->n_drives; i++)
                fprintf(f, "Drive %-12s %-24s %-20s %-4s %s\n", S(inv->drives[i].id), S(inv->drives[i].model),
                        S(inv->drives[i].serial), S(inv->drives[i].media),
                        format_size(inv->drives[i].bytes, sz, sizeof sz));
}

static int run_verb(struct bmc *b, const struct bmc_request *rq, json_object *o, FILE *text, FILE *sum,
                    struct error *e) {
        const char *verb = W(0), *arg = W(1);
        int k;
        if (streq(verb, "power") && streq(arg, "status")) {
                enum bmc_power p;
                if ((k = bmc_power_status(b, &p, e)) < 0)
                        return k;
                json_add_string(o, "power", bmc_power_to_string(p));
                fprintf(text, "%s\n", bmc_power_to_string(p));
                fprintf(sum, "%s", bmc_power_to_string(p));
        } else if (streq(verb, "power")) {
                enum bmc_power_action a;
                struct bmc_power_result r;
                bmc_action_from_string(arg, &a);
                if ((k = bmc_power(b, a, &r, e)) < 0)
                        return k;
                json_add_string(o, "action", arg);
                json_add_string(o, "before", bmc_power_to_string(r.before));
                json_add_string(o, "power", bmc_power_to_string(r.after));
                json_add_bool(o, "changed", r.changed);
                json_add_string(o, "sent", r.how);
                json_add_string(o, "unconfirmed", r.unconfirmed[0] ? r.unconfirmed : NULL);
                _cleanup_free_ char *how = a == BMC_ACTION_CYCLE && r.how ? strdup_printf(" (%s)", r.how) : NULL;
                if (r.changed)
                        fprintf(sum, "power %s done%s: was %s, now %s", arg, how ? how : "",
                                bmc_power_to_string(r.before), bmc_power_to_string(r.after));
                else
                        fprintf(sum, "already %s, nothing to do", bmc_power_to_string(r.after));
                if (r.unconfirmed[0])
                        fprintf(sum, " (the BMC answered with an error, but the power is %s: not sent again)",
                                bmc_power_to_string(r.after));
                fprintf(text, "%s\n", "");
        } else if (streq(verb, "boot")) {
                struct bmc_boot boot = rq->boot;
                enum bmc_boot_mode mode = BMC_BOOT_MODE_KEEP;
                bmc_boot_target_from_string(arg, &boot.target);
                if ((k = bmc_boot_set(b, &boot, &mode, e)) < 0)
                        return k;
                json_add_string(o, "boot", bmc_boot_target_to_string(boot.target));
                json_add_bool(o, "persistent", boot.persistent);
                json_add_string(o, "mode", mode == BMC_BOOT_MODE_KEEP ? NULL : mode == BMC_BOOT_MODE_UEFI ? "uefi" : "legacy");
                json_add_bool(o, "mode_changed", boot.mode != BMC_BOOT_MODE_KEEP);
                fprintf(sum, "boot override %s (%s, %s)", bmc_boot_target_to_string(boot.target),
                        boot.persistent ? "persistent" : "next boot only",
                        mode == BMC_BOOT_MODE_KEEP ? "firmware mode not shown by the BMC" : bmc_boot_mode_to_string(mode));
        } else if (streq(verb, "vmedia")) {
                _cleanup_(bmc_vmedia_done) struct bmc_vmedia v = { 0 };
                if (streq(arg, "insert"))
                        k = bmc_vmedia_insert(b, W(2), e);
                else if (streq(arg, "eject"))
                        k = bmc_vmedia_eject(b, e);
                else
                        k = 0;
                if (k < 0 || (k = bmc_vmedia_status(b, &v, e)) < 0)
                        return k;
                json_add_string(o, "vmedia", v.id);
                json_add_bool(o, "inserted", v.inserted);
                json_add_string(o, "image", v.inserted ? v.image : NULL);
                fprintf(sum, "virtual media %s: %s", S(v.id), v.inserted ? S(v.image) : "empty");
        } else if (streq(verb, "inventory")) {
                _cleanup_(bmc_inventory_done) struct bmc_inventory inv = { 0 };
                if ((k = bmc_inventory(b, &inv, e)) < 0)
                        return k;
                json_object_object_add(o, "inventory", inventory_json(&inv));
                inventory_text(text, &inv);
                fprintf(sum, "%s %s serial %s, BIOS %s, %zu drives", S(inv.manufacturer), S(inv.model), S(inv.serial),
                        S(inv.bios_version), inv.n_drives);
        } else if (streq(verb, "sel") && streq(arg, "clear")) {
                if ((k = bmc_sel_clear(b, e)) < 0)
                        return k;
                json_add_bool(o, "cleared", true);
                fprintf(sum, "event log cleared");
        } else if (streq(verb, "sel")) {
                _cleanup_(bmc_sel_done) struct bmc_sel sel = { 0 };
                if ((k = bmc_sel_read(b, &sel, e)) < 0)
                        return k;
                json_object *a = json_object_new_array();
                json_object_object_add(o, "entries", a);
                for (size_t i = 0; i < sel.n; i++) {
                        json_object *x = json_object_new_object();
                        json_add_string(x, "id", sel.entries[i].id);
                        json_add_string(x, "created", sel.entries[i].created);
                        if (!sel.entries[i].created)
                                json_add_string(x, "created_raw", sel.entries[i].created_raw);
                        json_add_string(x, "severity", sel.entries[i].severity);
                        json_add_string(x, "message", sel.entries[i].message);
                        json_object_array_add(a, x);
                        fprintf(text, "%-5s %-25s %-9s %s\n", S(sel.entries[i].id),
                                sel.entries[i].created ? sel.entries[i].created : S(sel.entries[i].created_raw),
                                S(sel.entries[i].severity), S(sel.entries[i].message));
                }
                json_add_bool(o, "truncated", sel.cut != NULL);
                json_add_string(o, "truncated_because", sel.cut);
                if (sel.cut)
                        fprintf(text, "(the list is cut: %s)\n", sel.cut);
                fprintf(sum, "%zu event log entries%s", sel.n, sel.cut ? " (the list is cut)" : "");
        } else if (streq(verb, "storage")) {
                return bmc_storage_run(b, rq, o, text, sum, rq->progress, e);
        } else if (streq(verb, "identify")) {
                if ((k = bmc_identify(b, streq(arg, "on"), e)) < 0)
                        return k;
                json_add_string(o, "identify", arg);
                fprintf(sum, "identify LED %s", arg);
        }
        return 0;
}

static char *close_stream(FILE *f, char **buf) {
        fclose(f);
        return TAKE_PTR(*buf);
}

int bmc_request_run(struct bmc_config *cfg, const struct bmc_request *rq, json_object **ret_json, char **ret_text,
                    char **ret_summary, struct error *e) {
        _cleanup_(bmc_closep) struct bmc *b = NULL;
        _cleanup_free_ char *name = strdup(cfg->name ? cfg->name : "");
        if (!name) {
                bmc_config_free(cfg);
                return error_set(e, -ENOMEM, "out of memory");
        }
        int k = bmc_open(cfg, &b, e);
        if (k < 0)
                return k;
        _cleanup_json_ json_object *o = json_object_new_object();
        json_add_string(o, "bmc", name);
        _cleanup_free_ char *tbuf = NULL, *sbuf = NULL;
        size_t tlen, slen;
        FILE *text = open_memstream(&tbuf, &tlen), *sum = open_memstream(&sbuf, &slen);
        if (!text || !sum) {
                if (text)
                        fclose(text);
                if (sum)
                        fclose(sum);
                return error_set(e, -ENOMEM, "out of memory");
        }
        k = run_verb(b, rq, o, text, sum, e);
        char *t = close_stream(text, &tbuf), *s = close_stream(sum, &sbuf);
        if (k < 0) {
                free(t);
                free(s);
                return k;
        }
        /* one-line results print their summary as the text too */
        if (t && strcmp(t, "") != 0 && strcmp(t, "\n") != 0) {
                *ret_text = t;
        } else {
                free(t);
                *ret_text = strdup_printf("%s\n", s ? s : "");
        }
        *ret_summary = s;
        *ret_json = TAKE_PTR(o);
        return 0;
}
