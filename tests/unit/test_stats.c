/* daemon/stats: the counters and histograms of /metrics in Prometheus' text format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/stats.h"

/* everything stats_write() prints */
static char *written(void) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        stats_write(f);
        assert_int_equal(fclose(f), 0);
        return buf;
}

static void assert_line(const char *text, const char *line) {
        char *want = NULL;
        assert_true(asprintf(&want, "\n%s\n", line) > 0);
        if (!strstr(text, want))
                fail_msg("no line '%s' in:\n%s", line, text);
        free(want);
}

static void requests_are_a_histogram_by_status(void **state) {
        stats_reset();
        stats_http_request(200, 0.0005);
        stats_http_request(200, 0.2);
        stats_http_request(404, 0.003);
        char *t = written();
        assert_line(t, "# TYPE hostd_http_request_duration_seconds histogram");
        assert_line(t, "hostd_http_request_duration_seconds_bucket{code=\"200\",le=\"0.001\"} 1");
        assert_line(t, "hostd_http_request_duration_seconds_bucket{code=\"200\",le=\"0.1\"} 1");
        assert_line(t, "hostd_http_request_duration_seconds_bucket{code=\"200\",le=\"0.5\"} 2");
        assert_line(t, "hostd_http_request_duration_seconds_bucket{code=\"200\",le=\"+Inf\"} 2");
        assert_line(t, "hostd_http_request_duration_seconds_count{code=\"200\"} 2");
        assert_line(t, "hostd_http_request_duration_seconds_sum{code=\"200\"} 0.200500");
        assert_line(t, "hostd_http_request_duration_seconds_bucket{code=\"404\",le=\"0.001\"} 0");
        assert_line(t, "hostd_http_request_duration_seconds_count{code=\"404\"} 1");
        free(t);
}

static void events_are_counted_by_kind_and_severity(void **state) {
        stats_reset();
        stats_event("ArrayDegraded", "Warning");
        stats_event("ArrayDegraded", "Warning");
        stats_event("TaskCompleted", "OK");
        char *t = written();
        assert_line(t, "# TYPE hostd_events_total counter");
        assert_line(t, "hostd_events_total{kind=\"ArrayDegraded\",severity=\"Warning\"} 2");
        assert_line(t, "hostd_events_total{kind=\"TaskCompleted\",severity=\"OK\"} 1");
        free(t);
}

static void task_durations_by_kind_and_state(void **state) {
        stats_reset();
        stats_task_done("create", "Completed", 90);
        stats_task_done("replace", "Exception", 5);
        char *t = written();
        assert_line(t, "hostd_task_duration_seconds_bucket{kind=\"create\",state=\"Completed\",le=\"60\"} 0");
        assert_line(t, "hostd_task_duration_seconds_bucket{kind=\"create\",state=\"Completed\",le=\"300\"} 1");
        assert_line(t, "hostd_task_duration_seconds_count{kind=\"replace\",state=\"Exception\"} 1");
        free(t);
}

/* a label value is escaped as the text format wants, never cut into the syntax */
static void label_values_are_escaped(void **state) {
        stats_reset();
        stats_event("a\"b\\c\nd", "OK");
        char *t = written();
        assert_line(t, "hostd_events_total{kind=\"a\\\"b\\\\c\\nd\",severity=\"OK\"} 1");
        free(t);
}

/* the one escaper of every label value of /metrics (events, tasks, arrays, paths) */
static void escape_label_escapes_backslash_quote_newline(void **state) {
        char out[64];
        assert_true(stats_escape_label(out, sizeof out, "plain-md0_1.x"));
        assert_string_equal(out, "plain-md0_1.x");
        assert_true(stats_escape_label(out, sizeof out, "a\"b\\c\nd"));
        assert_string_equal(out, "a\\\"b\\\\c\\nd");
        assert_true(stats_escape_label(out, sizeof out, ""));
        assert_string_equal(out, "");
        assert_true(stats_escape_label(out, sizeof out, NULL));
        assert_string_equal(out, "");
}

/* cut to fit, an escape is never cut in half (a lone backslash would escape the closing quote) */
static void escape_label_never_cuts_an_escape(void **state) {
        char out[4];
        assert_false(stats_escape_label(out, sizeof out, "ab\"c"));
        assert_string_equal(out, "ab");
        assert_false(stats_escape_label(out, sizeof out, "a\\bc"));
        assert_string_equal(out, "a\\\\");
        assert_true(stats_escape_label(out, sizeof out, "abc"));
        assert_string_equal(out, "abc");
        assert_false(stats_escape_label(out, 1, "a"));
        assert_string_equal(out, "");
}

/* past STATS_MAX_SERIES label sets, observations are dropped and counted */
static void label_sets_are_bounded(void **state) {
        stats_reset();
        char kind[32];
        for (int i = 0; i < STATS_MAX_SERIES + 3; i++) {
                snprintf(kind, sizeof kind, "Kind%d", i);
                stats_event(kind, "OK");
        }
        char *t = written();
        assert_line(t, "hostd_stats_dropped_total 3");
        assert_null(strstr(t, "Kind64"));
        free(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(requests_are_a_histogram_by_status),
                cmocka_unit_test(events_are_counted_by_kind_and_severity),
                cmocka_unit_test(task_durations_by_kind_and_state),
                cmocka_unit_test(label_values_are_escaped),
                cmocka_unit_test(escape_label_escapes_backslash_quote_newline),
                cmocka_unit_test(escape_label_never_cuts_an_escape),
                cmocka_unit_test(label_sets_are_bounded),
        };
        return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
