/* Events: what the monitor and the jobs saw happen (member failed, array
 * degraded, rebuild started/progress/finished, disk added/removed, task
 * done). Each is journaled in the store, logged (syslog in the daemon) and
 * POSTed as a Redfish Event to every subscription's Destination by a sender
 * thread with libcurl, so that a slow receiver never delays the monitor. */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "lib/error.h"
#include "lib/macro.h"

struct store;
struct events;

int events_new(struct store *store, struct events **ret, struct error *e);
/* Stops the sender after the queue is sent (at most a few seconds). */
void events_free(struct events *ev);

/* kind: "MemberFailed", "ArrayDegraded", "RebuildStarted", "RebuildProgress",
 * "RebuildFinished", "DiskAdded", "DiskRemoved", "TaskCompleted", ...
 * severity: "OK", "Warning" or "Critical"; origin: an @odata.id or NULL. */
void events_emit(struct events *ev, const char *kind, const char *severity, const char *origin, const char *fmt, ...)
        _printf_(5, 6);

/* The Redfish EventRecord of a journal entry (new object). */
json_object *event_record_from_journal(int64_t id, int64_t time_ms, const char *kind, const char *severity,
                                       const char *message, const char *data);
/* ISO 8601 UTC with milliseconds into buf (>= 32 bytes). */
const char *format_time_ms(int64_t time_ms, char *buf, size_t len);
