#include "spec_read.h"

#include <stdlib.h>
#include <string.h>

#include "strutil.h"

int spec_check_keys(json_object *o, const char *path, const char *const *known, struct error *e) {
        json_object_object_foreach(o, key, val) {
                (void)val;
                bool ok = false;
                for (size_t i = 0; known[i]; i++)
                        ok = ok || streq(key, known[i]);
                if (!ok)
                        return error_set(e, -EINVAL, "%s%s%s: unknown key", path, *path ? "." : "", key);
        }
        return 0;
}

json_object *spec_get(json_object *o, const char *key) {
        json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A control character (newline, tab, ...) in a spec string would end a line
 * of fstab or mdadm.conf, or split a field: no spec value needs one. */
static const char *control_char(const char *s) {
        for (const char *c = s; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        return c;
        return NULL;
}

static int refuse_control(const char *s, const char *path, const char *key, struct error *e) {
        const char *c = control_char(s);
        if (c)
                return error_set(e, -EINVAL, "%s.%s: has a control character (0x%02x) at offset %zu", path, key,
                                 (unsigned char)*c, (size_t)(c - s));
        return 0;
}

int spec_read_string(json_object *o, const char *key, const char *path, char **ret, struct error *e) {
        json_object *v = spec_get(o, key);
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int))
                return error_set(e, -EINVAL, "%s.%s: must be a string", path, key);
        if (refuse_control(json_object_get_string(v), path, key, e) < 0)
                return e->code;
        char *s = strdup(json_object_get_string(v));
        if (!s)
                return error_set(e, -ENOMEM, "out of memory");
        free(*ret);
        *ret = s;
        return 0;
}

int spec_read_int(json_object *o, const char *key, const char *path, int min, int max, int *ret, struct error *e) {
        json_object *v = spec_get(o, key);
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < min || json_object_get_int64(v) > max)
                return error_set(e, -EINVAL, "%s.%s: must be a whole number from %d to %d", path, key, min, max);
        *ret = json_object_get_int(v);
        return 0;
}

int spec_read_bool(json_object *o, const char *key, const char *path, bool *ret, struct error *e) {
        json_object *v = spec_get(o, key);
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_boolean))
                return error_set(e, -EINVAL, "%s.%s: must be true or false", path, key);
        *ret = json_object_get_boolean(v);
        return 0;
}

int spec_read_size(json_object *o, const char *key, const char *path, uint64_t *ret, struct error *e) {
        json_object *v = spec_get(o, key);
        if (!v)
                return 0;
        if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0) {
                *ret = (uint64_t)json_object_get_int64(v);
                return 0;
        }
        uint64_t bytes = 0;
        if (!json_object_is_type(v, json_type_string) || parse_size(json_object_get_string(v), &bytes) < 0 || bytes == 0)
                return error_set(e, -EINVAL, "%s.%s: '%s' is not a size such as 512K, 2G or 1T", path, key,
                                 json_object_get_string(v));
        *ret = bytes;
        return 0;
}

int spec_read_strv(json_object *o, const char *key, const char *path, char ***ret, struct error *e) {
        json_object *v = spec_get(o, key);
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return error_set(e, -EINVAL, "%s.%s: must be a list", path, key);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *s = json_object_array_get_idx(v, i);
                if (!json_object_is_type(s, json_type_string) && !json_object_is_type(s, json_type_int))
                        return error_set(e, -EINVAL, "%s.%s[%zu]: must be a string", path, key, i);
                const char *c = control_char(json_object_get_string(s));
                if (c)
                        return error_set(e, -EINVAL, "%s.%s[%zu]: has a control character (0x%02x)", path, key, i,
                                         (unsigned char)*c);
                if (strv_push(ret, json_object_get_string(s)) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        return 0;
}

/* The characters a path or a name from a spec may have: enough for every
 * mount point and label an operator writes, nothing that a shell, fstab,
 * mdadm.conf or a systemd unit would read as a separator. */
static bool path_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-' || c == '+' || c == '@' || c == ':' || c == '/';
}

int spec_normalize_path(const char *in, char **ret, const char **ret_why) {
        if (in[0] != '/')
                return *ret_why = "is not an absolute path", -EINVAL;
        if (strlen(in) > SPEC_PATH_MAX)
                return *ret_why = "is longer than " STRINGIFY(SPEC_PATH_MAX) " characters", -EINVAL;
        _cleanup_free_ char *out = malloc(strlen(in) + 1);
        if (!out)
                return *ret_why = "out of memory", -ENOMEM;
        size_t n = 0;
        for (const char *c = in; *c;) {
                while (*c == '/')
                        c++;
                size_t len = strcspn(c, "/");
                if (len == 0)
                        break;
                if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return *ret_why = "has a '.' or '..' component", -EINVAL;
                for (size_t i = 0; i < len; i++)
                        if (!path_char(c[i]))
                                return *ret_why = "has a character other than letters, digits and . _ - + @ : /", -EINVAL;
                out[n++] = '/';
                memcpy(out + n, c, len);
                n += len;
                c += len;
        }
        if (n == 0)
                out[n++] = '/';
        out[n] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

int spec_read_path(json_object *o, const char *key, const char *path, char **ret, struct error *e) {
        _cleanup_free_ char *raw = NULL, *clean = NULL;
        int k = spec_read_string(o, key, path, &raw, e);
        if (k < 0 || !raw)
                return k;
        const char *why = NULL;
        if ((k = spec_normalize_path(raw, &clean, &why)) < 0)
                return error_set(e, k, "%s.%s: '%s' %s", path, key, raw, why);
        free(*ret);
        *ret = TAKE_PTR(clean);
        return 0;
}

int spec_read_name(json_object *o, const char *key, const char *path, size_t max, char **ret, struct error *e) {
        _cleanup_free_ char *s = NULL;
        int k = spec_read_string(o, key, path, &s, e);
        if (k < 0 || !s)
                return k;
        size_t len = strlen(s);
        bool ok = len > 0 && len <= max && s[0] != '-' && s[0] != '.';
        for (size_t i = 0; ok && i < len; i++)
                ok = path_char(s[i]) && s[i] != '/' && s[i] != '@' && s[i] != '+' && s[i] != ':';
        if (!ok)
                return error_set(e, -EINVAL, "%s.%s: '%s' is not a name of 1 to %zu letters, digits, '.', '_' or '-' "
                                             "(not starting with '-' or '.')", path, key, s, max);
        free(*ret);
        *ret = TAKE_PTR(s);
        return 0;
}
