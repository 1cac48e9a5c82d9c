/* A small SQLite store (WAL) for long work and what happened: jobs with their
 * state and progress, an append-only journal of records, and webhook
 * subscriptions. No domain words: callers name their kinds and targets.
 * Safe to use from several threads (one serialized connection). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct store;

struct job_record {
        int64_t id;
        char *kind;               /* "create", "delete", ... */
        char *target;             /* what the job works on; one unfinished job per target */
        char *state;              /* caller's words: "Running", "Completed", "Interrupted", ... */
        int percent;
        char *message;
        char *body;               /* the request that started it, to resume it */
        int64_t created_ms, updated_ms;
};
void job_record_done(struct job_record *j);
void job_record_list_free(struct job_record *v, size_t n);

struct journal_record {
        int64_t id;
        int64_t time_ms;          /* CLOCK_REALTIME */
        char *kind, *severity, *message, *data;
};
void journal_record_done(struct journal_record *r);
void journal_record_list_free(struct journal_record *v, size_t n);

struct subscription_record {
        int64_t id;
        char *destination, *context;
        char *owner;              /* who made it; NULL: an older hostd did */
};
void subscription_record_done(struct subscription_record *r);
void subscription_record_list_free(struct subscription_record *v, size_t n);

int store_open(const char *path, struct store **ret, struct error *e);
void store_close(struct store *s);
static inline void store_closep(struct store **s) {
        store_close(*s);
}

int store_job_add(struct store *s, const char *kind, const char *target, const char *state, const char *body,
                  int64_t *ret_id, struct error *e);
int store_job_update(struct store *s, int64_t id, const char *state, int percent, const char *message, struct error *e);
int store_job_get(struct store *s, int64_t id, struct job_record *ret, struct error *e);   /* -ENOENT */
int store_job_list(struct store *s, struct job_record **ret, size_t *ret_n, struct error *e);
/* Every job in state `from` moves to `to` with message; returns how many. */
int store_jobs_move(struct store *s, const char *from, const char *to, const char *message, struct error *e);

int store_journal_add(struct store *s, int64_t time_ms, const char *kind, const char *severity, const char *message,
                      const char *data, int64_t *ret_id, struct error *e);
/* The newest `limit` records of `kind` (NULL: of every kind), oldest first. */
int store_journal_get(struct store *s, int64_t id, struct journal_record *ret, struct error *e);   /* -ENOENT */
int store_journal_list(struct store *s, const char *kind, size_t limit, struct journal_record **ret, size_t *ret_n,
                       struct error *e);

int store_subscription_add(struct store *s, const char *destination, const char *context, const char *owner,
                           int64_t *ret_id, struct error *e);
int store_subscription_delete(struct store *s, int64_t id, struct error *e);   /* -ENOENT */
/* Those with destination and context of at most max_len bytes; how many
 * were longer (and left out) in *ret_skipped. */
int store_subscription_list(struct store *s, size_t max_len, struct subscription_record **ret, size_t *ret_n,
                            size_t *ret_skipped, struct error *e);
