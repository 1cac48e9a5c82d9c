/* daemon/jobs.c: worker threads around raid_apply (create) and life_apply
 * (the lifecycle operations, the same code hostctl runs), journaled. */
#include "jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "lib/json.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/store.h"
#include "lib/strutil.h"
#include "raid/apply.h"
#include "raid/inventory.h"
#include "raid/lifecycle.h"
#include "raid/spec.h"
#include "stats.h"

void (*jobs_on_change)(void);

struct jobs {
        struct store *store;
        struct events *events;
        pthread_mutex_t lock;
        pthread_cond_t idle;      /* signalled when a worker ends */
        bool stopping;            /* hostd stops: workers end after their current step */
        char **busy;              /* arrays with a running job */
        int64_t *running;         /* their job ids, same order */
        size_t n_running;
};

static bool dry_run;

void jobs_set_dry_run(bool dry) {
        dry_run = dry;
}

struct work {
        struct jobs *jobs;
        int64_t id;
        char *kind, *array, *body;
        size_t n_steps;
        char **changed;           /* create: the steps that changed the machine */
        char *summary;            /* what the operation says when it is done */
};

int jobs_new(struct store *store, struct events *events, struct jobs **ret, struct error *e) {
        struct jobs *j = calloc(1, sizeof *j);
        if (!j)
                return error_set(e, -ENOMEM, "out of memory");
        j->store = store;
        j->events = events;
        pthread_mutex_init(&j->lock, NULL);
        pthread_cond_init(&j->idle, NULL);
        int n = store_jobs_move(store, "Running", "Interrupted", "hostd stopped while the task ran; resume it", e);
        if (n < 0) {
                free(j);
                return n;
        }
        if (n > 0)
                log_warning("%d task(s) were interrupted by a stop of hostd; they can be resumed", n);
        *ret = j;
        return 0;
}

/* A step (mkfs, mdadm --create) is let finish rather than cut off: the
 * worker stops before its next step. systemd's stop timeout is 90 s. */
#define JOBS_STOP_GRACE_S 60

void jobs_free(struct jobs *j) {
        if (!j)
                return;
        pthread_mutex_lock(&j->lock);
        j->stopping = true;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += JOBS_STOP_GRACE_S;
        if (j->n_running)
                log_info("waiting up to %d s for %zu task(s) to finish their current step", JOBS_STOP_GRACE_S,
                         j->n_running);
        while (j->n_running && pthread_cond_timedwait(&j->idle, &j->lock, &until) == 0)
                ;
        for (size_t i = 0; i < j->n_running; i++) {
                struct error e = { 0 };
                if (store_job_update(j->store, j->running[i], "Interrupted", 0, "hostd stopped while the task ran; resume it",
                                     &e) < 0)
                        log_warning("%s", e.msg);
        }
        size_t running = j->n_running;
        pthread_mutex_unlock(&j->lock);
        if (running)
                return;   /* workers still use it: it stays until the process ends */
        strv_free(j->busy);
        free(j->running);
        pthread_cond_destroy(&j->idle);
        pthread_mutex_destroy(&j->lock);
        free(j);
}

static bool stopping(void *userdata) {
        struct work *w = userdata;
        pthread_mutex_lock(&w->jobs->lock);
        bool s = w->jobs->stopping;
        pthread_mutex_unlock(&w->jobs->lock);
        return s;
}

int jobs_plan_create(const char *body, struct plan **ret, struct error *e) {
        _cleanup_json_ json_object *o = NULL;
        int k = json_parse(body, strlen(body), &o, e);
        if (k < 0)
                return k;
        _cleanup_(storage_spec_freep) struct storage_spec *spec = NULL;
        if ((k = storage_spec_from_json(o, &spec, e)) < 0)
                return k;
        _cleanup_(disk_list_freep) struct disk_list *inv = NULL;
        /* a plan decides writes: contents from the disks, not udev's record */
        struct inventory_opts io = { .probe = true };
        if ((k = inventory_scan(&io, &inv, e)) < 0)
                return k;
        struct plan *p = plan_make(inv, spec, NULL);
        if (!p)
                return error_set(e, -ENOMEM, "out of memory while planning");
        if ((k = plan_tune_here(p, e)) < 0) {
                plan_free(p);
                return k;
        }
        *ret = p;
        return 0;
}

static void set_state(struct work *w, const char *state, int pct, const char *msg) {
        struct error e = { 0 };
        if (store_job_update(w->jobs->store, w->id, state, pct, msg, &e) < 0)
                log_warning("task %lld: %s", (long long)w->id, e.msg);
}

static void progress(struct work *w, size_t i, const char *description, enum outcome o) {
        char text[512];
        snprintf(text, sizeof text, "%s: %s", description, outcome_name(o));
        size_t pct = w->n_steps ? (i + 1) * 100 / w->n_steps : 100;
        set_state(w, "Running", pct > 99 ? 99 : (int)pct, text);
}

static void on_step(void *userdata, size_t i, const struct plan_step *s, bool before, enum outcome o, const char *msg) {
        struct work *w = userdata;
        if (before)
                return;
        progress(w, i, s->description, o);
        if (o == OUTCOME_CHANGED && strv_push(&w->changed, s->description) < 0)
                log_warning("task %lld: out of memory", (long long)w->id);
}

static int run_create(struct work *w, struct error *e) {
        _cleanup_(plan_freep) struct plan *p = NULL;
        int k = jobs_plan_create(w->body, &p, e);
        if (k < 0)
                return k;
        if (p->errors)
                return error_set(e, ERROR_REFUSED, "the plan has errors: %s", p->errors[0]);
        struct apply_opts o = { .progress = on_step, .userdata = w, .cancelled = stopping, .dry = dry_run };
        size_t changed = 0;
        w->n_steps = p->n_steps;
        k = raid_apply(p, &o, &changed, e);
        if (k < 0)
                return k;
        _cleanup_free_ char *steps = w->changed ? strv_join(w->changed, "; ") : NULL;
        w->summary = steps ? strdup_printf("%zu step(s) changed the machine: %s", changed, steps)
                           : strdup("nothing to do: the array is as planned");
        return 0;
}

/* "delete": what a destroy was called in the journal of an older hostd */
static int verb_of(const char *kind, enum raid_verb *ret) {
        return raid_verb_from_name(streq(kind, "delete") ? "destroy" : kind, ret);
}

int jobs_plan_life(const char *kind, const char *array, const char *body, struct life_plan **ret, struct error *e) {
        enum raid_verb verb;
        if (verb_of(kind, &verb) < 0)
                return error_set(e, -EINVAL, "no operation %s", kind);
        _cleanup_json_ json_object *o = NULL;
        int k = body ? json_parse(body, strlen(body), &o, e) : 0;
        struct raid_request rq;
        if (k < 0 || (k = raid_request_from_json(o, verb, array, &rq, e)) < 0)
                return k;
        struct raid_facts f = { 0 };
        if ((k = raid_facts_read(array, &f, e)) < 0)
                return k;
        k = life_plan_make(&rq, &f, ret, e);
        raid_facts_done(&f);
        return k;
}

static void on_life_step(void *userdata, size_t i, const struct life_step *s, enum outcome o, const char *msg) {
        progress(userdata, i, s->description, o);
}

static int run_life(struct work *w, struct error *e) {
        _cleanup_(life_plan_freep) struct life_plan *p = NULL;
        int k = jobs_plan_life(w->kind, w->array, w->body, &p, e);
        enum raid_verb verb = RAID_DESTROY;
        if (k == -ENOENT && verb_of(w->kind, &verb) == 0 && verb == RAID_DESTROY) {
                w->summary = strdup("the array is gone");
                return 0;   /* destroyed already: destroying again changes nothing */
        }
        if (k < 0)
                return k;
        struct life_opts o = { .step_end = on_life_step, .userdata = w, .cancelled = stopping, .dry = dry_run };
        w->n_steps = p->n_steps;
        if ((k = life_apply(p, &o, NULL, e)) < 0)
                return k;
        w->summary = strdup(p->summary);
        return 0;
}

static void finish(struct work *w) {
        struct jobs *j = w->jobs;
        pthread_mutex_lock(&j->lock);
        for (size_t i = 0; i < j->n_running; i++)
                if (j->running[i] == w->id) {
                        free(j->busy[i]);
                        j->busy[i] = j->busy[j->n_running - 1];
                        j->running[i] = j->running[j->n_running - 1];
                        j->busy[--j->n_running] = NULL;
                        break;
                }
        pthread_cond_broadcast(&j->idle);
        pthread_mutex_unlock(&j->lock);
        free(w->kind);
        free(w->array);
        free(w->body);
        free(w->summary);
        strv_free(w->changed);
        free(w);
}

static void *worker(void *userdata) {
        struct work *w = userdata;
        struct error e = { 0 };
        _cleanup_free_ char *origin = strdup_printf("/redfish/v1/TaskService/Tasks/%lld", (long long)w->id);
        double started = stats_now();
        int k = streq(w->kind, "create") ? run_create(w, &e) : run_life(w, &e);
        if (jobs_on_change)
                jobs_on_change();
        if (k == -ECANCELED) {
                set_state(w, "Interrupted", 0, "hostd stopped between two steps; resume it");
                events_emit(w->jobs->events, "TaskInterrupted", "Warning", origin, "%s %s interrupted: %s", w->kind,
                            w->array, e.msg);
        } else if (k < 0) {
                set_state(w, "Exception", 100, e.msg);
                events_emit(w->jobs->events, "TaskFailed", "Critical", origin, "%s %s failed: %s", w->kind, w->array, e.msg);
        } else {
                _cleanup_free_ char *dry = dry_run ? strdup_printf("dry run, nothing was written: %s",
                                                                  w->summary ? w->summary : "-") : NULL;
                set_state(w, "Completed", 100, dry ? dry : w->summary ? w->summary : "the array is as planned");
                events_emit(w->jobs->events, "TaskCompleted", "OK", origin, "%s %s completed", w->kind, w->array);
        }
        stats_task_done(w->kind, k == -ECANCELED ? "Interrupted" : k < 0 ? "Exception" : "Completed", stats_now() - started);
        finish(w);
        return NULL;
}

static int start(struct jobs *j, int64_t id, const char *kind, const char *array, const char *body, struct error *e) {
        struct work *w = calloc(1, sizeof *w);
        if (!w)
                return error_set(e, -ENOMEM, "out of memory");
        *w = (struct work){ .jobs = j, .id = id, .kind = strdup(kind), .array = strdup(array),
                            .body = body ? strdup(body) : NULL };
        int64_t *nr = realloc(j->running, (j->n_running + 1) * sizeof *nr);
        char **nb = nr ? realloc(j->busy, (j->n_running + 2) * sizeof *nb) : NULL;
        if (nr)
                j->running = nr;
        if (nb)
                j->busy = nb;
        if (!w->kind || !w->array || !nr || !nb) {
                free(w->kind), free(w->array), free(w->body), free(w);
                return error_set(e, -ENOMEM, "out of memory");
        }
        j->running[j->n_running] = id;
        j->busy[j->n_running] = strdup(array);
        j->busy[++j->n_running] = NULL;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_t t;
        int r = pthread_create(&t, &attr, worker, w);
        pthread_attr_destroy(&attr);
        if (r != 0) {
                j->busy[--j->n_running] = NULL;
                free(w->kind), free(w->array), free(w->body), free(w);
                return error_set(e, -r, "cannot start a worker: %s", strerror(r));
        }
        return 0;
}

static int start_new(struct jobs *j, const char *kind, const char *array, const char *body, int64_t *ret_id,
                     struct error *e) {
        pthread_mutex_lock(&j->lock);
        int k = 0;
        int64_t id = 0;
        if (strv_contains(j->busy, array))
                k = error_set(e, -EBUSY, "array %s already has a task running", array);
        if (k >= 0)
                k = store_job_add(j->store, kind, array, "Running", body, &id, e);
        if (k >= 0)
                k = start(j, id, kind, array, body, e);
        if (k < 0 && id)
                store_job_update(j->store, id, "Exception", 0, e->msg, NULL);
        pthread_mutex_unlock(&j->lock);
        if (k >= 0)
                *ret_id = id;
        return k;
}

int jobs_start_create(struct jobs *j, const char *array, const char *body, int64_t *ret_id, struct error *e) {
        return start_new(j, "create", array, body, ret_id, e);
}

int jobs_start_life(struct jobs *j, enum raid_verb verb, const char *array, const char *body, int64_t *ret_id,
                    struct error *e) {
        return start_new(j, raid_verb_name(verb), array, body, ret_id, e);
}

int jobs_resume(struct jobs *j, int64_t id, struct error *e) {
        struct job_record r = { 0 };
        int k = store_job_get(j->store, id, &r, e);
        if (k < 0)
                return k;
        pthread_mutex_lock(&j->lock);
        if (!streq(r.state, "Interrupted"))
                k = error_set(e, -EBUSY, "task %lld is %s, not Interrupted", (long long)id, r.state);
        else if (strv_contains(j->busy, r.target))
                k = error_set(e, -EBUSY, "array %s already has a task running", r.target);
        if (k >= 0)
                k = store_job_update(j->store, id, "Running", 0, "resumed", e);
        if (k >= 0)
                k = start(j, id, r.kind, r.target, r.body, e);
        pthread_mutex_unlock(&j->lock);
        job_record_done(&r);
        return k;
}
