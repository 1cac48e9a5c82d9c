/* lib/download: digests, file:// checked in place, a dest that is already
 * right, and the errors an operator reads. No server here: the transfer is
 * tested by tests/host/t-download.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/download.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/* nothing listens on port 1: any attempt to fetch fails at once */
#define NOWHERE "http://127.0.0.1:1/os.img"

struct fx {
        char dir[64];
        char *abc, *empty, *dest;
};

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof *f);
        assert_non_null(f);
        snprintf(f->dir, sizeof f->dir, "/tmp/test-download.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        f->abc = strdup_printf("%s/abc", f->dir);
        f->empty = strdup_printf("%s/empty", f->dir);
        f->dest = strdup_printf("%s/dest.img", f->dir);
        struct error e = { 0 };
        assert_int_equal(write_file_atomic(f->abc, "abc", 3, 0644, &e), 0);
        assert_int_equal(write_file_atomic(f->empty, "", 0, 0644, &e), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        const char *names[] = { "abc", "empty", "dest.img", "dest.img.part", "os image" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *p = strdup_printf("%s/%s", f->dir, names[i]);
                unlink(p);
        }
        rmdir(f->dir);
        free(f->abc);
        free(f->empty);
        free(f->dest);
        free(f);
        return 0;
}

static bool exists(const char *path) {
        struct stat st;
        return lstat(path, &st) == 0;
}

static void sha256_of_known_files(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        char hex[65];
        assert_int_equal(sha256_file(f->empty, hex, &e), 0);
        assert_string_equal(hex, SHA_EMPTY);
        assert_int_equal(sha256_file(f->abc, hex, &e), 0);
        assert_string_equal(hex, SHA_ABC);
}

static void sha256_of_a_missing_file_names_it(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        char hex[65];
        _cleanup_free_ char *missing = strdup_printf("%s/nope", f->dir);
        assert_int_equal(sha256_file(missing, hex, &e), -ENOENT);
        assert_non_null(strstr(e.msg, missing));
        assert_non_null(strstr(e.msg, "No such file"));
}

static void file_url_is_verified_in_place(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        _cleanup_free_ char *url = strdup_printf("file://%s", f->abc);
        _cleanup_free_ char *path = NULL;
        bool fetched = true;
        /* upper case is the same digest */
        struct download_opts o = { .url = url, .dest = f->dest, .sha256 = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD" };
        assert_int_equal(download_verified(&o, &path, &fetched, &e), 0);
        assert_string_equal(path, f->abc);
        assert_false(fetched);
        _cleanup_free_ char *part = strdup_printf("%s.part", f->dest);
        assert_false(exists(f->dest));
        assert_false(exists(part));
}

static void file_url_is_percent_decoded(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        _cleanup_free_ char *spaced = strdup_printf("%s/os image", f->dir);
        assert_int_equal(rename(f->abc, spaced), 0);
        _cleanup_free_ char *url = strdup_printf("file://localhost%s/os%%20image", f->dir);
        _cleanup_free_ char *path = NULL;
        struct download_opts o = { .url = url, .sha256 = SHA_ABC };
        assert_int_equal(download_verified(&o, &path, NULL, &e), 0);
        assert_string_equal(path, spaced);
        assert_int_equal(rename(spaced, f->abc), 0);
}

static void wrong_digest_names_both(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        _cleanup_free_ char *url = strdup_printf("file://%s", f->abc);
        _cleanup_free_ char *path = NULL;
        struct download_opts o = { .url = url, .sha256 = SHA_EMPTY };
        assert_int_equal(download_verified(&o, &path, NULL, &e), -EBADMSG);
        assert_null(path);
        assert_non_null(strstr(e.msg, "expected " SHA_EMPTY));
        assert_non_null(strstr(e.msg, "got " SHA_ABC));
        assert_non_null(strstr(e.msg, f->abc));
}

static void missing_file_url_is_clear(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        _cleanup_free_ char *url = strdup_printf("file://%s/nope.img", f->dir);
        struct download_opts o = { .url = url, .sha256 = SHA_ABC };
        assert_int_equal(download_verified(&o, NULL, NULL, &e), -ENOENT);
        assert_non_null(strstr(e.msg, "nope.img: No such file or directory"));
        o.url = "file://otherhost/srv/os.img";
        assert_int_equal(download_verified(&o, NULL, NULL, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "absolute local path"));
}

static void dest_already_right_is_not_fetched(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        assert_int_equal(write_file_atomic(f->dest, "abc", 3, 0600, &e), 0);
        _cleanup_free_ char *path = NULL;
        bool fetched = true;
        struct download_opts o = { .url = NOWHERE, .dest = f->dest, .sha256 = SHA_ABC, .retries = -1 };
        assert_int_equal(download_verified(&o, &path, &fetched, &e), 0);
        assert_string_equal(path, f->dest);
        assert_false(fetched);
}

static void dest_wrong_means_a_fetch_and_its_error(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        assert_int_equal(write_file_atomic(f->dest, "abd", 3, 0600, &e), 0);
        struct download_opts o = { .url = NOWHERE, .dest = f->dest, .sha256 = SHA_ABC, .retries = -1 };
        assert_int_equal(download_verified(&o, NULL, NULL, &e), -ECONNREFUSED);
        assert_non_null(strstr(e.msg, NOWHERE));
        assert_non_null(strstr(e.msg, "connect"));
        _cleanup_free_ char *part = strdup_printf("%s.part", f->dest);
        assert_false(exists(part));   /* nothing arrived: no .part left behind */
}

static void dest_symlink_is_refused(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        unlink(f->dest);
        assert_int_equal(symlink(f->abc, f->dest), 0);
        struct download_opts o = { .url = NOWHERE, .dest = f->dest, .sha256 = SHA_ABC };
        assert_int_equal(download_verified(&o, NULL, NULL, &e), -ELOOP);
        assert_non_null(strstr(e.msg, "symbolic link"));
        char hex[65];
        assert_int_equal(sha256_file(f->abc, hex, &e), 0);
        assert_string_equal(hex, SHA_ABC);
}

static void bad_arguments(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        struct download_opts o = { .url = NOWHERE, .dest = f->dest, .sha256 = "abc" };
        assert_int_equal(download_verified(&o, NULL, NULL, &e), -EINVAL);
        assert_string_equal(e.msg, "'abc' is not a sha256 digest (64 hex characters)");
        o.sha256 = NULL;
        assert_int_equal(download_verified(&o, NULL, NULL, &e), -EINVAL);
        o.sha256 = SHA_ABC;
        o.url = "ftp://example.org/os.img";
        assert_int_equal(download_verified(&o, NULL, NULL, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "unsupported URL"));
        o.url = NOWHERE;
        o.dest = NULL;
        assert_int_equal(download_verified(&o, NULL, NULL, &e), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(sha256_of_known_files, setup, teardown),
                cmocka_unit_test_setup_teardown(sha256_of_a_missing_file_names_it, setup, teardown),
                cmocka_unit_test_setup_teardown(file_url_is_verified_in_place, setup, teardown),
                cmocka_unit_test_setup_teardown(file_url_is_percent_decoded, setup, teardown),
                cmocka_unit_test_setup_teardown(wrong_digest_names_both, setup, teardown),
                cmocka_unit_test_setup_teardown(missing_file_url_is_clear, setup, teardown),
                cmocka_unit_test_setup_teardown(dest_already_right_is_not_fetched, setup, teardown),
                cmocka_unit_test_setup_teardown(dest_wrong_means_a_fetch_and_its_error, setup, teardown),
                cmocka_unit_test_setup_teardown(dest_symlink_is_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
        };
        return cmocka_run_group_tests_name("download", tests, NULL, NULL);
}
