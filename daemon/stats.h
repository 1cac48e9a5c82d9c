/* What hostd did since it started, for /metrics: HTTP requests by status,
 * events by kind, tasks by kind and outcome. Process-wide and thread-safe;
 * each family keeps at most STATS_MAX_SERIES label sets (the labels come
 * from hostd's own words, never from a request, so that is never reached
 * in practice; past it an observation is counted in
 * hostd_stats_dropped_total instead of growing without bound). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define STATS_MAX_SERIES 64

/* A label value as Prometheus' text format wants it between its quotes:
 * backslash, double quote and newline escaped (\\, \", \n). Every label
 * value of /metrics goes through here, whether hostd's own word or a name
 * from the system (an array, a device, a path). Writes at most size bytes
 * with the NUL and never cuts an escape in half; false when the value was
 * cut to fit. */
bool stats_escape_label(char *out, size_t size, const char *s);
/* A monotonic clock in seconds, to time with. */
double stats_now(void);
void stats_http_request(int status, double seconds);
void stats_event(const char *kind, const char *severity);
/* An event the webhook queue had no room for (events.h). */
void stats_event_undelivered(void);
void stats_task_done(const char *kind, const char *state, double seconds);
/* The families in Prometheus' text format, each with HELP and TYPE. */
void stats_write(FILE *f);
/* Forget everything (unit tests). */
void stats_reset(void);
