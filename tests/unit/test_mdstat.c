/* The md readers over outputs captured in the lab (tests/fixtures/md,
 * made by capture.sh there): what `raid status` and the daemon rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/strutil.h"
#include "raid/md.h"
#include "raid/mdstat.h"

static char *fixture(const char *name) {
        const char *top = getenv("TOP");
        _cleanup_free_ char *path = strdup_printf("%s/tests/fixtures/md/%s", top ? top : ".", name);
        char *text = NULL;
        struct error e = { 0 };
        if (read_file(path, 1 << 20, &text, NULL, &e) < 0)
                fail_msg("%s", e.msg);
        return text;
}

static struct mdstat *mdstat_of(const char *name) {
        _cleanup_free_ char *text = fixture(name);
        struct mdstat *m = NULL;
        struct error e = { 0 };
        if (mdstat_parse(text, &m, &e) < 0)
                fail_msg("%s: %s", name, e.msg);
        return m;
}

static void recovery_onto_the_spare(void **state) {
        _cleanup_(mdstat_freep) struct mdstat *m = mdstat_of("raid5-recovery.mdstat");
        assert_int_equal(m->n_arrays, 2);
        assert_int_equal(strv_length(m->personalities), 4);
        const struct mdstat_array *a = mdstat_find(m, "md11");
        assert_non_null(a);
        assert_true(a->active);
        assert_string_equal(a->level, "raid5");
        assert_int_equal(a->n_members, 4);
        assert_string_equal(a->members[2].name, "sdd");
        assert_int_equal(a->members[2].slot, 1);
        assert_true(a->members[2].faulty);
        assert_false(a->members[0].faulty);
        assert_int_equal(a->blocks, 204800);
        assert_int_equal(a->raid_disks, 3);
        assert_int_equal(a->working_disks, 2);
        assert_string_equal(a->status, "U_U");
        assert_string_equal(a->sync_action, "recovery");
        assert_float_equal(a->sync_percent, 3.9, 0.001);
        assert_float_equal(a->finish_minutes, 0.3, 0.001);
        assert_int_equal(a->speed_kib, 4480);
        const struct mdstat_array *os = mdstat_find(m, "md10");
        assert_string_equal(os->status, "UU");
        assert_null(os->sync_action);
        assert_float_equal(os->sync_percent, -1, 0);
}

static void resync_reshape_check_and_a_spare(void **state) {
        _cleanup_(mdstat_freep) struct mdstat *r1 = mdstat_of("raid1-resync.mdstat");
        assert_string_equal(r1->arrays[0].sync_action, "resync");
        assert_float_equal(r1->arrays[0].sync_percent, 92.2, 0.001);
        assert_int_equal(r1->arrays[0].speed_kib, 94784);
        _cleanup_(mdstat_freep) struct mdstat *rs = mdstat_of("raid5-reshape.mdstat");
        const struct mdstat_array *a = mdstat_find(rs, "md11");
        assert_string_equal(a->sync_action, "reshape");
        assert_int_equal(a->raid_disks, 4);
        assert_true(a->members[1].spare);
        assert_string_equal(a->members[1].name, "sde");
        _cleanup_(mdstat_freep) struct mdstat *ck = mdstat_of("raid5-check.mdstat");
        assert_string_equal(ck->arrays[0].sync_action, "check");
        assert_float_equal(ck->arrays[0].sync_percent, 4.4, 0.001);
        /* a fresh RAID 5 builds its parity as a recovery onto the last member */
        _cleanup_(mdstat_freep) struct mdstat *fresh = mdstat_of("raid5-resync-spare.mdstat");
        const struct mdstat_array *f = mdstat_find(fresh, "md11");
        assert_string_equal(f->sync_action, "recovery");
        assert_true(f->members[1].spare);
}

static void degraded_without_sync(void **state) {
        _cleanup_(mdstat_freep) struct mdstat *m = mdstat_of("raid5-degraded.mdstat");
        const struct mdstat_array *a = mdstat_find(m, "md11");
        assert_string_equal(a->status, "UU_");
        assert_int_equal(a->working_disks, 2);
        assert_true(a->members[0].faulty);
        assert_null(a->sync_action);
        _cleanup_(mdstat_freep) struct mdstat *one = mdstat_of("reshape-only.mdstat");
        assert_int_equal(one->n_arrays, 1);
        assert_null(mdstat_find(one, "md10"));
}

static void inactive_array_after_an_incomplete_boot(void **state) {
        /* the form incremental assembly leaves while a member is missing */
        static const char text[] =
                "Personalities : [raid1] [raid6] [raid5] [raid4] \n"
                "md127 : inactive sdh1[6](S) sdg1[4](S) sdf1[3](S) sdb1[0](S)\n"
                "      4186112 blocks super 1.2\n"
                "       \n"
                "unused devices: <none>\n";
        _cleanup_(mdstat_freep) struct mdstat *m = NULL;
        struct error e = { 0 };
        assert_int_equal(mdstat_parse(text, &m, &e), 0);
        const struct mdstat_array *a = mdstat_find(m, "md127");
        assert_false(a->active);
        assert_null(a->level);
        assert_int_equal(a->n_members, 4);
        assert_true(a->members[3].spare);
        assert_int_equal(a->raid_disks, -1);
}

static void bad_lines_are_errors_not_crashes(void **state) {
        static const char *const bad[] = {
                "md0 : active raid1 sda[x]\n",
                "md0 : running raid1 sda[0]\n",
                "md0 : active raid1 [0]\n",
                "md0 : active raid1 sda[0](Q\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct mdstat *m = NULL;
                struct error e = { 0 };
                assert_int_equal(mdstat_parse(bad[i], &m, &e), -EBADMSG);
                assert_non_null(strstr(e.msg, "/proc/mdstat line 1"));
        }
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(recovery_onto_the_spare),
                cmocka_unit_test(resync_reshape_check_and_a_spare),
                cmocka_unit_test(degraded_without_sync),
                cmocka_unit_test(inactive_array_after_an_incomplete_boot),
                cmocka_unit_test(bad_lines_are_errors_not_crashes),
                cmocka_unit_test(detail_export_members_and_roles),
                cmocka_unit_test(a_spare_in_a_degraded_array_means_recovery_is_coming),
        };
        return cmocka_run_group_tests_name("mdstat", tests, NULL, NULL);
}
