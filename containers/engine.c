#include "engine.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containerd.h"
#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/outcome.h"
#include "lib/strutil.h"
#include "others.h"
#include "place.h"
#include "setup.h"

void engine_done(struct engine *en) {
        free(en->pool);
        free(en->config);
        free(en->root);
        free(en->socket);
        free(en->exec_root);
        free(en->pidfile);
        free(en->logfile);
        free(en->launch_pidfile);
        free(en->image_dir);
        free(en->verify_dir);
        *en = (struct engine){ 0 };
}

/* The unix socket among daemon.json's "hosts" (owned), or NULL. */
static char *unix_host(json_object *hosts) {
        for (size_t i = 0; json_object_is_type(hosts, json_type_array) && i < json_object_array_length(hosts); i++) {
                const char *h = json_object_get_string(json_object_array_get_idx(hosts, i));
                const char *path = h ? startswith(h, "unix://") : NULL;
                if (path && path[0] == '/')
                        return strdup(path);
        }
        return NULL;
}

/* A path of daemon.json that hostd acts on: it unmounts below the
 * exec-root and reads containerd's pid file in it, and it reads the pid
 * file. "" is dockerd's own default; a relative path (dockerd's cwd is not
 * hostd's) or "/" (every mount of the host is below it) is refused here,
 * before any command runs. */
static int docker_config_path(const struct engine *en, json_object *o, const char *key, const char *dflt,
                              char **path, bool *set, struct error *e) {
        const char *v = json_get_string(o, key);
        if (!v)
                return 0;
        if (*v && !path_is_below_root(v))
                return error_set(e, ERROR_REFUSED,
                                 "%s: \"%s\" is \"%s\": hostd refuses a relative path or \"/\" there, as it reads "
                                 "and unmounts below it; set an absolute path, or \"\" for %s",
                                 en->config, key, v, dflt);
        char *copy = strdup(*v ? v : dflt);
        if (!copy)
                return error_set(e, -ENOMEM, "out of memory");
        free(*path);
        *path = copy;
        *set = true;
        return 0;
}

/* What daemon.json says itself about the socket, exec-root and pid file:
 * dockerd refuses a flag for a setting its config file also holds. */
static int read_docker_paths(struct engine *en, struct error *e) {
        _cleanup_free_ char *text = NULL;
        _cleanup_json_ json_object *o = NULL;
        if (read_file(en->config, 16 << 20, &text, NULL, NULL) < 0 || strspn(text, " \t\r\n") == strlen(text))
                return 0;
        if (json_parse(text, strlen(text), &o, e) < 0)
                return error_prefix(e, "%s", en->config);
        json_object *hosts = NULL;
        if (json_object_object_get_ex(o, "hosts", &hosts)) {
                _cleanup_free_ char *path = unix_host(hosts);
                if (!path)
                        return error_set(e, -EINVAL, "%s: \"hosts\" has no unix:// socket for hostd to talk to",
                                         en->config);
                free(en->socket);
                en->socket = TAKE_PTR(path);
                en->config_hosts = true;
        }
        int k = docker_config_path(en, o, "exec-root", DOCKER_DEFAULT_EXEC_ROOT, &en->exec_root,
                                   &en->config_exec_root, e);
        if (k < 0)
                return k;
        return docker_config_path(en, o, "pidfile", DOCKER_DEFAULT_PIDFILE, &en->pidfile, &en->config_pidfile, e);
}

int engine_init(struct engine *en, const char *name, const char *pool, const char *config, const char *run_dir,
                struct error *e) {
        *en = (struct engine){ 0 };
        if (!streq(name, "docker") && !streq(name, "podman"))
                return error_set(e, -EINVAL, "'%s' is not docker or podman", name);
        en->docker = streq(name, "docker");
        en->name = en->docker ? "docker" : "podman";
        const char *def = en->docker ? DOCKER_DEFAULT_CONFIG : PODMAN_DEFAULT_CONFIG;
        pool = pool ? pool : PLACE_DEFAULT_POOL;
        run_dir = run_dir ? run_dir : PLACE_DEFAULT_RUN_DIR;
        en->default_config = !config || streq(config, def);
        en->pool = strdup(pool);
        en->config = strdup(config ? config : def);
        en->root = strdup_printf("%s/containers/%s", pool, en->name);
        en->image_dir = strdup_printf("%s/containers/image", pool);
        en->verify_dir = strdup_printf("%s/containers/verify", pool);
        if (en->docker) {
                en->socket = strdup_printf("%s/docker.sock", run_dir);
                en->exec_root = strdup_printf("%s/docker", run_dir);
                en->pidfile = strdup_printf("%s/docker.pid", run_dir);
                en->logfile = strdup_printf("%s/hostd/dockerd.log", run_dir);
                en->launch_pidfile = strdup_printf("%s/hostd/dockerd.pid", run_dir);
        }
        if (!en->pool || !en->config || !en->root || !en->image_dir || !en->verify_dir ||
            (en->docker && (!en->socket || !en->exec_root || !en->pidfile || !en->logfile || !en->launch_pidfile)))
                return error_set(e, -ENOMEM, "out of memory");
        return en->docker ? read_docker_paths(en, e) : 0;
}

char *engine_config_root(const struct engine *en) {
        _cleanup_free_ char *text = NULL;
        if (en->docker) {
                read_file(en->config, 16 << 20, &text, NULL, NULL);
                return docker_data_root(text);
        }
        if (read_file(en->config, 16 << 20, &text, NULL, NULL) < 0 && en->default_config)
                read_file(PODMAN_VENDOR_CONFIG, 16 << 20, &text, NULL, NULL);
        return podman_graphroot(text);
}

/* Entries other than "." , ".." and the overlay drivers' "l" (short links). */
static bool dir_has_layers(const char *root, const char *sub) {
        _cleanup_free_ char *dir = strdup_printf("%s/%s", root, sub);
        DIR *d = dir ? opendir(dir) : NULL;
        if (!d)
                return false;
        bool found = false;
        for (struct dirent *de; !found && (de = readdir(d));)
                found = !streq(de->d_name, ".") && !streq(de->d_name, "..") && !streq(de->d_name, "l");
        closedir(d);
        return found;
}

bool engine_root_holds_data(const struct engine *en, const char *root) {
        if (en->docker) {
                _cleanup_free_ char *containers = strdup_printf("%s/containers", root);
                return dir_has_layers(root, "overlay2") || dir_has_layers(root, "vfs/dir") ||
                       (containers && dir_has_entries(containers));
        }
        return dir_has_layers(root, "overlay") || dir_has_layers(root, "vfs/dir");
}

static pid_t dockerd_in(const char *pidfile) {
        _cleanup_free_ char *line = NULL, *comm_path = NULL, *comm = NULL;
        if (read_one_line(pidfile, &line, NULL) < 0)
                return 0;
        long pid = strtol(line, NULL, 10);
        if (pid <= 1)
                return 0;
        comm_path = strdup_printf("/proc/%ld/comm", pid);
        if (!comm_path || read_one_line(comm_path, &comm, NULL) < 0 || !streq(comm, "dockerd"))
                return 0;
        return (pid_t)pid;
}

pid_t engine_pid(const struct engine *en) {
        if (!en->docker)
                return 0;
        pid_t pid = dockerd_in(en->pidfile);
        return pid > 0 ? pid : dockerd_in(en->launch_pidfile);
}

bool engine_answers(const struct engine *en) {
        if (!en->docker) {
                _cleanup_free_ char *exe = find_program_path("podman");
                return exe != NULL;
        }
        return containerd_answers(en->socket);
}

bool engine_uses_systemd(const struct engine *en) {
        return en->docker && systemd_is_pid1() && en->default_config && streq(en->socket, "/run/docker.sock");
}

static int systemctl(const char *verb, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        /* docker.socket too: stopped alone, the service comes back on the next client */
        const char *argv[] = { "systemctl", verb, "docker.socket", "docker.service", NULL };
        return run_checked(argv, &(struct run_opts){ .timeout_ms = 120000 }, &r, e);
}

static int wait_ready(const struct engine *en, bool by_pid, struct error *e) {
        for (int i = 0; i < 6000; i++) {
                if (engine_answers(en))
                        return 0;
                if (by_pid && engine_pid(en) == 0 && !launched_alive(en->launch_pidfile, i * 10)) {
                        _cleanup_free_ char *log = NULL;
                        read_file(en->logfile, 1 << 20, &log, NULL, NULL);
                        return error_set(e, -ECHILD, "dockerd exited at start: %s", log ? run_tail(log, 400) : "(no log)");
                }
                sleep_ms(10);
        }
        return error_set(e, -ETIMEDOUT, "dockerd did not answer on %s within 60 s", en->socket);
}

int engine_dockerd_argv(const struct engine *en, const char *exe, char ***ret, struct error *e) {
        /* dockerd refuses a pid file that names a live process (its own too):
         * start-stop-daemon writes hostd's own, dockerd writes its */
        const char *head[] = { "start-stop-daemon", "--start", "--background", "--make-pidfile", "--pidfile",
                               en->launch_pidfile, "--output", en->logfile, "--exec", exe, "--", NULL };
        _cleanup_strv_free_ char **v = NULL;
        int k = strv_extend(&v, head);
        /* a --config-file that does not exist is fatal to dockerd (its own
         * default file may be missing): a daemon.json not written yet means
         * no file, and dockerd reads /etc/docker/daemon.json if there is one */
        if (k >= 0 && access(en->config, F_OK) == 0)
                k = strv_extend(&v, (const char *[]){ "--config-file", en->config, NULL });
        /* a setting daemon.json holds itself must not be a flag too */
        if (k >= 0 && !en->config_pidfile)
                k = strv_extend(&v, (const char *[]){ "--pidfile", en->pidfile, NULL });
        if (k >= 0 && !en->config_exec_root)
                k = strv_extend(&v, (const char *[]){ "--exec-root", en->exec_root, NULL });
        if (k >= 0 && !en->config_hosts && (k = strv_push(&v, "-H")) >= 0)
                k = strv_push_printf(&v, "unix://%s", en->socket);
        if (k < 0)
                return error_set(e, -ENOMEM, "out of memory");
        *ret = TAKE_PTR(v);
        return 0;
}

int engine_start(const struct engine *en, struct error *e) {
        if (!en->docker)
                return OUTCOME_UNCHANGED;
        int k;
        if (engine_uses_systemd(en)) {
                bool running = engine_answers(en);
                if ((k = service_require_pool("docker.service", en->root, en->pool, e)) < 0 ||
                    (k = systemctl("start", e)) < 0 || (k = wait_ready(en, false, e)) < 0)
                        return k;
                return running ? OUTCOME_UNCHANGED : OUTCOME_CHANGED;
        }
        if (engine_pid(en) > 0)
                return (k = wait_ready(en, true, e)) < 0 ? k : OUTCOME_UNCHANGED;
        if (engine_answers(en))
                return error_set(e, -EBUSY, "a dockerd answers on %s but its pid file %s names none", en->socket,
                                 en->pidfile);
        _cleanup_free_ char *exe = find_program_path("dockerd");
        if (!exe)
                return error_set(e, -ENOENT, "dockerd: program not found (is docker.io installed?)");
        if ((k = mkdir_parent(en->logfile, e)) < 0 || (k = mkdir_parent(en->pidfile, e)) < 0 ||
            (k = mkdir_parent(en->launch_pidfile, e)) < 0 ||
            (k = mkdir_parent(en->socket, e)) < 0)
                return k;
        _cleanup_strv_free_ char **argv = NULL;
        if ((k = engine_dockerd_argv(en, exe, &argv, e)) < 0)
                return k;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        if ((k = run_checked((const char *const *)argv, &(struct run_opts){ .timeout_ms = 30000 }, &r, e)) < 0 ||
            (k = wait_ready(en, true, e)) < 0)
                return k;
        return OUTCOME_CHANGED;
}

static bool pid_is(pid_t pid, const char *comm) {
        _cleanup_free_ char *path = strdup_printf("/proc/%d/comm", (int)pid), *c = NULL;
        return path && read_one_line(path, &c, NULL) == 0 && streq(c, comm);
}

/* TERM, then KILL after timeout_ms; 0 once it is gone. */
static int end_process(pid_t pid, const char *comm, long timeout_ms) {
        kill(pid, SIGTERM);
        for (long i = 0; i < timeout_ms / 10 && pid_is(pid, comm); i++)
                sleep_ms(10);
        if (pid_is(pid, comm)) {
                kill(pid, SIGKILL);
                for (int i = 0; i < 500 && pid_is(pid, comm); i++)
                        sleep_ms(10);
        }
        return pid_is(pid, comm) ? -EBUSY : 0;
}

static int stop_podman(const struct engine *en, struct error *e) {
        _cleanup_free_ char *out = NULL;
        const char *args[] = { "stop", "--all", "--time", "10", NULL };
        int k = engine_run_checked(en, args, 120000, &out, e);
        if (k < 0)
                return k;
        return out && *str_trim(out) ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

int engine_stop(const struct engine *en, struct error *e) {
        if (!en->docker)
                return stop_podman(en, e);
        if (engine_uses_systemd(en)) {
                bool running = engine_answers(en);
                int k = systemctl("stop", e);
                return k < 0 ? k : running ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
        }
        pid_t pid = engine_pid(en);
        if (pid == 0 && engine_answers(en))
                return error_set(e, -EBUSY, "a dockerd answers on %s but was not started with the pid file %s",
                                 en->socket, en->pidfile);
        if (pid > 0 && end_process(pid, "dockerd", 60000) < 0)
                return error_set(e, -EBUSY, "dockerd (pid %d) does not stop", (int)pid);
        unlink(en->launch_pidfile);
        /* the containerd dockerd started outlives a killed dockerd */
        _cleanup_free_ char *cpidfile = strdup_printf("%s/containerd/containerd.pid", en->exec_root), *line = NULL;
        if (cpidfile && read_one_line(cpidfile, &line, NULL) == 0) {
                pid_t cpid = (pid_t)strtol(line, NULL, 10);
                if (cpid > 1 && pid_is(cpid, "containerd"))
                        end_process(cpid, "containerd", 10000);
        }
        int k;
        if ((k = umount_below(en->root, e)) < 0 || (k = umount_below(en->exec_root, e)) < 0)
                return error_prefix(e, "dockerd stopped");
        return pid > 0 ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

typedef int (*runner_fn)(const char *const *argv, const struct run_opts *opts, struct run_result *r,
                         struct error *e);

/* docker -H unix://<socket> ARGS / podman ARGS, its storage.conf through the
 * environment, through the runner given (run_argv or run_checked). */
static int client_run(const struct engine *en, runner_fn run, const char *const *args, int timeout_ms,
                      struct run_result *ret, struct error *e) {
        _cleanup_strv_free_ char **argv = NULL;
        int k = strv_push(&argv, en->name);
        if (k >= 0 && en->docker && (k = strv_push(&argv, "-H")) >= 0)
                k = strv_push_printf(&argv, "unix://%s", en->socket);
        if (k >= 0)
                k = strv_extend(&argv, args);
        _cleanup_free_ char *env_conf = NULL;
        if (k >= 0 && !en->docker && !en->default_config &&
            !(env_conf = strdup_printf("CONTAINERS_STORAGE_CONF=%s", en->config)))
                k = -ENOMEM;
        if (k < 0)
                return error_set(e, -ENOMEM, "out of memory");
        const char *env[] = { env_conf, NULL };
        struct run_opts o = { .timeout_ms = timeout_ms, .env = env_conf ? env : NULL };
        return run((const char *const *)argv, &o, ret, e);
}

int engine_run(const struct engine *en, const char *const *args, int timeout_ms, struct run_result *ret,
               struct error *e) {
        return client_run(en, run_argv, args, timeout_ms, ret, e);
}

int engine_run_checked(const struct engine *en, const char *const *args, int timeout_ms, char **ret_out,
                       struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        int k = client_run(en, run_checked, args, timeout_ms, &r, e);
        if (k < 0)
                return k;
        if (ret_out)
                *ret_out = TAKE_PTR(r.out);
        return 0;
}

int engine_effective_root(const struct engine *en, char **ret, struct error *e) {
        const char *args[] = { "info", "--format", en->docker ? "{{.DockerRootDir}}" : "{{.Store.GraphRoot}}", NULL };
        _cleanup_free_ char *out = NULL;
        int k = engine_run_checked(en, args, 60000, &out, e);
        if (k < 0)
                return k;
        *ret = strdup(str_trim(out));
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

static int list_lines(const struct engine *en, const char *const *args, char ***ret, struct error *e) {
        _cleanup_free_ char *out = NULL;
        int k = engine_run_checked(en, args, 60000, &out, e);
        if (k < 0)
                return k;
        return strv_split_lines_sorted(out, ret) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}

int engine_inventory(const struct engine *en, char ***ret_images, char ***ret_containers, struct error *e) {
        const char *images[] = { "images", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}", NULL };
        const char *containers[] = { "ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}} {{.State}}", NULL };
        _cleanup_strv_free_ char **i = NULL, **c = NULL;
        int k = list_lines(en, images, &i, e);
        if (k < 0 || (k = list_lines(en, containers, &c, e)) < 0)
                return k;
        *ret_images = TAKE_PTR(i);
        *ret_containers = TAKE_PTR(c);
        return 0;
}
