/* Reading and writing small files (sysfs attributes, configs) safely. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Read at most max bytes of path into a NUL-terminated buffer. */
int read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct error *e);
/* First line of a file with surrounding whitespace trimmed (sysfs style). */
int read_one_line(const char *path, char **ret, struct error *e);
/* Write data to path through a temporary file in the same directory, fsync,
 * rename: readers see the old or the new file, never half of one. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct error *e);
/* mkdir -p with mode for the directories it creates. */
int mkdir_p(const char *path, mode_t mode, struct error *e);
