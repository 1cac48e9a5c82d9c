/* hostctl disks --bmc NAME, disks locate ID [--off]: each disk's front bay
 * from the BMC's drives (joined here by serial: the BMC's reading is
 * ipmi/'s, the disks raid/'s) and the bay's LED. */
#include "cmd_disks.h"

#include <string.h>

#include "ipmi/bmc.h"
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
                        return k;   /* a drive no disk here has (another host's, or hidden by the PERC): no bay to show */
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

int disks_locate(const struct disk *d, const char *bmc_name, bool on, json_object **ret, char **ret_text,
                 struct error *e) {
        if (!d->serial)
                return error_set(e, -ENOENT, "%s has no serial: the BMC cannot tell its bay", d->name);
        _cleanup_(bmc_closep) struct bmc *b = NULL;
        _cleanup_free_ char *bay = NULL;
        int k = disks_open_bmc(bmc_name, &b, e);
        if (k < 0 || (k = bmc_drive_locate(b, d->serial, on, &bay, e)) < 0)
                return error_prefix(e, "locate %s", d->name);
        _cleanup_json_ json_object *o = json_object_new_object();
        json_add_string(o, "disk", d->name);
        json_add_string(o, "serial", d->serial);
        json_add_string(o, "bay", bay);
        json_add_string(o, "bmc", bmc_name);
        json_add_bool(o, "blinking", on);
        _cleanup_free_ char *name = disk_clean_string(d->name, strlen(d->name));
        char *text = strdup_printf("%s: bay %s %s\n", name, bay, on ? "is blinking" : "no longer blinks");
        if (!text)
                return error_set(e, -ENOMEM, "out of memory");
        *ret = TAKE_PTR(o);
        *ret_text = text;
        return 0;
}

int disks_locate_remote(const char *host, const struct disk *d, bool on, json_object **ret, char **ret_text,
                        struct error *e) {
        return error_set(e, -EOPNOTSUPP, "%s: not yet", host);
}
