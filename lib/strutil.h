/* String helpers: string vectors, trimming, human sizes, quoting for display. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "macro.h"

static inline bool streq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}
static inline bool streq_ptr(const char *a, const char *b) {
        return (!a && !b) || streq(a, b);
}
const char *startswith(const char *s, const char *prefix);   /* rest of s or NULL */
bool endswith(const char *s, const char *suffix);
/* Is path absolute, free of "..", and something other than "/" itself
 * ("//" and "/." are "/" too)? For a directory read from a config file that
 * hostd then acts below (unmounts, removes): "", "/" or a relative path would
 * reach the whole host or depend on the cwd. */
bool path_is_below_root(const char *path);

/* asprintf that returns the string or NULL on memory exhaustion. */
char *strdup_printf(const char *fmt, ...) _printf_(1, 2);

/* Trim leading and trailing whitespace in place; returns s. */
char *str_trim(char *s);

size_t strv_length(char *const *v);
/* Append a copy of s; 0 or -ENOMEM. */
int strv_push(char ***v, const char *s);
/* Append s, taking ownership of it (freed on failure). */
int strv_push_take(char ***v, char *s);
/* Append a copy of each string of the NULL-terminated more (argv built
 * from a fixed head and the caller's arguments); 0 or -ENOMEM. */
int strv_extend(char ***v, const char *const *more);
/* Append a formatted string; 0 or -ENOMEM. */
int strv_push_printf(char ***v, const char *fmt, ...) _printf_(2, 3);
bool strv_contains(char *const *v, const char *s);
char *strv_join(char *const *v, const char *sep);
/* The non-blank lines of text, trimmed and sorted, into *ret (NULL when
 * there are none); text is cut up in place. 0 or -ENOMEM. */
int strv_split_lines_sorted(char *text, char ***ret);

/* Quote one argument for a POSIX shell, for display and logs only: hostd
 * never hands a string to a shell. */
char *shell_quote(const char *arg);
/* The first len bytes of s with \ooo (octal) escapes decoded, as mountinfo
 * writes a blank, a newline or a backslash; NULL when out of memory. */
char *unescape_octal(const char *s, size_t len);
/* The whole argv, quoted and joined by spaces. */
char *argv_to_display(const char *const *argv);

/* "512K", "16G", "1.5T", "4096" (bytes); binary multiples. 0 or -EINVAL/-ERANGE. */
int parse_size(const char *s, uint64_t *ret_bytes);
/* 17179869184 -> "16.0G"; buf of at least 16 bytes. */
const char *format_size(uint64_t bytes, char *buf, size_t len);

/* The URL as it may be logged: "https://user:pass@host/x" -> "https://host/x"
 * (userinfo dropped). Returns a new string, or NULL on memory exhaustion. */
char *url_redacted(const char *url);
