/* containers/engine.c: where Docker Engine and podman live once placed,
 * from the pool, the operator's config file and the run dir; what daemon.json
 * says itself about the socket, exec-root and pid file (dockerd refuses the
 * flag for a setting its file holds); and when an old root holds data.
 * Files in a temporary directory; no runtime runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "containers/engine.h"
#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

static char dir[] = "/tmp/hostd-test-engine.XXXXXX";

static char *path(const char *name) {
        return strdup_printf("%s/%s", dir, name);
}

static void put(const char *name, const char *text) {
        _cleanup_free_ char *p = path(name);
        assert_int_equal(mkdir_parent(p, NULL), 0);
        assert_int_equal(write_file_atomic(p, text, strlen(text), 0644, NULL), 0);
}

static void docker_paths_follow_the_run_dir(void **state) {
        _cleanup_free_ char *conf = path("none/daemon.json");
        _cleanup_(engine_done) struct engine en = { 0 };
        assert_int_equal(engine_init(&en, "docker", "/srv/p", conf, "/tmp/r", NULL), 0);
        assert_true(en.docker);
        assert_false(en.default_config);
        assert_string_equal(en.root, "/srv/p/containers/docker");
        assert_string_equal(en.socket, "/tmp/r/docker.sock");
        assert_string_equal(en.exec_root, "/tmp/r/docker");
        assert_string_equal(en.pidfile, "/tmp/r/docker.pid");
        assert_string_equal(en.launch_pidfile, "/tmp/r/hostd/dockerd.pid");
        assert_false(en.config_hosts || en.config_exec_root || en.config_pidfile);
        _cleanup_free_ char *root = engine_config_root(&en);
        assert_string_equal(root, "/var/lib/docker");     /* no file: dockerd's default */
}

static void docker_paths_from_daemon_json(void **state) {
        put("d1/daemon.json", "{\"hosts\": [\"tcp://0.0.0.0:2376\", \"unix:///x/d.sock\"], \"exec-root\": \"/x/exec\",\n"
                              " \"pidfile\": \"/x/d.pid\", \"data-root\": \"/old/docker\"}\n");
        _cleanup_free_ char *conf = path("d1/daemon.json");
        _cleanup_(engine_done) struct engine en = { 0 };
        assert_int_equal(engine_init(&en, "docker", NULL, conf, NULL, NULL), 0);
        assert_string_equal(en.root, "/srv/pool/containers/docker");
        assert_string_equal(en.socket, "/x/d.sock");
        assert_string_equal(en.exec_root, "/x/exec");
        assert_string_equal(en.pidfile, "/x/d.pid");
        assert_true(en.config_hosts && en.config_exec_root && en.config_pidfile);
        _cleanup_free_ char *root = engine_config_root(&en);
        assert_string_equal(root, "/old/docker");
}

static void docker_hosts_without_a_socket_or_bad_json(void **state) {
        put("d2/daemon.json", "{\"hosts\": [\"tcp://0.0.0.0:2376\"]}");
        put("d3/daemon.json", "{\"hosts\": ");
        _cleanup_free_ char *c2 = path("d2/daemon.json"), *c3 = path("d3/daemon.json");
        struct engine en = { 0 };
        struct error e = { 0 };
        assert_int_equal(engine_init(&en, "docker", NULL, c2, NULL, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "has no unix:// socket"));
        engine_done(&en);
        e = (struct error){ 0 };
        assert_true(engine_init(&en, "docker", NULL, c3, NULL, &e) < 0);
        assert_non_null(strstr(e.msg, c3));
        engine_done(&en);
        e = (struct error){ 0 };
        assert_int_equal(engine_init(&en, "lxc", NULL, NULL, NULL, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "'lxc' is not docker or podman"));
        engine_done(&en);
}

static void docker_empty_exec_root_and_pidfile_are_dockerds_defaults(void **state) {
        put("d4/daemon.json", "{\"exec-root\": \"\", \"pidfile\": \"\"}");
        _cleanup_free_ char *conf = path("d4/daemon.json");
        _cleanup_(engine_done) struct engine en = { 0 };
        assert_int_equal(engine_init(&en, "docker", NULL, conf, "/tmp/r", NULL), 0);
        assert_string_equal(en.exec_root, "/run/docker");
        assert_string_equal(en.pidfile, "/run/docker.pid");
        assert_true(en.config_exec_root && en.config_pidfile);   /* in the file: no flag for dockerd */
}

static void docker_relative_or_root_paths_are_refused(void **state) {
        static const struct { const char *json, *says; } bad[] = {
                { "{\"exec-root\": \"/\"}", "\"exec-root\" is \"/\"" },
                { "{\"exec-root\": \"run/docker\"}", "\"exec-root\" is \"run/docker\"" },
                { "{\"pidfile\": \"docker.pid\"}", "\"pidfile\" is \"docker.pid\"" },
                { "{\"pidfile\": \"/\"}", "\"pidfile\" is \"/\"" },
        };
        _cleanup_free_ char *conf = path("d5/daemon.json");
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                put("d5/daemon.json", bad[i].json);
                struct engine en = { 0 };
                struct error e = { 0 };
                assert_int_equal(engine_init(&en, "docker", NULL, conf, NULL, &e), ERROR_REFUSED);
                assert_non_null(strstr(e.msg, bad[i].says));
                assert_non_null(strstr(e.msg, "hostd refuses a relative path or \"/\" there"));
                engine_done(&en);
        }
}

static void podman_graphroot_from_its_storage_conf(void **state) {
        put("p1/storage.conf", "[storage]\ndriver = \"overlay\"\ngraphroot = \"/old/podman\"\n");
        _cleanup_free_ char *conf = path("p1/storage.conf");
        _cleanup_(engine_done) struct engine en = { 0 };
        assert_int_equal(engine_init(&en, "podman", "/srv/p", conf, NULL, NULL), 0);
        assert_false(en.docker);
        assert_null(en.socket);
        assert_int_equal(engine_pid(&en), 0);
        _cleanup_free_ char *root = engine_config_root(&en);
        assert_string_equal(root, "/old/podman");
        assert_string_equal(en.root, "/srv/p/containers/podman");
}

static void old_root_holds_data_only_with_layers_or_containers(void **state) {
        _cleanup_(engine_done) struct engine d = { 0 }, p = { 0 };
        assert_int_equal(engine_init(&d, "docker", NULL, "/nonexistent/daemon.json", NULL, NULL), 0);
        assert_int_equal(engine_init(&p, "podman", NULL, "/nonexistent/storage.conf", NULL, NULL), 0);
        _cleanup_free_ char *root = path("root"), *l = path("root/overlay2/l"), *pl = path("root/overlay/l"),
                            *layer = path("root/overlay2/0123abcd"), *ctr = path("root/containers/c1");
        assert_int_equal(mkdir_p(l, 0755, NULL), 0);
        assert_int_equal(mkdir_p(pl, 0755, NULL), 0);
        assert_false(engine_root_holds_data(&d, root));   /* only the short-link dir */
        assert_false(engine_root_holds_data(&p, root));
        assert_int_equal(mkdir_p(ctr, 0755, NULL), 0);
        assert_true(engine_root_holds_data(&d, root));    /* a container */
        rmdir(ctr);
        assert_false(engine_root_holds_data(&d, root));
        assert_int_equal(mkdir_p(layer, 0755, NULL), 0);
        assert_true(engine_root_holds_data(&d, root));    /* a layer */
        _cleanup_free_ char *player = path("root/overlay/beef");
        assert_int_equal(mkdir_p(player, 0755, NULL), 0);
        assert_true(engine_root_holds_data(&p, root));
        assert_false(engine_root_holds_data(&d, "/nonexistent"));
}

static void dockerd_gets_config_file_only_when_it_exists(void **state) {
        _cleanup_free_ char *missing = path("none/daemon.json"), *there = path("d6/daemon.json");
        _cleanup_(engine_done) struct engine a = { 0 }, b = { 0 };
        _cleanup_strv_free_ char **argv_a = NULL, **argv_b = NULL;
        assert_int_equal(engine_init(&a, "docker", "/srv/p", missing, "/tmp/r", NULL), 0);
        assert_int_equal(engine_dockerd_argv(&a, "/usr/bin/dockerd", &argv_a, NULL), 0);
        _cleanup_free_ char *ja = strv_join(argv_a, " ");
        assert_null(strstr(ja, "--config-file"));
        assert_non_null(strstr(ja, "--exec /usr/bin/dockerd -- --pidfile /tmp/r/docker.pid --exec-root /tmp/r/docker "
                                   "-H unix:///tmp/r/docker.sock"));
        put("d6/daemon.json", "{\"pidfile\": \"/x/d.pid\"}");
        assert_int_equal(engine_init(&b, "docker", "/srv/p", there, "/tmp/r", NULL), 0);
        assert_int_equal(engine_dockerd_argv(&b, "/usr/bin/dockerd", &argv_b, NULL), 0);
        _cleanup_free_ char *jb = strv_join(argv_b, " "), *want = strdup_printf("-- --config-file %s --exec-root", there);
        assert_non_null(strstr(jb, want));
        assert_null(strstr(jb, "-- --pidfile"));    /* daemon.json's own: no flag */
}

/* A fake docker client first in PATH: prints how many arguments it got and
 * the socket it was pointed at; "fail" as the last argument exits 3. */
static void client_argv_grows_and_failures_name_the_command(void **state) {
        put("bin/docker", "#!/bin/sh\necho \"$# $2\"\neval \"last=\\${$#}\"\n"
                          "[ \"$last\" = fail ] && { echo 'no such thing' >&2; exit 3; }\nexit 0\n");
        _cleanup_free_ char *bin = path("bin"), *fake = path("bin/docker"), *conf = path("none/daemon.json");
        assert_int_equal(chmod(fake, 0755), 0);
        _cleanup_free_ char *old_path = strdup(getenv("PATH")), *new_path = strdup_printf("%s:%s", bin, old_path);
        assert_int_equal(setenv("PATH", new_path, 1), 0);
        _cleanup_(engine_done) struct engine en = { 0 };
        assert_int_equal(engine_init(&en, "docker", "/srv/p", conf, "/tmp/r", NULL), 0);
        const char *args[101];
        for (size_t i = 0; i < 100; i++)
                args[i] = "x";
        args[100] = NULL;
        _cleanup_free_ char *out = NULL;
        struct error e = { 0 };
        assert_int_equal(engine_run_checked(&en, args, 10000, &out, &e), 0);
        assert_string_equal(out, "102 unix:///tmp/r/docker.sock\n");   /* -H SOCKET and all 100 */
        const char *bad[] = { "image", "fail", NULL };
        assert_int_equal(engine_run_checked(&en, bad, 10000, NULL, &e), -EIO);
        assert_non_null(strstr(e.msg, "docker -H unix:///tmp/r/docker.sock image fail"));
        assert_non_null(strstr(e.msg, "exit code 3"));
        assert_non_null(strstr(e.msg, "no such thing"));
        assert_int_equal(setenv("PATH", old_path, 1), 0);
}

int main(void) {
        if (!mkdtemp(dir))
                return 1;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(docker_paths_follow_the_run_dir),
                cmocka_unit_test(docker_paths_from_daemon_json),
                cmocka_unit_test(docker_hosts_without_a_socket_or_bad_json),
                cmocka_unit_test(docker_empty_exec_root_and_pidfile_are_dockerds_defaults),
                cmocka_unit_test(docker_relative_or_root_paths_are_refused),
                cmocka_unit_test(podman_graphroot_from_its_storage_conf),
                cmocka_unit_test(old_root_holds_data_only_with_layers_or_containers),
                cmocka_unit_test(client_argv_grows_and_failures_name_the_command),
                cmocka_unit_test(dockerd_gets_config_file_only_when_it_exists),
        };
        int failed = cmocka_run_group_tests(tests, NULL, NULL);
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *rm[] = { "rm", "-rf", "--", dir, NULL };
        if (run_checked(rm, NULL, &r, NULL) < 0)
                failed++;
        return failed;
}
