/* md_health(): the one judgement behind the API's Status.Health, its rollups
 * and /metrics' health gauges, over the md states an operator meets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "raid/md.h"

/* an array as sysfs shows it: level, array_state, raid_disks, degraded */
static struct md_status array(const char *level, const char *array_state, int raid_disks, int degraded) {
        return (struct md_status){ .kernel_name = (char *)"md127", .name = (char *)"data", .level = (char *)level,
                                   .array_state = (char *)array_state, .sync_action = (char *)"idle",
                                   .raid_disks = raid_disks, .degraded = degraded, .sync_percent = -1 };
}

static void a_whole_array_is_ok(void **state) {
        struct md_status s = array("raid5", "clean", 3, 0);
        assert_int_equal(md_health(&s), MD_HEALTH_OK);
        s = array("raid1", "active", 2, 0);
        s.sync_action = (char *)"check";   /* a scrub is no trouble */
        assert_int_equal(md_health(&s), MD_HEALTH_OK);
        s = array("raid1", "read-auto", 2, 0);
        assert_int_equal(md_health(&s), MD_HEALTH_OK);
        assert_string_equal(md_health_name(MD_HEALTH_OK), "OK");
}

static void a_degraded_array_is_a_warning(void **state) {
        struct md_status s = array("raid5", "clean", 3, 1);
        assert_int_equal(md_health(&s), MD_HEALTH_WARNING);
        s = array("raid1", "active", 2, 1);
        s.sync_action = (char *)"recover";   /* rebuilding: still not redundant */
        assert_int_equal(md_health(&s), MD_HEALTH_WARNING);
        s = array("raid6", "clean", 6, 2);
        assert_int_equal(md_health(&s), MD_HEALTH_WARNING);
        assert_string_equal(md_health_name(MD_HEALTH_WARNING), "Warning");
}

static void a_failed_member_md_still_counts_is_a_warning(void **state) {
        struct md_member m[] = { { .dev = (char *)"sdb1", .state = (char *)"in_sync", .slot = 0 },
                                 { .dev = (char *)"sdc1", .state = (char *)"faulty", .slot = 1 } };
        struct md_status s = array("raid1", "clean", 2, 0);
        s.members = m;
        s.n_members = 2;
        assert_int_equal(md_health(&s), MD_HEALTH_WARNING);
        m[1].state = (char *)"in_sync";
        m[1].missing = true;
        assert_int_equal(md_health(&s), MD_HEALTH_WARNING);
        m[1].missing = false;
        assert_int_equal(md_health(&s), MD_HEALTH_OK);
}

static void a_failed_or_inactive_array_is_critical(void **state) {
        struct md_status s = array("raid5", "inactive", 3, 0);
        assert_int_equal(md_health(&s), MD_HEALTH_CRITICAL);
        s = array("raid5", "broken", 3, 0);
        assert_int_equal(md_health(&s), MD_HEALTH_CRITICAL);
        s = array("raid5", "clean", 4, 2);   /* RAID 5 survives one loss, not two */
        assert_int_equal(md_health(&s), MD_HEALTH_CRITICAL);
        s = array("raid6", "clean", 6, 3);
        assert_int_equal(md_health(&s), MD_HEALTH_CRITICAL);
        s = array("raid1", "clean", 2, 2);
        assert_int_equal(md_health(&s), MD_HEALTH_CRITICAL);
        s = array("raid0", "clean", 2, 1);
        assert_int_equal(md_health(&s), MD_HEALTH_CRITICAL);
        s = array("raid5", NULL, 3, 0);       /* no state read: assume the worst */
        assert_int_equal(md_health(&s), MD_HEALTH_CRITICAL);
        assert_int_equal(md_health(NULL), MD_HEALTH_CRITICAL);
        assert_string_equal(md_health_name(MD_HEALTH_CRITICAL), "Critical");
}

static void the_rollup_is_the_worst(void **state) {
        assert_int_equal(md_health_worst(MD_HEALTH_OK, MD_HEALTH_OK), MD_HEALTH_OK);
        assert_int_equal(md_health_worst(MD_HEALTH_OK, MD_HEALTH_WARNING), MD_HEALTH_WARNING);
        assert_int_equal(md_health_worst(MD_HEALTH_CRITICAL, MD_HEALTH_WARNING), MD_HEALTH_CRITICAL);
        assert_int_equal(md_health_worst(MD_HEALTH_WARNING, MD_HEALTH_OK), MD_HEALTH_WARNING);
        /* the gauges of /metrics are these values */
        assert_int_equal(MD_HEALTH_OK, 0);
        assert_int_equal(MD_HEALTH_WARNING, 1);
        assert_int_equal(MD_HEALTH_CRITICAL, 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(a_whole_array_is_ok),
                cmocka_unit_test(a_degraded_array_is_a_warning),
                cmocka_unit_test(a_failed_member_md_still_counts_is_a_warning),
                cmocka_unit_test(a_failed_or_inactive_array_is_critical),
                cmocka_unit_test(the_rollup_is_the_worst),
        };
        return cmocka_run_group_tests_name("md_health", tests, NULL, NULL);
}
