#include "toml.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strutil.h"

/* One line of text: [start, end) without the newline; next is after it. */
struct line {
        const char *start, *end, *next;
};

static bool next_line(const char **p, struct line *l) {
        if (!**p)
                return false;
        l->start = *p;
        l->end = strchrnul(*p, '\n');
        l->next = *l->end ? l->end + 1 : l->end;
        *p = l->next;
        return true;
}

static const char *skip_ws(const char *s, const char *end) {
        while (s < end && (*s == ' ' || *s == '\t'))
                s++;
        return s;
}

/* A table header line "[name]" or "[[name]]": returns true and copies the
 * name (without spaces around it) into buf. */
static bool header_name(const struct line *l, char *buf, size_t len) {
        const char *s = skip_ws(l->start, l->end);
        if (s >= l->end || *s != '[')
                return false;
        s++;
        if (s < l->end && *s == '[')
                s++;
        const char *close = NULL;
        bool in_str = false;
        for (const char *c = s; c < l->end; c++) {
                if (*c == '"')
                        in_str = !in_str;
                else if (*c == ']' && !in_str) {
                        close = c;
                        break;
                }
        }
        if (!close)
                return false;
        s = skip_ws(s, close);
        const char *e = close;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
        snprintf(buf, len, "%.*s", (int)(e - s), s);
        return true;
}

/* Does the line assign key? Then return where the value starts. */
static const char *key_value(const struct line *l, const char *key) {
        const char *s = skip_ws(l->start, l->end);
        size_t n = strlen(key);
        if ((size_t)(l->end - s) < n || strncmp(s, key, n) != 0)
                return NULL;
        s = skip_ws(s + n, l->end);
        if (s >= l->end || *s != '=')
                return NULL;
        return skip_ws(s + 1, l->end);
}

/* Find the line assigning key in table (NULL: top level). */
static bool find_key(const char *text, const char *table, const char *key, struct line *ret, const char **ret_value) {
        char cur[256] = "";
        bool top = true;
        const char *p = text;
        struct line l;
        while (next_line(&p, &l)) {
                char name[256];
                if (header_name(&l, name, sizeof name)) {
                        top = false;
                        snprintf(cur, sizeof cur, "%s", name);
                        continue;
                }
                if (table ? (top || !streq(cur, table)) : !top)
                        continue;
                const char *v = key_value(&l, key);
                if (v) {
                        *ret = l;
                        *ret_value = v;
                        return true;
                }
        }
        return false;
}

/* Parse a basic ("...") or literal ('...') string at s; *ret_end after it. */
static int parse_string(const char *s, const char *end, char **ret, const char **ret_end) {
        if (s >= end || (*s != '"' && *s != '\''))
                return -EBADMSG;
        char q = *s++;
        _cleanup_free_ char *buf = malloc((size_t)(end - s) + 1);
        if (!buf)
                return -ENOMEM;
        size_t n = 0;
        for (; s < end && *s != q; s++) {
                if (q == '"' && *s == '\\' && s + 1 < end) {
                        s++;
                        buf[n++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
                } else
                        buf[n++] = *s;
        }
        if (s >= end)
                return -EBADMSG;
        buf[n] = '\0';
        *ret_end = s + 1;
        *ret = TAKE_PTR(buf);
        return 0;
}

int toml_get_string(const char *text, const char *table, const char *key, char **ret) {
        struct line l;
        const char *v, *after;
        if (!find_key(text, table, key, &l, &v))
                return -ENOENT;
        return parse_string(v, l.end, ret, &after);
}

int toml_get_int(const char *text, const char *table, const char *key, long *ret) {
        struct line l;
        const char *v;
        if (!find_key(text, table, key, &l, &v))
                return -ENOENT;
        char *endp;
        errno = 0;
        long n = strtol(v, &endp, 10);
        if (errno || endp == v)
                return -EBADMSG;
        *ret = n;
        return 0;
}

char *toml_quote(const char *s) {
        size_t n = strlen(s);
        char *out = malloc(2 * n + 3), *o = out;
        if (!out)
                return NULL;
        *o++ = '"';
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        *o++ = '\\';
                *o++ = *s;
        }
        *o++ = '"';
        *o = '\0';
        return out;
}

/* text with [from, to) replaced by repl. */
static char *splice(const char *text, const char *from, const char *to, const char *repl) {
        return strdup_printf("%.*s%s%s", (int)(from - text), text, repl, to);
}

/* The position of the first table header, or the end of the text. */
static const char *first_table(const char *text) {
        const char *p = text;
        struct line l;
        char name[256];
        while (next_line(&p, &l))
                if (header_name(&l, name, sizeof name))
                        return l.start;
        return p;
}

int toml_add_import(const char *text, const char *path, char **ret, struct error *e) {
        _cleanup_free_ char *quoted = toml_quote(path);
        if (!quoted)
                return error_set(e, -ENOMEM, "out of memory");
        struct line l;
        const char *v;
        if (!find_key(text, NULL, "imports", &l, &v)) {
                const char *at = first_table(text);
                bool need_nl = at > text && at[-1] != '\n';
                _cleanup_free_ char *ins = strdup_printf("%simports = [%s]\n", need_nl ? "\n" : "", quoted);
                *ret = ins ? splice(text, at, at, ins) : NULL;
                return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
        }
        if (*v != '[')
                return error_set(e, -EBADMSG, "imports is not an array");
        /* the array may span lines: read strings up to the closing bracket */
        _cleanup_strv_free_ char **items = NULL;
        const char *s = v + 1;
        for (;;) {
                while (*s && (isspace((unsigned char)*s) || *s == ','))
                        s++;
                if (*s == '#') {
                        s = strchrnul(s, '\n');
                        continue;
                }
                if (*s == ']')
                        break;
                char *item;
                const char *after;
                if (parse_string(s, s + strlen(s), &item, &after) < 0)
                        return error_set(e, -EBADMSG, "imports: cannot read the array");
                if (strv_push_take(&items, item) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
                s = after;
        }
        if (strv_contains(items, path)) {
                *ret = strdup(text);
                return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
        }
        _cleanup_free_ char *arr = strdup("imports = [");
        for (size_t i = 0; arr && items && items[i]; i++) {
                _cleanup_free_ char *q = toml_quote(items[i]), *old = arr;
                arr = q ? strdup_printf("%s%s, ", old, q) : NULL;
        }
        _cleanup_free_ char *repl = arr ? strdup_printf("%s%s]", arr, quoted) : NULL;
        *ret = repl ? splice(text, l.start, s + 1, repl) : NULL;
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

int toml_set_string(const char *text, const char *table, const char *key, const char *value, char **ret,
                    struct error *e) {
        _cleanup_free_ char *quoted = toml_quote(value);
        _cleanup_free_ char *kv = quoted ? strdup_printf("%s = %s", key, quoted) : NULL;
        if (!kv)
                return error_set(e, -ENOMEM, "out of memory");
        struct line l;
        const char *v;
        if (find_key(text, table, key, &l, &v)) {
                /* keep the indentation, replace key = value up to the line's end */
                const char *s = skip_ws(l.start, l.end);
                *ret = splice(text, s, l.end, kv);
                return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
        }
        if (!table) {
                const char *at = first_table(text);
                _cleanup_free_ char *ins = strdup_printf("%s%s\n", at > text && at[-1] != '\n' ? "\n" : "", kv);
                *ret = ins ? splice(text, at, at, ins) : NULL;
                return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
        }
        const char *p = text;
        char name[256];
        while (next_line(&p, &l))
                if (header_name(&l, name, sizeof name) && streq(name, table)) {
                        _cleanup_free_ char *ins = strdup_printf("%s%s\n", *l.end ? "" : "\n", kv);
                        *ret = ins ? splice(text, l.next, l.next, ins) : NULL;
                        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
                }
        size_t n = strlen(text);
        *ret = strdup_printf("%s%s[%s]\n%s\n", text, n && text[n - 1] != '\n' ? "\n" : "", table, kv);
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}
