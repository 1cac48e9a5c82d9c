#include "place.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "toml.h"

void place_done(struct place *p) {
        char **all[] = { &p->pool, &p->config, &p->dropin, &p->record, &p->root, &p->state, &p->address,
                         &p->runc_root, &p->fifo_dir, &p->pidfile, &p->logfile, &p->image_dir,
                         &p->verify_dir, &p->snapshotter };
        for (size_t i = 0; i < ELEMENTSOF(all); i++) {
                free(*all[i]);
                *all[i] = NULL;
        }
}

int place_init(struct place *p, const char *pool, const char *config, const char *run_dir, struct error *e) {
        *p = (struct place){ 0 };
        pool = pool ? pool : PLACE_DEFAULT_POOL;
        config = config ? config : PLACE_DEFAULT_CONTAINERD_CONFIG;
        run_dir = run_dir ? run_dir : PLACE_DEFAULT_RUN_DIR;
        if (pool[0] != '/' || config[0] != '/' || run_dir[0] != '/')
                return error_set(e, -EINVAL, "--pool, --config and --run-dir take absolute paths");
        _cleanup_free_ char *copy = strdup(config);
        const char *dir = copy ? dirname(copy) : NULL;
        p->pool = strdup(pool);
        p->config = strdup(config);
        p->dropin = dir ? strdup_printf("%s/hostd-pool.toml", dir) : NULL;
        p->record = dir ? strdup_printf("%s/hostd-pool.json", dir) : NULL;
        p->root = strdup_printf("%s/containers/containerd", pool);
        p->state = strdup_printf("%s/containerd", run_dir);
        p->address = strdup_printf("%s/containerd/containerd.sock", run_dir);
        p->runc_root = strdup_printf("%s/containerd/runc", run_dir);
        p->fifo_dir = strdup_printf("%s/containerd/fifo", run_dir);
        p->pidfile = strdup_printf("%s/hostd/containerd.pid", run_dir);
        p->logfile = strdup_printf("%s/hostd/containerd.log", run_dir);
        p->image_dir = strdup_printf("%s/containers/image", pool);
        p->verify_dir = strdup_printf("%s/containers/verify", pool);
        if (!p->pool || !p->config || !p->dropin || !p->record || !p->root || !p->state || !p->address ||
            !p->runc_root || !p->fifo_dir || !p->pidfile || !p->logfile || !p->image_dir || !p->verify_dir) {
                place_done(p);
                return error_set(e, -ENOMEM, "out of memory");
        }
        return 0;
}

char *place_dropin_text(const struct place *p, long config_version) {
        _cleanup_free_ char *root = toml_quote(p->root), *state = toml_quote(p->state),
                            *addr = toml_quote(p->address);
        _cleanup_free_ char *version = config_version > 0 ? strdup_printf("version = %ld\n", config_version)
                                                          : strdup("");
        if (!root || !state || !addr || !version)
                return NULL;
        return strdup_printf("# Written by hostd (hostctl containers setup): containerd's data on the pool.\n"
                             "# Imported by %s; every other setting stays there.\n"
                             "%sroot = %s\nstate = %s\n\n[grpc]\n  address = %s\n",
                             p->config, version, root, state, addr);
}

int place_save_record(const struct place *p, struct error *e) {
        _cleanup_json_ json_object *o = json_object_new_object();
        json_add_string(o, "pool", p->pool);
        json_add_string(o, "root", p->root);
        json_add_string(o, "address", p->address);
        json_add_string(o, "snapshotter", p->snapshotter);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        _cleanup_free_ char *data = strdup_printf("%s\n", text);
        if (!data)
                return error_set(e, -ENOMEM, "out of memory");
        return write_file_atomic(p->record, data, strlen(data), 0644, e);
}

int place_load_record(struct place *p, struct error *e) {
        _cleanup_json_ json_object *o = NULL;
        struct stat st;
        if (stat(p->record, &st) < 0)
                return error_set(e, -ENOENT, "containerd is not placed on a pool yet (no %s); run 'hostctl containers setup'",
                                 p->record);
        int k = json_read_file(p->record, &o, e);
        if (k < 0)
                return error_prefix(e, "%s", p->record);
        const char *snap = json_get_string(o, "snapshotter"), *pool = json_get_string(o, "pool");
        if (pool && !streq(pool, p->pool))
                return error_set(e, -EINVAL, "containerd was placed on %s, not %s (see %s)", pool, p->pool, p->record);
        free(p->snapshotter);
        p->snapshotter = snap ? strdup(snap) : NULL;
        return 0;
}

int place_check_pool(const char *pool, struct error *e) {
        struct stat st, up;
        _cleanup_free_ char *parent = strdup_printf("%s/..", pool);
        if (stat(pool, &st) < 0)
                return error_set(e, -errno, "pool %s: %s", pool, strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return error_set(e, -ENOTDIR, "pool %s is not a directory", pool);
        if (!parent || stat(parent, &up) < 0)
                return error_set(e, -errno, "pool %s: cannot stat its parent", pool);
        if (st.st_dev == up.st_dev && st.st_ino != up.st_ino)
                return error_set(e, ERROR_REFUSED,
                                 "pool %s is not a mounted filesystem; refusing to put containers on the filesystem beneath it",
                                 pool);
        return 0;
}
