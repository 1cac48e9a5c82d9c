/* Docker Engine and podman placement: their config edits (pure, so they are
 * unit-tested without the runtimes installed) and where they keep data. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

#define DOCKER_DEFAULT_CONFIG "/etc/docker/daemon.json"
#define DOCKER_DEFAULT_ROOT "/var/lib/docker"
/* What dockerd uses when daemon.json sets "exec-root" or "pidfile" to "". */
#define DOCKER_DEFAULT_EXEC_ROOT "/run/docker"
#define DOCKER_DEFAULT_PIDFILE "/run/docker.pid"
#define PODMAN_DEFAULT_CONFIG "/etc/containers/storage.conf"
#define PODMAN_VENDOR_CONFIG "/usr/share/containers/storage.conf"
#define PODMAN_DEFAULT_ROOT "/var/lib/containers/storage"

/* daemon.json with "data-root" set and every other key kept (json-c).
 * text NULL or empty: a new document. */
int docker_set_data_root(const char *text, const char *root, char **ret, struct error *e);
/* "data-root" of daemon.json text, or the default (owned). */
char *docker_data_root(const char *text);

/* storage.conf with graphroot in [storage]; text NULL: a minimal file. */
int podman_set_graphroot(const char *text, const char *root, char **ret, struct error *e);
char *podman_graphroot(const char *text);

/* Write the runtime's config so its data goes to root (backup once as
 * <config>.hostd-orig). OUTCOME_CHANGED when a byte changed, else
 * OUTCOME_UNCHANGED; or a negative errno. */
int docker_place(const char *config, const char *root, struct error *e);
int podman_place(const char *config, const char *root, struct error *e);
