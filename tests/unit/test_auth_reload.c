/* A users-file reload (SIGHUP) against logins checked just before it
 * (daemon/auth.h): a Basic header or a session login that auth_login()
 * accepted under the old file must not outlive the reload, whether the
 * header is remembered or the session made after it. */
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

#include "daemon/auth.h"
#include "lib/macro.h"

#define HEADER "Basic YWRtaW46czNjcmV0"   /* admin:s3cret */
/* openssl passwd -6 -salt abcdefgh s3cret, and n3w */
#define HASH_S3CRET "$6$abcdefgh$Z7KfoKnKTSZrzo5VZ0YubGLQOj9ov6sHo9TmE3zIU/LHKhpE30zCnZ0mcIXYf9r9rQ4DYaXoxAFSPFlcWdxjB."
#define HASH_N3W "$6$abcdefgh$mBKmIgehg3X9ynHXuWjgXlMOflfjeilSzsrNWlV7KZfzXcQ7Q0BT.mTFFpkHAFJ3NLkM3bO6fp2.g5NdaNNL9/"

struct fixture {
        char path[64];
        struct auth *a;
};

static void write_users(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(chmod(path, 0600), 0);
}

static int setup(void **state) {
        struct fixture *fx = calloc(1, sizeof *fx);
        snprintf(fx->path, sizeof fx->path, "/tmp/test_auth_reload.XXXXXX");
        int fd = mkstemp(fx->path);
        assert_true(fd >= 0);
        close(fd);
        write_users(fx->path, "admin:" HASH_S3CRET "\n");
        struct error e = { 0 };
        assert_int_equal(auth_new(fx->path, 600, &fx->a, &e), 0);
        *state = fx;
        return 0;
}

static int teardown(void **state) {
        struct fixture *fx = *state;
        auth_free(fx->a);
        unlink(fx->path);
        free(fx);
        return 0;
}

static void reload_with(struct fixture *fx, const char *text) {
        struct error e = { 0 };
        write_users(fx->path, text);
        assert_int_equal(auth_reload(fx->a, fx->path, 600, &e), 0);
}

/* the race in order: checked, the file re-read, then remembered */
static void a_header_checked_before_a_reload_is_not_remembered(void **state) {
        struct fixture *fx = *state;
        unsigned wait = 0;
        uint64_t gen = 0;
        char user[64] = "";
        assert_int_equal(auth_login(fx->a, "admin", "s3cret", "test", &wait, &gen), AUTH_OK);
        reload_with(fx, "admin:" HASH_N3W "\n");   /* the password changed */
        auth_basic_remember(fx->a, HEADER, strlen(HEADER), "admin", gen);
        assert_false(auth_basic_recall(fx->a, HEADER, strlen(HEADER), user, sizeof user));
        /* and the old password is wrong now */
        assert_int_equal(auth_login(fx->a, "admin", "s3cret", "test", &wait, &gen), AUTH_DENIED);
}

static void a_header_remembered_before_a_reload_is_forgotten(void **state) {
        struct fixture *fx = *state;
        unsigned wait = 0;
        uint64_t gen = 0;
        char user[64] = "";
        assert_int_equal(auth_login(fx->a, "admin", "s3cret", "test", &wait, &gen), AUTH_OK);
        auth_basic_remember(fx->a, HEADER, strlen(HEADER), "admin", gen);
        assert_true(auth_basic_recall(fx->a, HEADER, strlen(HEADER), user, sizeof user));
        assert_string_equal(user, "admin");
        reload_with(fx, "other:" HASH_N3W "\n");   /* admin removed */
        assert_false(auth_basic_recall(fx->a, HEADER, strlen(HEADER), user, sizeof user));
}

/* the same file re-read still starts a new generation: the check that a
 * login's users file is the current one does not compare contents */
static void a_header_of_this_generation_is_remembered(void **state) {
        struct fixture *fx = *state;
        unsigned wait = 0;
        uint64_t gen = 0;
        char user[64] = "";
        reload_with(fx, "admin:" HASH_S3CRET "\n");
        assert_int_equal(auth_login(fx->a, "admin", "s3cret", "test", &wait, &gen), AUTH_OK);
        auth_basic_remember(fx->a, HEADER, strlen(HEADER), "admin", gen);
        assert_true(auth_basic_recall(fx->a, HEADER, strlen(HEADER), user, sizeof user));
}

static void a_session_from_a_login_checked_before_a_reload_is_refused(void **state) {
        struct fixture *fx = *state;
        unsigned wait = 0;
        uint64_t gen = 0;
        char *token = NULL, *id = NULL;
        struct error e = { 0 };
        assert_int_equal(auth_login(fx->a, "admin", "s3cret", "test", &wait, &gen), AUTH_OK);
        reload_with(fx, "other:" HASH_N3W "\n");   /* admin removed */
        assert_int_equal(auth_session_new(fx->a, "admin", gen, 4, &token, &id, &e), -ESTALE);
        assert_null(token);
        assert_null(id);
        _cleanup_strv_free_ char **ids = auth_session_ids(fx->a);
        assert_null(ids);
}

static void a_session_from_a_current_login_is_made(void **state) {
        struct fixture *fx = *state;
        unsigned wait = 0;
        uint64_t gen = 0;
        char *token = NULL, *id = NULL;
        char user[64] = "";
        struct error e = { 0 };
        assert_int_equal(auth_login(fx->a, "admin", "s3cret", "test", &wait, &gen), AUTH_OK);
        assert_int_equal(auth_session_new(fx->a, "admin", gen, 4, &token, &id, &e), 0);
        assert_true(auth_session_check(fx->a, token, user, sizeof user));
        assert_string_equal(user, "admin");
        free(token);
        free(id);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(a_header_checked_before_a_reload_is_not_remembered, setup, teardown),
                cmocka_unit_test_setup_teardown(a_header_remembered_before_a_reload_is_forgotten, setup, teardown),
                cmocka_unit_test_setup_teardown(a_header_of_this_generation_is_remembered, setup, teardown),
                cmocka_unit_test_setup_teardown(a_session_from_a_login_checked_before_a_reload_is_refused, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(a_session_from_a_current_login_is_made, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
