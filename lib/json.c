#include "json.h"

#include <string.h>

#include "fileio.h"

void json_add_string(json_object *o, const char *key, const char *s) {
        json_object_object_add(o, key, s ? json_object_new_string(s) : NULL);
}

void json_add_int(json_object *o, const char *key, int64_t v) {
        json_object_object_add(o, key, json_object_new_int64(v));
}

void json_add_bool(json_object *o, const char *key, bool v) {
        json_object_object_add(o, key, json_object_new_boolean(v));
}

void json_add_strv(json_object *o, const char *key, char *const *v) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        json_object_object_add(o, key, a);
}

const char *json_get_string(json_object *o, const char *key) {
        json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

json_object *json_get(json_object *o, const char *key) {
        json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

const char *json_get_string_or(json_object *o, const char *key, const char *dflt) {
        const char *s = json_get_string(o, key);
        return s ? s : dflt;
}

int64_t json_get_int_or(json_object *o, const char *key, int64_t dflt) {
        json_object *v = json_get(o, key);
        return v ? json_object_get_int64(v) : dflt;
}

int json_parse(const char *text, size_t len, json_object **ret, struct error *e) {
        json_tokener *tok = json_tokener_new();
        if (!tok)
                return error_set(e, -ENOMEM, "out of memory");
        json_object *o = json_tokener_parse_ex(tok, text, (int)len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t offset = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (jerr == json_tokener_continue)
                return error_set(e, -EBADMSG, "invalid JSON: truncated input");
        if (jerr != json_tokener_success || !o)
                return error_set(e, -EBADMSG, "invalid JSON at offset %zu: %s",
                                 offset, json_tokener_error_desc(jerr));
        while (offset < len && strchr(" \t\r\n", text[offset]))
                offset++;
        if (offset < len) {
                json_object_put(o);
                return error_set(e, -EBADMSG, "invalid JSON: trailing data at offset %zu", offset);
        }
        *ret = o;
        return 0;
}

int json_read_file(const char *path, json_object **ret, struct error *e) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int k = read_file(path, 64 * 1024 * 1024, &text, &len, e);
        if (k < 0)
                return k;
        k = json_parse(text, len, ret, e);
        if (k < 0)
                return error_prefix(e, "%s", path);
        return 0;
}

const char *json_pretty(json_object *o) {
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE);
}
