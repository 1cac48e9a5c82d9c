/* The config.json of an OCI runtime bundle (runtime spec 1.0.2), generated
 * from what hostd wants of the container. Pure: runc.h makes the bundle on
 * the pool and runs it. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


#define BUNDLE_OCI_VERSION "1.0.2"
#define BUNDLE_CPU_PERIOD 100000
#define BUNDLE_DEFAULT_ENV "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

struct bundle_mount {
        const char *source;          /* host path */
        const char *destination;     /* path in the container */
        bool readonly;
};

struct bundle_spec {
        const char *hostname;
        const char *const *args;     /* process.args, NULL-terminated */
        const char *const *env;      /* NULL: BUNDLE_DEFAULT_ENV only */
        const char *cwd;             /* NULL: "/" */
        uint64_t memory;             /* bytes; 0: no limit */
        double cpus;                 /* CFS quota in CPUs; 0: none */
        const char *cgroups_path;    /* linux.cgroupsPath; NULL: runc's choice */
        const struct bundle_mount *binds;   /* rbind mounts, in order */
        size_t n_binds;
};

/* config.json for spec: root "rootfs" (read-write), no terminal, user 0,
 * namespaces pid, ipc, uts, mount, network. Owned; NULL when out of memory. */
json_object *bundle_config(const struct bundle_spec *s);
/* The same as pretty JSON text with a final newline (owned). */
char *bundle_config_text(const struct bundle_spec *s);
