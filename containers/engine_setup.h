/* hostctl containers setup and migrate for Docker Engine and podman: their
 * data-root / graphroot on the pool, written into the runtime's own config
 * (every other setting kept), and the move of what an old root holds. */
#pragma once

#include <stdbool.h>

#include "engine.h"
#include "lib/error.h"
#include "migrate.h"

struct engine_setup_report {
        char *old_root;          /* where the config put the data before */
        bool config_changed;
        bool restarted;          /* dockerd ran and was restarted to read it */
        bool started;            /* dockerd was started */
};

void engine_setup_report_done(struct engine_setup_report *r);

/* Refuses (ERROR_REFUSED) when the pool is not a mount or when the old root
 * holds images or containers (that is `migrate`'s job); -ENOENT when the
 * runtime is not installed. Docker: (re)starts dockerd and checks that it
 * reports the new root. podman: checks that `podman info` does. Any failure
 * after the write puts the config back. OUTCOME_CHANGED / OUTCOME_UNCHANGED. */
int setup_engine(const struct engine *en, struct engine_setup_report *ret, struct error *e);

/* docker: stop, copy the old root with its own layout (owners, modes, hard
 * links, xattrs), switch the config, start, compare the images and
 * containers before and after. podman (its database records the graphroot):
 * refused while it has containers; its images saved, the config switched,
 * loaded into the fresh graphroot, compared. Any failure puts the config
 * back and the runtime on its old root. The old root goes unless keep_old.
 * OUTCOME_CHANGED when it moved, OUTCOME_UNCHANGED when already there. */
int migrate_engine(const struct engine *en, bool keep_old, struct migrate_report *ret, struct error *e);
