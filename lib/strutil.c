#include "strutil.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *startswith(const char *s, const char *prefix) {
        size_t n = strlen(prefix);
        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

bool endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

bool path_is_below_root(const char *path) {
        if (!path || path[0] != '/')
                return false;
        bool named = false;
        for (const char *c = path; *c;) {
                size_t n = strcspn(c, "/");
                if (n == 2 && strncmp(c, "..", 2) == 0)
                        return false;
                named = named || (n > 0 && !(n == 1 && c[0] == '.'));
                c += n + (c[n] == '/');
        }
        return named;
}

char *strdup_printf(const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&s, fmt, ap);
        va_end(ap);
        return k < 0 ? NULL : s;
}

char *str_trim(char *s) {
        char *start = s;
        while (isspace((unsigned char)*start))
                start++;
        size_t n = strlen(start);
        while (n > 0 && isspace((unsigned char)start[n - 1]))
                n--;
        memmove(s, start, n);
        s[n] = '\0';
        return s;
}

void strv_free(char **v) {
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

size_t strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

int strv_push_take(char ***v, char *s) {
        if (!s)
                return -ENOMEM;
        size_t n = strv_length(*v);
        char **nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        nv[n] = s;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

int strv_push(char ***v, const char *s) {
        return strv_push_take(v, strdup(s));
}

int strv_extend(char ***v, const char *const *more) {
        int k = 0;
        for (size_t i = 0; k >= 0 && more && more[i]; i++)
                k = strv_push(v, more[i]);
        return k;
}

int strv_push_printf(char ***v, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&s, fmt, ap);
        va_end(ap);
        return strv_push_take(v, k < 0 ? NULL : s);
}

bool strv_contains(char *const *v, const char *s) {
        for (size_t i = 0; v && v[i]; i++)
                if (streq(v[i], s))
                        return true;
        return false;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int strv_split_lines_sorted(char *text, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        char *save = NULL;
        for (char *t = strtok_r(text, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
                if (*str_trim(t) && strv_push(&v, t) < 0)
                        return -ENOMEM;
        if (v)
                qsort(v, strv_length(v), sizeof *v, cmp_str);
        *ret = TAKE_PTR(v);
        return 0;
}

char *strv_join(char *const *v, const char *sep) {
        size_t len = 1, seplen = strlen(sep);
        for (size_t i = 0; v && v[i]; i++)
                len += strlen(v[i]) + seplen;
        char *out = malloc(len), *p = out;
        if (!out)
                return NULL;
        *p = '\0';
        for (size_t i = 0; v && v[i]; i++) {
                if (i > 0)
                        p = stpcpy(p, sep);
                p = stpcpy(p, v[i]);
        }
        return out;
}

static bool shell_safe(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char)*s) && !strchr("@%+=:,./-_", *s))
                        return false;
        return true;
}

char *shell_quote(const char *arg) {
        if (shell_safe(arg))
                return strdup(arg);
        /* 'it'\''s': every ' becomes '\'' inside single quotes */
        size_t n = 3;
        for (const char *s = arg; *s; s++)
                n += *s == '\'' ? 4 : 1;
        char *out = malloc(n), *p = out;
        if (!out)
                return NULL;
        *p++ = '\'';
        for (const char *s = arg; *s; s++) {
                if (*s == '\'')
                        p = stpcpy(p, "'\\''");
                else
                        *p++ = *s;
        }
        *p++ = '\'';
        *p = '\0';
        return out;
}

char *argv_to_display(const char *const *argv) {
        _cleanup_strv_free_ char **quoted = NULL;
        for (size_t i = 0; argv[i]; i++)
                if (strv_push_take(&quoted, shell_quote(argv[i])) < 0)
                        return NULL;
        return strv_join(quoted, " ");
}

int parse_size(const char *s, uint64_t *ret_bytes) {
        if (!s || !isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        char *end;
        long double v = strtold(s, &end);
        if (errno != 0)
                return -EINVAL;
        static const char units[] = "BKMGTPE";
        long double mult = 1;
        if (*end) {
                const char *u = strchr(units, toupper((unsigned char)*end));
                if (!u)
                        return -EINVAL;
                for (const char *x = units; x < u; x++)
                        mult *= 1024;
                end++;
                /* accept "G", "GB", "GiB" as the same binary multiple */
                if (*end == 'i' || *end == 'I')
                        end++;
                if (*end == 'b' || *end == 'B')
                        end++;
        }
        if (*end)
                return -EINVAL;
        long double bytes = v * mult;
        if (bytes > (long double)UINT64_MAX)
                return -ERANGE;
        *ret_bytes = (uint64_t)bytes;
        return 0;
}

const char *format_size(uint64_t bytes, char *buf, size_t len) {
        static const char units[] = "BKMGTPE";
        double v = (double)bytes;
        size_t u = 0;
        while (v >= 1024 && u < sizeof units - 2) {
                v /= 1024;
                u++;
        }
        if (u == 0)
                snprintf(buf, len, "%" PRIu64 "B", bytes);
        else
                snprintf(buf, len, "%.1f%c", v, units[u]);
        return buf;
}

char *url_redacted(const char *url) {
        const char *scheme_end = strstr(url, "://");
        if (!scheme_end)
                return strdup(url);
        const char *authority = scheme_end + 3;
        size_t authority_len = strcspn(authority, "/?#");
        const char *at = memrchr(authority, '@', authority_len);
        if (!at)
                return strdup(url);
        return strdup_printf("%.*s%s", (int)(authority - url), url, at + 1);
}

char *unescape_octal(const char *s, size_t len) {
        char *out = malloc(len + 1), *p = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len &&
                    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
                    s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *p++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                } else
                        *p++ = s[i];
        }
        *p = '\0';
        return out;
}
