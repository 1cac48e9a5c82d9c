/* lib/: errors, strings, sizes, files and JSON helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "lib/yaml_json.h"

static void error_carries_code_and_context(void **state) {
        struct error e = { 0 };
        assert_int_equal(error_set(&e, ENOENT, "disk %s not found", "WFK00ABC"), -ENOENT);
        assert_int_equal(error_prefix(&e, "raid create %s", "data"), -ENOENT);
        assert_string_equal(e.msg, "raid create data: disk WFK00ABC not found");
        assert_int_equal(error_set(NULL, -EIO, "nobody listens"), -EIO);
}

static void error_message_is_truncated_not_overflowed(void **state) {
        struct error e = { 0 };
        char big[3000];
        memset(big, 'a', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        error_set(&e, -EIO, "%s", big);
        error_prefix(&e, "%s", big);
        assert_int_equal(strlen(e.msg), ERROR_MSG_MAX - 1);
}

/* exit 3 ("refused for safety") comes from ERROR_REFUSED alone: no errno the
 * kernel returns may equal it, or a plain EPERM would pass for a refusal */
static void refusal_is_no_errno(void **state) {
        for (int n = 1; n < 4096; n++)
                assert_int_not_equal(ERROR_REFUSED, -n);
        assert_string_equal(error_code_name(ERROR_REFUSED), "REFUSED");
        assert_string_equal(error_code_text(ERROR_REFUSED), "refused for safety");
        assert_string_equal(error_code_name(-EPERM), "EPERM");
        assert_string_equal(error_code_text(-EPERM), "Operation not permitted");
        assert_string_equal(error_code_name(-99999), "E99999");
        struct error e = { 0 };
        assert_int_equal(error_set(&e, ERROR_REFUSED, "no"), ERROR_REFUSED);
        assert_int_equal(e.code, ERROR_REFUSED);
}

static void sizes_parse_and_format(void **state) {
        uint64_t v;
        assert_int_equal(parse_size("512K", &v), 0);
        assert_int_equal(v, 524288);
        assert_int_equal(parse_size("16G", &v), 0);
        assert_int_equal(v, 17179869184ULL);
        assert_int_equal(parse_size("1.5T", &v), 0);
        assert_int_equal(v, 1649267441664ULL);
        assert_int_equal(parse_size("2GiB", &v), 0);
        assert_int_equal(v, 2147483648ULL);
        assert_int_equal(parse_size("4096", &v), 0);
        assert_int_equal(v, 4096);
        assert_int_equal(parse_size("12Q", &v), -EINVAL);
        assert_int_equal(parse_size("-1G", &v), -EINVAL);
        assert_int_equal(parse_size("", &v), -EINVAL);
        char buf[16];
        assert_string_equal(format_size(17179869184ULL, buf, sizeof buf), "16.0G");
        assert_string_equal(format_size(480103981056ULL, buf, sizeof buf), "447.1G");
        assert_string_equal(format_size(512, buf, sizeof buf), "512B");
}

static void shell_quote_is_for_display_only_but_exact(void **state) {
        _cleanup_free_ char *plain = shell_quote("/dev/md/os");
        _cleanup_free_ char *tricky = shell_quote("$(reboot); it's");
        _cleanup_free_ char *empty = shell_quote("");
        assert_string_equal(plain, "/dev/md/os");
        assert_string_equal(tricky, "'$(reboot); it'\\''s'");
        assert_string_equal(empty, "''");
}

static void strv_grows_and_joins(void **state) {
        _cleanup_strv_free_ char **v = NULL;
        assert_int_equal(strv_push(&v, "a"), 0);
        assert_int_equal(strv_push(&v, "b c"), 0);
        assert_int_equal(strv_length(v), 2);
        assert_true(strv_contains(v, "b c"));
        assert_false(strv_contains(v, "b"));
        _cleanup_free_ char *j = strv_join(v, ", ");
        assert_string_equal(j, "a, b c");
        const char *more[] = { "d", "e", NULL };
        assert_int_equal(strv_extend(&v, more), 0);
        assert_int_equal(strv_extend(&v, NULL), 0);
        _cleanup_free_ char *j2 = strv_join(v, ",");
        assert_string_equal(j2, "a,b c,d,e");
}

static void program_output_becomes_sorted_lines(void **state) {
        char text[] = "b 2\n\n  a 1  \n \t\nc 3";
        _cleanup_strv_free_ char **v = NULL;
        assert_int_equal(strv_split_lines_sorted(text, &v), 0);
        _cleanup_free_ char *j = strv_join(v, "|");
        assert_string_equal(j, "a 1|b 2|c 3");
        char blank[] = "\n  \n";
        _cleanup_strv_free_ char **none = NULL;
        assert_int_equal(strv_split_lines_sorted(blank, &none), 0);
        assert_null(none);
}

static void trim_and_prefixes(void **state) {
        char s[] = "  SEAGATE   \n";
        assert_string_equal(str_trim(s), "SEAGATE");
        assert_string_equal(startswith("ID_SERIAL=x", "ID_SERIAL="), "x");
        assert_null(startswith("ID_WWN=x", "ID_SERIAL="));
        assert_true(endswith("disk.img", ".img"));
        assert_false(endswith("g", ".img"));
}

static void paths_below_root_only(void **state) {
        assert_true(path_is_below_root("/run/docker"));
        assert_true(path_is_below_root("/srv/pool/"));
        assert_true(path_is_below_root("/a/./b"));
        const char *refused[] = { NULL, "", "/", "//", "/.", "/./", "run/docker", "./docker", "docker.pid",
                                  "/..", "/run/..", "/run/../etc" };
        for (size_t i = 0; i < ELEMENTSOF(refused); i++)
                assert_false(path_is_below_root(refused[i]));
}

static void files_write_atomically_and_read_back(void **state) {
        char dir[] = "/tmp/hostd-lib-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *sub = strdup_printf("%s/a/b/c", dir);
        _cleanup_free_ char *file = strdup_printf("%s/a/b/c/attr", dir);
        struct error e = { 0 };
        assert_int_equal(mkdir_p(sub, 0755, &e), 0);
        assert_int_equal(mkdir_p(sub, 0755, &e), 0); /* idempotent */
        assert_int_equal(write_file_atomic(file, "  10000 \nsecond\n", 16, 0600, &e), 0);
        struct stat st;
        assert_int_equal(stat(file, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        _cleanup_free_ char *line = NULL;
        assert_int_equal(read_one_line(file, &line, &e), 0);
        assert_string_equal(line, "10000");
        _cleanup_free_ char *missing = strdup_printf("%s/nope", dir);
        char *none = NULL;
        assert_int_equal(read_one_line(missing, &none, &e), -ENOENT);
        assert_non_null(strstr(e.msg, "nope"));
        _cleanup_free_ char *notdir = strdup_printf("%s/x", file);
        assert_true(mkdir_p(notdir, 0755, &e) < 0);
        _cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

static void json_errors_say_where(void **state) {
        json_object *o = NULL;
        struct error e = { 0 };
        assert_int_equal(json_parse("{\"a\": [1, 2}", 12, &o, &e), -EBADMSG);
        assert_non_null(strstr(e.msg, "invalid JSON at offset"));
        assert_int_equal(json_parse("{\"a\": 1", 7, &o, &e), -EBADMSG);
        assert_non_null(strstr(e.msg, "truncated"));
        assert_int_equal(json_parse("{} x", 4, &o, &e), -EBADMSG);
        assert_int_equal(json_parse(" {\"a\": \"b\"}\n", 12, &o, &e), 0);
        assert_string_equal(json_get_string(o, "a"), "b");
        assert_null(json_get_string(o, "missing"));
        json_object_put(o);
}

static void json_null_for_unknown_and_safe_strings(void **state) {
        _cleanup_json_ json_object *o = json_object_new_object();
        json_add_string(o, "serial", NULL);
        json_add_string(o, "model", "$(reboot);\"<x>");
        json_add_int(o, "size_bytes", 17179869184LL);
        assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                            "{\"serial\":null,\"model\":\"$(reboot);\\\"<x>\",\"size_bytes\":17179869184}");
}

static void yaml_reads_as_json(void **state) {
        static const char text[] =
                "storage:\n"
                "  arrays:\n"
                "    - name: os\n"
                "      disks: {count: 2, rotational: false, pick: smallest}\n"
                "      chunk: 512K\n"
                "      label: \"007\"\n"
                "      spares: ~\n"
                "  wipe: []\n";
        json_object *o = NULL;
        struct error e = { 0 };
        assert_int_equal(yaml_parse_to_json(text, sizeof text - 1, &o, &e), 0);
        assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                            "{\"storage\":{\"arrays\":[{\"name\":\"os\",\"disks\":{\"count\":2,\"rotational\":false,"
                            "\"pick\":\"smallest\"},\"chunk\":\"512K\",\"label\":\"007\",\"spares\":null}],\"wipe\":[]}}");
        json_object_put(o);
}

static void yaml_errors_name_the_line(void **state) {
        static const char bad[] = "a: 1\nb: [1, 2\nc: 3\n";
        static const char twice[] = "a: 1\na: 2\n";
        static const char alias[] = "a: &x [1]\nb: *x\n";
        json_object *o = NULL;
        struct error e = { 0 };
        assert_int_equal(yaml_parse_to_json(bad, sizeof bad - 1, &o, &e), -EBADMSG);
        assert_non_null(strstr(e.msg, "invalid YAML at line 3"));
        assert_int_equal(yaml_parse_to_json(twice, sizeof twice - 1, &o, &e), -EBADMSG);
        assert_string_equal(e.msg, "line 2: key 'a' given twice");
        assert_int_equal(yaml_parse_to_json(alias, sizeof alias - 1, &o, &e), -EBADMSG);
        assert_string_equal(e.msg, "line 2: YAML aliases are not supported");
}

/* Webhook URLs are logged without their userinfo (a password may be in it). */
static void urls_are_logged_without_credentials(void **state) {
        static const char *const cases[][2] = {
                { "https://user:secret@hooks.example/x?a=b@c", "https://hooks.example/x?a=b@c" },
                { "http://tok@10.0.0.1:8080/p", "http://10.0.0.1:8080/p" },
                { "http://a:b@c@host", "http://host" },
                { "http://host/path@x", "http://host/path@x" },
                { "not a url", "not a url" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *shown = url_redacted(cases[i][0]);
                assert_string_equal(shown, cases[i][1]);
        }
}

/* 100 KB of '[' (a nesting bomb) is refused on its 65th level, before
 * libyaml's scanner spends minutes on it; 64 levels still parse. */
static void yaml_nesting_bomb_is_refused_at_once(void **state) {
        size_t n = 100 * 1024;
        _cleanup_free_ char *bomb = malloc(n);
        assert_non_null(bomb);
        memset(bomb, '[', n);
        json_object *o = NULL;
        struct error e = { 0 };
        assert_int_equal(yaml_parse_to_json(bomb, n, &o, &e), -ELOOP);
        assert_string_equal(e.msg, "line 1: YAML nested deeper than 64 levels");
        assert_null(o);
        _cleanup_free_ char *deep = malloc(2 * 64 + 1);
        assert_non_null(deep);
        memset(deep, '[', 64);
        memset(deep + 64, ']', 64);
        deep[128] = '\0';
        assert_int_equal(yaml_parse_to_json(deep, 128, &o, &e), 0);
        json_object_put(o);
}

/* What a deleted array leaves behind: its ARRAY line and its fstab line go,
 * everything else (comments that mention it too) stays byte for byte. */
static void lines_of_a_deleted_array_are_removed(void **state) {
        char dir[] = "/tmp/test-lib-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *path = strdup_printf("%s/mdadm.conf", dir);
        struct error e = { 0 };
        const char *before = "# keep: UUID=aa:bb\nHOMEHOST <system>\nARRAY /dev/md/data metadata=1.2 UUID=aa:bb name=x:data\n"
                             "ARRAY /dev/md/os metadata=1.2 UUID=cc:dd name=x:os\n";
        assert_int_equal(write_file_atomic(path, before, strlen(before), 0640, &e), 0);
        assert_int_equal(file_remove_lines(path, "UUID=aa:bb", &e), 1);
        _cleanup_free_ char *after = NULL;
        assert_int_equal(read_file(path, 4096, &after, NULL, &e), 0);
        assert_string_equal(after, "# keep: UUID=aa:bb\nHOMEHOST <system>\nARRAY /dev/md/os metadata=1.2 UUID=cc:dd name=x:os\n");
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0640);
        assert_int_equal(file_remove_lines(path, "UUID=aa:bb", &e), 0);
        _cleanup_free_ char *missing = strdup_printf("%s/nope", dir);
        assert_int_equal(file_remove_lines(missing, "x", &e), 0);
        unlink(path);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(error_carries_code_and_context),
                cmocka_unit_test(error_message_is_truncated_not_overflowed),
                cmocka_unit_test(refusal_is_no_errno),
                cmocka_unit_test(sizes_parse_and_format),
                cmocka_unit_test(shell_quote_is_for_display_only_but_exact),
                cmocka_unit_test(strv_grows_and_joins),
                cmocka_unit_test(program_output_becomes_sorted_lines),
                cmocka_unit_test(trim_and_prefixes),
                cmocka_unit_test(paths_below_root_only),
                cmocka_unit_test(files_write_atomically_and_read_back),
                cmocka_unit_test(json_errors_say_where),
                cmocka_unit_test(json_null_for_unknown_and_safe_strings),
                cmocka_unit_test(yaml_reads_as_json),
                cmocka_unit_test(yaml_errors_name_the_line),
                cmocka_unit_test(yaml_nesting_bomb_is_refused_at_once),
                cmocka_unit_test(urls_are_logged_without_credentials),
                cmocka_unit_test(lines_of_a_deleted_array_are_removed),
        };
        return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
