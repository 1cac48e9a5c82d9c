#include "outcome.h"

#include "macro.h"

const char *outcome_name(enum outcome o) {
        static const char *const names[] = {
                [OUTCOME_UNCHANGED] = "unchanged", [OUTCOME_CHANGED] = "changed", [OUTCOME_SKIPPED] = "skipped",
                [OUTCOME_REFUSED] = "refused",     [OUTCOME_FAILED] = "failed",
        };
        return (unsigned)o < ELEMENTSOF(names) && names[o] ? names[o] : "unknown";
}
