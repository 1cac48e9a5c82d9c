/* hostctl disks [--all] [--no-udev] [--probe] [--health [--wake]] [--bmc NAME] [--from FILE]
 * [show ID | locate ID [--off]]: the disk inventory. */
#include "cmd_disks.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "commands.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strutil.h"
#include "raid/disk_enclosure.h"
#include "raid/inventory.h"

/* Everything printed passes through here: no terminal control bytes. */
static char *safe(const char *s) {
        return s ? disk_clean_string(s, strlen(s)) : strdup("-");
}

enum { COL_NAME, COL_BAY, COL_SIZE, COL_TYPE, COL_TRAN, COL_MODEL, COL_SERIAL, COL_HEALTH, COL_CONTENTS, COL_INUSE,
       N_COLS };
static const char *const col_titles[N_COLS] = { "NAME",  "BAY",    "SIZE",   "TYPE",     "TRAN",
                                                "MODEL", "SERIAL", "HEALTH", "CONTENTS", "IN USE" };

static void row_free(char **row) {
        for (size_t i = 0; i < N_COLS; i++)
                free(row[i]);
}

static void disk_row(const struct disk *d, char **row) {
        char size[32], contents[256];
        if (d->size_bytes >= 0)
                format_size((uint64_t)d->size_bytes, size, sizeof size);
        else
                strcpy(size, "-");
        _cleanup_free_ char *reasons = d->in_use_reasons ? strv_join(d->in_use_reasons, "; ") : NULL;
        _cleanup_free_ char *in_use = d->in_use ? strdup_printf("yes: %s", reasons ? reasons : "") : strdup("no");
        row[COL_NAME] = safe(d->name);
        row[COL_BAY] = safe(d->bay);
        row[COL_SIZE] = strdup(size);
        /* a RAID controller's virtual disk: what it is matters more than what it spins on */
        row[COL_TYPE] = strdup(d->controller_volume == 1 ? "RAID-VD" : disk_kind(d));
        row[COL_TRAN] = safe(d->transport);
        row[COL_MODEL] = safe(d->model);
        row[COL_SERIAL] = safe(d->serial);
        row[COL_HEALTH] = safe(disks_health_word(d));
        row[COL_CONTENTS] = safe(disk_contents(d, contents, sizeof contents));
        row[COL_INUSE] = safe(in_use);
}

static void print_sources(FILE *out, const struct disk *d, const char *indent) {
        for (size_t i = 0; i < _DISK_SRC_MAX; i++)
                if (d->sources[i])
                        fprintf(out, "%s%-10s %s\n", indent, disk_source_field(i), d->sources[i]);
}

void disks_print_table(FILE *out, const struct disk_list *l, bool sources) {
        size_t width[N_COLS];
        for (size_t c = 0; c < N_COLS; c++)
                width[c] = strlen(col_titles[c]);
        char *(*rows)[N_COLS] = calloc(l->n ? l->n : 1, sizeof *rows);
        if (!rows)
                return;
        for (size_t i = 0; i < l->n; i++) {
                disk_row(&l->disks[i], rows[i]);
                for (size_t c = 0; c < N_COLS; c++)
                        if (rows[i][c] && strlen(rows[i][c]) > width[c])
                                width[c] = strlen(rows[i][c]);
        }
        for (size_t c = 0; c < N_COLS; c++)
                fprintf(out, c + 1 < N_COLS ? "%-*s  " : "%-.*s\n", (int)width[c], col_titles[c]);
        for (size_t i = 0; i < l->n; i++) {
                for (size_t c = 0; c < N_COLS; c++) {
                        const char *v = rows[i][c] ? rows[i][c] : "?";
                        if (c + 1 < N_COLS)
                                fprintf(out, "%-*s  ", (int)width[c], v);
                        else
                                fprintf(out, "%s\n", v);
                }
                row_free(rows[i]);
        }
        free(rows);
        for (size_t i = 0; sources && i < l->n; i++) {
                fprintf(out, "\n%s: identity sources\n", l->disks[i].name);
                print_sources(out, &l->disks[i], "  ");
        }
}

static void kv(FILE *out, const char *key, const char *value) {
        _cleanup_free_ char *v = safe(value);
        fprintf(out, "%-21s %s\n", key, v ? v : "?");
}

static void kv_int(FILE *out, const char *key, int64_t v) {
        if (v < 0)
                fprintf(out, "%-21s -\n", key);
        else
                fprintf(out, "%-21s %lld\n", key, (long long)v);
}

static void kv_strv(FILE *out, const char *key, char *const *v) {
        _cleanup_free_ char *s = v ? strv_join(v, ", ") : NULL;
        kv(out, key, s);
}

static void print_signatures(FILE *out, const char *indent, const struct disk_signature *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *type = safe(s[i].type), *uuid = safe(s[i].uuid), *label = safe(s[i].label);
                fprintf(out, "%ssignature %s uuid=%s label=%s", indent, type, uuid, label);
                if (s[i].array_uuid) {
                        _cleanup_free_ char *au = safe(s[i].array_uuid), *an = safe(s[i].array_name);
                        fprintf(out, " array_uuid=%s array_name=%s", au, an);
                }
                fputc('\n', out);
        }
}

void disks_print_disk(FILE *out, const struct disk *d, bool sources) {
        char buf[32];
        kv(out, "name", d->name);
        kv(out, "path", d->path);
        kv(out, "maj_min", d->maj_min);
        kv(out, "vendor", d->vendor);
        kv(out, "model", d->model);
        kv(out, "serial", d->serial);
        kv(out, "wwn", d->wwn);
        kv(out, "firmware", d->firmware);
        kv(out, "hctl", d->hctl);
        kv(out, "transport", d->transport);
        kv_strv(out, "by_id", d->by_id);
        kv(out, "by_path", d->by_path);
        kv(out, "bay", d->bay);
        if (d->controller.pci_slot) {
                _cleanup_free_ char *ctl = strdup_printf("%s%s%s (%s, PCI %s)", d->controller.pci_slot,
                                                         d->controller.model ? " " : "",
                                                         d->controller.model ? d->controller.model : "",
                                                         d->controller.driver ? d->controller.driver : "no driver",
                                                         d->controller.pci_id ? d->controller.pci_id : "?");
                kv(out, "controller", ctl);
        }
        kv(out, "controller_volume", d->controller_volume < 0 ? NULL
                                     : d->controller_volume ? "yes: a virtual disk of a hardware RAID controller"
                                                            : "no");
        if (d->nvme.controller) {
                _cleanup_free_ char *ns = strdup_printf("%s namespace %lld", d->nvme.controller, (long long)d->nvme.nsid);
                kv(out, "nvme", ns);
                kv(out, "nvme_eui64", d->nvme.eui64);
                kv(out, "nvme_nguid", d->nvme.nguid);
                kv(out, "nvme_uuid", d->nvme.uuid);
        }
        kv(out, "size", d->size_bytes >= 0 ? format_size((uint64_t)d->size_bytes, buf, sizeof buf) : NULL);
        kv_int(out, "size_bytes", d->size_bytes);
        kv_int(out, "logical_sector_size", d->logical_sector_size);
        kv_int(out, "physical_sector_size", d->physical_sector_size);
        kv(out, "type", disk_kind(d));
        kv(out, "removable", d->removable < 0 ? NULL : d->removable ? "yes" : "no");
        kv(out, "read_only", d->read_only < 0 ? NULL : d->read_only ? "yes" : "no");
        kv(out, "partition_table", d->partition_table);
        for (size_t i = 0; i < d->n_partitions; i++) {
                const struct disk_partition *p = &d->partitions[i];
                _cleanup_free_ char *name = safe(p->name), *type = safe(p->type_name ? p->type_name : p->type),
                                    *label = safe(p->label);
                fprintf(out, "partition %-11d %s start=%lld size=%lld type=%s label=%s\n", p->number, name,
                        (long long)p->start, (long long)p->size, type, label);
                print_signatures(out, "  ", p->signatures, p->n_signatures);
        }
        print_signatures(out, "", d->signatures, d->n_signatures);
        if (d->contents_unreadable)
                kv(out, "contents", "unknown: the disk cannot be read");
        kv_strv(out, "holders", d->holders);
        kv_strv(out, "mountpoints", d->mountpoints);
        kv(out, "swap_in_use", d->swap_in_use ? "yes" : "no");
        kv(out, "in_use", d->in_use ? "yes" : "no");
        for (size_t i = 0; d->in_use_reasons && d->in_use_reasons[i]; i++)
                kv(out, "  because", d->in_use_reasons[i]);
        disks_print_health(out, d);
        if (sources) {
                fprintf(out, "identity sources:\n");
                print_sources(out, d, "  ");
        }
}

/* ---- the command --------------------------------------------------------------- */

struct disks_args {
        struct inventory_opts inv;
        const char *from;
        bool health, wake;        /* --health [--wake]: ask SMART now */
        const char *bmc;          /* --bmc NAME: the bays from this BMC */
        bool off;                 /* locate --off */
};

static int disks_option(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct disks_args *a = userdata;
        switch (opt) {
        case 'a':
                a->inv.all = true;
                return 0;
        case 'U':
                a->inv.no_udev = true;
                return 0;
        case 'P':
                a->inv.probe = true;
                return 0;
        case 'f':
                a->from = arg;
                return 0;
        case 'H':
                a->health = true;
                return 0;
        case 'W':
                a->wake = a->health = true;
                return 0;
        case 'b':
                a->bmc = arg;
                return 0;
        case 'o':
                a->off = true;
                return 0;
        }
        return cli_usage_error(ctx, e, "unknown option");
}

static int load(const struct cli_ctx *ctx, const struct disks_args *a, struct disk_list **ret, struct error *e) {
        if (a->from)
                return disk_list_read_json_file(a->from, ret, e);
        if (!ctx->host)
                return inventory_scan(&a->inv, ret, e);
        /* a running hostd: its inventory, as it would print it (its own --all setting: disks_all) */
        _cleanup_json_ json_object *o = NULL;
        int k = client_get_json(ctx->host, "/redfish/v1/Systems/host/Storage/md/Oem/Hostd/Inventory", &o, e);
        if (k < 0)
                return k;
        k = disk_list_from_inventory_json(o, ret, e);
        return k < 0 ? error_prefix(e, "%s", ctx->host) : 0;
}

static int locate(struct cli_ctx *ctx, const struct disk *d, const struct disks_args *a, struct error *e) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *text = NULL;
        int k = ctx->host ? disks_locate_remote(ctx->host, d, !a->off, &o, &text, e)
                : a->bmc  ? disks_locate(d, a->bmc, !a->off, &o, &text, e)
                          : disks_locate_enclosure(d, !a->off, &o, &text, e);
        if (k < 0)
                return k;
        if (ctx->json)
                cli_print_json(ctx, o);
        else
                fputs(text, ctx->out);
        return 0;
}

static int disks_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        static const struct option longopts[] = {
                { "all", no_argument, NULL, 'a' },
                { "no-udev", no_argument, NULL, 'U' },
                { "probe", no_argument, NULL, 'P' },
                { "from", required_argument, NULL, 'f' },
                { "health", no_argument, NULL, 'H' },
                { "wake", no_argument, NULL, 'W' },
                { "bmc", required_argument, NULL, 'b' },
                { "off", no_argument, NULL, 'o' },
                {},
        };
        struct disks_args a = { 0 };
        int optind_ = 0;
        int k = cli_parse_options(ctx, argc, argv, "a", longopts, disks_option, &a, &optind_, e);
        if (k < 0)
                return k;
        argc -= optind_ - 1;
        argv += optind_ - 1;   /* argv[0]: the verb, or the noun again */
        const char *id = NULL, *verb = argc > 1 ? argv[1] : NULL;
        if (streq(verb, "show") || streq(verb, "locate")) {
                k = cli_parse_options(ctx, argc - 1, argv + 1, "a", longopts, disks_option, &a, &optind_, e);
                if (k < 0)
                        return k;
                if (argc - 1 - optind_ != 1)
                        return cli_usage_error(ctx, e, "'disks %s' takes one disk: a name, serial, WWN or by-id path",
                                               verb);
                id = argv[1 + optind_];
                a.inv.all = true;   /* any block disk may be named */
        } else if (verb)
                return cli_usage_error(ctx, e, "unknown verb '%s' (show ID, locate ID)", verb);
        if (a.off && !streq(verb, "locate"))
                return cli_usage_error(ctx, e, "--off belongs to 'disks locate ID'");
        if (a.bmc && ctx->host)
                return cli_usage_error(ctx, e, "--bmc asks this machine's BMC; with --host, BAY is hostd's "
                                               "(bmc: in hostd.conf)");

        if (streq(verb, "locate") && !ctx->host && !a.bmc && a.from && !getenv("HOSTD_TEST_SYSFS_ROOT"))
                return cli_usage_error(ctx, e, "which BMC blinks the bay? --from names another machine's disks: "
                                               "give --bmc NAME (or --host, for hostd's)");
        if (a.health && (ctx->host || a.from))
                return cli_usage_error(ctx, e, "--health asks this machine's disks; with %s, HEALTH is %s",
                                       ctx->host ? "--host" : "--from",
                                       ctx->host ? "hostd's last check (disk_health_interval in hostd.conf)"
                                                 : "what the file recorded");
        bool sources = log_get_max_level() >= LOG_LEVEL_DEBUG;
        _cleanup_(disk_list_freep) struct disk_list *l = NULL;
        k = load(ctx, &a, &l, e);
        if (k >= 0 && a.health)
                k = disks_check_health(l, a.wake, e);
        if (k >= 0 && a.bmc && !streq(verb, "locate"))
                k = disks_read_bays(a.bmc, l, e);
        /* where no BMC told a disk's bay, its SES or PCIe slot may: this
         * machine's (a file from elsewhere has its own bays or none) */
        const char *test_sysfs = getenv("HOSTD_TEST_SYSFS_ROOT");
        if (k >= 0 && !ctx->host && (!a.from || test_sysfs))
                disk_list_bays_from_enclosures(l, test_sysfs);
        if (k < 0)
                return k;
        if (id) {
                const struct disk *d = disk_list_find(l, id);
                /* a path such as /dev/disk/by-id/... resolves to the disk's node */
                _cleanup_free_ char *real = !d && strchr(id, '/') ? realpath(id, NULL) : NULL;
                if (real)
                        d = disk_list_find(l, real);
                if (!d)
                        return error_set(e, -ENOENT, "disk %s not found", id);
                if (streq(verb, "locate"))
                        return locate(ctx, d, &a, e);
                if (ctx->json) {
                        _cleanup_json_ json_object *o = disk_to_json(d, sources ? DISK_JSON_SOURCES : 0);
                        cli_print_json(ctx, o);
                } else
                        disks_print_disk(ctx->out, d, sources);
                return 0;
        }
        if (ctx->json) {
                _cleanup_json_ json_object *o = disk_list_to_json(l, sources ? DISK_JSON_SOURCES : 0);
                cli_print_json(ctx, o);
        } else
                disks_print_table(ctx->out, l, sources);
        return 0;
}

const struct command cmd_disks = {
        .name = "disks",
        .args = "[--all] [--no-udev] [--probe] [--health [--wake]] [--bmc NAME] [--from FILE] "
                "[show ID | locate ID [--off]]",
        .summary = "List the block disks: identity, size, SSD/HDD, contents, and whether each is in use",
        .help = "Options:\n"
                "  -a, --all         also loop, ram, zram, md and dm devices\n"
                "      --no-udev     ignore the udev database: identity from sysfs only\n"
                "      --probe       read each disk's contents from the disk (libblkid), not from\n"
                "                    udev's record of them (a write udev did not see shows)\n"
                "      --from FILE   read an inventory saved with 'hostctl disks --json'\n"
                "      --health      ask each disk's SMART now (smartctl); a sleeping disk is\n"
                "                    left asleep and shows 'standby'\n"
                "      --wake        with --health, ask sleeping disks too (spins them up)\n"
                "      --bmc NAME    the bay of each disk from this BMC's drives (its settings in\n"
                "                    /etc/hostd/bmc.d/NAME.yaml, as for 'hostctl bmc'), by serial;\n"
                "                    with --from, the saved disks' bays now\n"
                "\n"
                "Verbs:\n"
                "  show ID           one disk; ID is a name (sda), /dev path, serial, WWN,\n"
                "                    or by-id path or link name\n"
                "  locate ID [--off] blink the LED of the disk's bay through the BMC (--bmc NAME,\n"
                "                    or hostd's with --host), else in-band through the disk's\n"
                "                    SCSI enclosure (SES) slot or PCIe hot-plug slot (NVMe);\n"
                "                    --off stops it\n"
                "\n"
                "What each disk carries comes from udev's database when udev has seen the\n"
                "disk, as lsblk reads it; disks udev has not processed are probed.\n"
                "BAY comes from the BMC that --bmc names, else from the SCSI enclosure (SES) slot\n"
                "or the PCIe hot-plug slot (NVMe) that holds the disk, else it is '-'; with --host\n"
                "it is hostd's (bmc: in hostd.conf).\n"
                "HEALTH is '-' until --health asks the disks; with --host it is hostd's last\n"
                "periodic check. With --debug, says where each field came from (udev, sysfs or libblkid).\n"
                "The JSON schema is in hostctl-disks(8).\n",
        .run = disks_run,
        .remote = true,
};
