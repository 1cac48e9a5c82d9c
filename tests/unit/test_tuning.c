/* md's tuning of the pool (raid/tuning.h): what the plan shows, where its
 * step goes, what it writes into md's sysfs and the udev rule that keeps it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_fixture.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "raid/md.h"
#include "raid/plan.h"
#include "raid/tuning.h"

#define GiB (1024ull * 1024 * 1024)

static void sized_to_memory_members_and_cpus(void **state) {
        (void)state;
        struct md_tuning t;
        /* an R630: 128 GiB, 2 x 10 cores with hyper-threads; RAID 5 of 5 */
        assert_true(md_tuning_for(5, 5, &(struct md_host){ 128 * GiB, 40 }, &t));
        assert_int_equal(t.stripe_cache_size, 4096);   /* 80 MiB: well inside 2 GiB */
        assert_int_equal(t.group_thread_cnt, 4);
        assert_int_equal(t.sync_speed_min, 50000);
        /* the lab's guest: 1 GiB, 2 CPUs, RAID 5 of 4: 16 MiB for the cache */
        assert_true(md_tuning_for(5, 4, &(struct md_host){ 1 * GiB, 2 }, &t));
        assert_int_equal(t.stripe_cache_size, 1024);
        assert_int_equal(t.group_thread_cnt, 0);
        /* a small machine never gets less than md's own default */
        assert_true(md_tuning_for(6, 12, &(struct md_host){ GiB / 4, 1 }, &t));
        assert_int_equal(t.stripe_cache_size, 256);
        assert_true(md_tuning_for(5, 3, &(struct md_host){ 8 * GiB, 8 }, &t));
        assert_int_equal(t.group_thread_cnt, 2);
        /* nothing to tune without parity */
        assert_false(md_tuning_for(1, 2, &(struct md_host){ 128 * GiB, 40 }, &t));
        assert_false(md_tuning_for(10, 4, &(struct md_host){ 128 * GiB, 40 }, &t));
}

static size_t index_of(const struct plan *p, enum step_kind kind, const char *array) {
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].kind == kind && streq_ptr(p->steps[i].array, array))
                        return i;
        fail_msg("no %s step for %s", step_kind_name(kind), array ? array : "-");
        return 0;
}

static void the_plan_shows_it_and_tunes_before_mkfs(void **state) {
        (void)state;
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-2ssd-6hdd");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        size_t before = p->n_steps;
        assert_int_equal(plan_tune(p, &(struct md_host){ 64 * GiB, 24 }), 0);
        assert_int_equal(p->n_steps, before + 1);   /* the RAID 5 only, not the RAID 1s */
        size_t wait = index_of(p, STEP_WAIT, "data"), tune = index_of(p, STEP_TUNE, "data");
        assert_int_equal(tune, wait + 1);
        assert_true(tune < index_of(p, STEP_MKFS, "data"));
        assert_string_equal(p->steps[tune].description,
                            "tune /dev/md/data: stripe cache 4096 (80.0M of 64.0G memory; md's default 256), "
                            "4 worker thread(s) for 24 CPU(s), sync floor 50000 KiB/s (md's 1000); a udev rule keeps it");
        _cleanup_json_ json_object *o = plan_to_json(p);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        assert_non_null(strstr(text, "\"tuning\":{\"stripe_cache_size\":4096,\"group_thread_cnt\":4,"
                                     "\"sync_speed_min_kib_s\":50000}"));
        assert_non_null(strstr(text, "\"name\":\"os\""));
        /* tuned once, however often asked */
        assert_int_equal(plan_tune(p, &(struct md_host){ 64 * GiB, 24 }), 0);
        assert_int_equal(p->n_steps, before + 1);
}

static void the_udev_rule_names_the_array_by_uuid(void **state) {
        (void)state;
        struct md_tuning t = { 1024, 2, 50000 };
        _cleanup_free_ char *rule = md_tuning_udev_rule("3b6ee0e3:8a5b2f86:0c1d2e3f:40516273", &t);
        assert_string_equal(rule, "SUBSYSTEM==\"block\", ACTION==\"add|change\", KERNEL==\"md*\", "
                                  "ENV{MD_UUID}==\"3b6ee0e3:8a5b2f86:0c1d2e3f:40516273\", "
                                  "TEST==\"md/stripe_cache_size\", ATTR{md/stripe_cache_size}=\"1024\", "
                                  "ATTR{md/group_thread_cnt}=\"2\", ATTR{md/sync_speed_min}=\"50000\"");
}

static char *attr_path(const char *root, const char *attr) {
        return strdup_printf("%s/block/md127/md/%s", root, attr);
}

static void put(const char *root, const char *attr, const char *value) {
        _cleanup_free_ char *path = attr_path(root, attr);
        struct error e = { 0 };
        assert_int_equal(write_file_atomic(path, value, strlen(value), 0644, &e), 0);
}

static char *got(const char *root, const char *attr) {
        _cleanup_free_ char *path = attr_path(root, attr);
        char *text = NULL;
        struct error e = { 0 };
        assert_int_equal(read_file(path, 4096, &text, NULL, &e), 0);
        return text;
}

static void written_into_sysfs_when_it_differs(void **state) {
        (void)state;
        char root[] = "/tmp/hostd-test-tuning.XXXXXX";
        assert_non_null(mkdtemp(root));
        _cleanup_free_ char *mk = strdup_printf("mkdir -p %s/block/md127/md", root);
        assert_int_equal(system(mk), 0);
        put(root, "stripe_cache_size", "256\n");
        put(root, "group_thread_cnt", "0\n");
        put(root, "sync_speed_min", "1000 (system)\n");
        md_set_sysfs_root(root);
        struct md_tuning t = { 1024, 0, 50000 };
        struct error e = { 0 };
        bool changed = false;
        /* dry: says it would change, writes nothing */
        assert_int_equal(md_tuning_write("md127", &t, true, &changed, &e), 0);
        assert_true(changed);
        _cleanup_free_ char *still = got(root, "stripe_cache_size");
        assert_string_equal(still, "256\n");
        assert_int_equal(md_tuning_write("md127", &t, false, &changed, &e), 0);
        assert_true(changed);
        _cleanup_free_ char *cache = got(root, "stripe_cache_size"), *floor = got(root, "sync_speed_min");
        assert_memory_equal(cache, "1024", 4);
        assert_memory_equal(floor, "50000", 5);
        /* a value md already has is left alone ("1000 (system)" is md's own, not ours) */
        put(root, "sync_speed_min", "50000 (local)\n");
        put(root, "stripe_cache_size", "1024\n");
        assert_int_equal(md_tuning_write("md127", &t, false, &changed, &e), 0);
        assert_false(changed);
        /* an array that is not there */
        assert_true(md_tuning_write("md126", &t, false, &changed, &e) < 0);
        assert_non_null(strstr(e.msg, "array md126 has no stripe_cache_size"));
        md_set_sysfs_root(NULL);
        _cleanup_free_ char *rm = strdup_printf("rm -rf %s", root);
        assert_int_equal(system(rm), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(sized_to_memory_members_and_cpus),
                cmocka_unit_test(the_plan_shows_it_and_tunes_before_mkfs),
                cmocka_unit_test(the_udev_rule_names_the_array_by_uuid),
                cmocka_unit_test(written_into_sysfs_when_it_differs),
        };
        return cmocka_run_group_tests_name("tuning", tests, NULL, NULL);
}
