/* Running an apply plan: each step looks first, changes what differs, and is
 * journaled (SQLite) before and after. */
#pragma once

#include "apply.h"

enum apply_step_state { STEP_PENDING, STEP_DONE, STEP_CHANGED, STEP_UNCHANGED, STEP_SKIPPED, STEP_FAILED };
const char *apply_step_state_name(enum apply_step_state s);

struct apply_step_result {
        enum apply_step_state state;
        char message[512];
        double seconds;
};

struct apply_run_opts {
        const struct host_spec *spec;
        bool dry;                     /* --plan: only look */
        const char *state_dir;        /* the journal: <state_dir>/hostd.db; NULL: no journal */
        const char *self_dir;         /* where this hostctl lives (copied into the target) */
        /* before (state STEP_PENDING, message NULL) and after each step */
        void (*progress)(void *userdata, size_t i, const struct apply_step *s, const struct apply_step_result *r,
                         bool starting);
        void (*bytes)(void *userdata, long long done, long long total);   /* image download */
        void *userdata;
};

/* results: n_steps entries, filled as far as the run got. */
int apply_run(const struct apply_plan *p, const struct apply_run_opts *o, struct apply_step_result *results,
              size_t *ret_changed, size_t *ret_pending, struct error *e);
