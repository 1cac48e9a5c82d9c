/* hostctl containers setup for containerd: put its root on the pool through
 * a drop-in the operator's config imports, (re)start it, and pick the
 * snapshotter that really works there by running a container. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"
#include "place.h"

struct setup_report {
        char *old_root;          /* where containerd kept its data before */
        bool config_changed;     /* the import line or the drop-in was written */
        bool restarted;
        char *snapshotter;
        char *overlay_error;     /* why overlayfs was not taken, or NULL */
};

void setup_report_done(struct setup_report *r);

/* Refuses (ERROR_REFUSED) when the pool is not a mount, or when the old
 * root holds images: that is `migrate`'s job. */
int setup_containerd(struct place *p, struct setup_report *ret, struct error *e);
/* setup_containerd: OUTCOME_CHANGED when the config was written or
 * containerd (re)started, OUTCOME_UNCHANGED when it already ran so. */

/* Write the drop-in and the import line (backup of the original once, as
 * <config>.hostd-orig); OUTCOME_CHANGED when a byte changed, else
 * OUTCOME_UNCHANGED. The original text is returned in *ret_original (NULL
 * when there was no file) for rollback. */
int setup_write_config(const struct place *p, char **ret_original, struct error *e);
/* Put back the config as it was (NULL: there was none). */
int setup_restore_config(const struct place *p, const char *original, struct error *e);

/* Is there anything but . and .. in a directory? */
bool dir_has_entries(const char *path);
/* Does a containerd root hold images or snapshots? */
bool root_holds_data(const char *root);
/* overlayfs if a container really runs with it, else native. */
int choose_snapshotter(const struct place *p, char **ret, char **ret_overlay_error, struct error *e);
