/* daemon/conn_guard.c: a deadline for every unauthenticated TCP connection. */
#include "conn_guard.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "lib/log.h"

struct conn_guard_entry {
        struct conn_guard_entry *prev, *next;
        int fd;
        struct timespec deadline;
        atomic_bool authenticated;
        bool shut;                /* shut down by the guard already */
};

struct conn_guard {
        pthread_mutex_t lock;
        pthread_cond_t wake;
        pthread_t reaper;
        bool stopping;
        int deadline_s, budget, unauthenticated;
        struct conn_guard_entry head;   /* list sentinel */
        unsigned long shut_total;
};

static bool past(const struct timespec *now, const struct timespec *t) {
        return now->tv_sec > t->tv_sec || (now->tv_sec == t->tv_sec && now->tv_nsec >= t->tv_nsec);
}

/* Shut down, not closed: libmicrohttpd owns the fd, sees the end of the
 * stream and closes the connection itself (then calls conn_guard_closed). */
static void shut_locked(struct conn_guard *g, struct conn_guard_entry *c) {
        if (c->shut)
                return;
        c->shut = true;
        shutdown(c->fd, SHUT_RDWR);
        g->shut_total++;
}

static void *reap(void *userdata) {
        struct conn_guard *g = userdata;
        pthread_mutex_lock(&g->lock);
        while (!g->stopping) {
                struct timespec now, until;
                clock_gettime(CLOCK_MONOTONIC, &now);
                unsigned long before = g->shut_total;
                for (struct conn_guard_entry *c = g->head.next; c != &g->head; c = c->next)
                        if (!atomic_load(&c->authenticated) && past(&now, &c->deadline))
                                shut_locked(g, c);
                if (g->shut_total > before)
                        log_info("closed %lu connection(s) that had not authenticated within %d s",
                                 g->shut_total - before, g->deadline_s);
                until = now;
                until.tv_nsec += 250 * 1000000L;
                if (until.tv_nsec >= 1000000000L)
                        until.tv_sec++, until.tv_nsec -= 1000000000L;
                pthread_cond_timedwait(&g->wake, &g->lock, &until);
        }
        pthread_mutex_unlock(&g->lock);
        return NULL;
}

int conn_guard_new(int deadline_s, int budget, struct conn_guard **ret, struct error *e) {
        struct conn_guard *g = calloc(1, sizeof *g);
        if (!g)
                return error_set(e, -ENOMEM, "out of memory");
        g->deadline_s = deadline_s;
        g->budget = budget;
        g->head.next = g->head.prev = &g->head;
        pthread_mutex_init(&g->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&g->wake, &ca);
        pthread_condattr_destroy(&ca);
        int k = pthread_create(&g->reaper, NULL, reap, g);
        if (k != 0) {
                pthread_cond_destroy(&g->wake);
                pthread_mutex_destroy(&g->lock);
                free(g);
                return error_set(e, -k, "cannot start the connection guard thread");
        }
        *ret = g;
        return 0;
}

/* After the listener has stopped: every connection is closed by then. */
void conn_guard_free(struct conn_guard *g) {
        if (!g)
                return;
        pthread_mutex_lock(&g->lock);
        g->stopping = true;
        pthread_cond_signal(&g->wake);
        pthread_mutex_unlock(&g->lock);
        pthread_join(g->reaper, NULL);
        while (g->head.next != &g->head) {
                struct conn_guard_entry *c = g->head.next;
                c->prev->next = c->next;
                c->next->prev = c->prev;
                free(c);
        }
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
}

struct conn_guard_entry *conn_guard_started(struct conn_guard *g, int fd) {
        struct conn_guard_entry *c = calloc(1, sizeof *c);
        if (!c) {
                shutdown(fd, SHUT_RDWR);
                return NULL;
        }
        c->fd = fd;
        clock_gettime(CLOCK_MONOTONIC, &c->deadline);
        c->deadline.tv_sec += g->deadline_s;
        pthread_mutex_lock(&g->lock);
        c->next = &g->head;
        c->prev = g->head.prev;
        g->head.prev->next = c;
        g->head.prev = c;
        if (++g->unauthenticated > g->budget)
                shut_locked(g, c);
        pthread_mutex_unlock(&g->lock);
        return c;
}

void conn_guard_authenticated(struct conn_guard *g, struct conn_guard_entry *c) {
        if (!c || atomic_exchange(&c->authenticated, true))
                return;
        pthread_mutex_lock(&g->lock);
        g->unauthenticated--;
        pthread_mutex_unlock(&g->lock);
}

bool conn_guard_is_authenticated(const struct conn_guard_entry *c) {
        return c && atomic_load(&c->authenticated);
}

void conn_guard_closed(struct conn_guard *g, struct conn_guard_entry *c) {
        if (!c)
                return;
        pthread_mutex_lock(&g->lock);
        if (!atomic_load(&c->authenticated))
                g->unauthenticated--;
        c->prev->next = c->next;
        c->next->prev = c->prev;
        pthread_mutex_unlock(&g->lock);
        free(c);
}
