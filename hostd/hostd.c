/* hostd: the daemon. For now the process frame every later part hangs on:
 * options, logging to syslog (stderr in the foreground), a pid file,
 * readiness for systemd, SIGHUP to reload, SIGTERM/SIGINT to stop cleanly. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/strutil.h"

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
        if (mkdir_p(o.state_dir, 0750, &e) < 0 || write_pid_file(o.pid_file, &e) < 0) {
                log_error("%s", e.msg);
                return 1;
        }
        log_info("hostd %s started (pid %d, state in %s)", HOSTD_VERSION, (int)getpid(), o.state_dir);
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
                        log_info("SIGHUP: %s has no reloadable settings in this release", o.config);
                        continue;
                }
                log_info("%s: stopping", strsignal((int)si.ssi_signo));
                break;
        }
        unlink(o.pid_file);
        return 0;
}
