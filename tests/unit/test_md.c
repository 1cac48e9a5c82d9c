/* The md readers: `mdadm --detail --export` over outputs captured in the lab
 * (tests/fixtures/md, made by capture.sh there), and what the sysfs state
 * means: what `raid status` and the daemon rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* A pulled disk: hostd tells md itself, with the kernel name from the uevent,
 * and nothing else from that uevent reaches mdadm's argv */
static void a_gone_member_is_failed_by_kernel_name_only(void **state) {
        (void)state;
        char dir[] = "/tmp/hostd-test-md.XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *fake = strdup_printf("%s/mdadm", dir), *args = strdup_printf("%s/args", dir);
        _cleanup_free_ char *script = strdup_printf("#!/bin/sh\necho \"$*\" >> %s\n", args);
        FILE *f = fopen(fake, "we");
        assert_non_null(f);
        fputs(script, f);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(chmod(fake, 0755), 0);
        _cleanup_free_ char *old_path = strdup(getenv("PATH")), *new_path = strdup_printf("%s:%s", dir, old_path);
        assert_int_equal(setenv("PATH", new_path, 1), 0);

        struct error e = { 0 };
        assert_int_equal(md_fail_gone_member("sdb1", &e), 0);
        const char *bad[] = { "", "-sdb1", "--run", "../sdb1", "sd/b1", "sdb 1", ".", NULL };
        for (size_t i = 0; bad[i]; i++) {
                struct error e2 = { 0 };
                assert_int_equal(md_fail_gone_member(bad[i], &e2), -EINVAL);
                assert_non_null(strstr(e2.msg, "kernel name"));
        }
        assert_int_equal(md_fail_gone_member(NULL, &e), -EINVAL);
        assert_int_equal(setenv("PATH", old_path, 1), 0);

        char got[256] = "";
        f = fopen(args, "re");
        assert_non_null(f);
        size_t n = fread(got, 1, sizeof got - 1, f);
        fclose(f);
        got[n] = '\0';
        assert_string_equal(got, "--incremental --fail sdb1\n");   /* once: the bad names ran nothing */
        unlink(args);
        unlink(fake);
        rmdir(dir);
}

/* ... and md hears it at once through sysfs, before any program starts */
static void a_gone_member_is_marked_faulty_in_sysfs(void **state) {
        (void)state;
        char root[] = "/tmp/hostd-test-sysfs.XXXXXX";
        assert_non_null(mkdtemp(root));
        _cleanup_free_ char *dir = strdup_printf("%s/block/md127/md/dev-sdb1", root);
        _cleanup_free_ char *attr = strdup_printf("%s/state", dir);
        _cleanup_free_ char *mk = strdup_printf("mkdir -p %s && echo in_sync > %s", dir, attr);
        assert_int_equal(system(mk), 0);
        md_set_sysfs_root(root);
        struct error e = { 0 };
        assert_int_equal(md_mark_member_faulty("md127", "sdb1", &e), 0);
        _cleanup_free_ char *got = NULL;
        assert_int_equal(read_file(attr, 4096, &got, NULL, &e), 0);
        assert_memory_equal(got, "faulty", 6);
        assert_int_equal(md_mark_member_faulty("md127", "sdc1", &e), -ENOENT);
        assert_non_null(strstr(e.msg, "no member sdc1"));
        assert_int_equal(md_mark_member_faulty("md127", "../../md126/md/dev-sdb1", &e), -EINVAL);
        assert_int_equal(md_mark_member_faulty("../md126", "sdb1", &e), -EINVAL);
        md_set_sysfs_root("/sys");
        _cleanup_free_ char *rm = strdup_printf("rm -rf %s", root);
        assert_int_equal(system(rm), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(detail_export_members_and_roles),
                cmocka_unit_test(a_spare_in_a_degraded_array_means_recovery_is_coming),
                cmocka_unit_test(frozen_is_no_sync_that_runs),
                cmocka_unit_test(a_gone_member_is_failed_by_kernel_name_only),
                cmocka_unit_test(a_gone_member_is_marked_faulty_in_sysfs),
        };
        return cmocka_run_group_tests_name("md", tests, NULL, NULL);
}
