/* The one way hostd runs an external program (mdadm, sgdisk, mkfs.*, ctr,
 * ipmitool, ...): an argv array and never a shell, LC_ALL=C, a timeout that
 * kills the whole process group, stdout and stderr captured up to a cap,
 * the exit status or signal reported, each run logged at debug level.
 * Secrets go in `env` or through `secret_fd`, never in argv. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define RUN_DEFAULT_TIMEOUT_MS (60 * 1000)
#define RUN_DEFAULT_OUTPUT_CAP (1024 * 1024)
#define RUN_DEFAULT_KILL_GRACE_MS 2000

struct run_opts {
        int timeout_ms;               /* 0: RUN_DEFAULT_TIMEOUT_MS; <0: none */
        int kill_grace_ms;            /* SIGTERM -> SIGKILL; 0: default */
        size_t output_cap;            /* per stream; 0: RUN_DEFAULT_OUTPUT_CAP */
        const char *const *env;       /* extra "KEY=VALUE" (override); values never logged */
        const char *stdin_data;       /* fed to the child's stdin; NULL: /dev/null */
        size_t stdin_len;
        int secret_fd;                /* if > 2: child fd that reads secret_data (e.g. -f /dev/fd/3) */
        const char *secret_data;
        size_t secret_len;
        const char *cwd;
};

struct run_result {
        int exit_code;                /* exit status, or -1 when killed by a signal */
        int signal;                   /* the signal that ended it, or 0 */
        bool timed_out;
        char *out;                    /* NUL-terminated; first output_cap bytes */
        size_t out_len;
        bool out_truncated;
        char *err;                    /* NUL-terminated; last output_cap bytes */
        size_t err_len;
        bool err_truncated;
        long duration_ms;
};

void run_result_free(struct run_result *r);

/* Run argv[0] (looked up in PATH when it has no slash) and wait.
 * Returns 0 when the program ran to an exit (any status: see r->exit_code),
 * -ENOENT when it is not installed, -ETIMEDOUT when it was killed at the
 * timeout, or another -errno; e says which. */
int run_argv(const char *const *argv, const struct run_opts *opts, struct run_result *r, struct error *e);

/* As run_argv, and an exit status other than 0 is an error too, whose message
 * names the command and carries the tail of what it wrote to stderr. */
int run_checked(const char *const *argv, const struct run_opts *opts, struct run_result *r, struct error *e);

/* The last line(s) of a captured stream, at most max bytes, for messages. */
const char *run_tail(const char *text, size_t max);
