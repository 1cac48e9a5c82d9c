/* One HTTP/1.1 request to hostd over its Unix socket (no TLS, no
 * credentials: hostd knows the peer from the socket). Internal to cli/. */
#pragma once

#include <stddef.h>

#include "lib/error.h"

/* method path with body (JSON text, or NULL) and the X-Hostd-Confirm header
 * (or NULL): the HTTP status and the body (allocated, NUL-terminated, at
 * most 64 MiB), or -ECONNREFUSED, -EBADMSG, ... with a message. */
int client_unix_request(const char *sock, const char *method, const char *path, const char *body, const char *confirm,
                        long *ret_status, char **ret_body, size_t *ret_n, struct error *e);
