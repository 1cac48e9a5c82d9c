#include "target.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/strutil.h"

char *target_path(const char *root, const char *rel) {
        while (*rel == '/')
                rel++;
        return strdup_printf("%s/%s", root, rel);
}

/* Is dir the root of a mount of the block device dev? */
static bool mounted_from(const char *dir, const char *dev) {
        struct stat d, b;
        if (stat(dir, &d) < 0 || stat(dev, &b) < 0 || !S_ISBLK(b.st_mode))
                return false;
        return d.st_dev == b.st_rdev;
}

int target_mount(const char *dev, const char *dir, const char *fstype, struct error *e) {
        if (path_is_mounted(dir)) {
                if (mounted_from(dir, dev))
                        return OUTCOME_UNCHANGED;
                return error_set(e, -EBUSY, "%s: something other than %s is mounted there; unmount it first", dir, dev);
        }
        if (mkdir_p(dir, 0755, e) < 0)
                return e->code;
        const char *argv[] = { "mount", "-t", fstype ? fstype : "auto", dev, dir, NULL };
        _cleanup_(run_result_free) struct run_result r = { 0 };
        int k = run_checked(fstype ? argv : (const char *[]){ "mount", dev, dir, NULL }, NULL, &r, e);
        return k < 0 ? k : OUTCOME_CHANGED;
}

int target_bind_system(const char *root, struct error *e) {
        static const char *const binds[] = { "/dev", "/dev/pts", "/proc", "/sys", "/run" };
        for (size_t i = 0; i < ELEMENTSOF(binds); i++) {
                _cleanup_free_ char *dir = target_path(root, binds[i]);
                if (!dir)
                        return error_set(e, -ENOMEM, "out of memory");
                if (path_is_mounted(dir))
                        continue;
                if (mkdir_p(dir, 0755, e) < 0)
                        return e->code;
                _cleanup_(run_result_free) struct run_result r = { 0 };
                if (run_checked((const char *[]){ "mount", "--bind", binds[i], dir, NULL }, NULL, &r, e) < 0)
                        return e->code;
        }
        return 0;
}

int target_mounts_below(const char *root, bool with_root, char ***ret, struct error *e) {
        _cleanup_free_ char *text = NULL;
        if (read_file("/proc/self/mountinfo", 16 * 1024 * 1024, &text, NULL, e) < 0)
                return e->code;
        _cleanup_strv_free_ char **below = NULL;
        size_t rl = strlen(root);
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char mp[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strncmp(mp, root, rl) == 0 &&
                    ((with_root && mp[rl] == '\0') || mp[rl] == '/') && strv_push(&below, mp) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        *ret = TAKE_PTR(below);
        return 0;
}

int target_umount_all(const char *root, struct error *e) {
        _cleanup_strv_free_ char **below = NULL;
        if (target_mounts_below(root, true, &below, e) < 0)
                return e->code;
        /* mountinfo lists parents before children: unmount from the end */
        size_t n = strv_length(below);
        for (size_t i = n; i > 0; i--) {
                _cleanup_(run_result_free) struct run_result r = { 0 };
                if (run_checked((const char *[]){ "umount", below[i - 1], NULL }, NULL, &r, e) < 0)
                        return e->code;
        }
        return n > 0;
}

int target_run(const char *root, const char *const *argv, int timeout_ms, struct run_result *r, struct error *e) {
        size_t n = 0;
        while (argv[n])
                n++;
        _cleanup_free_ const char **full = calloc(n + 3, sizeof *full);
        if (!full)
                return error_set(e, -ENOMEM, "out of memory");
        full[0] = "chroot";
        full[1] = root;
        memcpy(full + 2, argv, n * sizeof *argv);
        static const char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                           "DEBIAN_FRONTEND=noninteractive", "HOME=/root", NULL };
        return run_checked(full, &(struct run_opts){ .timeout_ms = timeout_ms, .env = env }, r, e);
}
