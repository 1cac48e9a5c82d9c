/* Which container runtimes are installed, their versions, where each keeps
 * its data today, and which of them is active (answers now). */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

struct runtime_info {
        const char *name;        /* "containerd", "docker", "podman" */
        bool installed;
        char *version;
        char *helper_version;    /* runc for containerd */
        char *config;            /* the config file that decides the data dir */
        char *data_root;         /* where its images and containers live today */
        char *note;              /* why something is unknown, or NULL */
        bool active;             /* containerd, dockerd: answer on their socket;
                                  * podman: runs containers now */
};

/* The files and run dir to read (NULL: each runtime's default). */
struct detect_inputs {
        const char *containerd_config, *docker_config, *podman_config, *run_dir;
};

struct detect_result {
        struct runtime_info rt[3];
};

void runtime_info_done(struct runtime_info *r);
void detect_result_done(struct detect_result *d);
/* One runtime by name; -EINVAL for a name that is none of the three. A
 * runtime that is not installed has a note that says so. */
int detect_runtime(const char *name, const struct detect_inputs *in, struct runtime_info *ret);
int detect_runtimes(const struct detect_inputs *in, struct detect_result *ret, struct error *e);
