/* The md readers: `mdadm --detail --export` over outputs captured in the lab
 * (tests/fixtures/md, made by capture.sh there), and what the sysfs state
 * means: what `raid status` and the daemon rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/strutil.h"
#include "raid/md.h"
#include "raid/md_detail.h"

static char *fixture(const char *name) {
        const char *top = getenv("TOP");
        _cleanup_free_ char *path = strdup_printf("%s/tests/fixtures/md/%s", top ? top : ".", name);
        char *text = NULL;
        struct error e = { 0 };
        if (read_file(path, 1 << 20, &text, NULL, &e) < 0)
                fail_msg("%s", e.msg);
        return text;
}

static void detail_export_members_and_roles(void **state) {
        _cleanup_free_ char *text = fixture("raid5-reshape.export");
        _cleanup_(md_detail_freep) struct md_detail *d = NULL;
        struct error e = { 0 };
        assert_int_equal(md_detail_parse(text, &d, &e), 0);
        assert_string_equal(d->level, "raid5");
        assert_int_equal(d->devices, 4);
        assert_string_equal(d->metadata, "1.2");
        assert_string_equal(d->uuid, "7185e138:cb94239d:78d019d9:3bfa0d2c");
        assert_string_equal(d->name, "r630-lab:data");
        assert_int_equal(d->n_members, 5);
        assert_string_equal(d->members[0].dev, "/dev/sde");
        assert_string_equal(d->members[0].role, "spare");
        assert_string_equal(d->members[4].dev, "/dev/sdg");
        assert_string_equal(d->members[4].role, "3");
        /* mdadm 4.2 calls a failed member a spare here: degraded comes from sysfs */
        _cleanup_free_ char *deg = fixture("raid5-degraded.export");
        _cleanup_(md_detail_freep) struct md_detail *dd = NULL;
        assert_int_equal(md_detail_parse(deg, &dd, &e), 0);
        assert_int_equal(dd->n_members, 3);
        assert_string_equal(dd->members[0].role, "spare");
        struct md_detail *none = NULL;
        assert_int_equal(md_detail_parse("mdadm: cannot open /dev/md9\n", &none, &e), -EBADMSG);
}

/* `raid replace --wait` right after `mdadm --add`: the kernel has not started
 * recovery yet, so sync_action still reads idle. That is not "in sync". */
static void a_spare_in_a_degraded_array_means_recovery_is_coming(void **state) {
        struct md_member members[] = {
                { .dev = "sdb1", .state = "in_sync", .slot = 0 },
                { .dev = "sdc1", .state = "faulty", .slot = 1 },
                { .dev = "sdd1", .state = "spare", .slot = -1 },
        };
        struct md_status s = { .sync_action = "idle", .degraded = 1, .sync_percent = -1,
                               .members = members, .n_members = 3 };
        assert_true(md_sync_idle(&s));
        assert_true(md_recovery_pending(&s));
        s.sync_action = "recover";   /* started: no longer pending, not idle */
        s.sync_percent = 0.1;
        assert_false(md_sync_idle(&s));
        assert_false(md_recovery_pending(&s));
        s.sync_action = "idle";      /* the spare is gone (removed again): nothing will start */
        s.n_members = 2;
        assert_false(md_recovery_pending(&s));
        s.n_members = 3;             /* not degraded: a spare just waits */
        s.degraded = 0;
        assert_false(md_recovery_pending(&s));
        s.sync_action = "resync";    /* delayed behind another array on the same disks */
        s.sync_percent = -1;
        assert_false(md_sync_idle(&s));
        s.sync_action = "frozen";
        assert_true(md_sync_idle(&s));
}

/* What hostd's monitor calls a rebuild that started: mdadm --add writes
 * "frozen" first, and a freeze is neither a start nor an end */
static void frozen_is_no_sync_that_runs(void **state) {
        (void)state;
        const char *runs[] = { "resync", "recover", "check", "repair", "reshape" };
        for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
                assert_true(md_sync_action_runs(runs[i]));
        assert_false(md_sync_action_runs("idle"));
        assert_false(md_sync_action_runs("frozen"));
        assert_false(md_sync_action_runs(""));
        assert_false(md_sync_action_runs(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(detail_export_members_and_roles),
                cmocka_unit_test(a_spare_in_a_degraded_array_means_recovery_is_coming),
                cmocka_unit_test(frozen_is_no_sync_that_runs),
        };
        return cmocka_run_group_tests_name("md", tests, NULL, NULL);
}
