/* The HTTP server (libmicrohttpd): the Unix socket, where the peer's uid and
 * groups (SO_PEERCRED) decide, and optionally TCP with TLS, where HTTP Basic
 * or a Redfish session token decide. Requests go to api_serve(). */
#pragma once

#include "daemon.h"
#include "lib/error.h"

struct server;

int server_start(struct hostd *h, const char *socket_path, struct server **ret, struct error *e);
void server_stop(struct server *s);
