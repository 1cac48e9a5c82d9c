#include "runc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "containerd.h"
#include "image.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

void bundle_done(struct bundle *b) {
        free(b->dir);
        free(b->rootfs);
        free(b->config);
        *b = (struct bundle){ 0 };
}

static bool name_ok(const char *name) {
        return name && *name && name[0] != '.' && strlen(name) < 64 &&
               strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(name);
}

static int run_quiet(const char *const *argv, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        return run_checked(argv, &(struct run_opts){ .timeout_ms = 120000 }, &r, e);
}

/* The layer of the project's image in image_dir, built when missing. */
static int image_layer_path(const char *image_dir, char **ret, struct error *e) {
        _cleanup_(image_done) struct image img = { 0 };
        int k = image_ensure(image_dir, &img, e);
        if (k < 0)
                return k;
        if ((k = image_layer(image_dir, &img, ret, e)) != -ENOENT)
                return k;
        /* the tar is there but not the layout beside it: build again */
        image_done(&img);
        error_clear(e);
        if ((k = image_build(image_dir, NULL, &img, e)) < 0)
                return k;
        return image_layer(image_dir, &img, ret, e);
}

int bundle_make(const char *pool, const char *name, const char *image_dir, const struct bundle_spec *s,
                struct bundle *ret, struct error *e) {
        if (!name_ok(name))
                return error_set(e, -EINVAL, "bundle name '%s': letters, digits, '_', '.' and '-' only", name);
        _cleanup_(bundle_done) struct bundle b = {
                .dir = strdup_printf("%s/containers/bundles/%s", pool, name),
        };
        b.rootfs = b.dir ? strdup_printf("%s/rootfs", b.dir) : NULL;
        b.config = b.dir ? strdup_printf("%s/config.json", b.dir) : NULL;
        _cleanup_free_ char *layer = NULL, *text = bundle_config_text(s);
        if (!b.rootfs || !b.config || !text)
                return error_set(e, -ENOMEM, "out of memory");
        int k = image_layer_path(image_dir, &layer, e);
        if (k < 0)
                return k;
        const char *rm[] = { "rm", "-rf", "--one-file-system", "--", b.rootfs, NULL };
        const char *untar[] = { "tar", "--numeric-owner", "-xzf", layer, "-C", b.rootfs, NULL };
        if ((k = mkdir_p(b.dir, 0711, e)) < 0 || (k = run_quiet(rm, e)) < 0 || (k = mkdir_p(b.rootfs, 0755, e)) < 0 ||
            (k = run_quiet(untar, e)) < 0)
                return error_prefix(e, "bundle %s", b.dir);
        if ((k = write_file_atomic(b.config, text, strlen(text), 0644, e)) < 0)
                return k;
        *ret = b;
        b = (struct bundle){ 0 };
        return 0;
}

char *bundle_runc_root(const char *run_dir) {
        return strdup_printf("%s/runc", run_dir);
}

int bundle_runc_check(char **ret_version, struct error *e) {
        int k = runc_version(ret_version, e);
        if (k == -ENOENT)
                return error_set(e, k, "runc: not found in PATH or the sbin directories; install the runc package "
                                    "to run bundles without a daemon");
        return k;
}

/* runc delete --force: 0 when the container's state is gone afterwards. */
static int runc_delete(const char *root, const char *id, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        _cleanup_free_ char *state = strdup_printf("%s/%s", root, id);
        const char *argv[] = { "runc", "--root", root, "delete", "--force", id, NULL };
        int k = run_argv(argv, &(struct run_opts){ .timeout_ms = 30000 }, &r, e);
        if (k < 0)
                return k;
        if (!state || access(state, F_OK) == 0)
                return error_set(e, -EBUSY, "runc delete --force %s left %s: %s", id, state ? state : "its state",
                                 run_tail(r.err, 300));
        return 0;
}

int bundle_run(const struct bundle *b, const char *run_dir, const char *id, int timeout_ms, struct run_result *ret,
               struct error *e) {
        _cleanup_free_ char *root = bundle_runc_root(run_dir);
        if (!root)
                return error_set(e, -ENOMEM, "out of memory");
        int k = mkdir_p(root, 0700, e);
        if (k < 0 || (k = runc_delete(root, id, e)) < 0)   /* a leftover of an earlier, killed run */
                return k;
        const char *argv[] = { "runc", "--root", root, "run", "--bundle", b->dir, id, NULL };
        k = run_argv(argv, &(struct run_opts){ .timeout_ms = timeout_ms }, ret, e);
        struct error de = { 0 };
        int d = runc_delete(root, id, &de);
        if (k < 0)
                return k;
        if (d < 0)
                return error_set(e, d, "%s", de.msg);
        return 0;
}
