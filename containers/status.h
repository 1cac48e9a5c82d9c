/* The runtimes as they are now, as JSON: what `hostctl containers detect
 * --json` and `status --json` print and what hostd serves under
 * Oem.Hostd.Containers. One builder for both, so they cannot drift apart. */
#pragma once

#include <json-c/json.h>

#include "lib/error.h"

/* {"runtimes": [{name, installed, version, runc_version (containerd),
 * config, data_root, active, note (when something is unknown)}]}.
 * in: the configs and run dir to read (NULL: the defaults). */
struct detect_inputs;
int containers_detect_json(const struct detect_inputs *in, json_object **ret, struct error *e);

/* containerd where these inputs place it (NULL: the defaults of place.h):
 * {placed, running, pid, root, address, snapshotter, note (why not placed)}. */
int containers_status_json(const char *pool, const char *config, const char *run_dir, json_object **ret,
                           struct error *e);

/* docker or podman where these inputs place it (NULL: the defaults):
 * {placed, running, pid (dockerd; 0 for podman), root (where its config puts
 * the data), config, socket (docker), note (why not placed)}. podman has no
 * daemon: running says whether it is installed. */
int containers_engine_status_json(const char *name, const char *pool, const char *config, const char *run_dir,
                                  json_object **ret, struct error *e);
