#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "containerd.h"
#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/strutil.h"
#include "setup.h"

void migrate_report_done(struct migrate_report *r) {
        free(r->old_root);
        strv_free(r->images);
        strv_free(r->containers);
        *r = (struct migrate_report){ 0 };
}

bool strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);
        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}

static int run_tool(const char *const *argv, int timeout_ms, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        return run_checked(argv, &(struct run_opts){ .timeout_ms = timeout_ms }, &r, e);
}

int remove_tree(const char *path, struct error *e) {
        const char *argv[] = { "rm", "-rf", "--one-file-system", "--", path, NULL };
        return run_tool(argv, 600000, e);
}

/* Owners, modes, times, hard links and xattrs; a lost xattr is an error. */
static int copy_tree(const char *from, const char *to, struct error *e) {
        const char *argv[] = { "cp", "-dR", "--preserve=mode,ownership,timestamps,links,xattr", "--", from, to, NULL };
        return run_tool(argv, 3600 * 1000, e);
}

/* Back to the old root: config as it was, containerd started there. The
 * error e already says what went wrong; a failure here is added to it. */
static int roll_back(const struct place *p, const struct place *old, const char *original, const char *copy,
                     struct error *e) {
        struct error r = { 0 };
        containerd_stop(p, &r);
        if (original && setup_restore_config(p, original, &r) < 0)
                return error_prefix(e, "rollback failed too (%s)", r.msg);
        if (copy)
                remove_tree(copy, &r);
        if (containerd_start(old, &r) < 0)
                return error_prefix(e, "containerd does not start on the old root %s (%s)", old->root, r.msg);
        return error_prefix(e, "migration undone, containerd runs on %s again", old->root);
}

static long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int migrate_copy(const char *from, const char *to, long *ret_ms, struct error *e) {
        _cleanup_free_ char *copy = strdup_printf("%s.migrating", to), *parent = strndup(to, strrchr(to, '/') - to);
        if (!copy || !parent)
                return error_set(e, -ENOMEM, "out of memory");
        long t0 = now_ms();
        int k;
        if ((k = mkdir_p(parent, 0755, e)) < 0 || (k = remove_tree(copy, e)) < 0 || (k = copy_tree(from, copy, e)) < 0 ||
            (rmdir(to) < 0 && errno != ENOENT) || rename(copy, to) < 0) {
                if (k >= 0)
                        k = error_set(e, -errno, "cannot put the copy at %s: %s", to, strerror(errno));
                struct error ignore = { 0 };
                remove_tree(copy, &ignore);
                return error_prefix(e, "copying %s to %s", from, to);
        }
        *ret_ms = now_ms() - t0;
        return 0;
}

int migrate_containerd(struct place *p, bool keep_old, struct migrate_report *ret, struct error *e) {
        _cleanup_free_ char *old_root = NULL, *old_state = NULL, *old_address = NULL;
        int k = place_check_pool(p->pool, e);
        if (k < 0 || (k = containerd_effective(p->config, &old_root, &old_state, &old_address, e)) < 0)
                return k;
        if (streq(old_root, p->root)) {
                ret->old_root = TAKE_PTR(old_root);
                return OUTCOME_UNCHANGED;
        }
        if (root_holds_data(p->root))
                return error_set(e, ERROR_REFUSED, "%s already holds containerd data; refusing to mix two roots",
                                 p->root);
        /* the daemon as it runs today: same config and pid file, its own paths */
        struct place old = *p;
        old.root = old_root;
        old.state = old_state;
        old.address = old_address;
        if (!containerd_answers(old.address) && (k = containerd_start(&old, e)) < 0)
                return error_prefix(e, "starting containerd on its old root to list what it holds");
        _cleanup_strv_free_ char **images = NULL, **containers = NULL, **images_after = NULL, **containers_after = NULL;
        if ((k = ctr_inventory(&old, &images, &containers, e)) < 0)
                return k;
        if ((k = containerd_stop(&old, e)) < 0)
                return error_prefix(e, "stopping containerd before the copy");

        if ((k = migrate_copy(old_root, p->root, &ret->copy_ms, e)) < 0)
                return roll_back(p, &old, NULL, NULL, e);

        _cleanup_free_ char *original = NULL;
        if ((k = setup_write_config(p, &original, e)) < 0)
                return roll_back(p, &old, NULL, p->root, e);
        if ((k = containerd_start(p, e)) < 0 || (k = ctr_inventory(p, &images_after, &containers_after, e)) < 0)
                return roll_back(p, &old, original, p->root, e);
        if (!strv_equal(images, images_after) || !strv_equal(containers, containers_after)) {
                error_set(e, -EIO, "on the pool containerd shows %zu images and %zu containers, not %zu and %zu",
                          strv_length(images_after), strv_length(containers_after), strv_length(images),
                          strv_length(containers));
                return roll_back(p, &old, original, p->root, e);
        }
        _cleanup_free_ char *overlay_error = NULL;
        free(p->snapshotter);
        p->snapshotter = NULL;
        if ((k = choose_snapshotter(p, &p->snapshotter, &overlay_error, e)) < 0 || (k = place_save_record(p, e)) < 0)
                return k;
        ret->moved = true;
        if (!keep_old) {
                if ((k = remove_tree(old_root, e)) < 0)
                        return error_prefix(e, "containerd runs on the pool; removing the old root");
                ret->old_removed = true;
        }
        ret->old_root = TAKE_PTR(old_root);
        ret->images = TAKE_PTR(images);
        ret->containers = TAKE_PTR(containers);
        return OUTCOME_CHANGED;
}
