#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static enum log_target target = LOG_TARGET_STDERR;
static enum log_level max_level = LOG_LEVEL_WARNING;
static const char *log_ident = "hostd";
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_setup(const char *ident, enum log_target t, enum log_level level) {
        log_ident = ident;
        target = t;
        max_level = level;
        if (t == LOG_TARGET_SYSLOG)
                openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_max_level(enum log_level level) {
        max_level = level;
}

enum log_level log_get_max_level(void) {
        return max_level;
}

int log_level_from_string(const char *s) {
        static const struct { const char *name; enum log_level level; } names[] = {
                { "error", LOG_LEVEL_ERR }, { "warning", LOG_LEVEL_WARNING },
                { "info", LOG_LEVEL_INFO }, { "debug", LOG_LEVEL_DEBUG },
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(s, names[i].name) == 0)
                        return names[i].level;
        return -EINVAL;
}

static const char *level_name(enum log_level level) {
        switch (level) {
        case LOG_LEVEL_ERR: return "error";
        case LOG_LEVEL_WARNING: return "warning";
        case LOG_LEVEL_INFO: return "info";
        default: return "debug";
        }
}

void log_msg(enum log_level level, const char *fmt, ...) {
        if (level > max_level)
                return;
        int saved = errno;
        char buf[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (target == LOG_TARGET_SYSLOG) {
                syslog((int)level, "%s", buf);
        } else {
                pthread_mutex_lock(&log_lock);
                fprintf(stderr, "%s: %s: %s\n", log_ident, level_name(level), buf);
                pthread_mutex_unlock(&log_lock);
        }
        errno = saved;
}
