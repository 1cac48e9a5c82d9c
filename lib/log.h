/* Levelled logging: stderr for the CLI, syslog (the journal reads it) for the
 * daemon. Library code logs only at debug level, for the record; what the
 * user must see travels up in a struct error. */
#pragma once

#include "macro.h"

enum log_level { LOG_LEVEL_ERR = 3, LOG_LEVEL_WARNING = 4, LOG_LEVEL_INFO = 6, LOG_LEVEL_DEBUG = 7 };
enum log_target { LOG_TARGET_STDERR, LOG_TARGET_SYSLOG };

void log_setup(const char *ident, enum log_target target, enum log_level max_level);
void log_set_max_level(enum log_level level);
enum log_level log_get_max_level(void);
int log_level_from_string(const char *s);   /* "debug" -> LOG_LEVEL_DEBUG, -EINVAL */

void log_msg(enum log_level level, const char *fmt, ...) _printf_(2, 3);

#define log_error(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                                  \
        do {                                                            \
                if (log_get_max_level() >= LOG_LEVEL_DEBUG)             \
                        log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__);          \
        } while (0)
