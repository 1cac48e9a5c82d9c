#include "seed.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

static char *yaml_quote(const char *s) {
        size_t n = strlen(s);
        char *q = malloc(2 * n + 3), *p = q;
        if (!q)
                return NULL;
        *p++ = '"';
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        *p++ = '\\';
                *p++ = *s;
        }
        *p++ = '"';
        *p = 0;
        return q;
}

char *seed_meta_data(const char *name) {
        _cleanup_free_ char *q = yaml_quote(name);
        return q ? strdup_printf("instance-id: %s\nlocal-hostname: %s\n", q, q) : NULL;
}

/* Copy src (from the spec) to dir/dst, or write fallback when src is NULL. */
static int put(const char *dir, const char *dst, const char *src, const char *fallback, struct error *e) {
        _cleanup_free_ char *data = NULL, *path = strdup_printf("%s/%s", dir, dst);
        size_t len = 0;
        int k;
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        if (src) {
                if ((k = read_file(src, 1 << 20, &data, &len, e)) < 0)
                        return error_prefix(e, "cloud-init %s", dst);
        } else {
                if (!fallback)
                        return 0;
                len = strlen(fallback);
        }
        return write_file_atomic(path, src ? data : fallback, len, 0644, e);
}

static void rm_tree(const char *dir) {
        static const char *const names[] = { "meta-data", "user-data", "network-config", NULL };
        for (size_t i = 0; names[i]; i++) {
                _cleanup_free_ char *p = strdup_printf("%s/%s", dir, names[i]);
                if (p)
                        unlink(p);
        }
        rmdir(dir);
}

int seed_iso_write(const struct vm_spec *v, const char *out_path, struct error *e) {
        char dir[] = "/tmp/hostd-seed-XXXXXX";
        if (!mkdtemp(dir))
                return error_set(e, -errno, "cannot make a temporary directory for the seed: %m");
        _cleanup_free_ char *meta = seed_meta_data(v->name);
        _cleanup_free_ char *tmp = strdup_printf("%s.tmp", out_path);
        int k = meta && tmp ? 0 : error_set(e, -ENOMEM, "out of memory");
        if (k >= 0)
                k = put(dir, "meta-data", v->meta_data, meta, e);
        if (k >= 0)
                k = put(dir, "user-data", v->user_data, "#cloud-config\n", e);
        if (k >= 0)
                k = put(dir, "network-config", v->network_config, NULL, e);
        if (k >= 0) {
                const char *argv[16] = { 0 };
                size_t n = 0;
                bool xorriso = false;
                _cleanup_free_ char *m = strdup_printf("%s/meta-data", dir), *u = strdup_printf("%s/user-data", dir),
                                    *nc = v->network_config ? strdup_printf("%s/network-config", dir) : NULL;
                struct error e2 = { 0 };
                _cleanup_(run_result_free) struct run_result probe = { 0 };
                static const char *const which[] = { "genisoimage", "-version", NULL };
                if (run_argv(which, NULL, &probe, &e2) == -ENOENT)
                        xorriso = true;
                if (xorriso) {
                        argv[n++] = "xorriso";
                        argv[n++] = "-as";
                        argv[n++] = "mkisofs";
                } else
                        argv[n++] = "genisoimage";
                const char *const rest[] = { "-quiet", "-output", tmp, "-volid", "cidata", "-joliet", "-rock", m, u };
                for (size_t i = 0; i < ELEMENTSOF(rest); i++)
                        argv[n++] = rest[i];
                if (nc)
                        argv[n++] = nc;
                _cleanup_(run_result_free) struct run_result r = { 0 };
                k = run_checked(argv, NULL, &r, e);
                if (k >= 0 && rename(tmp, out_path) < 0)
                        k = error_set(e, -errno, "cannot rename %s: %m", tmp);
                if (k < 0)
                        unlink(tmp);
        }
        rm_tree(dir);
        if (k < 0)
                return error_prefix(e, "seed ISO for VM '%s'", v->name);
        chmod(out_path, 0644);
        return 0;
}
