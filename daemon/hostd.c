/* hostd: the daemon. The process frame: options, the configuration, logging
 * to syslog (stderr in the foreground), a pid file, readiness for systemd,
 * SIGHUP to reload, SIGTERM/SIGINT to stop cleanly; and the parts it starts
 * in order: the store, the events, the jobs, the monitor, the HTTP server. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "auth.h"
#include "daemon.h"
#include "events.h"
#include "hypervisor/connect.h"
#include "jobs.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/store.h"
#include "lib/strutil.h"
#include "monitor.h"
#include "disk_watch.h"
#include "raid/inventory.h"
#include "server.h"
#include "state.h"

#ifndef HOSTD_VERSION
#define HOSTD_VERSION "0.0.0"
#endif

struct daemon_opts {
        const char *config;
        const char *socket;
        const char *state_dir;
        const char *pid_file;
        bool foreground;
        enum log_level level;
};

static const char usage[] =
        "Usage: hostd [OPTIONS]\n"
        "\n"
        "The hostd daemon: serves hostctl's operations, runs long jobs and watches\n"
        "disks and arrays.\n"
        "\n"
        "Options:\n"
        "  -c, --config FILE      configuration (default /etc/hostd/hostd.conf)\n"
        "  -s, --socket PATH      Unix socket to serve (default /run/hostd/hostd.sock)\n"
        "  -S, --state-dir DIR    jobs, journal and events (default /var/lib/hostd)\n"
        "  -p, --pid-file FILE    write the pid here (default /run/hostd/hostd.pid)\n"
        "  -f, --foreground       log to stderr instead of syslog\n"
        "      --log-level LEVEL  error, warning, info (default) or debug\n"
        "  -h, --help             this text\n"
        "      --version          print the version\n"
        "\n"
        "Signals: SIGHUP reloads the configuration; SIGTERM and SIGINT stop cleanly.\n";

/* Tell systemd we are ready when it started us as Type=notify. */
static void notify_ready(void) {
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || (path[0] != '/' && path[0] != '@'))
                return;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t n = strlen(path);
        if (n >= sizeof sa.sun_path)
                return;
        memcpy(sa.sun_path, path, n);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = '\0';
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return;
        static const char msg[] = "READY=1";
        if (sendto(fd, msg, sizeof msg - 1, 0, (struct sockaddr *)&sa,
                   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
                log_warning("cannot notify systemd: %s", strerror(errno));
}

static int write_pid_file(const char *path, struct error *e) {
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return error_set(e, -ENOMEM, "out of memory");
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = '\0';
                int k = mkdir_p(dir, 0755, e);
                if (k < 0)
                        return k;
        }
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
        return write_file_atomic(path, buf, (size_t)n, 0644, e);
}

static int parse_args(int argc, char **argv, struct daemon_opts *o, struct error *e) {
        enum { OPT_VERSION = 256, OPT_LOG_LEVEL };
        static const struct option longopts[] = {
                { "config", required_argument, NULL, 'c' },
                { "socket", required_argument, NULL, 's' },
                { "state-dir", required_argument, NULL, 'S' },
                { "pid-file", required_argument, NULL, 'p' },
                { "foreground", no_argument, NULL, 'f' },
                { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                { 0 },
        };
        opterr = 0;
        int opt;
        while ((opt = getopt_long(argc, argv, ":c:s:S:p:fh", longopts, NULL)) != -1) {
                switch (opt) {
                case 'c': o->config = optarg; break;
                case 's': o->socket = optarg; break;
                case 'S': o->state_dir = optarg; break;
                case 'p': o->pid_file = optarg; break;
                case 'f': o->foreground = true; break;
                case OPT_LOG_LEVEL: {
                        int l = log_level_from_string(optarg);
                        if (l < 0)
                                return error_set(e, -EINVAL, "--log-level: '%s' is not error, warning, info or debug", optarg);
                        o->level = (enum log_level)l;
                        break;
                }
                case 'h': fputs(usage, stdout); exit(0);
                case OPT_VERSION: printf("hostd %s\n", HOSTD_VERSION); exit(0);
                case ':': return error_set(e, -EINVAL, "option '%s' needs a value; see 'hostd --help'", argv[optind - 1]);
                default: return error_set(e, -EINVAL, "unknown option '%s'; see 'hostd --help'", argv[optind - 1]);
                }
        }
        if (optind < argc)
                return error_set(e, -EINVAL, "unexpected argument '%s'; see 'hostd --help'", argv[optind]);
        return 0;
}

static struct server *server;
static struct monitor *monitor;
static struct disk_watch *disk_watch;
/* The configuration hostd started with: the listeners, the threads and the
 * hypervisor connection (whose settings point into it) keep it until the
 * next start, whatever SIGHUP swaps in. */
static struct daemon_config *started_cfg;

static void on_job_change(void) {
        monitor_poke(monitor);
}

/* libvirt's lifecycle events, on its event thread, as hostd events. */
static void on_vm_event(const struct hv_event *ev, void *userdata) {
        struct hostd *h = userdata;
        const char *kind = streq(ev->type, "started") ? "VmStarted" : streq(ev->type, "stopped") ? "VmStopped" : NULL;
        if (!kind)
                return;
        bool bad = streq(ev->detail, "crashed") || streq(ev->detail, "failed");
        _cleanup_free_ char *origin = strdup_printf("/redfish/v1/Systems/%s", ev->uuid);
        events_emit(h->events, kind, bad ? "Warning" : "OK", origin, "VM %s %s (%s)", ev->vm, ev->type, ev->detail);
}

/* `hypervisor:` in hostd.conf: VMs as Systems, their lifecycle as events. */
static int hypervisor_start(struct hostd *h, struct error *e) {
        struct hv_config hc = { 0 };
        int k = hv_config_from_json(started_cfg->hypervisor, &hc, e);
        if (k >= 0)
                k = hv_open(&hc, &h->hv, e);
        if (k < 0)
                return error_prefix(e, "hypervisor");
        struct error ee = { 0 };
        if (hv_events_subscribe(h->hv, on_vm_event, h, &ee) < 0)
                log_warning("no VM events: %s", ee.msg);
        return 0;
}

static int start(struct hostd *h, const struct daemon_opts *o, struct error *e) {
        int k = daemon_config_load(o->config, &h->cfg, e);
        if (k < 0)
                return k;
        started_cfg = daemon_config_ref(h->cfg);
        if ((k = mkdir_private(o->state_dir, e)) < 0)
                return k;
        _cleanup_free_ char *db = strdup_printf("%s/hostd.db", o->state_dir);
        if (!db)
                return error_set(e, -ENOMEM, "out of memory");
        if ((k = store_open(db, &h->store, e)) < 0)
                return k;
        if (h->cfg->users_file && (k = auth_new(h->cfg->users_file, h->cfg->session_timeout_s, &h->auth, e)) < 0)
                return k;
        if ((k = events_new(h->store, &h->events, e)) < 0 || (k = jobs_new(h->store, h->events, &h->jobs, e)) < 0)
                return k;
        if (h->cfg->hypervisor && (k = hypervisor_start(h, e)) < 0)
                return k;
        state_set_disks_all(h->cfg->disks_all);
        jobs_on_change = on_job_change;
        struct error me = { 0 };
        if (monitor_start(h->events, &monitor, &me) < 0) {
                log_warning("no monitoring: %s", me.msg);
                if (state_refresh_disks(&me) < 0 || state_refresh_arrays(&me) < 0)
                        log_warning("%s", me.msg);
        }
        if (disk_watch_start(h, &disk_watch, &me) < 0)
                log_warning("no disk health checks: %s", me.msg);
        if ((k = server_start(h, o->socket, &server, e)) < 0)
                return k;
        return write_pid_file(o->pid_file, e);
}

/* SIGHUP: a new configuration, swapped in whole while requests run on the old one. */
static void reload(struct hostd *h) {
        _cleanup_(daemon_config_unrefp) struct daemon_config *c = NULL;
        struct error e = { 0 };
        if (daemon_config_load(h->config_path, &c, &e) < 0) {
                log_error("SIGHUP: %s: keeping the running configuration", e.msg);
                return;
        }
        if (h->auth && auth_reload(h->auth, c->users_file, c->session_timeout_s, &e) < 0) {
                log_error("SIGHUP: %s: keeping the running configuration", e.msg);
                return;
        }
        const struct daemon_config *s = started_cfg;
        if (!streq_ptr(c->listen, s->listen) || c->tls != s->tls || !streq_ptr(c->tls_cert, s->tls_cert) ||
            !streq_ptr(c->tls_key, s->tls_key) || !streq_ptr(c->tls_priorities, s->tls_priorities) ||
            c->threads != s->threads || c->max_connections != s->max_connections ||
            c->max_connections_per_client != s->max_connections_per_client ||
            c->header_timeout_s != s->header_timeout_s || c->idle_timeout_s != s->idle_timeout_s ||
            !json_object_equal(c->hypervisor, s->hypervisor))
                log_warning("SIGHUP: listen, TLS, threads, connection limits and hypervisor settings take effect at "
                            "the next start");
        state_set_disks_all(c->disks_all);
        hostd_config_swap(h, TAKE_PTR(c));
        monitor_poke(monitor);
        disk_watch_poke(disk_watch);
        log_info("SIGHUP: reloaded %s (users, session timeout, session and subscription limits, disks_all, "
                 "disk_health_interval, max_body, containers)", h->config_path);
}

static void stop(struct hostd *h) {
        server_stop(TAKE_PTR(server));
        monitor_stop(TAKE_PTR(monitor));
        disk_watch_stop(TAKE_PTR(disk_watch));
        jobs_free(h->jobs);      /* running jobs are journaled as Interrupted */
        hv_close(TAKE_PTR(h->hv));   /* no more VM events */
        events_free(h->events);
        auth_free(h->auth);
        store_close(h->store);
        hostd_config_swap(h, NULL);
        daemon_config_unref(TAKE_PTR(started_cfg));
}

int main(int argc, char **argv) {
        struct daemon_opts o = {
                .config = "/etc/hostd/hostd.conf",
                .socket = "/run/hostd/hostd.sock",
                .state_dir = "/var/lib/hostd",
                .pid_file = "/run/hostd/hostd.pid",
                .level = LOG_LEVEL_INFO,
        };
        struct error e = { 0 };
        if (parse_args(argc, argv, &o, &e) < 0) {
                fprintf(stderr, "hostd: %s\n", e.msg);
                return 2;
        }
        log_setup("hostd", o.foreground ? LOG_TARGET_STDERR : LOG_TARGET_SYSLOG, o.level);
        /* tests only: the host tests have no md driver, so they give hostd a copy of
         * sysfs with the arrays they need (and an mdadm of their own in PATH) */
        const char *test_sysfs = getenv("HOSTD_TEST_SYSFS_ROOT");
        if (test_sysfs && *test_sysfs) {
                log_warning("HOSTD_TEST_SYSFS_ROOT: md arrays are read from %s, not from /sys; this is for tests",
                            test_sysfs);
                md_set_sysfs_root(test_sysfs);
        }
        /* tests only: the disks of an inventory file, and tasks that change nothing
         * (the host tests' disks and arrays are not there to be written) */
        const char *test_inventory = getenv("HOSTD_TEST_INVENTORY");
        if (test_inventory && *test_inventory) {
                log_warning("HOSTD_TEST_INVENTORY: the disks are those of %s, not this machine's; this is for tests",
                            test_inventory);
                inventory_set_test_file(test_inventory);
        }
        if (streq_ptr(getenv("HOSTD_TEST_DRY_RUN"), "1")) {
                log_warning("HOSTD_TEST_DRY_RUN: tasks report what they would change and change nothing; this is for tests");
                jobs_set_dry_run(true);
        }

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        _cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sfd < 0) {
                log_error("signalfd: %s", strerror(errno));
                return 1;
        }
        struct hostd h = { .config_path = o.config, .cfg_lock = PTHREAD_MUTEX_INITIALIZER };
        int rc = start(&h, &o, &e);
        if (rc < 0) {
                log_error("%s", e.msg);
                stop(&h);
                return 1;
        }
        log_info("hostd %s started (pid %d, state in %s, socket %s%s%s)", HOSTD_VERSION, (int)getpid(), o.state_dir,
                 o.socket, h.cfg->listen ? ", TCP " : "", h.cfg->listen ? h.cfg->listen : "");
        notify_ready();

        for (;;) {
                struct signalfd_siginfo si;
                ssize_t n = read(sfd, &si, sizeof si);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n != sizeof si) {
                        log_error("reading signals: %s", strerror(errno));
                        break;
                }
                if (si.ssi_signo == SIGHUP) {
                        reload(&h);
                        continue;
                }
                log_info("%s: stopping", strsignal((int)si.ssi_signo));
                break;
        }
        stop(&h);
        unlink(o.pid_file);
        return 0;
}
