/* What the daemon's parts share: the configuration and the services that the
 * HTTP API, the jobs, the monitor and the events use. One per process. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"

struct store;
struct auth;
struct jobs;
struct events;
struct hv;
struct json_object;

/* /etc/hostd/hostd.conf (YAML); every key is optional. Immutable once
 * loaded and reference-counted: SIGHUP loads a new one and swaps it in
 * (hostd_config_swap); a request keeps the one it started with
 * (hostd_config) and the old one is freed when its last reader drops it. */
struct daemon_config {
        int refs;
        char *listen;             /* "ADDR:PORT" for TCP; NULL: the Unix socket only */
        bool tls;                 /* TLS on the TCP listener (default true) */
        char *tls_cert, *tls_key; /* PEM files */
        char *tls_priorities;     /* GnuTLS priority string; NULL: TLS 1.2+, forward-secret AEAD only */
        char *users_file;         /* "name:crypt-hash" lines (openssl passwd -6) */
        int session_timeout_s;    /* idle sessions end after this (default 1800) */
        unsigned sessions_per_user;        /* a user's oldest session ends beyond this (default 16) */
        unsigned subscriptions_per_user;   /* event subscriptions one user may make (default 16) */
        unsigned subscriptions_max;        /* event subscriptions in all (default 256) */
        char *socket_group;       /* group allowed on the Unix socket (default "hostd") */
        mode_t socket_mode;       /* default 0660 */
        bool disks_all;           /* Drives lists loop/ram/... devices too (like disks --all) */
        int disk_health_interval_s;   /* SMART check of every disk this often (default 1800); 0: never */
        size_t max_body;          /* request bodies larger than this: 413 (default 64 KiB) */
        int threads;              /* server threads (default 2) */
        /* TCP connection policy (the Unix socket has its own, untouched slots) */
        int max_connections;      /* in total (default 256) */
        int max_connections_per_client;   /* per client address (default 16) */
        int header_timeout_s;     /* from accept to the end of the headers, TLS handshake included;
                                   * trickled bytes do not extend it (default 10) */
        int idle_timeout_s;       /* a kept-alive connection with nothing to do (default 60) */
        struct json_object *hypervisor;   /* `hypervisor: {uri: ...}`: VMs as Systems; NULL: none */
        /* `containers: {pool, config, run_dir}`: what `hostctl containers` takes as
         * --pool, --config, --run-dir; NULL: the same defaults */
        char *containers_pool, *containers_config, *containers_run_dir;
        /* `bmc: NAME`: this machine's BMC, its config as `hostctl bmc --bmc NAME` finds it
         * (/etc/hostd/bmc.d/NAME.yaml): the Drives' bays and their LEDs; NULL: none */
        char *bmc;
        /* For tests: read the host's facts (DMI, /proc, /sys/class/net) under
         * this directory instead of /; NULL: this machine */
        char *facts_root;
        /* For tests: the host's Reset appends its ResetType to this file
         * instead of running systemctl; NULL: the reset is real */
        char *host_reset_record;
};

/* Defaults, then the file when it exists, in a new configuration with one
 * reference. Unknown keys are errors that name the key. */
int daemon_config_load(const char *path, struct daemon_config **ret, struct error *e);
struct daemon_config *daemon_config_ref(struct daemon_config *c);
void daemon_config_unref(struct daemon_config *c);
static inline void daemon_config_unrefp(struct daemon_config **c) {
        daemon_config_unref(*c);
}

struct hostd {
        /* The running configuration. The main thread (start, SIGHUP) replaces
         * it under cfg_lock and may read it directly; every other thread takes
         * a reference with hostd_config(). */
        struct daemon_config *cfg;
        pthread_mutex_t cfg_lock;
        const char *config_path;
        struct store *store;
        struct auth *auth;
        struct jobs *jobs;
        struct events *events;
        struct hv *hv;            /* the libvirt connection, NULL without `hypervisor:` */
};

/* A reference to the running configuration: drop it with daemon_config_unref(). */
struct daemon_config *hostd_config(struct hostd *h);
/* Make C (whose reference the caller gives) the running configuration; the
 * old one lives on until its last reader drops it. Main thread only. */
void hostd_config_swap(struct hostd *h, struct daemon_config *c);
