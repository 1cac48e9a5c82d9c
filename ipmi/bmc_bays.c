/* The bay map and the bay LEDs, above the drivers: which drive is which
 * (by serial) and what to say when a BMC cannot blink one. */
#include <string.h>

#include "bmc.h"
#include "lib/strutil.h"

int bmc_bays_read(struct bmc *b, struct bmc_bays *ret, struct error *e) {
        if (!b->ops->bays)
                return error_set(e, -EOPNOTSUPP, "BMC %s: the %s driver shows no drive bays (use the Redfish address "
                                                 "of this BMC)", b->cfg->name,
                                 b->cfg->driver == BMC_DRIVER_IPMI ? "IPMI" : "Redfish");
        return b->ops->bays(b, ret, e);
}

const struct bmc_bay *bmc_bay_by_serial(const struct bmc_bays *bays, const char *serial) {
        for (size_t i = 0; serial && i < bays->n; i++)
                if (streq(bays->v[i].serial, serial))
                        return &bays->v[i];
        return NULL;
}

int bmc_drive_locate(struct bmc *b, const char *serial, bool on, char **ret_bay, struct error *e) {
        _cleanup_(bmc_bays_done) struct bmc_bays bays = { 0 };
        if (!b->ops->bay_blink)
                return error_set(e, -EOPNOTSUPP, "BMC %s: this BMC offers no drive LED control", b->cfg->name);
        int k = bmc_bays_read(b, &bays, e);
        if (k < 0)
                return k;
        const struct bmc_bay *bay = bmc_bay_by_serial(&bays, serial);
        if (!bay)
                return error_set(e, -ENOENT, "BMC %s shows no drive with serial %s in a bay", b->cfg->name, serial);
        if (bay->led == BMC_DRIVE_LED_NONE)
                return error_set(e, -EOPNOTSUPP, "BMC %s: this BMC offers no drive LED control (the drive %s is in bay %s)",
                                 b->cfg->name, serial, bay->bay);
        if ((k = b->ops->bay_blink(b, bay, on, e)) < 0)
                return error_prefix(e, "bay %s", bay->bay);
        if (ret_bay && !(*ret_bay = strdup(bay->bay)))
                return error_set(e, -ENOMEM, "out of memory");
        return 0;
}

void bmc_bays_done(struct bmc_bays *bays) {
        for (size_t i = 0; i < bays->n; i++) {
                free(bays->v[i].serial);
                free(bays->v[i].bay);
                free(bays->v[i].drive);
        }
        free(bays->v);
        *bays = (struct bmc_bays){ 0 };
}
