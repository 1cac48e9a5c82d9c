/* The image: fetched and checked before any disk is written, then unpacked. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "deploy_steps.h"
#include "lib/download.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/strutil.h"
#include "target.h"

#define UNPACK_TIMEOUT_MS (60 * 60 * 1000)
#define STAMP_IMAGE "var/lib/hostd/image.sha256"
#define UNPACKING ".hostd-unpacking"

static void on_progress(void *userdata, const struct download_progress *p) {
        struct os_target *t = userdata;
        if (t->progress)
                t->progress(t->userdata, p->done, p->total);
}

/* "<sha256> <size> <mtime ns> <inode>": an image already checked and not
 * touched since is not hashed again (hundreds of MB on every run) */
static char *identity_of(const char *path, const char *sha256) {
        struct stat st;
        if (stat(path, &st) < 0)
                return NULL;
        return strdup_printf("%s %lld %lld %llu\n", sha256, (long long)st.st_size,
                             (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec, (unsigned long long)st.st_ino);
}

static char *stamp_path(const struct os_spec *s, const char *image) {
        const char *base = strrchr(image, '/');
        return strdup_printf("%s/.%s.checked", s->cache_dir, base ? base + 1 : image);
}

static bool checked_before(const struct os_spec *s, const char *image) {
        _cleanup_free_ char *want = identity_of(image, s->sha256), *path = stamp_path(s, image), *have = NULL;
        struct error ignore = { 0 };
        return want && path && read_file(path, 4096, &have, NULL, &ignore) >= 0 && streq(have, want);
}

static void remember_checked(const struct os_spec *s, const char *image) {
        _cleanup_free_ char *id = identity_of(image, s->sha256), *path = stamp_path(s, image);
        struct error ignore = { 0 };
        if (id && path && mkdir_p(s->cache_dir, 0700, &ignore) >= 0)
                file_ensure_content(path, id, 0600, &ignore);
}

int step_fetch(struct os_target *t, bool dry, char *msg, size_t n, struct error *e) {
        const struct os_spec *s = t->spec;
        const char *name = strrchr(s->image, '/') + 1;
        _cleanup_free_ char *dest = strdup_printf("%s/%.*s", s->cache_dir, (int)strcspn(name, "?#"), name);
        if (!dest)
                return error_set(e, -ENOMEM, "out of memory");
        bool local = startswith(s->image, "file://");
        const char *have_path = local ? s->image + strlen("file://") : dest;
        if (checked_before(s, have_path)) {
                free(t->image_path);
                if (!(t->image_path = strdup(have_path)))
                        return error_set(e, -ENOMEM, "out of memory");
                snprintf(msg, n, "%s: checked before (sha256 %.12s...), unchanged since", have_path, s->sha256);
                return OUTCOME_UNCHANGED;
        }
        if (dry) {
                char have[65];
                struct error ignore = { 0 };
                const char *path = local ? s->image + strlen("file://") : dest;
                bool ok = sha256_file(path, have, &ignore) >= 0 && streq(have, s->sha256);
                snprintf(msg, n, ok ? "%s matches its sha256" : "%s to fetch and check", path);
                return ok ? OUTCOME_UNCHANGED : OUTCOME_CHANGED;
        }
        if (!local && mkdir_p(s->cache_dir, 0700, e) < 0)
                return e->code;
        struct download_opts o = { .url = s->image, .dest = dest, .sha256 = s->sha256, .ca_file = s->ca_file,
                                   .progress = on_progress, .userdata = t };
        bool fetched = false;
        free(t->image_path);
        t->image_path = NULL;
        if (download_verified(&o, &t->image_path, &fetched, e) < 0)
                return error_prefix(e, "os.image");
        remember_checked(s, t->image_path);
        snprintf(msg, n, "%s: sha256 %.12s... matches", t->image_path, s->sha256);
        return fetched ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

/* Anything in the new root besides lost+found and our own marks? */
static int root_holds_foreign_files(const char *mnt, bool *ret) {
        DIR *d = opendir(mnt);
        if (!d)
                return -errno;
        *ret = false;
        for (struct dirent *de; (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..") && !streq(de->d_name, "lost+found"))
                        *ret = true;
        closedir(d);
        return 0;
}

/* Everything in the new root but lost+found and the unpack mark; refused
 * while anything is mounted below it (rm would go into it). */
static int clear_root(const char *mnt, struct error *e) {
        _cleanup_strv_free_ char **mounts = NULL;
        if (target_mounts_below(mnt, false, &mounts, e) < 0)
                return e->code;
        if (mounts)
                return error_set(e, -EBUSY, "%s is mounted below %s; unmount it before the unpack starts again", mounts[0],
                                 mnt);
        DIR *d = opendir(mnt);
        if (!d)
                return error_set(e, -errno, "%s: cannot list: %m", mnt);
        _cleanup_strv_free_ char **argv = NULL;
        int k = strv_push(&argv, "rm") ?: strv_push(&argv, "-rf");
        size_t n = 0;
        for (struct dirent *de; k >= 0 && (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..") && !streq(de->d_name, "lost+found") &&
                    !streq(de->d_name, UNPACKING)) {
                        k = strv_push_printf(&argv, "%s/%s", mnt, de->d_name);
                        n++;
                }
        closedir(d);
        if (k < 0)
                return error_set(e, -ENOMEM, "out of memory");
        if (n == 0)
                return 0;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        return run_checked((const char *const *)argv, &(struct run_opts){ .timeout_ms = UNPACK_TIMEOUT_MS }, &r, e);
}

static bool gnu_tar(void) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        struct error ignore = { 0 };
        return run_argv((const char *[]){ "tar", "--version", NULL }, NULL, &r, &ignore) >= 0 && r.out &&
               strstr(r.out, "GNU tar");
}

int step_unpack(struct os_target *t, bool dry, char *msg, size_t n, struct error *e) {
        _cleanup_free_ char *stamp = target_path(t->mnt, STAMP_IMAGE), *marker = target_path(t->mnt, UNPACKING),
                            *have = NULL;
        struct error ignore = { 0 };
        if (read_one_line(stamp, &have, &ignore) >= 0 && streq(have, t->spec->sha256)) {
                snprintf(msg, n, "%s holds image %.12s...", t->mnt, have);
                return OUTCOME_UNCHANGED;
        }
        bool foreign = false, resumed = access(marker, F_OK) == 0;
        if (!resumed && root_holds_foreign_files(t->mnt, &foreign) < 0 && !dry)
                return error_set(e, -errno, "%s: cannot list: %m", t->mnt);
        if (foreign)
                return error_set(e, ERROR_REFUSED,
                                 "%s (%s) holds files that hostd did not unpack; refusing to write over them", t->mnt,
                                 t->root_dev);
        snprintf(msg, n, "%s image into %s", resumed ? "unpack again (an earlier run stopped midway)" : "unpack the",
                 t->mnt);
        if (dry)
                return OUTCOME_CHANGED;
        /* tar (busybox's at least) will not write over what it left: a stopped
         * unpack is cleared first. Only our own files are there (the mark says so). */
        if (resumed && clear_root(t->mnt, e) < 0)
                return e->code;
        if (file_ensure_content(marker, t->spec->sha256, 0600, e) < 0)
                return e->code;
        enum os_image_format f = os_image_format(t->spec->image);
        bool gnu = gnu_tar();
        if (f == OS_IMAGE_TAR_ZST && !gnu)
                return error_set(e, -ENOTSUP, "this system's tar cannot unpack .tar.zst (GNU tar can); use .tar, .tar.gz "
                                              "or .tar.xz");
        const char *argv[12] = { "tar", "-x", "-f", t->image_path, "-C", t->mnt };
        size_t a = 6;
        if (f == OS_IMAGE_TAR_GZ)
                argv[a++] = "-z";
        else if (f == OS_IMAGE_TAR_XZ)
                argv[a++] = "-J";
        else if (f == OS_IMAGE_TAR_ZST)
                argv[a++] = "--zstd";
        /* owners by number: this system's user names mean nothing in the target */
        if (gnu)
                argv[a++] = "--numeric-owner";
        _cleanup_(run_result_free) struct run_result r = { 0 };
        if (run_checked(argv, &(struct run_opts){ .timeout_ms = UNPACK_TIMEOUT_MS }, &r, e) < 0)
                return error_prefix(e, "unpack %s", t->image_path);
        if (file_ensure_content(stamp, t->spec->sha256, 0644, e) < 0)
                return e->code;
        unlink(marker);
        sync();
        snprintf(msg, n, "unpacked %s into %s in %.1f s%s", t->image_path, t->mnt, (double)r.duration_ms / 1000.0,
                 resumed ? " (again: an earlier run stopped midway, its files were cleared first)" : "");
        return OUTCOME_CHANGED;
}
