#include "exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "log.h"
#include "strutil.h"

extern char **environ;

void run_result_free(struct run_result *r) {
        if (!r)
                return;
        free(r->out);
        free(r->err);
        r->out = r->err = NULL;
}

const char *run_tail(const char *text, size_t max) {
        if (!text)
                return "";
        size_t n = strlen(text);
        while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
                n--;
        if (n <= max)
                return text;
        const char *t = text + n - max;
        const char *nl = strchr(t, '\n');
        return nl && nl < text + n ? nl + 1 : t;
}

static long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A program name without a slash is looked up in PATH, then in the sbin
 * directories a non-login PATH often lacks (mdadm, sgdisk live there). */
static char *find_program(const char *name) {
        if (strchr(name, '/'))
                return access(name, X_OK) == 0 ? strdup(name) : NULL;
        const char *path = getenv("PATH");
        _cleanup_free_ char *dirs = strdup_printf("%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                                  path ? path : "");
        if (!dirs)
                return NULL;
        char *save = NULL;
        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                char *full = strdup_printf("%s/%s", d, name);
                if (!full || access(full, X_OK) == 0)
                        return full;
                free(full);
        }
        return NULL;
}

static bool env_key_matches(const char *entry, const char *key_eq) {
        size_t n = strcspn(key_eq, "=");
        return strncmp(entry, key_eq, n) == 0 && entry[n] == '=';
}

/* environ without the locale, plus LC_ALL=C, plus the caller's extras. */
static char **build_env(const char *const *extra) {
        char **env = NULL;
        for (char **p = environ; p && *p; p++) {
                if (startswith(*p, "LC_") || startswith(*p, "LANG=") || startswith(*p, "LANGUAGE="))
                        continue;
                bool overridden = false;
                for (size_t i = 0; extra && extra[i]; i++)
                        overridden = overridden || env_key_matches(*p, extra[i]);
                if (!overridden && strv_push(&env, *p) < 0)
                        goto fail;
        }
        if (strv_push(&env, "LC_ALL=C") < 0)
                goto fail;
        for (size_t i = 0; extra && extra[i]; i++)
                if (strv_push(&env, extra[i]) < 0)
                        goto fail;
        return env;
fail:
        strv_free(env);
        return NULL;
}

struct capture {
        char *buf;
        size_t len, limit;
        bool truncated, keep_tail;
};

static int capture_append(struct capture *c, const char *data, size_t n) {
        if (c->keep_tail && n >= c->limit) {
                data += n - c->limit;
                n = c->limit;
                c->len = 0;
                c->truncated = true;
        } else if (c->keep_tail && c->len + n > c->limit) {
                size_t drop = c->len + n - c->limit;
                memmove(c->buf, c->buf + drop, c->len - drop);
                c->len -= drop;
                c->truncated = true;
        } else if (!c->keep_tail && c->len + n > c->limit) {
                n = c->limit - c->len;
                c->truncated = true;
        }
        if (!c->buf) {
                c->buf = malloc(c->limit + 1);
                if (!c->buf)
                        return -ENOMEM;
        }
        memcpy(c->buf + c->len, data, n);
        c->len += n;
        c->buf[c->len] = '\0';
        return 0;
}

/* Read what is there now; returns 1 at EOF, 0 when more may come. */
static int drain(int fd, struct capture *c) {
        char chunk[65536];
        for (;;) {
                ssize_t n = read(fd, chunk, sizeof chunk);
                if (n > 0) {
                        if (capture_append(c, chunk, (size_t)n) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (n == 0)
                        return 1;
                if (errno == EINTR)
                        continue;
                return errno == EAGAIN ? 0 : 1;
        }
}

static void close_pair(int p[2]) {
        for (int i = 0; i < 2; i++)
                if (p[i] >= 0) {
                        close(p[i]);
                        p[i] = -1;
                }
}

/* In the child, between fork and exec: async-signal-safe calls only. */
_Noreturn static void child_exec(const char *path, const char *const *argv, char **envp,
                                 const struct run_opts *o, int in_fd, int out_fd, int err_fd,
                                 int secret_rd, int report_fd) {
        setpgid(0, 0);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        for (int s = 1; s < NSIG; s++)
                sigaction(s, &dfl, NULL);
        /* move every source out of the way first, so that no dup2 below
         * overwrites another source (a pipe may have landed on fd 0-3) */
        int src[4] = { in_fd, out_fd, err_fd, secret_rd }, dst[4] = { 0, 1, 2, o->secret_fd };
        report_fd = fcntl(report_fd, F_DUPFD_CLOEXEC, 600);
        for (int i = 0; i < 4; i++)
                if (src[i] >= 0 && (src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 500)) < 0)
                        goto fail;
        for (int i = 0; i < 4; i++)
                if (src[i] >= 0 && dup2(src[i], dst[i]) < 0)
                        goto fail;
        /* nothing else of the parent's leaks into the program */
        for (int fd = 3; fd < 1024; fd++)
                if (fd != report_fd && !(secret_rd >= 0 && fd == o->secret_fd))
                        close(fd);
        syscall(SYS_close_range, 1024U, ~0U, 0U);
        if (o->cwd && chdir(o->cwd) < 0)
                goto fail;
        execve(path, (char *const *)argv, envp);
fail:;
        int err = errno;
        ssize_t _unused_ w = write(report_fd, &err, sizeof err);
        _exit(127);
}

int run_argv(const char *const *argv, const struct run_opts *opts, struct run_result *r, struct error *e) {
        static const struct run_opts defaults = { 0 };
        const struct run_opts *o = opts ? opts : &defaults;
        *r = (struct run_result){ .exit_code = -1 };
        if (!argv || !argv[0])
                return error_set(e, -EINVAL, "no program to run");

        _cleanup_free_ char *display = argv_to_display(argv);
        _cleanup_free_ char *path = find_program(argv[0]);
        if (!path)
                return error_set(e, -ENOENT, "%s: program not found (is it installed?)", argv[0]);
        _cleanup_strv_free_ char **envp = build_env(o->env);
        if (!display || !envp)
                return error_set(e, -ENOMEM, "out of memory");

        int timeout_ms = o->timeout_ms == 0 ? RUN_DEFAULT_TIMEOUT_MS : o->timeout_ms;
        int grace_ms = o->kill_grace_ms > 0 ? o->kill_grace_ms : RUN_DEFAULT_KILL_GRACE_MS;
        size_t cap = o->output_cap ? o->output_cap : RUN_DEFAULT_OUTPUT_CAP;
        struct capture out = { .limit = cap }, err = { .limit = cap, .keep_tail = true };
        int p_in[2] = { -1, -1 }, p_out[2] = { -1, -1 }, p_err[2] = { -1, -1 };
        int p_secret[2] = { -1, -1 }, p_report[2] = { -1, -1 };
        int k = 0;
        pid_t pid = -1;

        if (pipe2(p_out, O_CLOEXEC) < 0 || pipe2(p_err, O_CLOEXEC) < 0 || pipe2(p_report, O_CLOEXEC) < 0 ||
            pipe2(p_in, O_CLOEXEC) < 0) {
                k = error_set(e, -errno, "%s: cannot make pipes: %s", argv[0], strerror(errno));
                goto out;
        }
        if (!o->stdin_data) {
                close_pair(p_in);
                p_in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        if (o->secret_fd > 2 && o->secret_data) {
                /* the whole secret must fit in the pipe so that nothing blocks */
                if (o->secret_len > 4096 || pipe2(p_secret, O_CLOEXEC) < 0 ||
                    write(p_secret[1], o->secret_data, o->secret_len) != (ssize_t)o->secret_len) {
                        k = error_set(e, -E2BIG, "%s: cannot pass the secret by file descriptor", argv[0]);
                        goto out;
                }
                close(p_secret[1]);
                p_secret[1] = -1;
        }

        long start = now_ms();
        pid = fork();
        if (pid < 0) {
                k = error_set(e, -errno, "%s: cannot fork: %s", argv[0], strerror(errno));
                goto out;
        }
        if (pid == 0)
                child_exec(path, argv, envp, o, p_in[0], p_out[1], p_err[1], p_secret[0], p_report[1]);
        setpgid(pid, pid); /* also here: no window where a kill misses the group */
        close(p_out[1]), p_out[1] = -1;
        close(p_err[1]), p_err[1] = -1;
        close(p_report[1]), p_report[1] = -1;
        if (p_in[0] >= 0)
                close(p_in[0]), p_in[0] = -1;
        close_pair(p_secret);

        int exec_errno = 0;
        ssize_t rn;
        do
                rn = read(p_report[0], &exec_errno, sizeof exec_errno);
        while (rn < 0 && errno == EINTR);
        if (rn == (ssize_t)sizeof exec_errno) {
                int status;
                waitpid(pid, &status, 0);
                k = error_set(e, -exec_errno, "cannot run %s: %s", path, strerror(exec_errno));
                goto out;
        }

        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        fcntl(p_out[0], F_SETFL, O_NONBLOCK);
        fcntl(p_err[0], F_SETFL, O_NONBLOCK);
        if (p_in[1] >= 0)
                fcntl(p_in[1], F_SETFL, O_NONBLOCK);
        size_t in_off = 0;
        bool out_eof = false, err_eof = false, reaped = false, term_sent = false;
        long deadline = timeout_ms > 0 ? start + timeout_ms : -1, kill_at = -1;
        int status = 0;

        while (!reaped) {
                struct pollfd fds[4];
                int nfds = 0, i_out = -1, i_err = -1, i_in = -1, i_pid = -1;
                if (!out_eof)
                        i_out = nfds, fds[nfds++] = (struct pollfd){ .fd = p_out[0], .events = POLLIN };
                if (!err_eof)
                        i_err = nfds, fds[nfds++] = (struct pollfd){ .fd = p_err[0], .events = POLLIN };
                if (p_in[1] >= 0)
                        i_in = nfds, fds[nfds++] = (struct pollfd){ .fd = p_in[1], .events = POLLOUT };
                if (pidfd >= 0)
                        i_pid = nfds, fds[nfds++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };

                long now = now_ms(), wait = pidfd >= 0 ? -1 : 50;
                if (deadline >= 0 && !term_sent)
                        wait = deadline - now < wait || wait < 0 ? deadline - now : wait;
                if (kill_at >= 0)
                        wait = kill_at - now < wait || wait < 0 ? kill_at - now : wait;
                if (wait < 0 && (deadline >= 0 || kill_at >= 0))
                        wait = 0;
                int n = poll(fds, (nfds_t)nfds, (int)wait);
                if (n < 0 && errno != EINTR) {
                        k = error_set(e, -errno, "%s: poll: %s", argv[0], strerror(errno));
                        kill(-pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        break;
                }
                if (n > 0) {
                        if (i_out >= 0 && fds[i_out].revents && drain(p_out[0], &out) != 0)
                                out_eof = true;
                        if (i_err >= 0 && fds[i_err].revents && drain(p_err[0], &err) != 0)
                                err_eof = true;
                        if (i_in >= 0 && fds[i_in].revents) {
                                ssize_t w = write(p_in[1], o->stdin_data + in_off, o->stdin_len - in_off);
                                if (w > 0)
                                        in_off += (size_t)w;
                                if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off >= o->stdin_len)
                                        close(p_in[1]), p_in[1] = -1;
                        }
                }
                if (o->stdin_data && p_in[1] >= 0 && o->stdin_len == 0)
                        close(p_in[1]), p_in[1] = -1;
                if (pidfd < 0 || (i_pid >= 0 && n > 0 && fds[i_pid].revents)) {
                        if (waitpid(pid, &status, pidfd >= 0 ? 0 : WNOHANG) == pid)
                                reaped = true;
                }
                now = now_ms();
                if (!reaped && deadline >= 0 && !term_sent && now >= deadline) {
                        r->timed_out = true;
                        term_sent = true;
                        kill(-pid, SIGTERM);
                        kill_at = now + grace_ms;
                }
                if (!reaped && kill_at >= 0 && now >= kill_at) {
                        kill(-pid, SIGKILL);
                        kill_at = -1;
                }
        }
        /* what the child wrote just before it exited is still in the pipes;
         * whatever its leftover children write later is not ours to wait for */
        if (!out_eof)
                drain(p_out[0], &out);
        if (!err_eof)
                drain(p_err[0], &err);
        if (r->timed_out)
                kill(-pid, SIGKILL);
        if (pidfd >= 0)
                close(pidfd);

        r->duration_ms = now_ms() - start;
        if (WIFEXITED(status))
                r->exit_code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
                r->signal = WTERMSIG(status);
        if (k == 0 && r->timed_out)
                k = error_set(e, -ETIMEDOUT, "%s did not finish within %d s and was killed", argv[0],
                              (timeout_ms + 999) / 1000);

out:
        close_pair(p_in);
        close_pair(p_out);
        close_pair(p_err);
        close_pair(p_secret);
        close_pair(p_report);
        r->out = out.buf ? out.buf : strdup("");
        r->out_len = out.len;
        r->out_truncated = out.truncated;
        r->err = err.buf ? err.buf : strdup("");
        r->err_len = err.len;
        r->err_truncated = err.truncated;
        if (pid > 0)
                log_debug("run: %s -> %s %d in %ld ms%s%s", display,
                          r->signal ? "signal" : "exit", r->signal ? r->signal : r->exit_code, r->duration_ms,
                          r->err_len ? "; stderr: " : "", run_tail(r->err, 300));
        if (k == 0 && (!r->out || !r->err))
                k = error_set(e, -ENOMEM, "out of memory");
        return k;
}

int run_checked(const char *const *argv, const struct run_opts *opts, struct run_result *r, struct error *e) {
        int k = run_argv(argv, opts, r, e);
        if (k < 0)
                return k;
        if (r->exit_code == 0)
                return 0;
        _cleanup_free_ char *display = argv_to_display(argv);
        const char *tail = run_tail(r->err, 400);
        if (!*tail)
                tail = run_tail(r->out, 400);
        if (r->signal)
                return error_set(e, -EIO, "`%.200s` was killed by signal %d (%s)%s%s", display ? display : argv[0],
                                 r->signal, strsignal(r->signal), *tail ? ": " : "", tail);
        return error_set(e, -EIO, "`%.200s` failed with exit code %d%s%s", display ? display : argv[0],
                         r->exit_code, *tail ? ": " : "", tail);
}
