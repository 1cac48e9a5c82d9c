/* hostctl as a client of a running hostd: GET a path and parse the JSON
 * (libcurl). host: "unix:///run/hostd/hostd.sock" or "https://HOST:PORT";
 * for https, HOSTCTL_USER and HOSTCTL_PASSWORD (environment, never argv)
 * give HTTP Basic credentials and HOSTCTL_CACERT a CA file. */
#pragma once

#include <json-c/json.h>

#include "lib/error.h"

int client_get_json(const char *host, const char *path, json_object **ret, struct error *e);
