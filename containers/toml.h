/* The few TOML edits hostd makes to runtime configs (containerd's
 * config.toml, podman's storage.conf), as pure text functions: every byte
 * outside the key they touch stays as the operator wrote it. Not a TOML
 * parser: keys are read as `key = "string"` / `key = 123` lines, tables as
 * `[name]` header lines; that covers the files containerd and podman write
 * and what `containerd config dump` prints. */
#pragma once

#include "lib/error.h"

/* The string value of key in table (NULL: top level). 0 and *ret (owned),
 * -ENOENT when absent, -EBADMSG when the value is not a string. */
int toml_get_string(const char *text, const char *table, const char *key, char **ret);
/* The integer value of key in table (NULL: top level); -ENOENT when absent. */
int toml_get_int(const char *text, const char *table, const char *key, long *ret);

/* Make the top-level `imports` array contain path. The array keeps its other
 * entries and order; without one, a line `imports = ["path"]` goes before
 * the first table. *ret is the whole new text (owned). */
int toml_add_import(const char *text, const char *path, char **ret, struct error *e);

/* Set key = "value" in table (NULL: top level): the line is replaced in
 * place, or added right after the table header (the header is appended
 * when the table is missing). *ret is the whole new text (owned). */
int toml_set_string(const char *text, const char *table, const char *key, const char *value, char **ret,
                    struct error *e);

/* "value" with TOML basic-string escapes (owned), for writing. */
char *toml_quote(const char *s);
