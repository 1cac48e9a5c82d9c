/* Events: what the monitor and the jobs saw happen (member failed, array
 * degraded, rebuild started/progress/finished, disk added/removed, task
 * done). Each is journaled in the store, logged (syslog in the daemon) and
 * POSTed as a Redfish Event to every subscription's Destination by a sender
 * thread with libcurl, so that a slow receiver never delays the monitor. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"
#include "lib/macro.h"

struct store;
struct events;
struct subscription_record;

/* Reads the subscriptions from the store once; from then on they are kept
 * in memory, in step with the store. Rows longer than the bounds below
 * (older hostd versions had none) are left out, and said so. */
int events_new(struct store *store, struct events **ret, struct error *e);
/* Stops the sender after the queue is sent (at most a few seconds). */
void events_free(struct events *ev);

/* Events waiting for the sender at most: while a receiver holds it up,
 * the oldest waiting is dropped from the webhooks (journaled and logged all
 * the same) and counted in hostd_events_undelivered_total. */
#define EVENTS_QUEUE_MAX 1024

/* kind: "MemberFailed", "ArrayDegraded", "RebuildStarted", "RebuildProgress",
 * "RebuildFinished", "DiskAdded", "DiskRemoved", "TaskCompleted", ...
 * severity: "OK", "Warning" or "Critical"; origin: an @odata.id or NULL. */
void events_emit(struct events *ev, const char *kind, const char *severity, const char *origin, const char *fmt, ...)
        _printf_(5, 6);

/* SubmitTestEvent: may user submit one now? One a second each, so that one
 * client cannot flood the journal and the receivers; false when not, with
 * *ret_retry_after in seconds. */
bool events_test_allowed(struct events *ev, const char *user, unsigned *ret_retry_after);

/* Bounds of a subscription's Destination and Context: each event is POSTed
 * to the one with the other, and both are kept in memory. */
#define EVENTS_DESTINATION_MAX 512
#define EVENTS_CONTEXT_MAX 256

/* The subscriptions (a new copy: subscription_record_list_free). */
int events_subscriptions(struct events *ev, struct subscription_record **ret, size_t *ret_n, struct error *e);
/* A new subscription of owner; -EDQUOT, with the limit named, when there are
 * max of them in all or owner has per_user already. */
int events_subscription_add(struct events *ev, const char *destination, const char *context, const char *owner,
                            unsigned per_user, unsigned max, int64_t *ret_id, struct error *e);
/* Delete one: -ENOENT; -EPERM when it is not user's and user is no administrator. */
int events_subscription_delete(struct events *ev, int64_t id, const char *user, bool admin, struct error *e);

/* The Redfish EventRecord of a journal entry (new object). */
json_object *event_record_from_journal(int64_t id, int64_t time_ms, const char *kind, const char *severity,
                                       const char *message, const char *data);
/* ISO 8601 UTC with milliseconds into buf (>= 32 bytes). */
const char *format_time_ms(int64_t time_ms, char *buf, size_t len);
