/* The one error type of the code base: a negative errno plus a message for a
 * person, with the context (which disk, which command, what it printed). */
#pragma once

#include "macro.h"

#define ERROR_MSG_MAX 1024

struct error {
        int code;                 /* -errno; 0 when no error was set */
        char msg[ERROR_MSG_MAX];
};

/* Set the error and return the (negative) code, so that callers write
 * `return error_set(e, -ENOENT, "disk %s not found", id);`.
 * A positive code is negated; e may be NULL. */
int error_set(struct error *e, int code, const char *fmt, ...) _printf_(3, 4);

/* Put context in front of an existing message: "raid create data: <msg>".
 * Returns e->code. */
int error_prefix(struct error *e, const char *fmt, ...) _printf_(2, 3);

void error_clear(struct error *e);

/* The codes that mean "refused for safety": by convention -EPERM from a
 * planner or a guard, not from the kernel. */
#define ERROR_REFUSED (-EPERM)
#define ERROR_USAGE (-EINVAL)
