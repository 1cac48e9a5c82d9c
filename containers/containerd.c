#include "containerd.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/strutil.h"
#include "toml.h"

void sleep_ms(long ms) {
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
}

char *find_program_path(const char *name) {
        const char *path = getenv("PATH");
        _cleanup_free_ char *dirs = strdup_printf("%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                                  path ? path : "");
        char *save = NULL;
        for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
                char *full = strdup_printf("%s/%s", d, name);
                if (!full || access(full, X_OK) == 0)
                        return full;
                free(full);
        }
        return NULL;
}

int containerd_effective(const char *config, char **ret_root, char **ret_state, char **ret_address,
                         struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *argv[] = { "containerd", "--config", config, "config", "dump", NULL };
        int k = run_checked(argv, &(struct run_opts){ .timeout_ms = 30000 }, &r, e);
        if (k < 0)
                return k;
        _cleanup_free_ char *root = NULL, *state = NULL, *address = NULL;
        if (toml_get_string(r.out, NULL, "root", &root) < 0 || toml_get_string(r.out, NULL, "state", &state) < 0 ||
            toml_get_string(r.out, "grpc", "address", &address) < 0)
                return error_set(e, -EBADMSG, "containerd config dump of %s: no root, state or grpc address", config);
        if (ret_root)
                *ret_root = TAKE_PTR(root);
        if (ret_state)
                *ret_state = TAKE_PTR(state);
        if (ret_address)
                *ret_address = TAKE_PTR(address);
        return 0;
}

pid_t containerd_pid(const struct place *p) {
        _cleanup_free_ char *line = NULL, *comm_path = NULL, *comm = NULL;
        if (read_one_line(p->pidfile, &line, NULL) < 0)
                return 0;
        long pid = strtol(line, NULL, 10);
        if (pid <= 1)
                return 0;
        comm_path = strdup_printf("/proc/%ld/comm", pid);
        if (!comm_path || read_one_line(comm_path, &comm, NULL) < 0 || !streq(comm, "containerd"))
                return 0;
        return (pid_t)pid;
}

bool containerd_answers(const char *address) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(address) >= sizeof sa.sun_path)
                return false;
        strcpy(sa.sun_path, address);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        return fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
}

bool systemd_is_pid1(void) {
        _cleanup_free_ char *comm = NULL;
        return access("/run/systemd/system", F_OK) == 0 && read_one_line("/proc/1/comm", &comm, NULL) == 0 &&
               streq(comm, "systemd");
}

char *pool_mount_dropin_text(const char *pool) {
        return strdup_printf("# Written by hostd: this runtime keeps its root on the pool. The pool's\n"
                             "# fstab line has nofail, so nothing else holds the runtime back until it\n"
                             "# is mounted, and it would write its root onto the OS disk beneath. Where\n"
                             "# the pool is not mounted (it failed, or was destroyed), it does not start.\n"
                             "[Unit]\n"
                             "RequiresMountsFor=%s\n"
                             "ConditionPathIsMountPoint=%s\n", pool, pool);
}

static bool path_is_under(const char *path, const char *dir) {
        const char *rest = startswith(path, dir);
        return rest && (*rest == '/' || *rest == '\0');
}

int service_require_pool(const char *service, const char *root, const char *pool, struct error *e) {
        bool wanted = path_is_under(root, pool);
        _cleanup_free_ char *path = strdup_printf("/etc/systemd/system/%s.d/hostd-pool.conf", service),
                            *text = wanted ? pool_mount_dropin_text(pool) : strdup(""), *have = NULL;
        if (!path || !text)
                return error_set(e, -ENOMEM, "out of memory");
        bool present = read_file(path, 1 << 16, &have, NULL, NULL) == 0;
        if (wanted ? present && streq(have, text) : !present)
                return OUTCOME_UNCHANGED;
        int k;
        if (!wanted && unlink(path) < 0 && errno != ENOENT)
                return error_set(e, -errno, "%s: %s", path, strerror(errno));
        if (wanted && ((k = mkdir_parent(path, e)) < 0 || (k = write_file_atomic(path, text, strlen(text), 0644, e)) < 0))
                return k;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *argv[] = { "systemctl", "daemon-reload", NULL };
        k = run_checked(argv, &(struct run_opts){ .timeout_ms = 90000 }, &r, e);
        return k < 0 ? k : OUTCOME_CHANGED;
}

static bool use_systemd(const struct place *p) {
        return systemd_is_pid1() && streq(p->config, PLACE_DEFAULT_CONTAINERD_CONFIG) &&
               streq(p->state, "/run/containerd");
}

static int systemctl(const char *verb, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *argv[] = { "systemctl", verb, "containerd.service", NULL };
        return run_checked(argv, &(struct run_opts){ .timeout_ms = 90000 }, &r, e);
}

bool launched_alive(const char *pidfile, int waited_ms) {
        _cleanup_free_ char *line = NULL, *stat_path = NULL, *stat = NULL;
        if (read_one_line(pidfile, &line, NULL) < 0)
                return waited_ms < 5000;      /* not written yet */
        long pid = strtol(line, NULL, 10);
        stat_path = strdup_printf("/proc/%ld/stat", pid);
        if (pid <= 1 || !stat_path || read_one_line(stat_path, &stat, NULL) < 0)
                return false;
        /* "pid (comm) S ...": a zombie has exited */
        const char *paren = strrchr(stat, ')');
        return paren && paren[1] == ' ' && paren[2] != 'Z';
}

static int wait_ready(const struct place *p, bool by_pid, struct error *e) {
        for (int i = 0; i < 3000; i++) {
                if (containerd_answers(p->address))
                        return 0;
                /* by the pid, not by its name: until it has exec'd, the child
                 * start-stop-daemon forked still carries that name */
                if (by_pid && !launched_alive(p->pidfile, i * 10)) {
                        _cleanup_free_ char *log = NULL;
                        read_file(p->logfile, 1 << 20, &log, NULL, NULL);
                        return error_set(e, -ECHILD, "containerd exited at start: %s",
                                         log ? run_tail(log, 400) : "(no log)");
                }
                sleep_ms(10);
        }
        return error_set(e, -ETIMEDOUT, "containerd did not answer on %s within 30 s", p->address);
}

int containerd_start(const struct place *p, struct error *e) {
        int k;
        if (use_systemd(p)) {
                bool running = containerd_answers(p->address);
                if ((k = service_require_pool("containerd.service", p->root, p->pool, e)) < 0 ||
                    (k = systemctl("start", e)) < 0 || (k = wait_ready(p, false, e)) < 0)
                        return k;
                return running ? OUTCOME_UNCHANGED : OUTCOME_CHANGED;
        }
        if (containerd_pid(p) > 0)
                return (k = wait_ready(p, true, e)) < 0 ? k : OUTCOME_UNCHANGED;
        _cleanup_free_ char *exe = find_program_path("containerd");
        if (!exe)
                return error_set(e, -ENOENT, "containerd: program not found (is it installed?)");
        _cleanup_free_ char *dir = strndup(p->pidfile, strrchr(p->pidfile, '/') - p->pidfile);
        k = dir ? mkdir_p(dir, 0755, e) : error_set(e, -ENOMEM, "out of memory");
        if (k < 0 || (k = mkdir_p(p->state, 0711, e)) < 0 || (k = mkdir_p(p->root, 0711, e)) < 0)
                return k;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *argv[] = { "start-stop-daemon", "--start", "--background", "--make-pidfile",
                               "--pidfile", p->pidfile, "--output", p->logfile, "--exec", exe,
                               "--", "--config", p->config, NULL };
        k = run_checked(argv, &(struct run_opts){ .timeout_ms = 30000 }, &r, e);
        if (k < 0 || (k = wait_ready(p, true, e)) < 0)
                return k;
        return OUTCOME_CHANGED;
}

int ctr_run_checked(const struct place *p, const char *ns, const char *const *args, int timeout_ms,
                    char **ret_out, struct error *e) {
        const char *head[] = { "ctr", "-a", p->address, "-n", ns, NULL };
        _cleanup_strv_free_ char **argv = NULL;
        int k = strv_extend(&argv, head);
        if (k < 0 || (k = strv_extend(&argv, args)) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_(run_result_free) struct run_result r = { 0 };
        k = run_checked((const char *const *)argv, &(struct run_opts){ .timeout_ms = timeout_ms }, &r, e);
        if (k < 0)
                return k;
        if (ret_out)
                *ret_out = TAKE_PTR(r.out);
        return 0;
}

int ctr_import(const struct place *p, const char *tar, const char *snapshotter, struct error *e) {
        const char *args[] = { "images", "import", "--snapshotter", snapshotter, tar, NULL };
        return ctr_run_checked(p, PLACE_NAMESPACE, args, 120000, NULL, e);
}

int ctr_list(const struct place *p, const char *ns, const char *what, char ***ret, struct error *e) {
        _cleanup_free_ char *out = NULL;
        const char *args[] = { what, "ls", "-q", NULL };
        int k = ctr_run_checked(p, ns ? ns : "default", args, 30000, &out, e);
        if (k < 0)
                return k;
        return strv_split_lines_sorted(out, ret) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}

int ctr_inventory(const struct place *p, char ***ret_images, char ***ret_containers, struct error *e) {
        _cleanup_strv_free_ char **nss = NULL, **images = NULL, **containers = NULL;
        int k = ctr_list(p, NULL, "namespaces", &nss, e);
        for (size_t i = 0; k >= 0 && nss && nss[i]; i++) {
                const char *what[] = { "images", "containers" };
                char ***into[] = { &images, &containers };
                for (size_t w = 0; k >= 0 && w < 2; w++) {
                        _cleanup_strv_free_ char **v = NULL;
                        k = ctr_list(p, nss[i], what[w], &v, e);
                        for (size_t j = 0; k >= 0 && v && v[j]; j++)
                                k = strv_push_take(into[w], strdup_printf("%s/%s", nss[i], v[j]));
                }
        }
        if (k < 0)
                return e && e->code ? k : error_set(e, k, "out of memory");
        *ret_images = TAKE_PTR(images);
        *ret_containers = TAKE_PTR(containers);
        return 0;
}

/* Kill and delete every task: a shim keeps its container alive after the
 * daemon is gone, and keeps its rootfs mounted. */
static int kill_tasks(const struct place *p, struct error *e) {
        _cleanup_strv_free_ char **nss = NULL;
        int k = ctr_list(p, NULL, "namespaces", &nss, e);
        for (size_t i = 0; k >= 0 && nss && nss[i]; i++) {
                _cleanup_strv_free_ char **tasks = NULL;
                k = ctr_list(p, nss[i], "tasks", &tasks, e);
                for (size_t j = 0; k >= 0 && tasks && tasks[j]; j++) {
                        /* "ID PID STATUS": the id is the first word */
                        tasks[j][strcspn(tasks[j], " \t")] = '\0';
                        const char *kill_args[] = { "tasks", "kill", "-s", "SIGKILL", tasks[j], NULL };
                        const char *del_args[] = { "tasks", "delete", tasks[j], NULL };
                        struct error ignore = { 0 };
                        ctr_run_checked(p, nss[i], kill_args, 10000, NULL, &ignore);
                        for (int t = 0; t < 100; t++) {
                                k = ctr_run_checked(p, nss[i], del_args, 10000, NULL, e);
                                if (k >= 0)
                                        break;
                                sleep_ms(50);
                        }
                }
        }
        return k;
}

int umount_below(const char *dir, struct error *e) {
        if (!path_is_below_root(dir))
                return error_set(e, ERROR_REFUSED, "refusing to unmount everything below '%s': not an absolute "
                                 "directory below /", dir ? dir : "");
        _cleanup_free_ char *mi = NULL, *prefix = strdup_printf("%s/", dir);
        if (!prefix)
                return error_set(e, -ENOMEM, "out of memory");
        int k = read_file("/proc/self/mountinfo", 1 << 22, &mi, NULL, e);
        if (k < 0)
                return k;
        _cleanup_strv_free_ char **points = NULL;
        char *save = NULL;
        for (char *l = strtok_r(mi, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char mp[4096];
                if (sscanf(l, "%*s %*s %*s %*s %4095s", mp) == 1 && startswith(mp, prefix))
                        strv_push(&points, mp);
        }
        /* deepest (last mounted) first; lazily, as a dead task's rootfs may
         * still be held, and a point that is gone already is no failure */
        for (size_t n = strv_length(points); n > 0; n--)
                umount2(points[n - 1], MNT_DETACH);
        return 0;
}

int containerd_stop(const struct place *p, struct error *e) {
        bool systemd = use_systemd(p);
        pid_t pid = systemd ? 0 : containerd_pid(p);
        bool running = pid > 0 || containerd_answers(p->address);
        if (containerd_answers(p->address)) {
                int k = kill_tasks(p, e);
                if (k < 0)
                        return error_prefix(e, "stopping containerd: tasks");
        }
        if (systemd) {
                int k = systemctl("stop", e);
                if (k < 0)
                        return k;
        } else if (pid > 0) {
                kill(pid, SIGTERM);
                for (int i = 0; i < 1000 && containerd_pid(p) == pid; i++)
                        sleep_ms(10);
                if (containerd_pid(p) == pid) {
                        kill(pid, SIGKILL);
                        for (int i = 0; i < 500 && containerd_pid(p) == pid; i++)
                                sleep_ms(10);
                }
                if (containerd_pid(p) == pid)
                        return error_set(e, -EBUSY, "containerd (pid %d) does not stop", (int)pid);
                unlink(p->pidfile);
        } else if (containerd_answers(p->address))
                return error_set(e, -EBUSY, "a containerd answers on %s but was not started by hostd (no pid file %s)",
                                 p->address, p->pidfile);
        int k;
        if ((k = umount_below(p->root, e)) < 0 || (k = umount_below(p->state, e)) < 0)
                return error_prefix(e, "containerd stopped");
        return running ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

static int version_of(const char *prog, const char *const *argv, int word, char **ret, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        int k = run_checked(argv, &(struct run_opts){ .timeout_ms = 10000 }, &r, e);
        if (k < 0)
                return k;
        char *save = NULL, *t = strtok_r(r.out, " \n", &save);
        for (int i = 0; t && i < word; i++)
                t = strtok_r(NULL, " \n", &save);
        if (!t)
                return error_set(e, -EBADMSG, "%s: cannot read the version", prog);
        *ret = strdup(t);
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

int containerd_version(char **ret, struct error *e) {
        /* "containerd github.com/containerd/containerd 1.6.20~ds1 <commit>" */
        const char *argv[] = { "containerd", "--version", NULL };
        return version_of("containerd", argv, 2, ret, e);
}

int runc_version(char **ret, struct error *e) {
        /* "runc version 1.1.5+ds1" */
        const char *argv[] = { "runc", "--version", NULL };
        return version_of("runc", argv, 2, ret, e);
}
