/* libFuzzer target over the Redfish JSON readers (ipmi/redfish_json.c) and the
 * error-body reader: whatever a BMC answers, they must not crash or leak.
 * Build and run (from the top of the tree):
 *   make fuzz            -> build/fuzz/fuzz_redfish
 *   mkdir -p /tmp/corpus && build/fuzz/fuzz_redfish -max_total_time=60 /tmp/corpus tests/fuzz/corpus-redfish
 * (the first directory collects new inputs; the seeds stay as they are)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ipmi/redfish_json.h"
#include "lib/json.h"
#include "lib/strutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_json_ json_object *o = NULL;
        struct error e = { 0 };
        free(rf_error_message((const char *)data, size));
        if (json_parse((const char *)data, size, &o, &e) < 0)
                return 0;
        struct bmc_inventory inv = { 0 };
        struct bmc_sel sel = { 0 };
        struct bmc_vmedia vm = { 0 };
        struct bmc_bays bays = { 0 };
        enum bmc_power p;
        char **m = NULL, **drives = NULL;
        (void)rf_link(o, "Systems");
        (void)rf_links_first(o, "ManagedBy");
        (void)rf_action_target(o, "#ComputerSystem.Reset");
        (void)rf_action_allows(o, "#ComputerSystem.Reset", "ResetType", "On");
        (void)rf_power_state(o, &p);
        (void)rf_vmedia_is_cd(o);
        (void)rf_next_page(o);
        if (rf_members(o, &m) == 0)
                strv_free(m);
        rf_read_system(o, &inv);
        rf_read_processor(o, &inv);
        rf_read_nic(o, &inv);
        if (rf_read_storage(o, &inv, &drives) == 0)
                strv_free(drives);
        rf_read_simple_storage(o, &inv);
        rf_read_drive(o, &inv);
        rf_read_drive_bay(o, &bays);
        (void)bmc_bay_by_serial(&bays, "WFK00ABC");
        bmc_bays_done(&bays);
        rf_read_log_entry(o, &sel);
        if (rf_read_vmedia(o, &vm) == 0)
                bmc_vmedia_done(&vm);
        bmc_inventory_done(&inv);
        bmc_sel_done(&sel);
        return 0;
}
