/* The webhook queue (daemon/events.c) is bounded: while a receiver holds
 * the sender up, at most EVENTS_QUEUE_MAX events wait; past that the oldest
 * waiting is dropped (still journaled and logged) and counted in /metrics as
 * hostd_events_undelivered_total. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/events.h"
#include "daemon/stats.h"
#include "lib/store.h"

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

/* a receiver that takes the connection into its backlog and never answers */
static int mute_receiver(int *ret_port) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof a;
        assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
        assert_int_equal(listen(fd, 4), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
        *ret_port = ntohs(a.sin_port);
        return fd;
}

static void a_held_up_queue_drops_and_counts_past_its_bound(void **state) {
        char dir[] = "/tmp/test_events_queue.XXXXXX", path[64], url[64];
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/state.db", dir);
        struct error e = { 0 };
        struct store *store = NULL;
        struct events *ev = NULL;
        assert_int_equal(store_open(path, &store, &e), 0);
        assert_int_equal(events_new(store, &ev, &e), 0);
        int port = 0, fd = mute_receiver(&port);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/events", port);
        int64_t id = 0;
        assert_int_equal(events_subscription_add(ev, url, NULL, "test", 4, 4, &id, &e), 0);
        stats_reset();

        /* the sender takes the first event and waits on the receiver (5 s) */
        events_emit(ev, "TestEvent", "OK", NULL, "first");
        struct pollfd p = { .fd = fd, .events = POLLIN };
        assert_int_equal(poll(&p, 1, 5000), 1);
        for (int i = 0; i < EVENTS_QUEUE_MAX + 10; i++)
                events_emit(ev, "TestEvent", "OK", NULL, "queued %d", i);
        char *t = written();
        assert_line(t, "# TYPE hostd_events_undelivered_total counter");
        assert_line(t, "hostd_events_undelivered_total 10");
        /* dropped from the webhooks only: every event is journaled and counted */
        assert_line(t, "hostd_events_total{kind=\"TestEvent\",severity=\"OK\"} 1035");
        free(t);

        /* the receiver gone, the queue drains fast (refused connections) */
        close(fd);
        events_free(ev);
        store_close(store);
        unlink(path);
        char wal[80];
        snprintf(wal, sizeof wal, "%s-wal", path);
        unlink(wal);
        snprintf(wal, sizeof wal, "%s-shm", path);
        unlink(wal);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(a_held_up_queue_drops_and_counts_past_its_bound),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
