/* Jobs: long work (create an array, or one of raid/lifecycle.h's operations on it) in a worker thread, one job per
 * array at a time, its state and progress in the store. Jobs that were
 * running when hostd stopped show as Interrupted after a restart and can be
 * resumed: apply checks the machine before each step. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"
#include "raid/lifecycle.h"
#include "raid/plan.h"

struct store;
struct events;
struct jobs;

int jobs_new(struct store *store, struct events *events, struct jobs **ret, struct error *e);
/* Running jobs are journaled as Interrupted; their threads are not waited for. */
void jobs_free(struct jobs *j);

/* Tests only: jobs look at the machine and report what they would change,
 * and change nothing (raid's dry run). Not thread-safe: call first. */
void jobs_set_dry_run(bool dry);

/* The plan for a create body ({"arrays": [...]}, a storage spec) on this
 * machine's disks now. A plan with errors is returned too: check p->errors. */
int jobs_plan_create(const char *body, struct plan **ret, struct error *e);
/* Start a job; -EBUSY when the target array already has one running. */
int jobs_start_create(struct jobs *j, const char *array, const char *body, int64_t *ret_id, struct error *e);
/* The plan of a lifecycle operation (kind: raid_verb_name()) on this
 * machine now; body: the request's JSON (raid_request_to_json) or NULL. */
int jobs_plan_life(const char *kind, const char *array, const char *body, struct life_plan **ret, struct error *e);
int jobs_start_life(struct jobs *j, enum raid_verb verb, const char *array, const char *body, int64_t *ret_id,
                    struct error *e);
/* Run an Interrupted job again from its stored request. */
int jobs_resume(struct jobs *j, int64_t id, struct error *e);
/* Called by a job when the machine changed (the daemon refreshes its state). */
extern void (*jobs_on_change)(void);
