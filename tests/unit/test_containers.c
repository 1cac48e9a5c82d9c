/* containers/: the config edits that must keep an operator's settings, the
 * readers verify relies on, and the guard of umount_below. No runtime needed
 * (umount_below's own mount is made only when the test runs as root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "containers/containerd.h"
#include "containers/others.h"
#include "containers/place.h"
#include "containers/toml.h"
#include "containers/verify.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"

static const char operator_conf[] =
        "# site settings\n"
        "version = 2\n"
        "root = \"/var/lib/containerd\"\n"
        "oom_score = -500\n"
        "\n"
        "[grpc]\n"
        "  address = \"/run/containerd/containerd.sock\"\n"
        "  max_recv_message_size = 33554432\n"
        "\n"
        "[plugins]\n"
        "  [plugins.\"io.containerd.gc.v1.scheduler\"]\n"
        "    pause_threshold = 0.03\n";

static void import_is_one_line_before_the_first_table(void **state) {
        _cleanup_free_ char *out = NULL;
        assert_int_equal(toml_add_import(operator_conf, "/etc/containerd/hostd-pool.toml", &out, NULL), 0);
        /* removing that one line gives the operator's bytes back */
        const char *line = "imports = [\"/etc/containerd/hostd-pool.toml\"]\n";
        char *at = strstr(out, line);
        assert_non_null(at);
        assert_true(at < strstr(out, "[grpc]"));
        memmove(at, at + strlen(line), strlen(at + strlen(line)) + 1);
        assert_string_equal(out, operator_conf);
}

static void import_joins_an_existing_array_and_is_idempotent(void **state) {
        const char *conf = "version = 2\nimports = [\"/etc/containerd/site.toml\",\n  '/etc/x.toml']  # ours\n[grpc]\n";
        _cleanup_free_ char *once = NULL, *twice = NULL;
        assert_int_equal(toml_add_import(conf, "/etc/containerd/hostd-pool.toml", &once, NULL), 0);
        assert_string_equal(once, "version = 2\nimports = [\"/etc/containerd/site.toml\", \"/etc/x.toml\", "
                                  "\"/etc/containerd/hostd-pool.toml\"]  # ours\n[grpc]\n");
        assert_int_equal(toml_add_import(once, "/etc/containerd/hostd-pool.toml", &twice, NULL), 0);
        assert_string_equal(twice, once);
}

static void import_into_debian_default_empty_array(void **state) {
        _cleanup_free_ char *out = NULL;
        assert_int_equal(toml_add_import("disabled_plugins = []\nimports = []\nroot = \"/x\"\n", "/a b\".toml", &out, NULL), 0);
        assert_string_equal(out, "disabled_plugins = []\nimports = [\"/a b\\\".toml\"]\nroot = \"/x\"\n");
}

static void import_into_empty_file(void **state) {
        _cleanup_free_ char *out = NULL;
        assert_int_equal(toml_add_import("", "/p.toml", &out, NULL), 0);
        assert_string_equal(out, "imports = [\"/p.toml\"]\n");
}

static void import_refuses_a_non_array(void **state) {
        _cleanup_free_ char *out = NULL;
        struct error e = { 0 };
        assert_int_equal(toml_add_import("imports = \"x\"\n", "/p.toml", &out, &e), -EBADMSG);
        assert_non_null(strstr(e.msg, "not an array"));
}

static void reads_keys_by_table(void **state) {
        _cleanup_free_ char *root = NULL, *addr = NULL, *none = NULL;
        long v;
        assert_int_equal(toml_get_string(operator_conf, NULL, "root", &root), 0);
        assert_string_equal(root, "/var/lib/containerd");
        assert_int_equal(toml_get_string(operator_conf, "grpc", "address", &addr), 0);
        assert_string_equal(addr, "/run/containerd/containerd.sock");
        assert_int_equal(toml_get_string(operator_conf, NULL, "address", &none), -ENOENT);
        assert_int_equal(toml_get_int(operator_conf, NULL, "version", &v), 0);
        assert_int_equal(v, 2);
}

static void dropin_sets_root_state_socket_only(void **state) {
        struct place p;
        assert_int_equal(place_init(&p, "/srv/pool", "/etc/containerd/config.toml", "/run", NULL), 0);
        _cleanup_free_ char *t = place_dropin_text(&p, 2);
        _cleanup_free_ char *root = NULL, *st = NULL, *addr = NULL;
        assert_int_equal(toml_get_string(t, NULL, "root", &root), 0);
        assert_string_equal(root, "/srv/pool/containers/containerd");
        assert_int_equal(toml_get_string(t, NULL, "state", &st), 0);
        assert_string_equal(st, "/run/containerd");
        assert_int_equal(toml_get_string(t, "grpc", "address", &addr), 0);
        assert_string_equal(addr, "/run/containerd/containerd.sock");
        assert_null(strstr(t, "[plugins"));      /* an imported plugin table would replace the operator's */
        assert_string_equal(p.dropin, "/etc/containerd/hostd-pool.toml");
        place_done(&p);
}

static void docker_keeps_other_keys(void **state) {
        _cleanup_free_ char *out = NULL;
        const char *in = "{\"log-driver\": \"journald\", \"data-root\": \"/var/lib/docker\", \"registry-mirrors\": [\"https://m\"]}";
        assert_int_equal(docker_set_data_root(in, "/srv/pool/containers/docker", &out, NULL), 0);
        _cleanup_json_ json_object *o = NULL;
        assert_int_equal(json_parse(out, strlen(out), &o, NULL), 0);
        assert_string_equal(json_get_string(o, "data-root"), "/srv/pool/containers/docker");
        assert_string_equal(json_get_string(o, "log-driver"), "journald");
        json_object *m;
        assert_true(json_object_object_get_ex(o, "registry-mirrors", &m));
        assert_string_equal(json_object_get_string(json_object_array_get_idx(m, 0)), "https://m");
        _cleanup_free_ char *root = docker_data_root(out), *dflt = docker_data_root(NULL);
        assert_string_equal(root, "/srv/pool/containers/docker");
        assert_string_equal(dflt, "/var/lib/docker");
}

static void docker_new_file_and_bad_json(void **state) {
        _cleanup_free_ char *out = NULL, *bad = NULL;
        struct error e = { 0 };
        assert_int_equal(docker_set_data_root("  \n", "/p/docker", &out, NULL), 0);
        assert_non_null(strstr(out, "\"data-root\": \"/p/docker\""));
        assert_int_equal(docker_set_data_root("{\"a\": ", "/p/docker", &bad, &e), -EBADMSG);
        assert_non_null(strstr(e.msg, "daemon.json"));
        assert_int_equal(docker_set_data_root("[1]", "/p/docker", &bad, &e), -EBADMSG);
}

static void podman_graphroot_in_storage_table(void **state) {
        const char *in = "[storage]\ndriver = \"overlay\"\nrunroot = \"/run/containers/storage\"\n"
                         "graphroot = \"/var/lib/containers/storage\"\n\n[storage.options]\nmount_program = \"/usr/bin/fuse-overlayfs\"\n";
        _cleanup_free_ char *out = NULL, *root = NULL;
        assert_int_equal(podman_set_graphroot(in, "/srv/pool/containers/podman", &out, NULL), 0);
        assert_string_equal(out, "[storage]\ndriver = \"overlay\"\nrunroot = \"/run/containers/storage\"\n"
                                 "graphroot = \"/srv/pool/containers/podman\"\n\n[storage.options]\n"
                                 "mount_program = \"/usr/bin/fuse-overlayfs\"\n");
        root = podman_graphroot(out);
        assert_string_equal(root, "/srv/pool/containers/podman");
}

static void podman_adds_graphroot_and_table(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
        assert_int_equal(podman_set_graphroot("[storage]\ndriver = \"overlay\"\n", "/p", &a, NULL), 0);
        assert_string_equal(a, "[storage]\ngraphroot = \"/p\"\ndriver = \"overlay\"\n");
        assert_int_equal(podman_set_graphroot("# nothing\n", "/p", &b, NULL), 0);
        assert_string_equal(b, "# nothing\n[storage]\ngraphroot = \"/p\"\n");
        assert_int_equal(podman_set_graphroot(NULL, "/p", &c, NULL), 0);
        assert_string_equal(c, "[storage]\ngraphroot = \"/p\"\ndriver = \"overlay\"\n");
}

static void parses_what_the_container_printed(void **state) {
        struct verify_seen s;
        verify_parse("hostd-verify-1\ncg=memory/hostd/x\nmem=67108864\ncpu=50000\nroot=1 2 0:5 / / rw - overlay overlay rw\n",
                     "hostd-verify-1", &s);
        assert_true(s.marker);
        assert_string_equal(s.mem, "67108864");
        assert_string_equal(s.cpu, "50000");
        assert_string_equal(s.cgroup, "memory/hostd/x");
        verify_parse("hostd-verify-12\n", "hostd-verify-1", &s);
        assert_false(s.marker);        /* a longer marker is not ours */
}

static void rootfs_overlay_on_pool_or_not(void **state) {
        char d[400];
        const char *on = "812 790 0:77 / / rw,relatime - overlay overlay rw,lowerdir=/srv/pool/containers/containerd/"
                         "io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs,upperdir=/srv/pool/containers/containerd/"
                         "io.containerd.snapshotter.v1.overlayfs/snapshots/3/fs,workdir=/x";
        const char *off = "812 790 0:77 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/containerd/s/1/fs,"
                          "upperdir=/var/lib/containerd/s/3/fs,workdir=/x";
        assert_true(rootfs_on_pool(on, "/srv/pool", "/srv/pool/containers/containerd", makedev(7, 0), d, sizeof d));
        assert_false(rootfs_on_pool(off, "/srv/pool", "/srv/pool/containers/containerd", makedev(7, 0), d, sizeof d));
        assert_non_null(strstr(d, "/var/lib/containerd/s/3/fs"));
}

static void rootfs_native_bind_checks_device_and_path(void **state) {
        char d[400];
        const char *line = "700 650 7:0 /containers/containerd/io.containerd.snapshotter.v1.native/snapshots/4 / rw - xfs /dev/loop0 rw";
        assert_true(rootfs_on_pool(line, "/srv/pool", "/srv/pool/containers/containerd", makedev(7, 0), d, sizeof d));
        assert_false(rootfs_on_pool(line, "/srv/pool", "/srv/pool/containers/containerd", makedev(8, 1), d, sizeof d));
        assert_false(rootfs_on_pool("garbage", "/srv/pool", "/srv/pool/containers/containerd", makedev(7, 0), d, sizeof d));
}

static void rootfs_runc_bundle_is_a_dir_of_the_pool(void **state) {
        char d[400];
        /* inside a runc container: the bundle's rootfs, bind-mounted and pivoted to */
        const char *line = "640 600 7:0 /containers/bundles/verify/rootfs / rw,relatime - xfs /dev/loop0 rw,attr2";
        const char *elsewhere = "640 600 7:0 /srv-old/bundles/verify/rootfs / rw,relatime - xfs /dev/loop0 rw,attr2";
        assert_true(rootfs_on_pool(line, "/srv/pool", "/srv/pool/containers/bundles", makedev(7, 0), d, sizeof d));
        assert_non_null(strstr(d, "/containers/bundles/verify/rootfs"));
        assert_false(rootfs_on_pool(elsewhere, "/srv/pool", "/srv/pool/containers/bundles", makedev(7, 0), d, sizeof d));
        assert_false(rootfs_on_pool(line, "/srv/pool", "/srv/pool/containers/bundles", makedev(259, 1), d, sizeof d));
}

static void judge_fails_each_wrong_value(void **state) {
        struct checks c = { 0 };
        struct verify_opts o = { .memory = 64 << 20, .cpus = 0.5, .exit_code = 7 };
        verify_judge("/nonexistent-pool", "/nonexistent-pool/containers/containerd", "/nonexistent-pool/v", "f", "m",
                     &o, "m\nmem=9223372036854771712\ncpu=-1\n", 0, &c);
        assert_int_equal(c.n, 6);
        assert_true(c.item[0].ok);                                  /* output */
        for (size_t i = 1; i < c.n; i++)
                assert_false(c.item[i].ok);
        assert_non_null(strstr(c.item[2].detail, "9223372036854771712"));
        assert_false(checks_ok(&c));
}

static void verify_refuses_a_comma_in_the_bind_source(void **state) {
        struct error e = { 0 };
        assert_int_equal(verify_check_bind_source("/srv/pool/containers/verify", &e), 0);
        assert_int_equal(verify_check_bind_source("/srv/a,b/containers/verify", &e), ERROR_REFUSED);
        assert_non_null(strstr(e.msg, "/srv/a,b/containers/verify contains ','"));
}

static void umount_below_refuses_the_whole_host(void **state) {
        const char *refused[] = { "", "/", "//", "run/docker", "./x" };
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                struct error e = { 0 };
                assert_int_equal(umount_below(refused[i], &e), ERROR_REFUSED);
                assert_non_null(strstr(e.msg, "refusing to unmount everything below"));
                assert_non_null(strstr(e.msg, "not an absolute directory below /"));
        }
        struct error e = { 0 };
        assert_int_equal(umount_below(NULL, &e), ERROR_REFUSED);
}

static void umount_below_unmounts_what_is_below(void **state) {
        char dir[] = "/tmp/hostd-test-umount.XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *sub = strdup_printf("%s/a/b", dir);
        struct error e = { 0 };
        assert_int_equal(mkdir_p(sub, 0755, &e), 0);
        bool mounted = geteuid() == 0 && mount("tmpfs", sub, "tmpfs", 0, "size=1m") == 0;
        assert_int_equal(umount_below(dir, &e), 0);
        if (mounted)
                assert_false(path_is_mounted(sub));
        assert_int_equal(rmdir(sub), 0);
        _cleanup_free_ char *a = strdup_printf("%s/a", dir);
        assert_int_equal(rmdir(a), 0);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(import_is_one_line_before_the_first_table),
                cmocka_unit_test(import_joins_an_existing_array_and_is_idempotent),
                cmocka_unit_test(import_into_debian_default_empty_array),
                cmocka_unit_test(import_into_empty_file),
                cmocka_unit_test(import_refuses_a_non_array),
                cmocka_unit_test(reads_keys_by_table),
                cmocka_unit_test(dropin_sets_root_state_socket_only),
                cmocka_unit_test(docker_keeps_other_keys),
                cmocka_unit_test(docker_new_file_and_bad_json),
                cmocka_unit_test(podman_graphroot_in_storage_table),
                cmocka_unit_test(podman_adds_graphroot_and_table),
                cmocka_unit_test(parses_what_the_container_printed),
                cmocka_unit_test(rootfs_overlay_on_pool_or_not),
                cmocka_unit_test(rootfs_native_bind_checks_device_and_path),
                cmocka_unit_test(rootfs_runc_bundle_is_a_dir_of_the_pool),
                cmocka_unit_test(judge_fails_each_wrong_value),
                cmocka_unit_test(verify_refuses_a_comma_in_the_bind_source),
                cmocka_unit_test(umount_below_refuses_the_whole_host),
                cmocka_unit_test(umount_below_unmounts_what_is_below),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
