/* smart_health_parse(): the verdict on each kind of disk from the smartctl
 * --json outputs in tests/fixtures/smart/ (README.md there says where each
 * comes from), and the health's JSON form that `hostctl disks --json`,
 * `--from` and hostd's inventory carry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "raid/smart.h"

/* The health of fixture NAME, with its own smartctl.exit_status */
static struct disk_health parse_fixture(const char *name) {
        const char *top = getenv("TOP");
        _cleanup_free_ char *path = strdup_printf("%s/tests/fixtures/smart/%s", top ? top : ".", name);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        struct error e = { 0 };
        if (read_file(path, 1 << 20, &text, &len, &e) < 0)
                fail_msg("%s: %s", name, e.msg);
        struct disk_health h;
        if (smart_health_parse(text, len, -1, &h, &e) < 0)
                fail_msg("%s: %s", name, e.msg);
        return h;
}

static void a_healthy_hdd_is_ok(void **state) {
        struct disk_health h = parse_fixture("ata-hdd-healthy.json");
        assert_int_equal(h.state, DISK_HEALTH_OK);
        assert_false(h.failure_predicted);
        assert_string_equal(h.protocol, "ATA");
        assert_int_equal(h.temperature_c, 34);
        assert_int_equal(h.power_on_hours, 30123);
        assert_int_equal(h.reallocated_sectors, 0);
        assert_int_equal(h.pending_sectors, 0);
        assert_int_equal(h.uncorrectable_sectors, 0);
        assert_int_equal(h.life_left_percent, -1);   /* no wear on a spinning disk */
        assert_null(h.reason);
        disk_health_done(&h);
}

static void a_failing_hdd_is_failed_and_predicted(void **state) {
        struct disk_health h = parse_fixture("ata-hdd-failing.json");
        assert_int_equal(h.state, DISK_HEALTH_FAILED);
        assert_true(h.failure_predicted);
        assert_int_equal(h.reallocated_sectors, 3912);
        assert_int_equal(h.pending_sectors, 24);
        assert_int_equal(h.uncorrectable_sectors, 16);
        assert_non_null(strstr(h.reason, "FAILED"));
        assert_non_null(strstr(h.reason, "5 Reallocated_Sector_Ct"));   /* names the attribute */
        disk_health_done(&h);
}

static void bad_sectors_are_a_warning_not_a_failure(void **state) {
        struct disk_health h = parse_fixture("ata-hdd-sectors.json");
        assert_int_equal(h.state, DISK_HEALTH_WARNING);
        assert_false(h.failure_predicted);
        assert_false(disk_health_refuses(&h));
        assert_string_equal(h.reason, "8 reallocated sector(s); 2 pending sector(s)");
        disk_health_done(&h);
}

static void ssd_wear_is_the_life_left(void **state) {
        struct disk_health h = parse_fixture("ata-ssd-healthy.json");
        assert_int_equal(h.state, DISK_HEALTH_OK);
        assert_int_equal(h.life_left_percent, 97);
        disk_health_done(&h);
        h = parse_fixture("ata-ssd-worn.json");
        assert_int_equal(h.state, DISK_HEALTH_WARNING);
        assert_false(h.failure_predicted);
        assert_int_equal(h.life_left_percent, 4);
        assert_string_equal(h.reason, "worn: 4% of its life left");
        disk_health_done(&h);
}

static void a_sleeping_disk_is_standby_not_failed(void **state) {
        struct disk_health h = parse_fixture("ata-standby.json");
        assert_int_equal(h.state, DISK_HEALTH_STANDBY);
        assert_false(h.failure_predicted);
        assert_false(disk_health_refuses(&h));
        assert_non_null(strstr(h.reason, "STANDBY"));
        disk_health_done(&h);
}

static void a_disk_without_smart_is_unknown(void **state) {
        /* real smartctl 7.3 on a virtio disk: exit 1, no smart_status */
        struct disk_health h = parse_fixture("virtio-no-smart.json");
        assert_int_equal(h.state, DISK_HEALTH_UNKNOWN);
        assert_false(h.failure_predicted);
        assert_false(disk_health_refuses(&h));
        assert_string_equal(h.reason, "no SMART status: /dev/vda: Unable to detect device type");
        disk_health_done(&h);
}

static void sas_grown_defects_are_a_warning(void **state) {
        struct disk_health h = parse_fixture("scsi-sas-defects.json");
        assert_int_equal(h.state, DISK_HEALTH_WARNING);
        assert_string_equal(h.protocol, "SCSI");
        assert_int_equal(h.grown_defects, 57);
        assert_int_equal(h.temperature_c, 38);
        assert_int_equal(h.power_on_hours, 39012);
        assert_string_equal(h.reason, "57 grown defect(s)");
        disk_health_done(&h);
}

static void nvme_health_log(void **state) {
        struct disk_health h = parse_fixture("nvme-healthy.json");
        assert_int_equal(h.state, DISK_HEALTH_OK);
        assert_string_equal(h.protocol, "NVMe");
        assert_int_equal(h.percentage_used, 3);
        assert_int_equal(h.life_left_percent, 97);
        assert_int_equal(h.media_errors, 0);
        assert_int_equal(h.power_on_hours, 17520);
        disk_health_done(&h);
        h = parse_fixture("nvme-media-errors.json");
        assert_int_equal(h.state, DISK_HEALTH_WARNING);
        assert_false(h.failure_predicted);
        assert_int_equal(h.media_errors, 12);
        assert_string_equal(h.reason, "12 media error(s)");
        disk_health_done(&h);
        h = parse_fixture("nvme-failing.json");
        assert_int_equal(h.state, DISK_HEALTH_FAILED);
        assert_true(h.failure_predicted);
        assert_int_equal(h.life_left_percent, 0);
        assert_non_null(strstr(h.reason, "NVMe critical warning 0x04"));
        disk_health_done(&h);
}

static void the_exit_status_bits_count(void **state) {
        /* a document that says nothing but the process's exit status: bit 3 is
         * "DISK FAILING" whatever the JSON lacks; bits 0-2 alone are no verdict */
        static const char doc[] = "{\"smartctl\":{\"exit_status\":0}}";
        struct disk_health h;
        struct error e = { 0 };
        assert_int_equal(smart_health_parse(doc, strlen(doc), SMART_EXIT_FAILING, &h, &e), 0);
        assert_int_equal(h.state, DISK_HEALTH_FAILED);
        assert_true(h.failure_predicted);
        disk_health_done(&h);
        assert_int_equal(smart_health_parse(doc, strlen(doc), SMART_EXIT_OPEN | SMART_EXIT_COMMAND, &h, &e), 0);
        assert_int_equal(h.state, DISK_HEALTH_UNKNOWN);
        disk_health_done(&h);
        static const char passed[] = "{\"smartctl\":{\"exit_status\":16},\"smart_status\":{\"passed\":true}}";
        assert_int_equal(smart_health_parse(passed, strlen(passed), -1, &h, &e), 0);
        assert_int_equal(h.state, DISK_HEALTH_WARNING);   /* a pre-failure attribute at its threshold */
        assert_true(h.failure_predicted);
        assert_true(disk_health_refuses(&h));
        disk_health_done(&h);
}

static void not_smartctl_output_is_an_error(void **state) {
        struct disk_health h;
        struct error e = { 0 };
        assert_int_equal(smart_health_parse("{\"a\":1}", 7, 0, &h, &e), -EBADMSG);
        assert_int_equal(smart_health_parse("smartctl 7.3", 12, 0, &h, &e), -EBADMSG);
        /* counters of the wrong type or sign are unknown, not numbers */
        static const char odd[] = "{\"smartctl\":{\"exit_status\":0},\"smart_status\":{\"passed\":true},"
                                  "\"temperature\":{\"current\":\"hot\"},\"power_on_time\":{\"hours\":-5}}";
        assert_int_equal(smart_health_parse(odd, strlen(odd), -1, &h, &e), 0);
        assert_int_equal(h.temperature_c, -1);
        assert_int_equal(h.power_on_hours, -1);
        disk_health_done(&h);
}

static void the_json_form_goes_both_ways(void **state) {
        struct disk_health h = parse_fixture("ata-hdd-failing.json");
        _cleanup_json_ json_object *o = disk_health_to_json(&h);
        assert_string_equal(json_get_string(o, "state"), "failed");
        assert_true(json_object_get_boolean(json_get(o, "failure_predicted")));
        assert_int_equal(json_get_int_or(o, "reallocated_sectors", -1), 3912);
        assert_null(json_get(o, "media_errors"));   /* null: not of this kind of disk */
        struct disk_health *back = NULL;
        struct error e = { 0 };
        assert_int_equal(disk_health_from_json(o, &back, &e), 0);
        assert_int_equal(back->state, DISK_HEALTH_FAILED);
        assert_true(back->failure_predicted);
        assert_int_equal(back->reallocated_sectors, 3912);
        assert_int_equal(back->media_errors, -1);
        assert_string_equal(back->reason, h.reason);
        disk_health_free(back);
        disk_health_done(&h);
        /* from a file: every field checked */
        json_object_object_add(o, "state", json_object_new_string("dead"));
        assert_int_equal(disk_health_from_json(o, &back, &e), -EBADMSG);
        json_object_object_add(o, "state", json_object_new_string("ok"));
        json_object_object_add(o, "reason", json_object_new_string("\033[2Jx"));
        assert_int_equal(disk_health_from_json(o, &back, &e), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(a_healthy_hdd_is_ok),
                cmocka_unit_test(a_failing_hdd_is_failed_and_predicted),
                cmocka_unit_test(bad_sectors_are_a_warning_not_a_failure),
                cmocka_unit_test(ssd_wear_is_the_life_left),
                cmocka_unit_test(a_sleeping_disk_is_standby_not_failed),
                cmocka_unit_test(a_disk_without_smart_is_unknown),
                cmocka_unit_test(sas_grown_defects_are_a_warning),
                cmocka_unit_test(nvme_health_log),
                cmocka_unit_test(the_exit_status_bits_count),
                cmocka_unit_test(not_smartctl_output_is_an_error),
                cmocka_unit_test(the_json_form_goes_both_ways),
        };
        return cmocka_run_group_tests_name("smart", tests, NULL, NULL);
}
