/* Docker Engine and podman as runtimes on the pool: where each keeps its
 * data once placed, the daemon (dockerd) started and stopped, and the
 * client calls the other files need. The only file that knows dockerd's,
 * docker's and podman's argv. podman has no daemon: its start is nothing,
 * its stop stops its containers. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "lib/exec.h"

struct engine {
        const char *name;        /* "docker" or "podman" (static) */
        bool docker;
        char *pool;
        char *config;            /* daemon.json / storage.conf */
        bool default_config;     /* the system's own config file */
        char *root;              /* <pool>/containers/<name>: data-root / graphroot */
        char *socket;            /* docker: <run>/docker.sock, or daemon.json's unix host */
        char *exec_root;         /* docker: <run>/docker, or daemon.json's exec-root ("": /run/docker) */
        char *pidfile;           /* docker: <run>/docker.pid, or daemon.json's pidfile ("": /run/docker.pid) */
        char *logfile;           /* docker: <run>/hostd/dockerd.log */
        char *launch_pidfile;    /* docker: <run>/hostd/dockerd.pid, written when hostd starts it
                                  * (dockerd writes its own pid file only once it is up) */
        char *image_dir;         /* <pool>/containers/image: the verify image */
        char *verify_dir;        /* <pool>/containers/verify: bind-mounted by verify */
        /* which of socket, exec_root, pidfile daemon.json sets itself (no flag then) */
        bool config_hosts, config_exec_root, config_pidfile;
};

void engine_done(struct engine *en);
/* name "docker" or "podman"; NULL inputs: the defaults (place.h, others.h).
 * Reads daemon.json for the socket, exec-root and pidfile it may set;
 * ERROR_REFUSED for an exec-root or pidfile that is relative or "/". */
int engine_init(struct engine *en, const char *name, const char *pool, const char *config, const char *run_dir,
                struct error *e);

/* Where the config puts the data today (its data-root / graphroot, or the
 * runtime's default). Owned. */
char *engine_config_root(const struct engine *en);
/* Does a root hold images or containers? */
bool engine_root_holds_data(const struct engine *en, const char *root);

/* docker: the pid from dockerd's pid file, else from the one hostd wrote
 * when it started it, when that process is dockerd; else 0. podman: 0. */
pid_t engine_pid(const struct engine *en);
/* docker: does dockerd answer on the socket? podman: is podman installed? */
bool engine_answers(const struct engine *en);
/* systemd manages it: PID 1 is systemd and the config and paths are the
 * system's defaults. */
bool engine_uses_systemd(const struct engine *en);

/* docker: start dockerd (systemd, else start-stop-daemon with the pid file,
 * the log and the socket of the struct) and wait until it answers (60 s).
 * podman: OUTCOME_UNCHANGED (no daemon). OUTCOME_CHANGED when it started it. */
int engine_start(const struct engine *en, struct error *e);
/* The start-stop-daemon command line that engine_start runs for dockerd
 * (exe: its path): --config-file only when the file exists (dockerd fails on
 * a missing one it was given), and no flag for what daemon.json sets. */
int engine_dockerd_argv(const struct engine *en, const char *exe, char ***ret, struct error *e);
/* docker: stop dockerd (it stops its containers; TERM, KILL after 60 s) and
 * unmount what is left under root and exec-root. podman: stop every running
 * container. OUTCOME_CHANGED when something stopped. */
int engine_stop(const struct engine *en, struct error *e);

/* docker -H unix://<socket> ARGS / podman ARGS (its storage.conf through
 * CONTAINERS_STORAGE_CONF when it is not the default). run_argv's result. */
int engine_run(const struct engine *en, const char *const *args, int timeout_ms, struct run_result *ret,
               struct error *e);
/* The same, and an exit status other than 0 is an error; stdout in *ret_out
 * (owned, may be NULL). */
int engine_run_checked(const struct engine *en, const char *const *args, int timeout_ms, char **ret_out,
                       struct error *e);
/* The root the running engine reports (docker info DockerRootDir, podman
 * info GraphRoot). Owned. */
int engine_effective_root(const struct engine *en, char **ret, struct error *e);
/* "ID REPO:TAG" of every image and "ID NAME STATE" of every container,
 * sorted; what migrate compares before and after. */
int engine_inventory(const struct engine *en, char ***ret_images, char ***ret_containers, struct error *e);
