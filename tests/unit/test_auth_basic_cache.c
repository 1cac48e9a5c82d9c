/* The HTTP Basic cache (daemon/auth_basic_cache.h): a header auth_login()
 * accepted is recalled with its user, any other header is not, a SIGHUP's
 * new generation forgets all and refuses what was checked before it, and
 * the table stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "daemon/auth_basic_cache.h"

#define HEADER "Basic YWRtaW46czNjcmV0"   /* admin:s3cret */

static int setup(void **state) {
        struct error e = { 0 };
        struct basic_cache *c = NULL;
        assert_int_equal(basic_cache_new(&c, &e), 0);
        *state = c;
        return 0;
}

static int teardown(void **state) {
        basic_cache_free(*state);
        return 0;
}

static void a_remembered_header_is_recalled_with_its_user(void **state) {
        struct basic_cache *c = *state;
        char user[64] = "";
        assert_false(basic_cache_recall(c, HEADER, strlen(HEADER), user, sizeof user));
        basic_cache_remember(c, HEADER, strlen(HEADER), "admin", 0);
        assert_true(basic_cache_recall(c, HEADER, strlen(HEADER), user, sizeof user));
        assert_string_equal(user, "admin");
}

static void another_header_is_not(void **state) {
        struct basic_cache *c = *state;
        char user[64] = "";
        basic_cache_remember(c, HEADER, strlen(HEADER), "admin", 0);
        const char *wrong = "Basic YWRtaW46czNjcmVU";   /* one character differs: another password */
        assert_false(basic_cache_recall(c, wrong, strlen(wrong), user, sizeof user));
        /* the header's length counts: a prefix of it is another header */
        assert_false(basic_cache_recall(c, HEADER, strlen(HEADER) - 1, user, sizeof user));
        assert_string_equal(user, "");
}

static void a_new_generation_forgets_everything(void **state) {
        struct basic_cache *c = *state;
        char user[64];
        basic_cache_remember(c, HEADER, strlen(HEADER), "admin", 0);
        assert_int_equal(basic_cache_bump(c), 1);
        assert_false(basic_cache_recall(c, HEADER, strlen(HEADER), user, sizeof user));
}

/* checked against the users file of generation 0, remembered after the re-read */
static void a_header_of_an_older_generation_is_not_remembered(void **state) {
        struct basic_cache *c = *state;
        char user[64];
        uint64_t g = basic_cache_bump(c);
        basic_cache_remember(c, HEADER, strlen(HEADER), "admin", g - 1);
        assert_false(basic_cache_recall(c, HEADER, strlen(HEADER), user, sizeof user));
        basic_cache_remember(c, HEADER, strlen(HEADER), "admin", g);
        assert_true(basic_cache_recall(c, HEADER, strlen(HEADER), user, sizeof user));
}

static void the_table_is_bounded_and_keeps_the_newest(void **state) {
        struct basic_cache *c = *state;
        char h[64], user[64];
        for (int i = 0; i <= BASIC_CACHE_SLOTS; i++) {
                snprintf(h, sizeof h, "Basic header-%d", i);
                basic_cache_remember(c, h, strlen(h), "u", 0);
        }
        int recalled = 0;
        for (int i = 0; i <= BASIC_CACHE_SLOTS; i++) {
                snprintf(h, sizeof h, "Basic header-%d", i);
                recalled += basic_cache_recall(c, h, strlen(h), user, sizeof user);
        }
        assert_int_equal(recalled, BASIC_CACHE_SLOTS);
        snprintf(h, sizeof h, "Basic header-%d", BASIC_CACHE_SLOTS);
        assert_true(basic_cache_recall(c, h, strlen(h), user, sizeof user));
}

static void remembering_the_same_header_takes_one_slot(void **state) {
        struct basic_cache *c = *state;
        char h[64], user[64];
        for (int i = 0; i < 3 * BASIC_CACHE_SLOTS; i++)
                basic_cache_remember(c, HEADER, strlen(HEADER), "admin", 0);
        for (int i = 0; i < BASIC_CACHE_SLOTS - 1; i++) {
                snprintf(h, sizeof h, "Basic header-%d", i);
                basic_cache_remember(c, h, strlen(h), "u", 0);
        }
        assert_true(basic_cache_recall(c, HEADER, strlen(HEADER), user, sizeof user));
}

static void a_user_name_too_long_is_not_remembered(void **state) {
        struct basic_cache *c = *state;
        char user[64], name[200];
        memset(name, 'u', sizeof name - 1);
        name[sizeof name - 1] = '\0';
        basic_cache_remember(c, HEADER, strlen(HEADER), name, 0);
        assert_false(basic_cache_recall(c, HEADER, strlen(HEADER), user, sizeof user));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(a_remembered_header_is_recalled_with_its_user, setup, teardown),
                cmocka_unit_test_setup_teardown(another_header_is_not, setup, teardown),
                cmocka_unit_test_setup_teardown(a_new_generation_forgets_everything, setup, teardown),
                cmocka_unit_test_setup_teardown(a_header_of_an_older_generation_is_not_remembered, setup, teardown),
                cmocka_unit_test_setup_teardown(the_table_is_bounded_and_keeps_the_newest, setup, teardown),
                cmocka_unit_test_setup_teardown(remembering_the_same_header_takes_one_slot, setup, teardown),
                cmocka_unit_test_setup_teardown(a_user_name_too_long_is_not_remembered, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
