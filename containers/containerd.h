/* containerd as a process: what its config says, start (systemd or a pid
 * file), stop (tasks first: shims outlive the daemon), and the ctr calls the
 * other files need. The only file that knows ctr's and containerd's argv. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "place.h"

/* What containerd would use with this config (imports applied), from
 * `containerd --config FILE config dump`. Each ret_* may be NULL. */
int containerd_effective(const char *config, char **ret_root, char **ret_state, char **ret_address,
                         struct error *e);

/* The pid from the pid file when that process is containerd, else 0. */
pid_t containerd_pid(const struct place *p);
/* Does something answer on the socket? */
bool containerd_answers(const char *address);

/* Start with p->config and wait until the socket answers (30 s). Through
 * systemd when it is PID 1 and the config is the default one; otherwise
 * `start-stop-daemon --background` with p->pidfile and p->logfile.
 * OUTCOME_CHANGED when it started it, OUTCOME_UNCHANGED when it ran already. */
int containerd_start(const struct place *p, struct error *e);
/* Kill and delete every task in every namespace, stop the daemon (TERM,
 * then KILL after 10 s), unmount what is left under root and state.
 * Containers (their records) stay. OUTCOME_CHANGED when it stopped it,
 * OUTCOME_UNCHANGED when it was not running. */
int containerd_stop(const struct place *p, struct error *e);

/* ctr -a <address> -n <ns> ARGS...: output in *ret_out (owned, may be NULL). */
int ctr_run_checked(const struct place *p, const char *ns, const char *const *args, int timeout_ms,
                    char **ret_out, struct error *e);
/* Import an image tar into namespace hostd, unpacked for snapshotter. */
int ctr_import(const struct place *p, const char *tar, const char *snapshotter, struct error *e);
/* Namespaces, images (refs) and containers (ids); sorted, owned. */
int ctr_list(const struct place *p, const char *ns, const char *what, char ***ret, struct error *e);
/* "ns/name" for every image and container in every namespace, sorted. */
int ctr_inventory(const struct place *p, char ***ret_images, char ***ret_containers, struct error *e);

/* `containerd --version` / `runc --version`: the version word, or -ENOENT. */
int containerd_version(char **ret, struct error *e);
int runc_version(char **ret, struct error *e);
/* Helpers the other runtimes share. */
void sleep_ms(long ms);
/* Is the process of a pid file that start-stop-daemon writes still there
 * (whatever its name, not a zombie)? A file not written yet counts as
 * alive for the first 5 s. */
bool launched_alive(const char *pidfile, int waited_ms);
/* PID 1 is systemd (it manages the runtimes' services). */
bool systemd_is_pid1(void);
/* The systemd drop-in that holds a runtime's service until the pool is
 * mounted, and skips it where the pool is not mounted (pure). */
char *pool_mount_dropin_text(const char *pool);
/* That drop-in in /etc/systemd/system/SERVICE.d/ when the runtime's root is
 * on the pool, none otherwise (a runtime put back on its old root); a
 * daemon-reload when it changed: OUTCOME_CHANGED/UNCHANGED or a negative errno. */
int service_require_pool(const char *service, const char *root, const char *pool, struct error *e);
/* Unmount what is left under a directory (rootfs mounts of dead tasks),
 * deepest first. ERROR_REFUSED for "", "/" or a relative path (everything
 * is below "/"; a relative one would follow the cwd): nothing is unmounted. */
int umount_below(const char *dir, struct error *e);

/* An absolute path for a program name (PATH, then the sbin directories). */
char *find_program_path(const char *name);
