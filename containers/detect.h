/* Which container runtimes are installed, their versions, and where each
 * keeps its data today. */
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
};

struct detect_result {
        struct runtime_info rt[3];
};

void runtime_info_done(struct runtime_info *r);
void detect_result_done(struct detect_result *d);
/* One runtime by name; -EINVAL for a name that is none of the three. A
 * runtime that is not installed has a note that says so. */
int detect_runtime(const char *name, const char *containerd_config, struct runtime_info *ret);
/* containerd_config: the config to read (NULL: the default). */
int detect_runtimes(const char *containerd_config, struct detect_result *ret, struct error *e);
