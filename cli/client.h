/* hostctl as a client of a running hostd: GET (or POST, DELETE) a path and parse the JSON
 * (libcurl). host: "unix:///run/hostd/hostd.sock" or "https://HOST:PORT";
 * for https, HOSTCTL_USER and HOSTCTL_PASSWORD (environment, never argv)
 * give HTTP Basic credentials and HOSTCTL_CACERT a CA file. */
#pragma once

#include <json-c/json.h>

#include "lib/error.h"

int client_get_json(const char *host, const char *path, json_object **ret, struct error *e);
/* method with body (JSON text, or NULL) and the X-Hostd-Confirm header
 * (or NULL); any 2xx is success. hostd's refusals come back as its errors:
 * 400 -EINVAL, 404 -ENOENT, 409/428 of a safety refusal ERROR_REFUSED
 * (exit 3), 409 of a busy array -EBUSY. */
int client_request_json(const char *host, const char *method, const char *path, const char *body, const char *confirm,
                        json_object **ret, struct error *e);
/* POST a JSON document to url (http:// or https://, TLS verified): any 2xx,
 * with or without a body, is success. For progress reports to a
 * provisioning controller (hostctl report). */
int client_post_callback(const char *url, const char *body, struct error *e);
