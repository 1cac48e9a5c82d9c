/* Apply a plan: run its steps in order, each checking the machine first, so
 * that a run stopped at any point (kill -9, power loss) and started again
 * ends in the same state, and a run on a finished machine changes nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "lib/outcome.h"
#include "plan.h"

struct apply_opts {
        const char *root;         /* where etc/mdadm/mdadm.conf and etc/fstab live; NULL: "/" */
        int wait_timeout_s;       /* for devices and udev links; 0: 60 */
        bool dry;                 /* only look: a step that would change something reports OUTCOME_CHANGED, runs nothing */
        unsigned only_kinds;      /* bit (1u << STEP_x) per step kind to run; 0: every step */
        /* called before each step (before: true) and after it with what it did;
         * msg says what was found or done */
        void (*progress)(void *userdata, size_t index, const struct plan_step *s, bool before, enum outcome o,
                         const char *msg);
        void *userdata;
        /* asked before each step; true stops the run there with -ECANCELED */
        bool (*cancelled)(void *userdata);
};

/* 0 when every step is done; *ret_changed counts steps that changed something. */
int raid_apply(const struct plan *p, const struct apply_opts *o, size_t *ret_changed, struct error *e);
