/* Prove the runtime works on the pool: run the project's image with a
 * memory and a CPU limit and a bind mount from the pool, and check what the
 * user would check by hand. The parsers are pure; verify_* run things. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"
#include "place.h"

/* Where verify containers see the host's /sys/fs/cgroup (read-only). */
#define VERIFY_CGROUP_DIR "/host-cgroup"

struct check {
        char name[48];
        bool ok;
        char detail[400];
};

struct checks {
        struct check item[16];
        size_t n;
};

struct verify_opts {
        uint64_t memory;      /* bytes; default 64 MiB */
        double cpus;          /* default 0.5 */
        int exit_code;        /* default 7 */
};

/* What the container printed, line by line (pure). */
struct verify_seen {
        bool marker;
        char mem[32], cpu[32];
        char cgroup[256];       /* memory/hostd/<id> (v1) or /hostd/<id> (v2) */
        char root_line[1024];   /* the line of /proc/self/mountinfo mounted on "/" */
};

/* The script the container runs (owned). bind_dir is where the pool's
 * directory appears inside; file is written there. */
char *verify_script(const char *marker, const char *bind_dir, const char *file, int exit_code);

/* What one verify run is called and given: a marker unique to the run, the
 * file the container writes it to under its /hostd, the container's name,
 * the limits as the runtimes' command lines spell them, and the script. */
struct verify_run {
        char marker[64], file[96], name[64], mem[32], cpus[32];
        char *script;
};
/* The pool's directory is a field of a --mount option (docker, podman,
 * ctr), whose fields are split at ','. ERROR_REFUSED for a path that holds
 * one: it would be cut there and the rest read as more options. */
int verify_check_bind_source(const char *dir, struct error *e);
/* prefix: "hostd-verify", "hostd-runc". 0 or -ENOMEM. */
int verify_run_init(struct verify_run *v, const char *prefix, const struct verify_opts *o, struct error *e);
void verify_run_done(struct verify_run *v);
void verify_parse(const char *output, const char *marker, struct verify_seen *ret);
/* Is the rootfs of that mountinfo line on the pool? overlay: upper and lower
 * dirs under root; a bind (native snapshotter, runc bundle): the pool's
 * device and a path under root. detail says what was seen. */
bool rootfs_on_pool(const char *mountinfo_line, const char *pool, const char *root, dev_t pool_dev, char *detail,
                    size_t len);

void checks_add(struct checks *c, const char *name, bool ok, const char *fmt, ...) _printf_(4, 5);
bool checks_ok(const struct checks *c);

/* The checks that follow a run: output, exit code, limits, rootfs, bind mount. */
void verify_judge(const char *pool, const char *root, const char *verify_dir, const char *file, const char *marker,
                  const struct verify_opts *o, const char *output, int exit_code, struct checks *c);

/* containerd: image present (imported when missing), then one run. */
int verify_containerd(const struct place *p, const struct verify_opts *o, struct checks *c, struct error *e);

/* Docker Engine or podman (engine.h): the image loaded when the store does
 * not hold it (docker-archive for Docker, OCI for podman), one `run --rm`,
 * the checks above, and "cleanup": no container of the run is left. */
struct engine;
int verify_engine(const struct engine *en, const struct verify_opts *o, struct checks *c, struct error *e);

/* runc directly, no daemon: the bundle VERIFY_BUNDLE on the pool (made
 * afresh from the project's image), one `runc run` with runc's state in
 * <run_dir>/runc, the container deleted after; then the same checks, and
 * that nothing is left (runc state, mounts, cgroup). */
#define VERIFY_BUNDLE "verify"
int verify_runc(const struct place *p, const char *run_dir, const struct verify_opts *o, struct checks *c,
                struct error *e);
