/* Reading and writing small files (sysfs attributes, configs) safely. */
#pragma once

#include <stdbool.h>
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
/* mkdir -p of the directory path is in (0755). */
int mkdir_parent(const char *path, struct error *e);
/* mkdir_p with mode 0700; a directory that exists with more is tightened to
 * 0700 (a state directory made by an older version or by systemd's default). */
int mkdir_private(const char *path, struct error *e);
/* A secret (a password file, a TLS key) that others may read or write is
 * refused (ERROR_REFUSED) naming what, where and how to fix it. */
int file_check_private(const char *path, const char *what, struct error *e);
/* Append line to path unless the file already contains key (creating the
 * file with header, and its directory). 1 when written, 0 when present. */
int file_ensure_line(const char *path, const char *key, const char *line, const char *header, struct error *e);
/* Write data to path unless it already holds exactly that. 1 written, 0 same. */
int file_ensure_content(const char *path, const char *data, mode_t mode, struct error *e);
/* Is something mounted exactly on mountpoint (from /proc/self/mountinfo)? */
bool path_is_mounted(const char *mountpoint);
/* Drop every line (not a comment) that contains needle; how many went. */
int file_remove_lines(const char *path, const char *needle, struct error *e);
