/* json-c helpers: the few patterns every --json output repeats. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

static inline void json_object_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_object_putp)

/* Add a string, or JSON null when s is NULL. */
void json_add_string(json_object *o, const char *key, const char *s);
void json_add_int(json_object *o, const char *key, int64_t v);
void json_add_bool(json_object *o, const char *key, bool v);
/* Add an array of strings (empty array for NULL). */
void json_add_strv(json_object *o, const char *key, char *const *v);

/* The string at key, or NULL when missing or not a string. */
const char *json_get_string(json_object *o, const char *key);
/* The member at key; NULL when o is NULL, the key is missing or its value null. */
json_object *json_get(json_object *o, const char *key);
/* The string at key, or dflt when missing or not a string. */
const char *json_get_string_or(json_object *o, const char *key, const char *dflt);
/* The integer at key, or dflt when missing or null. */
int64_t json_get_int_or(json_object *o, const char *key, int64_t dflt);

/* Parse a whole buffer; a readable error with line/offset on bad JSON. */
int json_parse(const char *text, size_t len, json_object **ret, struct error *e);
int json_read_file(const char *path, json_object **ret, struct error *e);

/* Pretty, slash-unescaped, for people and for diffs. */
const char *json_pretty(json_object *o);
