/* The one error type of the code base: a negative errno plus a message for a
 * person, with the context (which disk, which command, what it printed). */
#pragma once

#include "macro.h"

#define ERROR_MSG_MAX 1024

struct error {
        int code;                 /* -errno, or ERROR_REFUSED; 0 when no error was set */
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

/* "Refused for safety": a planner or a guard said no and nothing was written
 * (hostctl exits 3). Its own code, beyond every errno the kernel returns
 * (they stay below 4096), so that an EPERM from the kernel (not root, a
 * read-only sysfs file) is a plain failure and never passes for a refusal. */
#define ERROR_CODES_BASE 4096
#define ERROR_REFUSED (-(ERROR_CODES_BASE + 1))
#define ERROR_USAGE (-EINVAL)

/* The name of a code for machines: "REFUSED", or the errno's name ("EPERM");
 * "E<number>" for a code nobody knows. Never NULL. */
const char *error_code_name(int code);
/* The text of a code for people: "refused for safety", or strerror(). */
const char *error_code_text(int code);
