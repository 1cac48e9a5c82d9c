/* hostd.conf: YAML read through libyaml into json-c, checked key by key. */
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon.h"
#include "hypervisor/connect.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "lib/yaml_json.h"

static void config_done(struct daemon_config *c) {
        free(c->listen);
        free(c->tls_cert);
        free(c->tls_key);
        free(c->tls_priorities);
        free(c->users_file);
        free(c->socket_group);
        free(c->containers_pool);
        free(c->containers_config);
        free(c->containers_run_dir);
        free(c->facts_root);
        free(c->bmc);
        free(c->host_reset_record);
        json_object_put(c->hypervisor);
        memset(c, 0, sizeof *c);
}

struct daemon_config *daemon_config_ref(struct daemon_config *c) {
        if (c)
                __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
        return c;
}

void daemon_config_unref(struct daemon_config *c) {
        if (c && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0) {
                config_done(c);
                free(c);
        }
}

struct daemon_config *hostd_config(struct hostd *h) {
        pthread_mutex_lock(&h->cfg_lock);
        struct daemon_config *c = daemon_config_ref(h->cfg);
        pthread_mutex_unlock(&h->cfg_lock);
        return c;
}

void hostd_config_swap(struct hostd *h, struct daemon_config *c) {
        pthread_mutex_lock(&h->cfg_lock);
        struct daemon_config *old = h->cfg;
        h->cfg = c;
        pthread_mutex_unlock(&h->cfg_lock);
        daemon_config_unref(old);
}

static int get_string(json_object *v, const char *key, char **ret, struct error *e) {
        if (!json_object_is_type(v, json_type_string))
                return error_set(e, -EINVAL, "%s: must be a string", key);
        char *s = strdup(json_object_get_string(v));
        if (!s)
                return error_set(e, -ENOMEM, "out of memory");
        free(*ret);
        *ret = s;
        return 0;
}

static int get_int(json_object *v, const char *key, long lo, long hi, long *ret, struct error *e) {
        errno = 0;
        const char *s = json_object_get_string(v);
        char *end = NULL;
        long n = s ? strtol(s, &end, 0) : 0;
        if (!s || !*s || *end || errno || n < lo || n > hi)
                return error_set(e, -EINVAL, "%s: '%s' is not a number from %ld to %ld", key, s ? s : "", lo, hi);
        *ret = n;
        return 0;
}

static int get_bool(json_object *v, const char *key, bool *ret, struct error *e) {
        const char *s = json_object_get_string(v);
        if (json_object_is_type(v, json_type_boolean))
                *ret = json_object_get_boolean(v);
        else if (streq(s, "true") || streq(s, "yes"))
                *ret = true;
        else if (streq(s, "false") || streq(s, "no"))
                *ret = false;
        else
                return error_set(e, -EINVAL, "%s: '%s' is not true or false", key, s ? s : "");
        return 0;
}

/* containers: {pool, config, run_dir}: absolute, as hostctl containers wants them */
static int get_containers(struct daemon_config *c, json_object *v, struct error *e) {
        if (!json_object_is_type(v, json_type_object))
                return error_set(e, -EINVAL, "containers: must be a mapping (pool, config, run_dir)");
        json_object_object_foreach(v, key, x) {
                char **dst = streq(key, "pool")      ? &c->containers_pool
                             : streq(key, "config")  ? &c->containers_config
                             : streq(key, "run_dir") ? &c->containers_run_dir
                                                     : NULL;
                char name[64];
                snprintf(name, sizeof name, "containers.%.40s", key);
                if (!dst)
                        return error_set(e, -EINVAL, "%s: unknown key (pool, config, run_dir)", name);
                int k = get_string(x, name, dst, e);
                if (k < 0)
                        return k;
                if ((*dst)[0] != '/')
                        return error_set(e, -EINVAL, "%s: '%s' is not an absolute path", name, *dst);
        }
        return 0;
}

static int apply_key(struct daemon_config *c, const char *key, json_object *v, struct error *e) {
        long n = 0;
        int k;
        if (streq(key, "listen"))
                return get_string(v, key, &c->listen, e);
        if (streq(key, "tls"))
                return get_bool(v, key, &c->tls, e);
        if (streq(key, "tls_cert"))
                return get_string(v, key, &c->tls_cert, e);
        if (streq(key, "tls_key"))
                return get_string(v, key, &c->tls_key, e);
        if (streq(key, "users_file"))
                return get_string(v, key, &c->users_file, e);
        if (streq(key, "tls_priorities"))
                return get_string(v, key, &c->tls_priorities, e);
        if (streq(key, "socket_group"))
                return get_string(v, key, &c->socket_group, e);
        if (streq(key, "facts_root") || streq(key, "host_reset_record")) {
                char **dst = streq(key, "facts_root") ? &c->facts_root : &c->host_reset_record;
                k = get_string(v, key, dst, e);
                if (k >= 0 && (*dst)[0] != '/')
                        return error_set(e, -EINVAL, "%s: '%s' is not an absolute path", key, *dst);
                return k;
        }
        if (streq(key, "disks_all"))
                return get_bool(v, key, &c->disks_all, e);
        if (streq(key, "session_timeout")) {
                k = get_int(v, key, 1, 86400 * 7, &n, e);
                c->session_timeout_s = (int)n;
                return k;
        }
        if (streq(key, "sessions_per_user")) {
                k = get_int(v, key, 1, 256, &n, e);
                c->sessions_per_user = (unsigned)n;
                return k;
        }
        if (streq(key, "subscriptions_per_user")) {
                k = get_int(v, key, 1, 4096, &n, e);
                c->subscriptions_per_user = (unsigned)n;
                return k;
        }
        if (streq(key, "subscriptions_max")) {
                k = get_int(v, key, 1, 4096, &n, e);
                c->subscriptions_max = (unsigned)n;
                return k;
        }
        if (streq(key, "socket_mode")) {
                k = get_int(v, key, 0, 0777, &n, e);
                c->socket_mode = (mode_t)n;
                return k;
        }
        if (streq(key, "max_body")) {
                k = get_int(v, key, 1024, 64L << 20, &n, e);
                c->max_body = (size_t)n;
                return k;
        }
        if (streq(key, "threads")) {
                k = get_int(v, key, 1, 64, &n, e);
                c->threads = (int)n;
                return k;
        }
        static const struct {
                const char *key;
                long min, max;
                size_t offset;
        } limits[] = {
                { "max_connections", 8, 16384, offsetof(struct daemon_config, max_connections) },
                { "max_connections_per_client", 1, 16384, offsetof(struct daemon_config, max_connections_per_client) },
                { "header_timeout", 1, 300, offsetof(struct daemon_config, header_timeout_s) },
                { "idle_timeout", 1, 3600, offsetof(struct daemon_config, idle_timeout_s) },
                { "disk_health_interval", 0, 7 * 86400, offsetof(struct daemon_config, disk_health_interval_s) },
        };
        for (size_t i = 0; i < ELEMENTSOF(limits); i++)
                if (streq(key, limits[i].key)) {
                        k = get_int(v, key, limits[i].min, limits[i].max, &n, e);
                        *(int *)((char *)c + limits[i].offset) = (int)n;
                        return k;
                }
        if (streq(key, "hypervisor")) {
                struct hv_config hc = { 0 };
                if ((k = hv_config_from_json(v, &hc, e)) < 0)
                        return k;
                json_object_put(c->hypervisor);
                c->hypervisor = json_object_get(v);
                return 0;
        }
        if (streq(key, "containers"))
                return get_containers(c, v, e);
        if (streq(key, "bmc")) {
                k = get_string(v, key, &c->bmc, e);
                if (k >= 0 && (!c->bmc[0] || c->bmc[0] == '.' || strlen(c->bmc) > 127 ||
                               strspn(c->bmc, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                                       strlen(c->bmc)))
                        return error_set(e, -EINVAL, "bmc: '%s' is no BMC config name (letters, digits, '.', '_', '-')",
                                         c->bmc);
                return k;
        }
        return error_set(e, -EINVAL, "%s: unknown key (listen, tls, tls_cert, tls_key, tls_priorities, users_file, "
                                     "session_timeout, sessions_per_user, subscriptions_per_user, subscriptions_max, "
                                     "socket_group, socket_mode, disks_all, max_body, threads, max_connections, "
                                     "max_connections_per_client, header_timeout, idle_timeout, disk_health_interval, "
                                     "hypervisor, containers, bmc)", key);
}

int daemon_config_load(const char *path, struct daemon_config **ret, struct error *e) {
        struct daemon_config c = {
                .refs = 1,
                .tls = true,
                .session_timeout_s = 1800,
                .sessions_per_user = 16,
                .subscriptions_per_user = 16,
                .subscriptions_max = 256,
                .socket_group = strdup("hostd"),
                .socket_mode = 0660,
                .max_body = 64 * 1024,
                .threads = 2,
                .max_connections = 256,
                .max_connections_per_client = 16,
                .header_timeout_s = 10,
                .idle_timeout_s = 60,
                .disk_health_interval_s = 1800,
        };
        if (!c.socket_group)
                return error_set(e, -ENOMEM, "out of memory");
        struct stat st;
        if (path && stat(path, &st) == 0) {
                _cleanup_json_ json_object *doc = NULL;
                int k = yaml_read_file_to_json(path, &doc, e);
                if (k >= 0 && doc && !json_object_is_type(doc, json_type_object))
                        k = error_set(e, -EINVAL, "must be a mapping of settings");
                if (k >= 0 && doc) {
                        json_object_object_foreach(doc, key, v) {
                                if (k < 0)
                                        break;
                                if (v)
                                        k = apply_key(&c, key, v, e);
                        }
                }
                if (k >= 0 && c.listen && c.tls && (!c.tls_cert || !c.tls_key))
                        k = error_set(e, -EINVAL, "listen: TLS needs tls_cert and tls_key (or tls: false)");
                if (k >= 0 && c.listen && !c.users_file)
                        k = error_set(e, -EINVAL, "listen: TCP needs users_file (who may log in)");
                if (k < 0) {
                        config_done(&c);
                        return error_prefix(e, "%s", path);
                }
        }
        struct daemon_config *copy = malloc(sizeof *copy);
        if (!copy) {
                config_done(&c);
                return error_set(e, -ENOMEM, "out of memory");
        }
        *copy = c;
        *ret = copy;
        return 0;
}
