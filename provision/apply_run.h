/* Running an apply plan: each step looks first, changes what differs, and is
 * journaled (SQLite) before and after. */
#pragma once

#include "apply.h"
#include "lib/outcome.h"

/* What one step did, in the one vocabulary (lib/outcome.h). A step that has
 * not run is pending: --plan only looks, and a step that would change the
 * machine stays pending (its outcome says OUTCOME_CHANGED, "would"). */
struct apply_step_result {
        bool pending;
        enum outcome outcome;         /* when not pending */
        char message[512];
        double seconds;
};
/* "pending", or the outcome's word ("changed", "unchanged", "skipped",
 * "refused", "failed"): what the journal, --json and the plan print. */
const char *apply_step_result_word(const struct apply_step_result *r);

struct apply_run_opts {
        const struct host_spec *spec;
        bool dry;                     /* --plan: only look */
        const char *state_dir;        /* the journal: <state_dir>/hostd.db; NULL: no journal */
        const char *self_dir;         /* where this hostctl lives (copied into the target without a package) */
        const char *package_path;     /* --package: the hostd .deb installed into the target, or NULL */
        /* before (pending, message empty) and after each step */
        void (*progress)(void *userdata, size_t i, const struct apply_step *s, const struct apply_step_result *r,
                         bool starting);
        void (*bytes)(void *userdata, long long done, long long total);   /* image download */
        void *userdata;
};

/* results: n_steps entries, filled as far as the run got. */
int apply_run(const struct apply_plan *p, const struct apply_run_opts *o, struct apply_step_result *results,
              size_t *ret_changed, size_t *ret_pending, struct error *e);
