/* containers/bundle.c: the config.json runc reads. Expected text:
 * tests/fixtures/containers/bundle-config.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <string.h>

#include "containers/bundle.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"

static const char *const verify_args[] = { "/bin/sh", "-c", "echo hostd-runc-1; exit 7", NULL };
static const struct bundle_mount verify_binds[] = { { "/srv/pool/containers/verify", "/hostd", false },
                                                    { "/sys/fs/cgroup", "/host-cgroup", true } };
static const struct bundle_spec verify_spec = {
        .hostname = "hostd-runc-1", .args = verify_args, .memory = 64 << 20, .cpus = 0.5,
        .cgroups_path = "/hostd/hostd-runc-1", .binds = verify_binds, .n_binds = 2,
};

static char *fixture(const char *name) {
        const char *top = getenv("TOP");
        _cleanup_free_ char *path = strdup_printf("%s/tests/fixtures/containers/%s", top ? top : ".", name);
        char *text = NULL;
        struct error e = { 0 };
        if (read_file(path, 1 << 20, &text, NULL, &e) < 0)
                fail_msg("fixture %s: %s", name, e.msg);
        return text;
}

/* o.a.b... (object keys only) */
static json_object *at(json_object *o, const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;
        for (char *k = strtok_r(copy, ".", &save); o && k; k = strtok_r(NULL, ".", &save))
                if (!json_object_object_get_ex(o, k, &o))
                        return NULL;
        return o;
}

static void config_is_the_fixture(void **state) {
        _cleanup_free_ char *got = bundle_config_text(&verify_spec), *want = fixture("bundle-config.json");
        assert_non_null(got);
        if (!streq(got, want)) {
                print_message("--- expected bundle-config.json:\n%s--- got:\n%s", want, got);
                fail_msg("config.json differs from the fixture");
        }
}

static void limits_and_namespaces_where_runc_reads_them(void **state) {
        _cleanup_json_ json_object *o = bundle_config(&verify_spec);
        assert_int_equal(json_object_get_int64(at(o, "linux.resources.memory.limit")), 67108864);
        assert_int_equal(json_object_get_int64(at(o, "linux.resources.cpu.quota")), 50000);
        assert_int_equal(json_object_get_int64(at(o, "linux.resources.cpu.period")), 100000);
        assert_string_equal(json_object_get_string(at(o, "linux.cgroupsPath")), "/hostd/hostd-runc-1");
        assert_false(json_object_get_boolean(at(o, "root.readonly")));
        assert_false(json_object_get_boolean(at(o, "process.terminal")));
        assert_int_equal(json_object_get_int(at(o, "process.user.uid")), 0);
        json_object *ns = at(o, "linux.namespaces");
        const char *want[] = { "pid", "ipc", "uts", "mount", "network" };
        assert_int_equal(json_object_array_length(ns), ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                assert_string_equal(json_get_string(json_object_array_get_idx(ns, i), "type"), want[i]);
        /* the bind mounts come last, rw then ro, as given */
        json_object *m = at(o, "mounts");
        size_t n = json_object_array_length(m);
        json_object *pool = json_object_array_get_idx(m, n - 2), *cg = json_object_array_get_idx(m, n - 1);
        assert_string_equal(json_get_string(pool, "source"), "/srv/pool/containers/verify");
        assert_string_equal(json_get_string(pool, "type"), "bind");
        assert_string_equal(json_object_to_json_string(at(pool, "options")), "[ \"rbind\", \"rw\" ]");
        assert_string_equal(json_object_to_json_string(at(cg, "options")), "[ \"rbind\", \"ro\" ]");
}

static void no_limits_when_none_asked(void **state) {
        const char *args[] = { "/bin/true", NULL };
        struct bundle_spec s = { .hostname = "h", .args = args };
        _cleanup_json_ json_object *o = bundle_config(&s);
        assert_null(at(o, "linux.resources.memory"));
        assert_null(at(o, "linux.resources.cpu"));
        assert_null(at(o, "linux.cgroupsPath"));
        assert_non_null(at(o, "linux.resources.devices"));     /* devices stay denied */
        assert_string_equal(json_object_get_string(at(o, "process.cwd")), "/");
        assert_int_equal(json_object_array_length(at(o, "process.env")), 1);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(at(o, "process.env"), 0)), BUNDLE_DEFAULT_ENV);
}

static void cpu_quota_rounds_to_the_microsecond(void **state) {
        const double cpus[] = { 0.333333, 1.5, 0.01, 2 };
        const int64_t quota[] = { 33333, 150000, 1000, 200000 };
        for (size_t i = 0; i < ELEMENTSOF(cpus); i++) {
                struct bundle_spec s = { .hostname = "h", .args = verify_args, .cpus = cpus[i] };
                _cleanup_json_ json_object *o = bundle_config(&s);
                assert_int_equal(json_object_get_int64(at(o, "linux.resources.cpu.quota")), quota[i]);
        }
}

static void odd_args_are_escaped_and_come_back_unchanged(void **state) {
        const char *args[] = { "/bin/sh", "-c", "a\"b\\c", "line1\nline2\ttab", "$(rm -rf /) `x` 'q'",
                               "", "ü → ✓", "\x01\x1f", "</script>", NULL };
        const char *env[] = { "A=x\"y", "PATH=/bin", NULL };
        struct bundle_spec s = { .hostname = "h\"x", .args = args, .env = env, .cwd = "/with space" };
        _cleanup_free_ char *text = bundle_config_text(&s);
        assert_non_null(text);
        assert_non_null(strstr(text, "\"a\\\"b\\\\c\""));             /* "a\"b\\c" */
        assert_non_null(strstr(text, "\"line1\\nline2\\ttab\""));     /* no raw newline or tab in a string */
        assert_non_null(strstr(text, "\"\\u0001\\u001f\""));
        assert_non_null(strstr(text, "\"/bin/sh\""));                  /* slashes not escaped */
        assert_null(strchr(text, '\t'));
        _cleanup_json_ json_object *o = NULL;
        assert_int_equal(json_parse(text, strlen(text), &o, NULL), 0);
        json_object *a = at(o, "process.args");
        assert_int_equal(json_object_array_length(a), ELEMENTSOF(args) - 1);
        for (size_t i = 0; args[i]; i++)
                assert_string_equal(json_object_get_string(json_object_array_get_idx(a, i)), args[i]);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(at(o, "process.env"), 0)), "A=x\"y");
        assert_string_equal(json_object_get_string(at(o, "hostname")), "h\"x");
        assert_string_equal(json_object_get_string(at(o, "process.cwd")), "/with space");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(config_is_the_fixture),
                cmocka_unit_test(limits_and_namespaces_where_runc_reads_them),
                cmocka_unit_test(no_limits_when_none_asked),
                cmocka_unit_test(cpu_quota_rounds_to_the_microsecond),
                cmocka_unit_test(odd_args_are_escaped_and_come_back_unchanged),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
