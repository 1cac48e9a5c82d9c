/* Counters and histograms of what hostd did, in Prometheus' text format. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "lib/macro.h"
#include "stats.h"

struct series {
        char labels[192]; /* name="value",... already escaped */
        uint64_t count;
        double sum;
        uint64_t le[8];   /* cumulative: observations <= bounds[i] */
};

struct family {
        const char *name;
        const char *help;
        const double *bounds; /* NULL: a counter */
        size_t n_bounds;
        struct series v[STATS_MAX_SERIES];
        size_t n;
};

/* Request latencies from a cached GET (well under a millisecond) to a
 * TLS handshake on a loaded machine; tasks from a spare added (seconds) to
 * the initial resync of a RAID 5 of large disks (hours). */
static const double http_bounds[] = { 0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10 };
static const double task_bounds[] = { 1, 10, 60, 300, 1800, 7200, 28800 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t dropped;
static uint64_t undelivered;      /* events the webhook queue had no room for */
static struct family http = {
        .name = "hostd_http_request_duration_seconds",
        .help = "Time from a request's arrival to its answer, by HTTP status code; _count is the number of requests.",
        .bounds = http_bounds,
        .n_bounds = ELEMENTSOF(http_bounds),
};
static struct family tasks = {
        .name = "hostd_task_duration_seconds",
        .help = "Time a task ran in this hostd (from its start or resume to its end), by kind and final state.",
        .bounds = task_bounds,
        .n_bounds = ELEMENTSOF(task_bounds),
};
static struct family events = {
        .name = "hostd_events_total",
        .help = "Events emitted (journal, log, webhooks), by kind and severity.",
};

double stats_now(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

bool stats_escape_label(char *out, size_t size, const char *s) {
        size_t n = 0;
        if (size == 0)
                return !s || !*s;
        for (; s && *s; s++) {
                bool esc = *s == '\\' || *s == '"' || *s == '\n';
                if (n + (esc ? 2 : 1) >= size)
                        break;
                if (esc) {
                        out[n++] = '\\';
                        out[n++] = *s == '\n' ? 'n' : *s;
                } else
                        out[n++] = *s;
        }
        out[n] = '\0';
        return !s || !*s;
}

static void observe(struct family *f, const char *labels, double value) {
        pthread_mutex_lock(&lock);
        struct series *s = NULL;
        for (size_t i = 0; i < f->n && !s; i++)
                if (strcmp(f->v[i].labels, labels) == 0)
                        s = &f->v[i];
        if (!s && f->n < STATS_MAX_SERIES) {
                s = &f->v[f->n++];
                memset(s, 0, sizeof *s);
                snprintf(s->labels, sizeof s->labels, "%s", labels);
        }
        if (s) {
                s->count++;
                s->sum += value;
                for (size_t i = 0; i < f->n_bounds; i++)
                        if (value <= f->bounds[i])
                                s->le[i]++;
        } else
                dropped++;
        pthread_mutex_unlock(&lock);
}

void stats_http_request(int status, double seconds) {
        char labels[32];
        snprintf(labels, sizeof labels, "code=\"%d\"", status);
        observe(&http, labels, seconds);
}

void stats_event(const char *kind, const char *severity) {
        char k[80], s[32], labels[192];
        stats_escape_label(k, sizeof k, kind);
        stats_escape_label(s, sizeof s, severity);
        snprintf(labels, sizeof labels, "kind=\"%s\",severity=\"%s\"", k, s);
        observe(&events, labels, 1);
}

void stats_event_undelivered(void) {
        pthread_mutex_lock(&lock);
        undelivered++;
        pthread_mutex_unlock(&lock);
}

void stats_task_done(const char *kind, const char *state, double seconds) {
        char k[64], s[32], labels[192];
        stats_escape_label(k, sizeof k, kind);
        stats_escape_label(s, sizeof s, state);
        snprintf(labels, sizeof labels, "kind=\"%s\",state=\"%s\"", k, s);
        observe(&tasks, labels, seconds);
}

static void write_family(FILE *f, const struct family *fam) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name, fam->bounds ? "histogram" : "counter");
        for (size_t i = 0; i < fam->n; i++) {
                const struct series *s = &fam->v[i];
                if (!fam->bounds) {
                        fprintf(f, "%s{%s} %llu\n", fam->name, s->labels, (unsigned long long)s->count);
                        continue;
                }
                for (size_t b = 0; b < fam->n_bounds; b++)
                        fprintf(f, "%s_bucket{%s,le=\"%g\"} %llu\n", fam->name, s->labels, fam->bounds[b],
                                (unsigned long long)s->le[b]);
                fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %llu\n", fam->name, s->labels, (unsigned long long)s->count);
                fprintf(f, "%s_sum{%s} %.6f\n", fam->name, s->labels, s->sum);
                fprintf(f, "%s_count{%s} %llu\n", fam->name, s->labels, (unsigned long long)s->count);
        }
}

void stats_write(FILE *f) {
        pthread_mutex_lock(&lock);
        write_family(f, &http);
        write_family(f, &tasks);
        write_family(f, &events);
        fprintf(f, "# HELP hostd_events_undelivered_total Events not sent to the webhooks: their queue was full.\n"
                   "# TYPE hostd_events_undelivered_total counter\nhostd_events_undelivered_total %llu\n",
                (unsigned long long)undelivered);
        fprintf(f, "# HELP hostd_stats_dropped_total Observations not counted: a family had %d label sets already.\n"
                   "# TYPE hostd_stats_dropped_total counter\nhostd_stats_dropped_total %llu\n",
                STATS_MAX_SERIES, (unsigned long long)dropped);
        pthread_mutex_unlock(&lock);
}

void stats_reset(void) {
        pthread_mutex_lock(&lock);
        http.n = tasks.n = events.n = 0;
        dropped = undelivered = 0;
        pthread_mutex_unlock(&lock);
}
