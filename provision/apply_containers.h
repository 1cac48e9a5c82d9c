/* apply's container steps: the runtime the spec names (containers.runtime:
 * containerd, docker or podman) placed on the RAID 5 pool, then one
 * container run from there with every check of `hostctl containers verify`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "apply.h"
#include "lib/error.h"

/* verify false: setup; true: verify. dry: say what it would do (msg),
 * change nothing. An outcome of lib/outcome.h or a negative errno. */
int apply_containers(const struct host_spec *spec, bool dry, bool verify, char *msg, size_t n, struct error *e);
