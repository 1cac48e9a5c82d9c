/* The OS deploy steps on a directory standing in for the target root, with
 * filesystem images in files standing in for the arrays: what an operator
 * would find in the installed system, and that a second run changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/strutil.h"
#include "os/deploy.h"

struct fixture {
        char dir[64];
        char *mnt, *root_img, *esp_img, *self, *spec_path, *image;
        struct os_spec spec;
        struct os_target t;
};

static void sh(const char *const *argv) {
        struct run_result r = { 0 };
        struct error e = { 0 };
        if (run_checked(argv, NULL, &r, &e) < 0)
                fail_msg("%s", e.msg);
        run_result_free(&r);
}

static void put(const char *path, const char *text) {
        struct error e = { 0 };
        if (file_ensure_content(path, text, 0644, &e) < 0)
                fail_msg("%s", e.msg);
}

static char *get(const char *dir, const char *rel) {
        _cleanup_free_ char *p = strdup_printf("%s/%s", dir, rel);
        char *text = NULL;
        struct error e = { 0 };
        return read_file(p, 1 << 20, &text, NULL, &e) < 0 ? NULL : text;
}

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof *f);
        snprintf(f->dir, sizeof f->dir, "/tmp/test-os-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        f->mnt = strdup_printf("%s/target", f->dir);
        f->root_img = strdup_printf("%s/root.img", f->dir);
        f->esp_img = strdup_printf("%s/esp.img", f->dir);
        f->self = strdup_printf("%s/bin", f->dir);
        f->spec_path = strdup_printf("%s/host.yaml", f->dir);
        f->image = strdup_printf("%s/rootfs.tar", f->dir);
        sh((const char *[]){ "truncate", "-s", "8M", f->root_img, NULL });
        sh((const char *[]){ "mkfs.ext4", "-q", "-F", f->root_img, NULL });
        sh((const char *[]){ "truncate", "-s", "33M", f->esp_img, NULL });
        sh((const char *[]){ "mkfs.vfat", "-F", "32", f->esp_img, NULL });
        _cleanup_free_ char *ctl = strdup_printf("%s/hostctl", f->self), *tree = strdup_printf("%s/tree", f->dir),
                            *shadow = strdup_printf("%s/tree/etc/shadow", f->dir);
        put(ctl, "#!/bin/sh\necho hostctl\n");
        put(f->spec_path, "host: {name: r630-01}\n");
        put(shadow, "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n");
        _cleanup_free_ char *fstab = strdup_printf("%s/tree/etc/fstab", f->dir);
        put(fstab, "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n");
        sh((const char *[]){ "tar", "-C", tree, "-cf", f->image, ".", NULL });
        struct error e = { 0 };
        assert_int_equal(mkdir_p(f->mnt, 0755, &e), 0);
        static char *keys[] = { "ssh-ed25519 AAAAC3Nza ops@example.org", NULL };
        static char *mounts[] = { "/srv/pool", NULL };
        f->spec = (struct os_spec){ .image = "file:///x/rootfs.tar", .sha256 = "ab", .firstboot = true,
                                    .root_password_hash = "$y$j9T$abc$def", .ssh_authorized_keys = keys };
        f->t = (struct os_target){ .spec = &f->spec, .mnt = f->mnt, .root_dev = f->root_img, .esp_dev = f->esp_img,
                                   .hostname = "r630-01", .spec_path = f->spec_path, .self_dir = f->self,
                                   .data_mounts = mounts, .image_path = strdup(f->image) };
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        sh((const char *[]){ "rm", "-rf", f->dir, NULL });
        free(f->mnt);
        free(f->root_img);
        free(f->esp_img);
        free(f->self);
        free(f->spec_path);
        free(f->image);
        free(f->t.image_path);
        free(f);
        return 0;
}

static int step(struct fixture *f, enum os_step_kind k, bool dry, char *msg) {
        struct error e = { 0 };
        int r = os_step_run(k, &f->t, NULL, dry, msg, 512, &e);
        if (r < 0)
                snprintf(msg, 512, "%.500s", e.msg);
        return r;
}

static void unpack_once_and_refuse_foreign_files(void **state) {
        struct fixture *f = *state;
        char msg[512];
        assert_int_equal(step(f, OS_UNPACK, true, msg), OUTCOME_CHANGED);
        _cleanup_free_ char *none = get(f->mnt, "etc/fstab");
        assert_null(none);   /* a plan writes nothing */
        assert_int_equal(step(f, OS_UNPACK, false, msg), OUTCOME_CHANGED);
        _cleanup_free_ char *fstab = get(f->mnt, "etc/fstab");
        assert_non_null(fstab);
        assert_int_equal(step(f, OS_UNPACK, false, msg), OUTCOME_UNCHANGED);
        assert_non_null(strstr(msg, "holds image"));
        /* a root that holds someone else's files is not written over */
        _cleanup_free_ char *stamp = strdup_printf("%s/var/lib/hostd/image.sha256", f->mnt);
        unlink(stamp);
        assert_int_equal(step(f, OS_UNPACK, false, msg), ERROR_REFUSED);
        assert_non_null(strstr(msg, "holds files that hostd did not unpack"));
        /* ... but a run stopped midway left its mark: unpack again */
        _cleanup_free_ char *mark = strdup_printf("%s/.hostd-unpacking", f->mnt),
                            *stray = strdup_printf("%s/etc/half-written", f->mnt);
        put(mark, "ab");
        put(stray, "x");   /* what the stopped run left is cleared, not unpacked over */
        assert_int_equal(step(f, OS_UNPACK, false, msg), OUTCOME_CHANGED);
        assert_int_equal(access(stray, F_OK), -1);
        assert_non_null(strstr(msg, "unpacked"));
        assert_int_equal(access(mark, F_OK), -1);
}

static void configure_writes_what_the_installed_system_reads(void **state) {
        struct fixture *f = *state;
        char msg[512];
        assert_int_equal(step(f, OS_UNPACK, false, msg), OUTCOME_CHANGED);
        assert_int_equal(step(f, OS_CONFIGURE, true, msg), OUTCOME_CHANGED);
        _cleanup_free_ char *before = get(f->mnt, "etc/hostname");
        assert_null(before);
        assert_int_equal(step(f, OS_CONFIGURE, false, msg), OUTCOME_CHANGED);
        _cleanup_free_ char *hostname = get(f->mnt, "etc/hostname"), *fstab = get(f->mnt, "etc/fstab"),
                            *shadow = get(f->mnt, "etc/shadow"), *keys = get(f->mnt, "root/.ssh/authorized_keys"),
                            *unit = get(f->mnt, "etc/systemd/system/" OS_FIRSTBOOT_UNIT),
                            *ctl = get(f->mnt, "usr/local/sbin/hostctl"), *spec = get(f->mnt, "etc/hostd/host.yaml");
        assert_string_equal(hostname, "r630-01\n");
        assert_non_null(strstr(fstab, "# UNCONFIGURED FSTAB"));   /* what was there stays */
        assert_non_null(strstr(fstab, " / ext4 errors=remount-ro 0 1\n"));
        assert_non_null(strstr(fstab, " /boot/efi vfat umask=0077,nofail 0 0\n"));
        assert_non_null(strstr(fstab, "UUID="));
        assert_non_null(startswith(shadow, "root:$y$j9T$abc$def:19000:"));
        assert_non_null(strstr(shadow, "\ndaemon:*:19000:"));
        assert_string_equal(keys, "ssh-ed25519 AAAAC3Nza ops@example.org\n");
        assert_non_null(strstr(unit, "ExecStart=/usr/local/sbin/hostctl apply /etc/hostd/host.yaml --phase firstboot --yes"));
        assert_non_null(strstr(unit, "ConditionPathExists=!" OS_FIRSTBOOT_DONE));
        /* the pool's mount is nofail, so local-fs.target does not wait for it: the unit does */
        assert_non_null(strstr(unit, "\nWants=network-online.target containerd.service srv-pool.mount\n"));
        assert_non_null(strstr(unit, "\nAfter=network-online.target local-fs.target containerd.service libvirtd.service "
                                     "srv-pool.mount\n"));
        assert_string_equal(ctl, "#!/bin/sh\necho hostctl\n");
        assert_string_equal(spec, "host: {name: r630-01}\n");
        _cleanup_free_ char *link = strdup_printf("%s/etc/systemd/system/multi-user.target.wants/" OS_FIRSTBOOT_UNIT, f->mnt);
        char target[256] = "";
        assert_true(readlink(link, target, sizeof target - 1) > 0);
        assert_string_equal(target, "/etc/systemd/system/" OS_FIRSTBOOT_UNIT);
        /* again: nothing to do, in a plan and for real */
        assert_int_equal(step(f, OS_CONFIGURE, true, msg), OUTCOME_UNCHANGED);
        assert_int_equal(step(f, OS_CONFIGURE, false, msg), OUTCOME_UNCHANGED);
        _cleanup_free_ char *fstab2 = get(f->mnt, "etc/fstab");
        assert_string_equal(fstab, fstab2);
}

/* With a package, the package step has put hostctl in /usr/bin: the unit
 * runs that one, and nothing is copied beside it. */
static void configure_with_a_package_copies_no_binaries(void **state) {
        struct fixture *f = *state;
        char msg[512];
        f->t.package_path = "/srv/hostd_0.1.0_amd64.deb";
        assert_int_equal(step(f, OS_UNPACK, false, msg), OUTCOME_CHANGED);
        assert_int_equal(step(f, OS_CONFIGURE, false, msg), OUTCOME_CHANGED);
        assert_null(strstr(msg, "hostctl"));
        _cleanup_free_ char *unit = get(f->mnt, "etc/systemd/system/" OS_FIRSTBOOT_UNIT),
                            *ctl = get(f->mnt, "usr/local/sbin/hostctl");
        assert_non_null(strstr(unit, "ExecStart=/usr/bin/hostctl apply /etc/hostd/host.yaml --phase firstboot --yes"));
        assert_null(ctl);
        assert_int_equal(step(f, OS_CONFIGURE, false, msg), OUTCOME_UNCHANGED);
        /* the same target without the package: the copy comes back, and the unit runs it */
        f->t.package_path = NULL;
        assert_int_equal(step(f, OS_CONFIGURE, false, msg), OUTCOME_CHANGED);
        _cleanup_free_ char *unit2 = get(f->mnt, "etc/systemd/system/" OS_FIRSTBOOT_UNIT),
                            *ctl2 = get(f->mnt, "usr/local/sbin/hostctl");
        assert_non_null(strstr(unit2, "ExecStart=/usr/local/sbin/hostctl apply"));
        assert_non_null(ctl2);
}

/* The names systemd-escape --path --suffix=mount gives. */
static void mount_unit_names_as_systemd_escapes_them(void **state) {
        (void)state;
        static const char *const cases[][2] = {
                { "/srv/pool", "srv-pool.mount" },         { "/", "-.mount" },
                { "/srv/my-pool", "srv-my\\x2dpool.mount" }, { "/.hidden/a.b", "\\x2ehidden-a.b.mount" },
                { "/srv/a+b@c:d", "srv-a\\x2bb\\x40c:d.mount" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                _cleanup_free_ char *name = os_mount_unit_name(cases[i][0]);
                assert_string_equal(name, cases[i][1]);
        }
}

static void no_kernel_no_initramfs(void **state) {
        struct fixture *f = *state;
        char msg[512];
        assert_int_equal(step(f, OS_UNPACK, false, msg), OUTCOME_CHANGED);
        assert_int_equal(step(f, OS_INITRAMFS, false, msg), -ENOENT);
        assert_non_null(strstr(msg, "holds no kernel: the image cannot boot"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(unpack_once_and_refuse_foreign_files, setup, teardown),
                cmocka_unit_test_setup_teardown(configure_writes_what_the_installed_system_reads, setup, teardown),
                cmocka_unit_test_setup_teardown(configure_with_a_package_copies_no_binaries, setup, teardown),
                cmocka_unit_test(mount_unit_names_as_systemd_escapes_them),
                cmocka_unit_test_setup_teardown(no_kernel_no_initramfs, setup, teardown),
        };
        return cmocka_run_group_tests_name("os", tests, NULL, NULL);
}
