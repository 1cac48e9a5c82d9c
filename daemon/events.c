/* daemon/events.c: journal, log, and the webhook sender thread. */
#include "events.h"

#include "lib/lazy_curl.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/store.h"
#include "lib/strutil.h"
#include "stats.h"

/* SubmitTestEvent: one a second per user, for this many users a second */
#define EVENTS_TEST_INTERVAL_MS 1000
#define EVENTS_TEST_USERS 256

struct queued {
        struct queued *next;
        char *record;             /* JSON of one EventRecord */
        int64_t id;
};

struct events {
        struct store *store;
        pthread_t sender;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        struct queued *head, **tail;
        size_t queued;            /* in head..tail: at most EVENTS_QUEUE_MAX */
        bool overflowing;         /* dropping, and said so: the log says it once until the queue drains */
        /* who submitted a test event last, and when (mono_ms); under lock */
        struct test_submit {
                char user[80];
                int64_t ms;
        } tests[EVENTS_TEST_USERS];
        struct retry *retries;    /* the sender thread's own: no lock */
        CURL *curl;               /* the sender thread's own: its connections are kept for the next event */
        bool stop;
        /* the subscriptions, read from the store once at the start and kept
         * in step with it: no event and no GET reads them from SQLite */
        pthread_mutex_t subs_lock;
        struct subscription_record *subs;
        size_t n_subs;
};

const char *format_time_ms(int64_t time_ms, char *buf, size_t len) {
        time_t t = (time_t)(time_ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        char base[24];
        strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf, len, "%s.%03dZ", base, (int)(time_ms % 1000));
        return buf;
}

json_object *event_record_from_journal(int64_t id, int64_t time_ms, const char *kind, const char *severity,
                                       const char *message, const char *data) {
        char ts[40], idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
        json_object *r = json_object_new_object();
        json_add_string(r, "EventType", "Alert");
        json_add_string(r, "EventId", idbuf);
        json_add_string(r, "EventTimestamp", format_time_ms(time_ms, ts, sizeof ts));
        json_add_string(r, "Severity", severity);
        json_add_string(r, "MessageSeverity", severity);
        json_add_string(r, "Message", message);
        _cleanup_free_ char *mid = strdup_printf("Hostd.1.0.%s", kind);
        json_add_string(r, "MessageId", mid);
        if (data && *data) {
                json_object *origin = json_object_new_object();
                json_add_string(origin, "@odata.id", data);
                json_object_object_add(r, "OriginOfCondition", origin);
        }
        json_object *oem = json_object_new_object(), *h = json_object_new_object();
        json_add_string(h, "Kind", kind);
        json_add_int(h, "TimeMs", time_ms);
        json_object_object_add(oem, "Hostd", h);
        json_object_object_add(r, "Oem", oem);
        return r;
}

static size_t discard(char *p, size_t size, size_t n, void *u) {
        return size * n;
}

/* true when the receiver took it (2xx); *retry when trying again may help
 * (no connection, timeout, 408, 429, 5xx) */
/* Logged with the userinfo dropped: a webhook URL may carry a password. */
static bool post_one(CURL **handle, const char *url, const char *body, bool *retry) {
        _cleanup_free_ char *shown = url_redacted(url);
        struct error e = { 0 };
        *retry = true;
        if (lazy_curl_ready(&e) < 0) {
                log_error("webhook %s: %s", shown, e.msg);
                *retry = false;
                return false;
        }
        /* one handle, reset for each POST: curl keeps its open connections,
         * and an event does not wait for a new one (~0.1 s in the lab) */
        if (*handle)
                curl_easy_reset(*handle);
        else if (!(*handle = curl_easy_init()))
                return false;
        CURL *c = *handle;
        struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        CURLcode r = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        bool ok = r == CURLE_OK && status >= 200 && status < 300;
        if (r != CURLE_OK)
                log_warning("event to %s: %s", shown, curl_easy_strerror(r));
        else if (!ok) {
                log_warning("event to %s: HTTP %ld", shown, status);
                *retry = status == 408 || status == 429 || status >= 500;
        } else
                log_debug("event to %s: HTTP %ld", shown, status);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);   /* h is freed, the handle stays */
        curl_slist_free_all(h);
        return ok;
}

/* A receiver that is restarting should not lose the event: 1 + 3 tries,
 * 1 s, 2 s, 4 s apart, without holding up the other receivers. */
#define WEBHOOK_TRIES 4

struct retry {
        struct retry *next;
        char *url, *body;
        int tries;                /* made so far */
        int64_t due_ms;           /* CLOCK_MONOTONIC */
};

static int64_t mono_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

bool events_test_allowed(struct events *ev, const char *user, unsigned *ret_retry_after) {
        int64_t now = mono_ms();
        struct test_submit *mine = NULL, *free_slot = NULL;
        pthread_mutex_lock(&ev->lock);
        for (size_t i = 0; i < EVENTS_TEST_USERS && !mine; i++) {
                struct test_submit *t = &ev->tests[i];
                bool recent = t->user[0] && now - t->ms < EVENTS_TEST_INTERVAL_MS;
                if (recent && strncmp(t->user, user, sizeof t->user - 1) == 0)
                        mine = t;
                else if (!recent && !free_slot)
                        free_slot = t;
        }
        /* none of the user's in the last second: a slot of its own, while any
         * is free (past EVENTS_TEST_USERS users a second, everyone waits) */
        bool ok = !mine && free_slot;
        if (ok) {
                snprintf(free_slot->user, sizeof free_slot->user, "%s", user);
                free_slot->ms = now;
        }
        pthread_mutex_unlock(&ev->lock);
        if (!ok)
                *ret_retry_after = 1;
        return ok;
}

static void retry_free(struct retry *r) {
        free(r->url);
        free(r->body);
        free(r);
}

/* One try; a failure that may pass is queued again (owned by the sender thread). */
static void try_post(struct events *ev, const char *url, const char *body, int tries_before) {
        bool again = false;
        if (post_one(&ev->curl, url, body, &again))
                return;
        int tries = tries_before + 1;
        if (!again || tries >= WEBHOOK_TRIES) {
                _cleanup_free_ char *shown = url_redacted(url);
                log_warning("event to %s: given up after %d tr%s", shown, tries, tries == 1 ? "y" : "ies");
                return;
        }
        struct retry *r = calloc(1, sizeof *r);
        if (!r || !(r->url = strdup(url)) || !(r->body = strdup(body))) {
                if (r)
                        retry_free(r);
                return;
        }
        r->tries = tries;
        r->due_ms = mono_ms() + (1000LL << (tries - 1));
        r->next = ev->retries;
        ev->retries = r;
}

static void retry_due(struct events *ev) {
        int64_t now = mono_ms();
        struct retry **pp = &ev->retries;
        while (*pp) {
                struct retry *r = *pp;
                if (r->due_ms > now) {
                        pp = &r->next;
                        continue;
                }
                *pp = r->next;
                try_post(ev, r->url, r->body, r->tries);
                retry_free(r);
        }
}

static int64_t next_due(const struct events *ev) {
        int64_t due = INT64_MAX;
        for (const struct retry *r = ev->retries; r; r = r->next)
                if (r->due_ms < due)
                        due = r->due_ms;
        return due;
}

static int record_copy(const struct subscription_record *in, struct subscription_record *out) {
        *out = (struct subscription_record){ .id = in->id };
        if (!(out->destination = strdup(in->destination)) || (in->context && !(out->context = strdup(in->context))) ||
            (in->owner && !(out->owner = strdup(in->owner)))) {
                subscription_record_done(out);
                return -ENOMEM;
        }
        return 0;
}

int events_subscriptions(struct events *ev, struct subscription_record **ret, size_t *ret_n, struct error *e) {
        pthread_mutex_lock(&ev->subs_lock);
        size_t n = ev->n_subs;
        struct subscription_record *v = calloc(n ? n : 1, sizeof *v);
        size_t i = 0;
        while (v && i < n && record_copy(&ev->subs[i], &v[i]) == 0)
                i++;
        pthread_mutex_unlock(&ev->subs_lock);
        if (!v || i < n) {
                subscription_record_list_free(v, i);
                return error_set(e, -ENOMEM, "out of memory");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* With a subscriber, libcurl (and its TLS libraries) is loaded before an
 * event needs it: loading takes long on a busy machine (~0.2 s measured in
 * the lab), and the first event is often the urgent one (a member failed). A
 * failure here is not reported: the first POST reports it. */
static void curl_ahead(void) {
        struct error e = { 0 };
        (void)lazy_curl_ready(&e);
}

int events_subscription_add(struct events *ev, const char *destination, const char *context, const char *owner,
                            unsigned per_user, unsigned max, int64_t *ret_id, struct error *e) {
        int k = 0;
        pthread_mutex_lock(&ev->subs_lock);
        unsigned mine = 0;
        for (size_t i = 0; i < ev->n_subs; i++)
                mine += streq_ptr(ev->subs[i].owner, owner);
        struct subscription_record *nv = NULL;
        struct subscription_record rec = { .destination = (char *)destination, .context = (char *)context,
                                           .owner = (char *)owner };
        if (ev->n_subs >= max)
                k = error_set(e, -EDQUOT, "subscriptions_max (%u) reached: no new subscription until one is deleted",
                              max);
        else if (mine >= per_user)
                k = error_set(e, -EDQUOT, "subscriptions_per_user (%u) reached: %s must delete one first", per_user,
                              owner);
        else if (!(nv = realloc(ev->subs, (ev->n_subs + 1) * sizeof *nv)))
                k = error_set(e, -ENOMEM, "out of memory");
        else {
                ev->subs = nv;
                k = store_subscription_add(ev->store, destination, context, owner, &rec.id, e);
                if (k >= 0 && record_copy(&rec, &ev->subs[ev->n_subs]) < 0) {
                        store_subscription_delete(ev->store, rec.id, NULL);
                        k = error_set(e, -ENOMEM, "out of memory");
                }
                if (k >= 0) {
                        ev->n_subs++;
                        *ret_id = rec.id;
                }
        }
        pthread_mutex_unlock(&ev->subs_lock);
        if (k >= 0)
                curl_ahead();   /* (once: then a no-op) */
        return k;
}

int events_subscription_delete(struct events *ev, int64_t id, const char *user, bool admin, struct error *e) {
        pthread_mutex_lock(&ev->subs_lock);
        size_t i = 0;
        while (i < ev->n_subs && ev->subs[i].id != id)
                i++;
        int k = 0;
        if (i == ev->n_subs)
                k = error_set(e, -ENOENT, "subscription %lld not found", (long long)id);
        else if (!admin && !streq_ptr(ev->subs[i].owner, user))
                k = error_set(e, -EPERM, "subscription %lld is %s's: a user deletes only its own", (long long)id,
                              ev->subs[i].owner ? ev->subs[i].owner : "an administrator");
        else if ((k = store_subscription_delete(ev->store, id, e)) >= 0 || k == -ENOENT) {
                subscription_record_done(&ev->subs[i]);
                memmove(&ev->subs[i], &ev->subs[i + 1], (ev->n_subs - i - 1) * sizeof *ev->subs);
                ev->n_subs--;
                k = 0;
        }
        pthread_mutex_unlock(&ev->subs_lock);
        return k;
}

static void deliver(struct events *ev, struct queued *q) {
        struct subscription_record *subs = NULL;
        size_t n = 0;
        struct error e = { 0 };
        if (events_subscriptions(ev, &subs, &n, &e) < 0) {
                log_warning("events: %s", e.msg);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ json_object *msg = json_object_new_object();
                _cleanup_free_ char *id = strdup_printf("%lld", (long long)q->id);
                json_add_string(msg, "@odata.type", "#Event.v1_7_0.Event");
                json_add_string(msg, "Id", id);
                json_add_string(msg, "Name", "hostd event");
                json_add_string(msg, "Context", subs[i].context ? subs[i].context : "");
                json_object *arr = json_object_new_array();
                json_object_array_add(arr, json_tokener_parse(q->record));
                json_object_object_add(msg, "Events", arr);
                try_post(ev, subs[i].destination, json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN), 0);
        }
        subscription_record_list_free(subs, n);
}

static void *sender_main(void *userdata) {
        struct events *ev = userdata;
        pthread_mutex_lock(&ev->subs_lock);
        bool subscribed = ev->n_subs > 0;
        pthread_mutex_unlock(&ev->subs_lock);
        if (subscribed)
                curl_ahead();
        pthread_mutex_lock(&ev->lock);
        for (;;) {
                while (!ev->head && !ev->stop) {
                        int64_t due = next_due(ev);
                        if (due == INT64_MAX) {
                                pthread_cond_wait(&ev->cond, &ev->lock);
                                continue;
                        }
                        int64_t wait = due - mono_ms();
                        if (wait <= 0)
                                break;
                        struct timespec until;
                        clock_gettime(CLOCK_REALTIME, &until);
                        until.tv_sec += wait / 1000;
                        until.tv_nsec += (wait % 1000) * 1000000L;
                        if (until.tv_nsec >= 1000000000L) {
                                until.tv_sec++;
                                until.tv_nsec -= 1000000000L;
                        }
                        pthread_cond_timedwait(&ev->cond, &ev->lock, &until);
                }
                if (ev->stop && !ev->head)
                        break;   /* what was queued before the stop is still sent */
                struct queued *q = ev->head;
                if (q) {
                        ev->head = q->next;
                        if (!ev->head)
                                ev->tail = &ev->head;
                        if (--ev->queued < EVENTS_QUEUE_MAX / 2)
                                ev->overflowing = false;
                }
                pthread_mutex_unlock(&ev->lock);
                if (q) {
                        deliver(ev, q);
                        free(q->record);
                        free(q);
                }
                retry_due(ev);
                pthread_mutex_lock(&ev->lock);
        }
        pthread_mutex_unlock(&ev->lock);
        if (ev->curl)
                curl_easy_cleanup(ev->curl);
        while (ev->retries) {   /* stopping: what is still to retry is dropped, and said so */
                struct retry *r = ev->retries;
                ev->retries = r->next;
                _cleanup_free_ char *shown = url_redacted(r->url);
                log_warning("event to %s: not delivered, hostd stops", shown);
                retry_free(r);
        }
        return NULL;
}

int events_new(struct store *store, struct events **ret, struct error *e) {
        struct events *ev = calloc(1, sizeof *ev);
        if (!ev)
                return error_set(e, -ENOMEM, "out of memory");
        ev->store = store;
        ev->tail = &ev->head;
        size_t skipped = 0;
        int k = store_subscription_list(store, EVENTS_DESTINATION_MAX, &ev->subs, &ev->n_subs, &skipped, e);
        if (k < 0) {
                free(ev);
                return k;
        }
        if (skipped)
                log_warning("events: %zu subscription(s) in the database have a Destination or Context longer than "
                            "%d bytes: no event is sent to them", skipped, EVENTS_DESTINATION_MAX);
        pthread_mutex_init(&ev->lock, NULL);
        pthread_mutex_init(&ev->subs_lock, NULL);
        pthread_cond_init(&ev->cond, NULL);
        k = pthread_create(&ev->sender, NULL, sender_main, ev);
        if (k != 0) {
                subscription_record_list_free(ev->subs, ev->n_subs);
                free(ev);
                return error_set(e, -k, "cannot start the event sender: %s", strerror(k));
        }
        *ret = ev;
        return 0;
}

void events_free(struct events *ev) {
        if (!ev)
                return;
        pthread_mutex_lock(&ev->lock);
        ev->stop = true;
        pthread_cond_signal(&ev->cond);
        pthread_mutex_unlock(&ev->lock);
        pthread_join(ev->sender, NULL);
        pthread_cond_destroy(&ev->cond);
        pthread_mutex_destroy(&ev->lock);
        pthread_mutex_destroy(&ev->subs_lock);
        subscription_record_list_free(ev->subs, ev->n_subs);
        free(ev);
}

void events_emit(struct events *ev, const char *kind, const char *severity, const char *origin, const char *fmt, ...) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        int64_t ms = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
        enum log_level lvl = streq(severity, "OK") ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING;
        log_msg(lvl, "event %s: %s", kind, msg);
        stats_event(kind, severity);
        if (!ev)
                return;
        int64_t id = 0;
        struct error e = { 0 };
        if (store_journal_add(ev->store, ms, kind, severity, msg, origin, &id, &e) < 0)
                log_warning("events: %s", e.msg);
        _cleanup_json_ json_object *rec = event_record_from_journal(id, ms, kind, severity, msg, origin);
        struct queued *q = calloc(1, sizeof *q);
        if (!q)
                return;
        q->id = id;
        q->record = strdup(json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN));
        if (!q->record) {
                free(q);
                return;
        }
        /* a receiver that holds the sender up must not grow the queue without
         * bound: the oldest waiting event makes room (receivers want the news) */
        struct queued *dropped = NULL;
        bool say = false;
        pthread_mutex_lock(&ev->lock);
        if (ev->queued >= EVENTS_QUEUE_MAX) {
                dropped = ev->head;
                ev->head = dropped->next;
                if (!ev->head)
                        ev->tail = &ev->head;
                ev->queued--;
                say = !ev->overflowing;
                ev->overflowing = true;
        }
        *ev->tail = q;
        ev->tail = &q->next;
        ev->queued++;
        pthread_cond_signal(&ev->cond);
        pthread_mutex_unlock(&ev->lock);
        if (dropped) {
                stats_event_undelivered();
                if (say)
                        log_warning("events: %d wait for a slow webhook receiver: the oldest are not sent "
                                    "(hostd_events_undelivered_total counts them)", EVENTS_QUEUE_MAX);
                free(dropped->record);
                free(dropped);
        }
}
