/* YAML (libyaml) read into json-c objects: specs are YAML for people and the
 * same shape as JSON for the API, so every reader works on json_object. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "error.h"

/* Parse one YAML document. Plain scalars become JSON null (~, null, empty),
 * booleans (true/false), integers or numbers; everything quoted stays a
 * string. Anchors and aliases are refused. Errors name line and column. */
int yaml_parse_to_json(const char *text, size_t len, json_object **ret, struct error *e);
int yaml_read_file_to_json(const char *path, json_object **ret, struct error *e);
