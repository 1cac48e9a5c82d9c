/* Where a runtime lives once hostd has placed it on the pool: the paths,
 * derived from three inputs (the pool mount, the operator's config file, the
 * run directory), and hostd's record of the choices it made (snapshotter). */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

#define PLACE_DEFAULT_POOL "/srv/pool"
#define PLACE_DEFAULT_CONTAINERD_CONFIG "/etc/containerd/config.toml"
#define PLACE_DEFAULT_RUN_DIR "/run"
#define PLACE_NAMESPACE "hostd"          /* containerd namespace owned by hostd */

struct place {
        char *pool;          /* the RAID 5 mount */
        char *config;        /* the operator's config.toml: hostd adds one import line */
        char *dropin;        /* <config dir>/hostd-pool.toml: root, state, socket */
        char *record;        /* <config dir>/hostd-pool.json: what setup chose */
        char *root;          /* <pool>/containers/containerd */
        char *state;         /* <run>/containerd */
        char *address;       /* <state>/containerd.sock */
        char *runc_root;     /* <state>/runc (ctr run --runc-root) */
        char *fifo_dir;      /* <state>/fifo */
        char *pidfile;       /* <run>/hostd/containerd.pid */
        char *logfile;       /* <run>/hostd/containerd.log */
        char *image_dir;     /* <pool>/containers/image: the verify image */
        char *verify_dir;    /* <pool>/containers/verify: bind-mounted by verify */
        char *snapshotter;   /* from the record, or NULL before setup */
};

void place_done(struct place *p);
/* Fill every path from the inputs (NULL: the defaults above). */
int place_init(struct place *p, const char *pool, const char *config, const char *run_dir, struct error *e);
/* The drop-in containerd reads through `imports` (pure). */
char *place_dropin_text(const struct place *p, long config_version);

/* Save / load the record (snapshotter, pool); load gives -ENOENT before setup. */
int place_save_record(const struct place *p, struct error *e);
int place_load_record(struct place *p, struct error *e);

/* The pool is a mounted filesystem of its own (not the root fs beneath it). */
int place_check_pool(const char *pool, struct error *e);
