/* An OCI runtime bundle run by runc directly, for hosts that want no
 * daemon: <pool>/containers/bundles/<name>/ with rootfs/ unpacked from the
 * project's image layer and the config.json of bundle.h. The only file that
 * knows runc's argv for bundles. */
#pragma once

#include "bundle.h"
#include "lib/error.h"
#include "lib/exec.h"

struct bundle {
        char *dir;                   /* <pool>/containers/bundles/<name> */
        char *rootfs;                /* <dir>/rootfs */
        char *config;                /* <dir>/config.json */
};

void bundle_done(struct bundle *b);
/* Make the bundle afresh: the project image in image_dir (built when
 * missing), its layer unpacked into a new rootfs/, config.json written. */
int bundle_make(const char *pool, const char *name, const char *image_dir, const struct bundle_spec *s,
                struct bundle *ret, struct error *e);

/* <run_dir>/runc: runc's state directory for hostd's bundles. */
char *bundle_runc_root(const char *run_dir);
/* Is runc installed (PATH, then the sbin directories, as lib/exec.h looks)?
 * Its version (owned), or -ENOENT with a message that says so. */
int bundle_runc_check(char **ret_version, struct error *e);
/* runc --root <run_dir>/runc run --bundle DIR ID (output and exit code in
 * *ret), then runc delete --force ID whatever happened. 0 when runc ran to
 * an exit, whatever the container's exit code. */
int bundle_run(const struct bundle *b, const char *run_dir, const char *id, int timeout_ms, struct run_result *ret,
               struct error *e);
