/* ipmi/: the pure parts: ipmitool output, Redfish JSON readers, BMC configs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "ipmi/bmc.h"
#include "ipmi/ipmitool.h"
#include "ipmi/redfish_json.h"
#include "lib/json.h"
#include "lib/strutil.h"

static void ipmitool_power_status(void **state) {
        enum bmc_power p;
        assert_int_equal(ipmitool_parse_power("Chassis Power is on\n", &p), 0);
        assert_int_equal(p, BMC_POWER_ON);
        assert_int_equal(ipmitool_parse_power("Chassis Power is off\n", &p), 0);
        assert_int_equal(p, BMC_POWER_OFF);
        assert_int_equal(ipmitool_parse_power("Error: Unable to establish IPMI v2 / RMCP+ session\n", &p), -EBADMSG);
        assert_int_equal(ipmitool_parse_power(NULL, &p), -EBADMSG);
}

static void ipmitool_fru_prefers_product_area(void **state) {
        struct bmc_inventory inv = { 0 };
        const char *out = " Board Mfg             : DELL\n Board Product         : PowerEdge R630\n"
                          " Board Serial          : CN7475153B0123\n Product Manufacturer  : DELL\n"
                          " Product Name          : PowerEdge R630\n Product Serial        : ABC1234\n";
        assert_int_equal(ipmitool_parse_fru(out, &inv), 0);
        assert_string_equal(inv.manufacturer, "DELL");
        assert_string_equal(inv.model, "PowerEdge R630");
        assert_string_equal(inv.serial, "CN7475153B0123");       /* the board's, as Redfish SerialNumber */
        assert_string_equal(inv.service_tag, "ABC1234");         /* the Dell service tag */
        bmc_inventory_done(&inv);
        assert_int_equal(ipmitool_parse_fru("FRU Device Description : Builtin FRU Device (ID 0)\n", &inv), -EBADMSG);
        bmc_inventory_done(&inv);
}

static void ipmitool_sel_entries(void **state) {
        struct bmc_sel sel = { 0 };
        const char *out = "   1 | 03/01/2024 | 10:00:00 | Temperature Inlet Temp | Upper Critical going high | Asserted\n"
                          "   2 |  Pre-Init  |0000012730| Power Unit #0x03 | Power off/down | Asserted\n"
                          "SEL has no entries\n";
        assert_int_equal(ipmitool_parse_sel(out, &sel), 0);
        assert_int_equal(sel.n, 2);
        assert_string_equal(sel.entries[0].id, "1");
        assert_string_equal(sel.entries[0].created, "2024-03-01T10:00:00Z");
        assert_null(sel.entries[0].created_raw);
        assert_null(sel.entries[1].created);                       /* the clock was not set */
        assert_string_equal(sel.entries[1].created_raw, "Pre-Init 0000012730");
        assert_string_equal(sel.entries[0].message, "Temperature Inlet Temp | Upper Critical going high | Asserted");
        assert_string_equal(sel.entries[0].severity, "Critical");
        assert_string_equal(sel.entries[1].message, "Power Unit #0x03 | Power off/down | Asserted");
        assert_null(sel.entries[1].severity);
        bmc_sel_done(&sel);
}

static void ipmitool_boot_mode(void **state) {
        assert_int_equal(ipmitool_parse_boot_mode(" Boot Flags :\n   - BIOS EFI boot \n"), BMC_BOOT_MODE_UEFI);
        assert_int_equal(ipmitool_parse_boot_mode("   - BIOS PC Compatible (legacy) boot \n"), BMC_BOOT_MODE_LEGACY);
        assert_int_equal(ipmitool_parse_boot_mode("Error\n"), BMC_BOOT_MODE_KEEP);
        assert_int_equal(ipmitool_parse_boot_mode(NULL), BMC_BOOT_MODE_KEEP);
}

static json_object *parse(const char *s) {
        json_object *o = NULL;
        struct error e = { 0 };
        assert_int_equal(json_parse(s, strlen(s), &o, &e), 0);
        return o;
}

static void redfish_links_and_actions(void **state) {
        _cleanup_json_ json_object *o = parse(
                "{\"Systems\":{\"@odata.id\":\"/redfish/v1/Systems\"},\"Links\":{\"ManagedBy\":[{\"@odata.id\":\"/m/1\"}]},"
                "\"Actions\":{\"#ComputerSystem.Reset\":{\"target\":\"/s/Actions/Reset\","
                "\"ResetType@Redfish.AllowableValues\":[\"On\",\"ForceOff\"]}},\"PowerState\":\"PoweringOn\"}");
        assert_string_equal(rf_link(o, "Systems"), "/redfish/v1/Systems");
        assert_null(rf_link(o, "Managers"));
        assert_string_equal(rf_links_first(o, "ManagedBy"), "/m/1");
        assert_string_equal(rf_action_target(o, "#ComputerSystem.Reset"), "/s/Actions/Reset");
        assert_true(rf_action_allows(o, "#ComputerSystem.Reset", "ResetType", "ForceOff"));
        assert_false(rf_action_allows(o, "#ComputerSystem.Reset", "ResetType", "PowerCycle"));
        assert_true(rf_action_allows(o, "#Other", "ResetType", "anything"));   /* no list: allowed */
        enum bmc_power p;
        assert_int_equal(rf_power_state(o, &p), 0);
        assert_int_equal(p, BMC_POWER_UNKNOWN);        /* in transition: keep waiting */
}

static void redfish_next_page(void **state) {
        _cleanup_json_ json_object *both = parse("{\"Members@odata.nextLink\":\"/e?$skip=2\",\"@odata.nextLink\":\"/old\"}"),
                                   *old = parse("{\"@odata.nextLink\":\"/old\"}"),
                                   *none = parse("{\"Members@odata.nextLink\":7}");
        assert_string_equal(rf_next_page(both), "/e?$skip=2");     /* the standard's name first */
        assert_string_equal(rf_next_page(old), "/old");
        assert_null(rf_next_page(none));
}

static void redfish_readers_survive_wrong_types(void **state) {
        _cleanup_json_ json_object *o = parse("{\"Members\":[1,{\"@odata.id\":7},{\"@odata.id\":\"/a\"}],"
                                              "\"PowerState\":true,\"ProcessorSummary\":\"2\",\"Drives\":{}}");
        _cleanup_strv_free_ char **m = NULL, **drives = NULL;
        assert_int_equal(rf_members(o, &m), 0);
        assert_int_equal(strv_length(m), 1);
        assert_string_equal(m[0], "/a");
        enum bmc_power p;
        assert_int_equal(rf_power_state(o, &p), -EBADMSG);
        struct bmc_inventory inv = { 0 };
        assert_int_equal(rf_read_system(o, &inv), 0);
        assert_int_equal(inv.cpu_count, -1);
        assert_int_equal(rf_read_storage(o, &inv, &drives), 0);
        assert_null(drives);
        bmc_inventory_done(&inv);
}

static void redfish_system_pick(void **state) {
        char *m[] = { "/redfish/v1/Systems/host", "/redfish/v1/Systems/6695eb01", NULL };
        assert_string_equal(rf_member_pick(m, NULL), m[0]);                       /* the first */
        assert_string_equal(rf_member_pick(m, "6695eb01"), m[1]);                  /* by Id */
        assert_string_equal(rf_member_pick(m, "/redfish/v1/Systems/6695eb01"), m[1]);
        assert_null(rf_member_pick(m, "6695eb"));                                  /* whole Ids only */
        assert_null(rf_member_pick(m, "Systems/host/x"));
}

static void redfish_error_message(void **state) {
        const char *b = "{\"error\":{\"code\":\"x\",\"message\":\"general\",\"@Message.ExtendedInfo\":"
                        "[{\"Message\":\"The server is already powered off.\"}]}}";
        _cleanup_free_ char *m = rf_error_message(b, strlen(b));
        assert_string_equal(m, "The server is already powered off.");
        assert_null(rf_error_message("<html>", 6));
}

/* A Drive as iDRAC shows it: the serial padded, the bay in PhysicalLocation */
#define DELL_DRIVE(bay, extra)                                                                                  \
        "{\"@odata.id\":\"/redfish/v1/Systems/System.Embedded.1/Storage/RAID.Integrated.1-1/Drives/Disk.Bay." bay \
        ":Enclosure.Internal.0-1:RAID.Integrated.1-1\",\"Id\":\"Disk.Bay." bay                                    \
        ":Enclosure.Internal.0-1:RAID.Integrated.1-1\"" extra "}"

static void read_bay(struct bmc_bays *bays, const char *text) {
        _cleanup_json_ json_object *o = NULL;
        struct error e = { 0 };
        assert_int_equal(json_parse(text, strlen(text), &o, &e), 0);
        assert_int_equal(rf_read_drive_bay(o, bays), 0);
}

static void redfish_drive_bays(void **state) {
        _cleanup_(bmc_bays_done) struct bmc_bays bays = { 0 };
        read_bay(&bays, DELL_DRIVE("3", ",\"SerialNumber\":\"WFK03ABC  \",\"LocationIndicatorActive\":true,"
                                        "\"PhysicalLocation\":{\"PartLocation\":{\"LocationOrdinalValue\":5}}"));
        read_bay(&bays, DELL_DRIVE("7", ",\"SerialNumber\":\"WFK00ABC\",\"IndicatorLED\":\"Off\""));
        read_bay(&bays, DELL_DRIVE("1", ",\"SerialNumber\":\"PHYG0010480BGN\""));
        assert_int_equal(bays.n, 3);
        /* the ordinal rules over the Id; the blanks iDRAC pads SAS serials with go */
        const struct bmc_bay *b = bmc_bay_by_serial(&bays, "WFK03ABC");
        assert_non_null(b);
        assert_string_equal(b->bay, "5");
        assert_int_equal(b->led, BMC_DRIVE_LED_LOCATION_INDICATOR);
        assert_true(b->blinking);
        assert_non_null(strstr(b->drive, "/Drives/Disk.Bay.3:"));
        /* iDRAC 8: no PhysicalLocation, the bay from Disk.Bay.N, the LED by IndicatorLED */
        b = bmc_bay_by_serial(&bays, "WFK00ABC");
        assert_string_equal(b->bay, "7");
        assert_int_equal(b->led, BMC_DRIVE_LED_INDICATOR);
        assert_false(b->blinking);
        assert_int_equal(bmc_bay_by_serial(&bays, "PHYG0010480BGN")->led, BMC_DRIVE_LED_NONE);
        assert_null(bmc_bay_by_serial(&bays, "WFK03ABC  "));
        assert_null(bmc_bay_by_serial(&bays, NULL));
}

static void redfish_drive_bays_left_out(void **state) {
        _cleanup_(bmc_bays_done) struct bmc_bays bays = { 0 };
        read_bay(&bays, DELL_DRIVE("2", ""));                                            /* an empty bay: no serial */
        read_bay(&bays, DELL_DRIVE("2", ",\"SerialNumber\":\"   \""));
        read_bay(&bays, DELL_DRIVE("2", ",\"SerialNumber\":\"WFK\\u001b[2J\""));       /* terminal control */
        read_bay(&bays, DELL_DRIVE("2", ",\"SerialNumber\":42"));
        read_bay(&bays, "{\"@odata.id\":\"/redfish/v1/x/Drives/1\",\"Id\":\"1\",\"SerialNumber\":\"A1\"}");   /* no bay */
        read_bay(&bays, "{\"@odata.id\":\"/redfish/v1/x/D\",\"Id\":\"Disk.Bay.x\",\"SerialNumber\":\"A2\"}");
        read_bay(&bays, "{\"@odata.id\":\"/redfish/v1/x/D\",\"Id\":\"Disk.Bay.12345\",\"SerialNumber\":\"A3\"}");
        read_bay(&bays, "{\"@odata.id\":\"/redfish/v1/x/D\",\"SerialNumber\":\"A4\","
                        "\"PhysicalLocation\":{\"PartLocation\":{\"LocationOrdinalValue\":-1}}}");
        read_bay(&bays, "{\"@odata.id\":\"https://evil/x\",\"Id\":\"Disk.Bay.1\",\"SerialNumber\":\"A5\"}");
        read_bay(&bays, "{\"Id\":\"Disk.Bay.1\",\"SerialNumber\":\"A6\"}");
        read_bay(&bays, "[]");
        assert_int_equal(bays.n, 0);
        /* an LED state outside Drive's allowed values is no LED hostd can drive */
        read_bay(&bays, DELL_DRIVE("4", ",\"SerialNumber\":\"A7\",\"IndicatorLED\":\"Unknown\""));
        assert_int_equal(bays.v[0].led, BMC_DRIVE_LED_NONE);
}

static void config_reads_yaml(void **state) {
        const char *y = "address: https://10.0.0.5:8443\nuser: root\npassword: \"0123\"\nca_file: /etc/ca.pem\n"
                        "auth: basic\ntimeout: 5\n";
        struct bmc_config *c = NULL;
        struct error e = { 0 };
        assert_int_equal(bmc_config_parse("r630", y, strlen(y), &c, &e), 0);
        assert_int_equal(c->driver, BMC_DRIVER_REDFISH);
        assert_string_equal(c->host, "10.0.0.5");
        assert_int_equal(c->port, 8443);
        assert_string_equal(c->password, "0123");
        assert_int_equal(c->auth, BMC_AUTH_BASIC);
        assert_int_equal(c->timeout_s, 5);
        assert_int_equal(c->cipher_suite, 3);
        bmc_config_free(c);
}

static void config_errors_name_the_setting(void **state) {
        struct bmc_config *c = NULL;
        struct error e = { 0 };
        const char *y = "address: ipmi://h\npassword: 0123\n";
        assert_int_equal(bmc_config_parse("r630", y, strlen(y), &c, &e), -EINVAL);
        assert_string_equal(e.msg, "BMC r630: 'password' must be a (quoted) string");
        y = "address: ipmi://h\npasword: \"x\"\n";
        assert_int_equal(bmc_config_parse("r630", y, strlen(y), &c, &e), -EINVAL);
        assert_string_equal(e.msg, "BMC r630: unknown setting 'pasword'");
        y = "user: root\n";
        assert_int_equal(bmc_config_parse("r630", y, strlen(y), &c, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "'address' is missing"));
}

static void addresses(void **state) {
        struct bmc_config *c = bmc_config_new();
        struct error e = { 0 };
        assert_int_equal(bmc_config_set_address(c, "ipmi://[fe80::1]:6230", &e), 0);
        assert_string_equal(c->host, "[fe80::1]");
        assert_int_equal(c->port, 6230);
        assert_int_equal(c->driver, BMC_DRIVER_IPMI);
        assert_int_equal(bmc_config_set_address(c, "https://idrac-r630/", &e), 0);
        assert_int_equal(c->port, 0);
        assert_int_equal(bmc_config_set_address(c, "https://h/redfish/v1", &e), -EINVAL);
        assert_int_equal(bmc_config_set_address(c, "https://u:pw@h", &e), -EINVAL);
        assert_null(strstr(e.msg, "pw@"));
        assert_int_equal(bmc_config_set_address(c, "https://h:99999", &e), -EINVAL);
        assert_int_equal(bmc_config_set_address(c, "https://h;rm", &e), -EINVAL);
        bmc_config_free(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(ipmitool_power_status),       cmocka_unit_test(ipmitool_fru_prefers_product_area),
                cmocka_unit_test(ipmitool_sel_entries),        cmocka_unit_test(redfish_links_and_actions),
                cmocka_unit_test(ipmitool_boot_mode),          cmocka_unit_test(redfish_next_page),
                cmocka_unit_test(redfish_readers_survive_wrong_types), cmocka_unit_test(redfish_error_message),
                cmocka_unit_test(redfish_system_pick),
                cmocka_unit_test(redfish_drive_bays),          cmocka_unit_test(redfish_drive_bays_left_out),
                cmocka_unit_test(config_reads_yaml),           cmocka_unit_test(config_errors_name_the_setting),
                cmocka_unit_test(addresses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
