/* The one vocabulary for what a step or an action did, everywhere: raid's
 * steps, the OS deploy, the container runtime, VMs, apply's journal, the
 * daemon's tasks. A step's function returns a negative errno on failure or
 * one of these (>= 0); callers never compare against bare 0/1/2. */
#pragma once

enum outcome {
        OUTCOME_UNCHANGED = 0,    /* the machine already was so: nothing ran */
        OUTCOME_CHANGED,          /* it ran and changed the machine (or, dry, would) */
        OUTCOME_SKIPPED,          /* not for this machine (no update-initramfs, no UEFI, ...) */
        OUTCOME_REFUSED,          /* a guard said no for safety: nothing was written */
        OUTCOME_FAILED,           /* it ran and failed; the error says why */
};

/* "unchanged", "changed", "skipped", "refused", "failed": the words the
 * journal, --json and the API print. */
const char *outcome_name(enum outcome o);
