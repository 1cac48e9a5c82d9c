/* hostctl disks --bmc NAME, disks locate ID [--off]: each disk's front bay
 * from the BMC's drives (joined here by serial: the BMC's reading is
 * ipmi/'s, the disks raid/'s) and the bay's LED. */
#include "cmd_disks.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "ipmi/bmc.h"
#include "raid/disk_enclosure.h"
#include "lib/json.h"
#include "lib/strutil.h"

int disks_open_bmc(const char *name, struct bmc **ret, struct error *e) {
        struct bmc_config *c = NULL;
        int k = bmc_config_load(NULL, name, &c, e);   /* as `hostctl bmc --bmc NAME` finds it */
        if (k < 0)
                return k;
        return bmc_open(c, ret, e);
}

int disks_join_bays(struct disk_list *l, const struct bmc_bays *bays) {
        for (size_t i = 0; i < bays->n; i++) {
                int k = disk_list_set_bay(l, bays->v[i].serial, bays->v[i].bay);
                if (k == -ENOMEM)
                        return k;
                /* -ENOENT: a drive no disk here has (behind the PERC's RAID, say): no bay to show */
        }
        return 0;
}

int disks_read_bays(const char *bmc_name, struct disk_list *l, struct error *e) {
        _cleanup_(bmc_closep) struct bmc *b = NULL;
        _cleanup_(bmc_bays_done) struct bmc_bays bays = { 0 };
        int k = disks_open_bmc(bmc_name, &b, e);
        if (k >= 0)
                k = bmc_bays_read(b, &bays, e);
        if (k >= 0 && disks_join_bays(l, &bays) < 0)
                k = error_set(e, -ENOMEM, "out of memory");
        return k < 0 ? error_prefix(e, "the bays of the disks") : 0;
}

/* The document and the line of a locate that the BMC took (bmc_name NULL:
 * the disk's enclosure or PCIe slot, in-band) */
static int locate_result(const struct disk *d, const char *bay, const char *bmc_name, bool on, json_object **ret,
                         char **ret_text, struct error *e) {
        _cleanup_json_ json_object *o = json_object_new_object();
        json_add_string(o, "disk", d->name);
        json_add_string(o, "serial", d->serial);
        json_add_string(o, "bay", bay);
        json_add_string(o, "bmc", bmc_name);
        json_add_bool(o, "enclosure", !bmc_name);
        json_add_bool(o, "blinking", on);
        _cleanup_free_ char *name = disk_clean_string(d->name, strlen(d->name));
        _cleanup_free_ char *shown = bay ? disk_clean_string(bay, strlen(bay)) : strdup("?");
        char *text = name && shown
                             ? strdup_printf("%s: bay %s %s\n", name, shown, on ? "is blinking" : "no longer blinks")
                             : NULL;
        if (!text)
                return error_set(e, -ENOMEM, "out of memory");
        *ret = TAKE_PTR(o);
        *ret_text = text;
        return 0;
}

int disks_locate(const struct disk *d, const char *bmc_name, bool on, json_object **ret, char **ret_text,
                 struct error *e) {
        if (!d->serial)
                return error_set(e, -ENOENT, "%s has no serial: the BMC cannot tell its bay", d->name);
        _cleanup_(bmc_closep) struct bmc *b = NULL;
        _cleanup_free_ char *bay = NULL;
        int k = disks_open_bmc(bmc_name, &b, e);
        if (k < 0 || (k = bmc_drive_locate(b, d->serial, on, &bay, e)) < 0)
                return error_prefix(e, "locate %s", d->name);
        return locate_result(d, bay, bmc_name, on, ret, ret_text, e);
}

int disks_locate_enclosure(const struct disk *d, bool on, json_object **ret, char **ret_text, struct error *e) {
        _cleanup_free_ char *bay = NULL;
        int k = disk_enclosure_locate(getenv("HOSTD_TEST_SYSFS_ROOT"), d->name, on, &bay, e);
        if (k == -ENOENT)
                return error_set(e, -ENOENT, "locate %s: no BMC given and no SCSI enclosure (SES) or PCIe hot-plug slot holds it: "
                                 "give --bmc NAME (a BMC config in /etc/hostd/bmc.d)", d->name);
        if (k < 0)
                return error_prefix(e, "locate %s", d->name);
        return locate_result(d, bay, NULL, on, ret, ret_text, e);
}

int disks_locate_remote(const char *host, const struct disk *d, bool on, json_object **ret, char **ret_text,
                        struct error *e) {
        /* hostd names a drive by its serial, by its kernel name when the serial is no URL segment */
        const char *id = d->serial && strlen(d->serial) <= 64 &&
                                         strspn(d->serial, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                           "0123456789._-") == strlen(d->serial)
                                 ? d->serial
                                 : d->name;
        _cleanup_free_ char *path = strdup_printf("/redfish/v1/Systems/host/Storage/md/Drives/%s", id);
        _cleanup_json_ json_object *body = json_object_new_object(), *drive = NULL;
        json_add_bool(body, "LocationIndicatorActive", on);
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        int k = client_request_json(host, "PATCH", path, json_object_to_json_string(body), NULL, &drive, e);
        if (k < 0)
                return error_prefix(e, "locate %s", d->name);
        json_object *loc = json_get(json_get(drive, "PhysicalLocation"), "PartLocation");
        json_object *ordinal = json_get(loc, "LocationOrdinalValue");
        _cleanup_free_ char *bay = json_object_is_type(ordinal, json_type_int)
                                           ? strdup_printf("%d", json_object_get_int(ordinal))
                                           : NULL;
        return locate_result(d, bay, host, on, ret, ret_text, e);
}
