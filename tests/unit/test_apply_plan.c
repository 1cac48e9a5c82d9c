/* hostctl apply's plan over captured inventories and host specs: the order
 * an operator reads in `hostctl apply --plan`, and the spec errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "provision/apply.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "inventory_fixture.h"

/* Write text to a temporary spec file and load it; returns the load's code. */
static int load(const char *text, struct host_spec **ret, struct error *e) {
        char path[] = "/tmp/test-apply-spec-XXXXXX.yaml";
        int fd = mkstemps(path, 5);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
        int k = host_spec_load(path, ret, e);
        unlink(path);
        return k;
}

#define STORAGE                                                                                                        \
        "storage:\n"                                                                                                   \
        "  arrays:\n"                                                                                                  \
        "    - {name: os, level: raid1, layout: os, disks: {count: 2, rotational: false, pick: smallest},\n"          \
        "       filesystem: {type: ext4, mount: /}}\n"                                                                 \
        "    - {name: data, level: raid5, disks: {rotational: true, min: 3}, spares: 1,\n"                             \
        "       filesystem: {type: xfs, mount: /srv/pool}}\n"
#define OS                                                                                                             \
        "os: {image: 'file:///srv/images/debian-12.tar', sha256: "                                                     \
        "'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'}\n"

static size_t index_of(const struct apply_plan *p, const char *id) {
        for (size_t i = 0; i < p->n_steps; i++)
                if (streq(p->steps[i].id, id))
                        return i;
        fail_msg("no step %s in the plan", id);
        return 0;
}

/* An R630 with NVMe drives only: the OS mirror on two namespaces'
 * partitions, the bootloader on each NVMe disk by its stable name, and
 * hostd put in as the package before the arrays are recorded. */
static void install_on_nvme_members(void **state) {
        struct error e = { 0 };
        _cleanup_(host_spec_freep) struct host_spec *s = NULL;
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("nvme-only");
        assert_int_equal(load("host: {name: r630-nvme}\n"
                              "storage:\n  arrays:\n"
                              "    - {name: os, level: raid1, layout: os, disks: {count: 2, pick: smallest},\n"
                              "       filesystem: {type: ext4, mount: /}}\n" OS, &s, &e), 0);
        _cleanup_(apply_plan_freep) struct apply_plan *p = NULL;
        assert_int_equal(apply_plan_make(s, inv, NULL, APPLY_PHASE_INSTALL, NULL, false, &p, &e), 0);
        assert_null(p->errors);
        size_t bios = 0;
        for (size_t i = 0; i < p->n_steps; i++)
                if (startswith(p->steps[i].id, "os:grub-bios:")) {
                        assert_non_null(startswith(p->steps[i].disk, "/dev/disk/by-id/wwn-eui.01000000000000"));
                        bios++;
                }
        assert_int_equal(bios, 2);
        _cleanup_strv_free_ char **disks = apply_plan_boot_disks(p, "os");
        _cleanup_free_ char *members = strv_join(disks, " ");
        assert_string_equal(members, "/dev/disk/by-id/wwn-eui.0100000000000000 /dev/disk/by-id/wwn-eui.0100000000000001");
        assert_true(index_of(p, "os:package") < index_of(p, "raid:record"));
        assert_true(index_of(p, "os:mount-esp") < index_of(p, "os:package"));
}

static void install_order_image_first_bootloader_on_every_disk(void **state) {
        struct error e = { 0 };
        _cleanup_(host_spec_freep) struct host_spec *s = NULL;
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-2ssd-6hdd");
        assert_int_equal(load("host: {name: r630-01}\n" STORAGE OS "containers: {runtime: containerd}\n", &s, &e), 0);
        /* the installed system must see its arrays as its own */
        assert_string_equal(s->storage->homehost, "r630-01");
        assert_string_equal(s->os->sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        _cleanup_(apply_plan_freep) struct apply_plan *p = NULL;
        assert_int_equal(apply_plan_make(s, inv, NULL, APPLY_PHASE_INSTALL, NULL, false, &p, &e), 0);
        assert_null(p->errors);
        /* the image is checked before the first disk is written */
        assert_string_equal(p->steps[0].id, "os:fetch");
        assert_string_equal(p->steps[1].domain, "raid");
        size_t mount = index_of(p, "os:mount-root"), unpack = index_of(p, "os:unpack"), record = index_of(p, "raid:record");
        size_t last_raid = 0;
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].act == ACT_RAID)
                        last_raid = i;
        assert_true(last_raid < mount && mount < unpack && unpack < record);
        assert_true(record < index_of(p, "os:configure") && index_of(p, "os:configure") < index_of(p, "os:initramfs"));
        /* GRUB on both members of the mirror, by stable path */
        size_t bios = 0;
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].act == ACT_OS && startswith(p->steps[i].id, "os:grub-bios:")) {
                        bios++;
                        assert_non_null(startswith(p->steps[i].disk, "/dev/disk/by-"));
                }
        assert_int_equal(bios, 2);
        assert_true(index_of(p, "os:grub-efi") < index_of(p, "os:grub-config"));
        assert_string_equal(p->steps[p->n_steps - 1].id, "os:finish");
        assert_string_equal(p->next, "reboot");
        /* containers wait for the installed system */
        for (size_t i = 0; i < p->n_steps; i++)
                assert_string_not_equal(p->steps[i].domain, "containers");
}

static void firstboot_runs_pool_runtime_vms_then_records(void **state) {
        struct error e = { 0 };
        _cleanup_(host_spec_freep) struct host_spec *s = NULL;
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-2ssd-6hdd");
        assert_int_equal(load("host: {name: r630-01}\n" STORAGE OS "hypervisor: {pool: hostd}\n"
                              "containers: {runtime: containerd}\nvms: [{name: web1}]\n",
                              &s, &e),
                         0);
        _cleanup_(apply_plan_freep) struct apply_plan *p = NULL;
        assert_int_equal(apply_plan_make(s, inv, NULL, APPLY_PHASE_FIRSTBOOT, NULL, false, &p, &e), 0);
        size_t pool = index_of(p, "hypervisor:pool"), setup = index_of(p, "containers:setup"),
               verify = index_of(p, "containers:verify"), vms = index_of(p, "hypervisor:vms"),
               done = index_of(p, "host:firstboot-done");
        assert_string_equal(p->steps[0].domain, "raid");
        assert_true(pool < setup && setup < verify && verify < vms && vms < done);
        assert_int_equal(done, p->n_steps - 1);
        assert_null(p->next);
        for (size_t i = 0; i < p->n_steps; i++)
                assert_string_not_equal(p->steps[i].domain, "os");
}

static void the_os_goes_on_a_raid1_only(void **state) {
        struct error e = { 0 };
        _cleanup_(host_spec_freep) struct host_spec *s = NULL;
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-2ssd-6hdd");
        assert_int_equal(load("host: {name: r630-01}\n" STORAGE
                              "os: {image: 'file:///x.tar', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',"
                              " root_array: data}\n",
                              &s, &e),
                         0);
        _cleanup_(apply_plan_freep) struct apply_plan *p = NULL;
        assert_int_equal(apply_plan_make(s, inv, NULL, APPLY_PHASE_INSTALL, NULL, false, &p, &e), 0);
        assert_non_null(p->errors);
        assert_non_null(strstr(p->errors[0], "os.root_array: 'data' is RAID 5"));
}

static void spec_errors_name_the_key(void **state) {
        static const struct {
                const char *text, *message;
        } cases[] = {
                { "host: {name: a}\nstorge: {}\n", "storge: unknown key" },
                { "host: {name: a}\n" STORAGE "os: {image: 'file:///x.tar', sha256: '12ab'}\n", "os.sha256: '12ab' is not 64 hex digits" },
                { "host: {name: a}\n" STORAGE "os: {image: 'file:///x.tar'}\n", "os.sha256: missing" },
                { "host: {name: a}\n" STORAGE "os: {image: 'ftp://x/y.tar', sha256: "
                  "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'}\n",
                  "os.image: 'ftp://x/y.tar' is not an https://" },
                { "host: {name: a}\n" STORAGE "os: {image: 'https://x/y.iso', sha256: "
                  "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'}\n",
                  "is not a .tar, .tar.gz, .tar.xz or .tar.zst" },
                { STORAGE OS, "host.name: missing" },
                { "host: {name: a}\n" OS, "os needs a storage section" },
                { "host: {name: a}\n" STORAGE OS "os2: 1\n", "os2: unknown key" },
                { "host: {name: a}\n" STORAGE "os: {image: 'file:///x.tar', sha256: "
                  "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', root_password_hash: hunter2}\n",
                  "os.root_password_hash: expected a crypt(3) hash" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct error e = { 0 };
                struct host_spec *s = NULL;
                assert_int_equal(load(cases[i].text, &s, &e), -EINVAL);
                if (!strstr(e.msg, cases[i].message))
                        fail_msg("case %zu: '%s' not in '%s'", i, cases[i].message, e.msg);
                host_spec_free(s);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(install_order_image_first_bootloader_on_every_disk),
                cmocka_unit_test(install_on_nvme_members),
                cmocka_unit_test(firstboot_runs_pool_runtime_vms_then_records),
                cmocka_unit_test(the_os_goes_on_a_raid1_only),
                cmocka_unit_test(spec_errors_name_the_key),
        };
        return cmocka_run_group_tests_name("apply_plan", tests, NULL, NULL);
}
