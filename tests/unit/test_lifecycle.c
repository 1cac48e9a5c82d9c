/* The lifecycle planner (raid/lifecycle.h) over a captured inventory and a
 * made-up running array: what `hostctl raid <verb>` and hostd's Volume
 * actions would do, and what they refuse. Fixture: prefix-names (sda next
 * to sdaa, nvme0n1 next to nvme0n10; array data on sdb1, sdaa1, nvme0n10p1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory_fixture.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "raid/lifecycle.h"
#include "raid/look.h"

#define FS_UUID "6f1c2a40-7d55-4b8e-9a7e-3c1b5e0d2f11"
#define MD_UUID "11111111:22223333:44445555:55555555"

/* data: raid5 over sdb1, sdaa1, nvme0n10p1 (in this order), all in sync
 * unless a state is given for the second member */
static struct raid_facts facts(const char *second_state) {
        struct md_status *s = calloc(1, sizeof *s);
        *s = (struct md_status){ .kernel_name = strdup("md127"), .name = strdup("data"), .level = strdup("raid5"),
                                 .array_state = strdup("clean"), .sync_action = strdup("idle"), .uuid = strdup(MD_UUID),
                                 .raid_disks = 3, .sync_percent = -1, .size_bytes = 1 << 30 };
        const char *devs[] = { "sdb1", "sdaa1", "nvme0n10p1" };
        s->members = calloc(3, sizeof *s->members);
        for (int i = 0; i < 3; i++)
                s->members[i] = (struct md_member){ .dev = strdup(devs[i]), .slot = i,
                                                    .state = strdup(i == 1 && second_state ? second_state : "in_sync") };
        s->n_members = 3;
        if (second_state && strstr(second_state, "faulty"))
                s->degraded = 1;
        return (struct raid_facts){ .status = s, .inv = fixture("prefix-names"), .fs_uuid = strdup(FS_UUID) };
}

static int plan(enum raid_verb verb, const struct raid_request *in, const char *second_state, struct life_plan **ret,
                char msg[static 1024]) {
        struct raid_facts f = facts(second_state);
        struct raid_request rq = *in;
        rq.verb = verb;
        rq.array = "data";
        struct error e = { 0 };
        *ret = NULL;
        int k = life_plan_make(&rq, &f, ret, &e);
        raid_facts_done(&f);
        snprintf(msg, 1024, "%s", e.msg);
        return k;
}

/* "fail:/dev/sdaa1 remove:/dev/sdaa1": the steps as kind:target */
static void steps_text(const struct life_plan *p, char *buf, size_t n) {
        buf[0] = '\0';
        for (size_t i = 0; i < p->n_steps; i++)
                snprintf(buf + strlen(buf), n - strlen(buf), "%s%s:%s", i ? " " : "", life_kind_name(p->steps[i].kind),
                         p->steps[i].target);
}

static void a_disk_is_no_member_because_its_name_is_a_prefix(void **state) {
        _cleanup_(life_plan_freep) struct life_plan *p = NULL;
        char msg[1024];
        /* sda (WFK00ABC) holds nothing; sdaa1 is a member */
        assert_int_equal(plan(RAID_REMOVE, &(struct raid_request){ .disk = "WFK00ABC" }, NULL, &p, msg), -ENOENT);
        assert_null(p);
        assert_non_null(strstr(msg, "disk WFK00ABC is not a member of /dev/md127"));
        /* nvme0n1 holds nothing; nvme0n10p1 is a member */
        assert_int_equal(plan(RAID_REMOVE, &(struct raid_request){ .disk = "PHLN0001P6AGN" }, NULL, &p, msg), -ENOENT);
        assert_non_null(strstr(msg, "disk PHLN0001P6AGN is not a member"));
}

static void the_member_on_a_disk_is_found_by_its_partitions(void **state) {
        _cleanup_(life_plan_freep) struct life_plan *p = NULL, *q = NULL;
        char msg[1024], steps[1024];
        assert_int_equal(plan(RAID_REMOVE, &(struct raid_request){ .disk = "WFK02ABC" }, NULL, &p, msg), 0);
        steps_text(p, steps, sizeof steps);
        assert_string_equal(steps, "fail:/dev/sdaa1 remove:/dev/sdaa1");
        assert_int_equal(plan(RAID_REMOVE, &(struct raid_request){ .disk = "PHLN0011P6AGN" }, NULL, &q, msg), 0);
        steps_text(q, steps, sizeof steps);
        assert_string_equal(steps, "fail:/dev/nvme0n10p1 remove:/dev/nvme0n10p1");
}

static void a_new_disk_gets_the_layout_of_a_healthy_members_disk(void **state) {
        _cleanup_(life_plan_freep) struct life_plan *p = NULL;
        char msg[1024], steps[1024];
        assert_int_equal(plan(RAID_ADD_SPARE, &(struct raid_request){ .disk = "WFK00ABC" }, NULL, &p, msg), 0);
        steps_text(p, steps, sizeof steps);
        assert_string_equal(steps, "partition:/dev/sda add:/dev/sda1");
        assert_string_equal(p->steps[0].source, "/dev/sdb");
        assert_int_equal(p->steps[0].number, 1);
        assert_string_equal(p->summary, "/dev/md/data: WFK00ABC added as a hot spare");
}

static void replace_refuses_a_failed_disk_that_is_no_member(void **state) {
        _cleanup_(life_plan_freep) struct life_plan *p = NULL;
        char msg[1024];
        /* a healthy array, and sda is not in it: adding the new disk as a spare is no replacement */
        assert_int_equal(plan(RAID_REPLACE, &(struct raid_request){ .failed = "WFK00ABC", .with = "PHLN0001P6AGN" }, NULL,
                              &p, msg),
                         ERROR_REFUSED);
        assert_null(p);
        assert_non_null(strstr(msg, "disk WFK00ABC is not a member of /dev/md127"));
        assert_non_null(strstr(msg, "members: sdb1, sdaa1, nvme0n10p1"));
        /* a disk that is gone, and nothing is missing or faulty either */
        assert_int_equal(plan(RAID_REPLACE, &(struct raid_request){ .failed = "GONE0001", .with = "PHLN0001P6AGN" }, NULL,
                              &p, msg),
                         ERROR_REFUSED);
        assert_non_null(strstr(msg, "GONE0001 is not on this machine and /dev/md127 has no missing or faulty member"));
        /* and a kernel name, which may be another disk after a reboot */
        assert_int_equal(plan(RAID_REPLACE, &(struct raid_request){ .failed = "sdaa", .with = "PHLN0001P6AGN" }, "faulty",
                              &p, msg),
                         -EINVAL);
        assert_non_null(strstr(msg, "name the disk by serial, WWN or by-id, not 'sdaa'"));
}

static void replace_takes_the_faulty_member_out_and_rebuilds_onto_the_new_disk(void **state) {
        _cleanup_(life_plan_freep) struct life_plan *p = NULL;
        char msg[1024], steps[1024];
        assert_int_equal(plan(RAID_REPLACE, &(struct raid_request){ .failed = "WFK02ABC", .with = "WFK00ABC" }, "faulty",
                              &p, msg),
                         0);
        steps_text(p, steps, sizeof steps);
        assert_string_equal(steps, "remove:/dev/sdaa1 partition:/dev/sda add:/dev/sda1");
}

static void destroy_touches_its_own_members_and_lines(void **state) {
        _cleanup_(life_plan_freep) struct life_plan *p = NULL;
        char msg[1024], steps[1024];
        assert_int_equal(plan(RAID_DESTROY, &(struct raid_request){ 0 }, NULL, &p, msg), 0);
        steps_text(p, steps, sizeof steps);
        assert_string_equal(steps, "stop:/dev/md127 zero-superblock:/dev/sdb1 zero-superblock:/dev/sdaa1 "
                                   "zero-superblock:/dev/nvme0n10p1 mdadm-conf:" MD_UUID " fstab:UUID=" FS_UUID "  "
                                   "initramfs:update-initramfs");
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].kind == LIFE_ZERO)
                        assert_string_equal(p->steps[i].label, "data");
}

static void destroy_of_a_stopped_array_finds_its_members_by_their_superblocks(void **state) {
        struct raid_facts f = { .inv = fixture("prefix-names") };
        _cleanup_(life_plan_freep) struct life_plan *p = NULL;
        struct error e = { 0 };
        char steps[1024];
        assert_int_equal(life_plan_make(&(struct raid_request){ .verb = RAID_DESTROY, .array = "data" }, &f, &p, &e), 0);
        steps_text(p, steps, sizeof steps);
        assert_string_equal(steps, "zero-superblock:/dev/sdb1 zero-superblock:/dev/sdaa1 zero-superblock:/dev/nvme0n10p1 "
                                   "mdadm-conf:" MD_UUID " initramfs:update-initramfs");
        raid_facts_done(&f);
}

/* hostd's monitor, when a disk the inventory did not list goes away: which
 * members were on it, by the kernel's partition naming, not a name prefix */
static void a_partition_name_is_not_a_prefix(void **state) {
        assert_true(disk_name_is_partition_of("sda1", "sda"));
        assert_true(disk_name_is_partition_of("sda12", "sda"));
        assert_false(disk_name_is_partition_of("sdaa1", "sda"));
        assert_false(disk_name_is_partition_of("sda", "sda"));
        assert_true(disk_name_is_partition_of("nvme0n1p2", "nvme0n1"));
        assert_false(disk_name_is_partition_of("nvme0n10p1", "nvme0n1"));
        assert_false(disk_name_is_partition_of("nvme0n10", "nvme0n1"));
        assert_false(disk_name_is_partition_of("nvme0n1p", "nvme0n1"));
}

/* The data array's fstab line must not stop a boot when the array is gone. */
static void the_pools_fstab_line_does_not_hold_up_the_boot(void **state) {
        _cleanup_free_ char *line = fstab_data_line(FS_UUID, "/srv/pool", "xfs"), *key = fstab_key(FS_UUID);
        assert_string_equal(line, "UUID=" FS_UUID " /srv/pool xfs defaults,nofail,x-systemd.device-timeout=90s 0 2");
        assert_true(startswith(line, key));
}

/* Destroy's file steps on a root that is not this system's: the lines go,
 * the initramfs of the running system is left alone, a second run changes nothing. */
static void destroy_drops_the_arrays_lines(void **state) {
        char root[] = "/tmp/test-lifecycle-XXXXXX";
        assert_non_null(mkdtemp(root));
        _cleanup_free_ char *conf = strdup_printf("%s/etc/mdadm/mdadm.conf", root), *fstab = strdup_printf("%s/etc/fstab", root);
        struct error e = { 0 };
        const char *conf_text = "DEVICE partitions\nARRAY /dev/md/os metadata=1.2 UUID=aaaaaaaa:bbbbbbbb:cccccccc:dddddddd\n"
                                "ARRAY /dev/md/data metadata=1.2 UUID=" MD_UUID "\n";
        _cleanup_free_ char *pool = fstab_data_line(FS_UUID, "/srv/pool", "xfs");
        _cleanup_free_ char *fstab_text = strdup_printf("UUID=0000-1111 / ext4 defaults 0 1\n%s\n", pool);
        _cleanup_free_ char *dir = strdup_printf("%s/etc/mdadm", root);
        assert_int_equal(mkdir_p(dir, 0755, &e), 0);
        assert_int_equal(write_file_atomic(conf, conf_text, strlen(conf_text), 0644, &e), 0);
        assert_int_equal(write_file_atomic(fstab, fstab_text, strlen(fstab_text), 0644, &e), 0);
        struct life_step steps[] = {
                { .kind = LIFE_CONF, .target = (char *)MD_UUID, .description = (char *)"conf" },
                { .kind = LIFE_FSTAB, .target = (char *)"UUID=" FS_UUID " ", .description = (char *)"fstab" },
                { .kind = LIFE_INITRAMFS, .target = (char *)"update-initramfs", .description = (char *)"initramfs" },
        };
        struct life_plan p = { .verb = RAID_DESTROY, .array = (char *)"data", .device = (char *)"/dev/md/data",
                               .steps = steps, .n_steps = 3 };
        size_t changed = 0;
        assert_int_equal(life_apply(&p, &(struct life_opts){ .root = root }, &changed, &e), 0);
        assert_int_equal(changed, 2);
        _cleanup_free_ char *c = NULL, *f = NULL;
        assert_int_equal(read_file(conf, 65536, &c, NULL, &e), 0);
        assert_int_equal(read_file(fstab, 65536, &f, NULL, &e), 0);
        assert_string_equal(c, "DEVICE partitions\nARRAY /dev/md/os metadata=1.2 UUID=aaaaaaaa:bbbbbbbb:cccccccc:dddddddd\n");
        assert_string_equal(f, "UUID=0000-1111 / ext4 defaults 0 1\n");
        assert_int_equal(life_apply(&p, &(struct life_opts){ .root = root }, &changed, &e), 0);
        assert_int_equal(changed, 0);
        unlink(conf), unlink(fstab), rmdir(dir);
        _cleanup_free_ char *etc = strdup_printf("%s/etc", root);
        rmdir(etc), rmdir(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(a_disk_is_no_member_because_its_name_is_a_prefix),
                cmocka_unit_test(the_member_on_a_disk_is_found_by_its_partitions),
                cmocka_unit_test(a_new_disk_gets_the_layout_of_a_healthy_members_disk),
                cmocka_unit_test(replace_refuses_a_failed_disk_that_is_no_member),
                cmocka_unit_test(replace_takes_the_faulty_member_out_and_rebuilds_onto_the_new_disk),
                cmocka_unit_test(destroy_touches_its_own_members_and_lines),
                cmocka_unit_test(destroy_of_a_stopped_array_finds_its_members_by_their_superblocks),
                cmocka_unit_test(a_partition_name_is_not_a_prefix),
                cmocka_unit_test(the_pools_fstab_line_does_not_hold_up_the_boot),
                cmocka_unit_test(destroy_drops_the_arrays_lines),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
