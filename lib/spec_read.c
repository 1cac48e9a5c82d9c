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

int spec_read_string(json_object *o, const char *key, const char *path, char **ret, struct error *e) {
        json_object *v = spec_get(o, key);
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int))
                return error_set(e, -EINVAL, "%s.%s: must be a string", path, key);
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
                if (strv_push(ret, json_object_get_string(s)) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        return 0;
}
