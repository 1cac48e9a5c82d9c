/* raid/smart.c: run smartctl on each disk, several at once, each through the
 * exec runner with a timeout. */
#include "smart.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/exec.h"
#include "lib/log.h"
#include "lib/strutil.h"

struct smart_job {
        const struct disk *disk;
        const struct smart_opts *opts;
        struct disk_health *result;   /* per disk; NULL on ENOMEM */
};

struct smart_queue {
        struct smart_job *jobs;
        size_t n;
        size_t next;                  /* the next job to take: atomic */
};

/* "unknown", and why: a new health, NULL on ENOMEM */
_printf_(1, 2) static struct disk_health *unknown(const char *fmt, ...) {
        struct disk_health *h = calloc(1, sizeof *h);
        if (!h)
                return NULL;
        disk_health_init(h);
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&h->reason, fmt, ap);
        va_end(ap);
        if (n < 0) {
                free(h);
                return NULL;
        }
        return h;
}

static struct disk_health *ask(const struct disk *d, const struct smart_opts *o) {
        if (disk_name_is_virtual(d->name) || !d->path)
                return unknown("no SMART: a virtual device");
        /* -n standby: a disk in standby or sleep is left asleep and smartctl
         * exits 2 saying so; -n never asks it anyway (and spins it up).
         * -i for the protocol and rotation rate, -H the verdict, -A the
         * attributes, NVMe's health log, SAS's grown defects and endurance. */
        const char *const argv[] = { "smartctl", "--json=c", "-n", o->wake ? "never" : "standby",
                                     "-i", "-H", "-A", d->path, NULL };
        _cleanup_(run_result_free) struct run_result r = { 0 };
        struct run_opts ro = { .timeout_ms = o->timeout_ms ? o->timeout_ms : SMART_DEFAULT_TIMEOUT_MS,
                               .output_cap = 4 << 20 };
        struct error e = { 0 };
        int k = run_argv(argv, &ro, &r, &e);
        if (k == -ENOENT)
                return unknown("smartctl is not installed (Debian smartmontools)");
        if (k < 0)
                return unknown("smartctl: %s", e.msg);
        struct disk_health h;
        if (r.exit_code < 0 || smart_health_parse(r.out ? r.out : "", r.out_len, r.exit_code, &h, &e) < 0)
                return unknown("smartctl: %s", r.exit_code < 0 ? "killed by a signal" : e.msg);
        struct disk_health *ret = disk_health_dup(&h);
        disk_health_done(&h);
        return ret;
}

static void *worker(void *userdata) {
        struct smart_queue *q = userdata;
        for (;;) {
                size_t i = __atomic_fetch_add(&q->next, 1, __ATOMIC_RELAXED);
                if (i >= q->n)
                        return NULL;
                q->jobs[i].result = ask(q->jobs[i].disk, q->jobs[i].opts);
        }
}

int smart_check_disks(struct disk_list *l, const struct smart_opts *o, struct error *e) {
        if (!l || l->n == 0)
                return 0;
        _cleanup_free_ struct smart_job *jobs = calloc(l->n, sizeof *jobs);
        if (!jobs)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < l->n; i++)
                jobs[i] = (struct smart_job){ .disk = &l->disks[i], .opts = o };
        struct smart_queue q = { .jobs = jobs, .n = l->n };
        size_t n_threads = o->parallel ? o->parallel : SMART_DEFAULT_PARALLEL;
        if (n_threads > l->n)
                n_threads = l->n;
        pthread_t threads[64];
        size_t started = 0;
        for (; started < n_threads && started < ELEMENTSOF(threads); started++)
                if (pthread_create(&threads[started], NULL, worker, &q) != 0)
                        break;
        if (started == 0)
                worker(&q);   /* no thread to be had: one at a time, here */
        for (size_t i = 0; i < started; i++)
                pthread_join(threads[i], NULL);
        int k = 0;
        for (size_t i = 0; i < l->n; i++) {
                if (!jobs[i].result) {
                        k = error_set(e, -ENOMEM, "out of memory");
                        continue;
                }
                disk_health_free(l->disks[i].health);
                l->disks[i].health = jobs[i].result;
                log_debug("%s: health %s%s%s", l->disks[i].name, disk_health_state_name(jobs[i].result->state),
                          jobs[i].result->reason ? ": " : "", jobs[i].result->reason ? jobs[i].result->reason : "");
        }
        return k;
}
