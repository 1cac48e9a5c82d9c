#include "engine_setup.h"

#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "containerd.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/strutil.h"
#include "others.h"
#include "place.h"

void engine_setup_report_done(struct engine_setup_report *r) {
        free(r->old_root);
        *r = (struct engine_setup_report){ 0 };
}

static int check_installed(const struct engine *en, struct error *e) {
        const char *prog = en->docker ? "dockerd" : "podman";
        _cleanup_free_ char *exe = find_program_path(prog);
        if (!exe)
                return error_set(e, -ENOENT, "%s: not installed (no %s in PATH)", en->name, prog);
        return 0;
}

/* The config text as it is (NULL: no file), for putting it back. */
static char *config_text(const struct engine *en) {
        char *text = NULL;
        read_file(en->config, 16 << 20, &text, NULL, NULL);
        return text;
}

static void restore_config(const struct engine *en, const char *original) {
        struct error ignore = { 0 };
        if (original)
                write_file_atomic(en->config, original, strlen(original), 0644, &ignore);
        else
                unlink(en->config);
}

static int place_config(const struct engine *en, struct error *e) {
        return (en->docker ? docker_place : podman_place)(en->config, en->root, e);
}

/* Started (dockerd) and reporting root as its root. */
static int start_on(const struct engine *en, const char *root, int *ret_started, struct error *e) {
        _cleanup_free_ char *seen = NULL;
        int k = engine_start(en, e);
        if (k < 0)
                return k;
        if (ret_started)
                *ret_started = k;
        if ((k = engine_effective_root(en, &seen, e)) < 0)
                return k;
        if (!streq(seen, root))
                return error_set(e, -EINVAL, "%s reports its root as %s, not %s, with %s", en->name, seen, root,
                                 en->config);
        return 0;
}

/* Both setup and migrate start here: the pool is mounted, the runtime is
 * installed, and what its configuration says now (its root; the text, to roll
 * back to; NULL where there is no file yet). */
static int look_before_placing(const struct engine *en, char **ret_old_root, char **ret_original, struct error *e) {
        int k = place_check_pool(en->pool, e);
        if (k < 0 || (k = check_installed(en, e)) < 0)
                return k;
        if (!(*ret_old_root = engine_config_root(en)))
                return error_set(e, -ENOMEM, "out of memory");
        *ret_original = config_text(en);
        return 0;
}

/* Setup failed after it wrote the config: the original back (stopping
 * what started on the new one first), and the engine running again if it
 * ran before. Returns e's code. */
static int put_back(const struct engine *en, const char *original, bool stop, bool running, struct error *e) {
        struct error ignore = { 0 };
        if (stop)
                engine_stop(en, &ignore);
        restore_config(en, original);
        if (running)
                engine_start(en, &ignore);
        return error_prefix(e, "config put back");
}

int setup_engine(const struct engine *en, struct engine_setup_report *ret, struct error *e) {
        _cleanup_free_ char *old_root = NULL, *original = NULL;
        int k = look_before_placing(en, &old_root, &original, e);
        if (k < 0)
                return k;
        if (!streq(old_root, en->root) && engine_root_holds_data(en, old_root))
                return error_set(e, ERROR_REFUSED,
                                 "%s keeps images or containers in %s; run 'hostctl containers migrate --runtime %s' "
                                 "to move them to %s",
                                 en->name, old_root, en->name, en->pool);
        bool running = en->docker && (engine_pid(en) > 0 || engine_answers(en));
        if ((k = place_config(en, e)) < 0)
                return k;
        bool changed = k == OUTCOME_CHANGED;
        int started = OUTCOME_UNCHANGED;
        /* a dockerd that does not stop never read the new config: it is put
         * back, so the file says what runs */
        if (running && changed && (k = engine_stop(en, e)) < 0)
                return put_back(en, original, false, running, e);
        if ((k = start_on(en, en->root, &started, e)) < 0)
                return changed ? put_back(en, original, true, running, e) : error_prefix(e, "%s", en->config);
        ret->old_root = TAKE_PTR(old_root);
        ret->config_changed = changed;
        ret->restarted = running && changed;
        ret->started = started == OUTCOME_CHANGED;
        return changed || started == OUTCOME_CHANGED ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

/* Back to the old root: the config as it was, the runtime started there. */
static int roll_back(const struct engine *en, const char *original, const char *copy, struct error *e) {
        struct error r = { 0 };
        engine_stop(en, &r);
        restore_config(en, original);
        if (copy)
                remove_tree(copy, &r);
        if (engine_start(en, &r) < 0)
                return error_prefix(e, "%s does not start on its old root (%s)", en->name, r.msg);
        return error_prefix(e, "migration undone, %s keeps its data where it was", en->name);
}

/* `podman save -m` into archive of every image: by its tag, or by its ID
 * for an image without one (inventory lines are "ID REPO:TAG"). */
static int save_args(const char *archive, char *const *images, char ***ret, struct error *e) {
        const char *head[] = { "save", "-m", "--format", "docker-archive", "-o", archive, NULL };
        _cleanup_strv_free_ char **v = NULL;
        int k = strv_extend(&v, head);
        for (size_t i = 0; k >= 0 && images && images[i]; i++) {
                const char *sp = strchr(images[i], ' ');
                const char *name = sp && !streq(sp + 1, "<none>:<none>") ? sp + 1 : NULL;
                k = name ? strv_push(&v, name)
                         : strv_push_take(&v, strndup(images[i], sp ? (size_t)(sp - images[i]) : strlen(images[i])));
        }
        if (k < 0)
                return error_set(e, -ENOMEM, "out of memory");
        *ret = TAKE_PTR(v);
        return 0;
}

/* podman's database records the graphroot, and a copy of it elsewhere goes
 * on using the recorded one: its images move by `podman save` and `podman
 * load` instead (same IDs and tags) into a fresh graphroot, and containers,
 * whose records cannot move, are refused. */
static int migrate_podman(const struct engine *en, const char *old_root, const char *original, bool keep_old,
                          struct migrate_report *ret, struct error *e) {
        _cleanup_strv_free_ char **images = NULL, **containers = NULL, **images_after = NULL, **containers_after = NULL,
                                 **save = NULL;
        int k = engine_inventory(en, &images, &containers, e);
        if (k < 0)
                return k;
        if (containers)
                return error_set(e, ERROR_REFUSED,
                                 "podman keeps %zu containers in %s; their records name that graphroot and cannot "
                                 "move: remove them (their images move) or keep podman where it is",
                                 strv_length(containers), old_root);
        _cleanup_free_ char *archive = strdup_printf("%s.migrating.tar", en->root);
        if (!archive)
                return error_set(e, -ENOMEM, "out of memory");
        if ((k = save_args(archive, images, &save, e)) < 0)
                return k;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (images) {
                if ((k = mkdir_parent(archive, e)) < 0 ||
                    (k = engine_run_checked(en, (const char *const *)save, 3600 * 1000, NULL, e)) < 0) {
                        unlink(archive);
                        return error_prefix(e, "saving podman's images from %s", old_root);
                }
        }
        const char *load[] = { "load", "-i", archive, NULL };
        if ((k = place_config(en, e)) < 0 || (k = start_on(en, en->root, NULL, e)) < 0 ||
            (images && (k = engine_run_checked(en, load, 3600 * 1000, NULL, e)) < 0) ||
            (k = engine_inventory(en, &images_after, &containers_after, e)) < 0 ||
            (!strv_equal(images, images_after) &&
             (k = error_set(e, -EIO, "on the pool podman shows %zu images, not %zu", strv_length(images_after),
                            strv_length(images))) < 0)) {
                unlink(archive);
                return roll_back(en, original, en->root, e);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        unlink(archive);
        ret->copy_ms = (t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L;
        ret->moved = true;
        if (!keep_old) {
                if ((k = remove_tree(old_root, e)) < 0)
                        return error_prefix(e, "podman uses the pool; removing the old graphroot");
                ret->old_removed = true;
        }
        ret->old_root = strdup(old_root);
        ret->images = TAKE_PTR(images);
        return OUTCOME_CHANGED;
}

int migrate_engine(const struct engine *en, bool keep_old, struct migrate_report *ret, struct error *e) {
        _cleanup_free_ char *old_root = NULL, *original = NULL;
        int k = look_before_placing(en, &old_root, &original, e);
        if (k < 0)
                return k;
        if (streq(old_root, en->root)) {
                ret->old_root = TAKE_PTR(old_root);
                return OUTCOME_UNCHANGED;
        }
        if (engine_root_holds_data(en, en->root))
                return error_set(e, ERROR_REFUSED, "%s already holds %s data; refusing to mix two roots", en->root,
                                 en->name);
        if (!en->docker)
                return migrate_podman(en, old_root, original, keep_old, ret, e);
        _cleanup_strv_free_ char **images = NULL, **containers = NULL, **images_after = NULL, **containers_after = NULL;
        if ((k = engine_start(en, e)) < 0)
                return error_prefix(e, "starting %s on its old root to list what it holds", en->name);
        if ((k = engine_inventory(en, &images, &containers, e)) < 0)
                return k;
        if ((k = engine_stop(en, e)) < 0)
                return error_prefix(e, "stopping %s before the copy", en->name);
        if ((k = migrate_copy(old_root, en->root, &ret->copy_ms, e)) < 0)
                return roll_back(en, original, NULL, e);
        if ((k = place_config(en, e)) < 0 || (k = start_on(en, en->root, NULL, e)) < 0 ||
            (k = engine_inventory(en, &images_after, &containers_after, e)) < 0)
                return roll_back(en, original, en->root, e);
        if (!strv_equal(images, images_after) || !strv_equal(containers, containers_after)) {
                error_set(e, -EIO, "on the pool %s shows %zu images and %zu containers, not %zu and %zu", en->name,
                          strv_length(images_after), strv_length(containers_after), strv_length(images),
                          strv_length(containers));
                return roll_back(en, original, en->root, e);
        }
        ret->moved = true;
        if (!keep_old) {
                if ((k = remove_tree(old_root, e)) < 0)
                        return error_prefix(e, "%s runs on the pool; removing the old root", en->name);
                ret->old_removed = true;
        }
        ret->old_root = TAKE_PTR(old_root);
        ret->images = TAKE_PTR(images);
        ret->containers = TAKE_PTR(containers);
        return OUTCOME_CHANGED;
}
