/* Reading a spec section (YAML or JSON, as json_object) with errors that name
 * the key: "storage.arrays[1].chunk: '3K' is not a size ...". A missing key
 * leaves *ret as it was (the caller's default) and returns 0. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* -EINVAL naming the first key of o not in known (NULL-terminated). */
int spec_check_keys(json_object *o, const char *path, const char *const *known, struct error *e);
/* The value at key, or NULL when missing or null. */
json_object *spec_get(json_object *o, const char *key);
/* Strings; whole numbers are taken as their text ("007" stays a string only when quoted). */
int spec_read_string(json_object *o, const char *key, const char *path, char **ret, struct error *e);
int spec_read_int(json_object *o, const char *key, const char *path, int min, int max, int *ret, struct error *e);
int spec_read_bool(json_object *o, const char *key, const char *path, bool *ret, struct error *e);
/* "512K", "2G", or a number of bytes; more than 0. */
int spec_read_size(json_object *o, const char *key, const char *path, uint64_t *ret, struct error *e);
/* A list of strings, appended to *ret. */
int spec_read_strv(json_object *o, const char *key, const char *path, char ***ret, struct error *e);

/* Every string read by the functions above is refused when it holds a control
 * character (a newline would end an fstab line). */

#define SPEC_PATH_MAX 255
/* An absolute path that is safe in fstab, mdadm.conf and an argv: letters,
 * digits and . _ - + @ : only between slashes, no '.' or '..' component;
 * normalized (repeated and trailing slashes folded). */
int spec_read_path(json_object *o, const char *key, const char *path, char **ret, struct error *e);
/* The same check on a string that did not come from a spec key (an inventory
 * file, a request): 0 and *ret the normalized path, or -EINVAL and *ret_why. */
int spec_normalize_path(const char *in, char **ret, const char **ret_why);
/* A name (a label, a host name, an array): 1 to max letters, digits, '.', '_'
 * or '-', not starting with '-' or '.'. */
int spec_read_name(json_object *o, const char *key, const char *path, size_t max, char **ret, struct error *e);
