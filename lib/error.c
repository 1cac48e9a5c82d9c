#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int error_set(struct error *e, int code, const char *fmt, ...) {
        if (code > 0)
                code = -code;
        if (code == 0)
                code = -EIO;
        if (!e)
                return code;
        e->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        return code;
}

int error_prefix(struct error *e, const char *fmt, ...) {
        if (!e)
                return -EIO;
        char prefix[ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        char joined[2 * ERROR_MSG_MAX + 3];
        snprintf(joined, sizeof joined, "%s: %s", prefix, e->msg);
        snprintf(e->msg, sizeof e->msg, "%.*s", (int)sizeof e->msg - 1, joined);
        return e->code ? e->code : -EIO;
}

void error_clear(struct error *e) {
        if (!e)
                return;
        e->code = 0;
        e->msg[0] = '\0';
}

const char *error_code_name(int code) {
        if (code == ERROR_REFUSED)
                return "REFUSED";
        const char *name = code < 0 && -code < ERROR_CODES_BASE ? strerrorname_np(-code) : NULL;
        if (name)
                return name;
        /* one buffer per thread: the result stays valid until this thread asks again */
        static _Thread_local char unknown[32];
        snprintf(unknown, sizeof unknown, "E%d", -code);
        return unknown;
}

const char *error_code_text(int code) {
        return code == ERROR_REFUSED ? "refused for safety" : strerror(-code);
}
