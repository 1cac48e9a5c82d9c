/* The TCP listener's guard against slow and idle clients. libmicrohttpd's own
 * timeout is an idle timeout that every trickled byte extends, so a client
 * sending one byte every few seconds keeps its slot forever. Here each TCP
 * connection has a deadline, from accept: it must have sent its headers
 * (after the TLS handshake) and authenticated by then, or it is shut down.
 * Connections that have not authenticated yet may hold only part of the
 * slots, so that authenticated clients keep a reserve. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

struct conn_guard;
struct conn_guard_entry;

/* deadline_s: from accept to authenticated; budget: how many connections may
 * be unauthenticated at once (the rest of the slots are the reserve). */
int conn_guard_new(int deadline_s, int budget, struct conn_guard **ret, struct error *e);
void conn_guard_free(struct conn_guard *g);

/* A connection was accepted on fd: its entry, to keep in libmicrohttpd's
 * socket context. Over the budget it is shut down at once. NULL: no memory
 * (the connection is shut down too). */
struct conn_guard_entry *conn_guard_started(struct conn_guard *g, int fd);
/* It authenticated: no deadline any more. */
void conn_guard_authenticated(struct conn_guard *g, struct conn_guard_entry *c);
bool conn_guard_is_authenticated(const struct conn_guard_entry *c);
/* It was closed: the entry is freed. */
void conn_guard_closed(struct conn_guard *g, struct conn_guard_entry *c);
