#include "setup.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "containerd.h"
#include "image.h"
#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/strutil.h"
#include "toml.h"

void setup_report_done(struct setup_report *r) {
        free(r->old_root);
        free(r->snapshotter);
        free(r->overlay_error);
        *r = (struct setup_report){ 0 };
}

bool dir_has_entries(const char *path) {
        DIR *d = opendir(path);
        if (!d)
                return false;
        bool found = false;
        for (struct dirent *de; !found && (de = readdir(d));)
                found = !streq(de->d_name, ".") && !streq(de->d_name, "..");
        closedir(d);
        return found;
}

bool root_holds_data(const char *root) {
        _cleanup_free_ char *blobs = strdup_printf("%s/io.containerd.content.v1.content/blobs/sha256", root),
                            *native = strdup_printf("%s/io.containerd.snapshotter.v1.native/snapshots", root),
                            *overlay = strdup_printf("%s/io.containerd.snapshotter.v1.overlayfs/snapshots", root);
        return (blobs && dir_has_entries(blobs)) || (native && dir_has_entries(native)) ||
               (overlay && dir_has_entries(overlay));
}

static bool file_equals(const char *path, const char *text) {
        _cleanup_free_ char *cur = NULL;
        return read_file(path, 16 << 20, &cur, NULL, NULL) == 0 && streq(cur, text);
}

int setup_write_config(const struct place *p, char **ret_original, struct error *e) {
        _cleanup_free_ char *orig = NULL, *text = NULL, *dropin = NULL;
        struct stat st;
        mode_t mode = 0644;
        int k;
        if (stat(p->config, &st) == 0) {
                mode = st.st_mode & 07777;
                if ((k = read_file(p->config, 16 << 20, &orig, NULL, e)) < 0)
                        return k;
        } else if (errno != ENOENT)
                return error_set(e, -errno, "%s: %s", p->config, strerror(errno));
        long version = 0;
        if (orig && toml_get_int(orig, NULL, "version", &version) < 0)
                version = 0;
        if ((k = toml_add_import(orig ? orig : "", p->dropin, &text, e)) < 0)
                return error_prefix(e, "%s", p->config);
        if (!(dropin = place_dropin_text(p, version)))
                return error_set(e, -ENOMEM, "out of memory");
        bool changed = !orig || !streq(orig, text) || !file_equals(p->dropin, dropin);
        if (changed) {
                _cleanup_free_ char *dir = strndup(p->config, strrchr(p->config, '/') - p->config);
                _cleanup_free_ char *backup = strdup_printf("%s.hostd-orig", p->config);
                if (!dir || !backup)
                        return error_set(e, -ENOMEM, "out of memory");
                if ((k = mkdir_p(dir, 0755, e)) < 0)
                        return k;
                if (orig && access(backup, F_OK) < 0 && (k = write_file_atomic(backup, orig, strlen(orig), mode, e)) < 0)
                        return k;
                if ((k = write_file_atomic(p->dropin, dropin, strlen(dropin), 0644, e)) < 0 ||
                    (k = write_file_atomic(p->config, text, strlen(text), mode, e)) < 0)
                        return k;
        }
        if (ret_original)
                *ret_original = TAKE_PTR(orig);
        return changed ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

int setup_restore_config(const struct place *p, const char *original, struct error *e) {
        if (!original) {
                unlink(p->config);
                return 0;
        }
        struct stat st;
        mode_t mode = stat(p->config, &st) == 0 ? st.st_mode & 07777 : 0644;
        return write_file_atomic(p->config, original, strlen(original), mode, e);
}

/* One container that only runs /bin/true: the snapshotter's real test. */
static int probe(const struct place *p, const char *snapshotter, struct error *e) {
        char id[64];
        snprintf(id, sizeof id, "hostd-probe-%d", (int)getpid());
        const char *args[] = { "run", "--rm", "--snapshotter", snapshotter, "--runc-root", p->runc_root,
                               "--fifo-dir", p->fifo_dir, IMAGE_REF, id, "/bin/true", NULL };
        return ctr_run_checked(p, PLACE_NAMESPACE, args, 60000, NULL, e);
}

int choose_snapshotter(const struct place *p, char **ret, char **ret_overlay_error, struct error *e) {
        _cleanup_(image_done) struct image img = { 0 };
        int k = image_ensure(p->image_dir, &img, e);
        if (k < 0)
                return k;
        struct error oe = { 0 };
        if (ctr_import(p, img.tar, "overlayfs", &oe) >= 0 && probe(p, "overlayfs", &oe) >= 0) {
                *ret = strdup("overlayfs");
                return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
        }
        if ((k = ctr_import(p, img.tar, "native", e)) < 0 || (k = probe(p, "native", e)) < 0)
                return error_prefix(e, "neither overlayfs (%s) nor native works on %s", oe.msg, p->root);
        *ret_overlay_error = strdup(oe.msg);
        *ret = strdup("native");
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

int setup_containerd(struct place *p, struct setup_report *ret, struct error *e) {
        _cleanup_free_ char *version = NULL, *old_root = NULL, *original = NULL;
        int k = place_check_pool(p->pool, e);
        if (k < 0 || (k = containerd_version(&version, e)) < 0)
                return k;
        if ((k = containerd_effective(p->config, &old_root, NULL, NULL, e)) < 0)
                return error_prefix(e, "reading containerd's config");
        if (!streq(old_root, p->root) && root_holds_data(old_root))
                return error_set(e, ERROR_REFUSED,
                                 "containerd keeps images in %s; run 'hostctl containers migrate' to move them to %s",
                                 old_root, p->pool);
        bool running = containerd_answers(p->address) || containerd_pid(p) > 0;
        /* write, then check what containerd itself reads back */
        if ((k = setup_write_config(p, &original, e)) < 0)
                return k;
        bool changed = k == OUTCOME_CHANGED;
        _cleanup_free_ char *root = NULL, *state = NULL, *address = NULL;
        k = containerd_effective(p->config, &root, &state, &address, e);
        if (k >= 0 && (!streq(root, p->root) || !streq(state, p->state) || !streq(address, p->address)))
                k = error_set(e, -EINVAL, "containerd reads root %s, state %s, socket %s from %s after the change", root,
                              state, address, p->config);
        if (k < 0) {
                if (changed)
                        setup_restore_config(p, original, NULL);
                return k;
        }
        if (running && changed && (k = containerd_stop(p, e)) < 0)
                return k;
        int started = containerd_start(p, e);
        if (started < 0)
                return started;
        ret->restarted = running && changed;
        ret->config_changed = changed;
        ret->old_root = TAKE_PTR(old_root);
        if ((k = choose_snapshotter(p, &ret->snapshotter, &ret->overlay_error, e)) < 0)
                return k;
        free(p->snapshotter);
        p->snapshotter = strdup(ret->snapshotter);
        if ((k = place_save_record(p, e)) < 0)
                return k;
        return changed || started == OUTCOME_CHANGED ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}
