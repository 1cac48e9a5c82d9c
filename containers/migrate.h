/* hostctl containers migrate: move containerd's images and containers from
 * its old root to the pool. Every failure leaves it running on the old root
 * with its data; the old data goes only after the new root shows the same
 * images and containers. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"
#include "place.h"

struct migrate_report {
        char *old_root;
        char **images;           /* "namespace/ref", as found before and after */
        char **containers;       /* "namespace/id" */
        bool moved;              /* false: it already was on the pool */
        bool old_removed;
        long copy_ms;
};

void migrate_report_done(struct migrate_report *r);

/* Copy the tree from into to (through to.migrating, renamed when complete;
 * an empty directory at to is replaced): owners, modes, times, hard links
 * and xattrs kept, the partial copy removed on failure. */
int migrate_copy(const char *from, const char *to, long *ret_ms, struct error *e);
int remove_tree(const char *path, struct error *e);
bool strv_equal(char *const *a, char *const *b);
/* OUTCOME_CHANGED when it moved containerd's root onto the pool,
 * OUTCOME_UNCHANGED when it already was there; or a negative errno. */
int migrate_containerd(struct place *p, bool keep_old, struct migrate_report *ret, struct error *e);
