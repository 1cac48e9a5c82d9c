/* verify_runc: the checks of verify.c for a bundle run by runc directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/fileio.h"
#include "lib/strutil.h"
#include "runc.h"
#include "verify.h"

/* Is anything mounted at or below dir? The first such mount point in *ret. */
static bool mounted_below(const char *dir, char *ret, size_t len) {
        _cleanup_free_ char *text = NULL;
        if (read_file("/proc/self/mounts", 4 << 20, &text, NULL, NULL) < 0)
                return false;
        size_t n = strlen(dir);
        char *save = NULL;
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char point[4096];
                if (sscanf(l, "%*s %4095s", point) == 1 && strncmp(point, dir, n) == 0 &&
                    (point[n] == '/' || point[n] == '\0')) {
                        snprintf(ret, len, "%s", point);
                        return true;
                }
        }
        return false;
}

/* After the run: no runc state for id, no mount under the bundle, no cgroup. */
static void check_left(const char *run_dir, const char *id, const struct bundle *b, const char *output,
                       const char *marker, struct checks *c) {
        _cleanup_free_ char *root = bundle_runc_root(run_dir);
        _cleanup_free_ char *state = root ? strdup_printf("%s/%s", root, id) : NULL;
        struct verify_seen s;
        verify_parse(output, marker, &s);
        _cleanup_free_ char *cg = s.cgroup[0] ? strdup_printf("/sys/fs/cgroup/%s", s.cgroup) : NULL;
        char point[4096] = "";
        bool has_state = !state || access(state, F_OK) == 0, has_mount = mounted_below(b->dir, point, sizeof point),
             has_cg = cg && access(cg, F_OK) == 0;
        if (has_state || has_mount || has_cg)
                checks_add(c, "nothing left", false, "%s%s%s%s", has_state ? "runc state " : "",
                           has_state ? (state ? state : "?") : "", has_mount ? " mount " : "",
                           has_mount ? point : has_cg ? cg : "");
        else
                checks_add(c, "nothing left", true, "no runc state in %s, no mount under %s, cgroup %s removed", root,
                           b->dir, cg ? cg : "(none seen)");
}

int verify_runc(const struct place *p, const char *run_dir, const struct verify_opts *o, struct checks *c,
                struct error *e) {
        _cleanup_free_ char *version = NULL;
        int k = bundle_runc_check(&version, e);
        if (k < 0 || (k = mkdir_p(p->verify_dir, 0755, e)) < 0)
                return k;
        _cleanup_(verify_run_done) struct verify_run v = { 0 };
        if ((k = verify_run_init(&v, "hostd-runc", o, e)) < 0)
                return k;
        const char *id = v.name;
        char cgroups[96];
        snprintf(cgroups, sizeof cgroups, "/hostd/%s", id);
        const char *args[] = { "/bin/sh", "-c", v.script, NULL };
        const struct bundle_mount binds[] = { { p->verify_dir, "/hostd", false },
                                              { "/sys/fs/cgroup", VERIFY_CGROUP_DIR, true } };
        const struct bundle_spec spec = { .hostname = id, .args = args, .memory = o->memory, .cpus = o->cpus,
                                          .cgroups_path = cgroups, .binds = binds, .n_binds = ELEMENTSOF(binds) };
        _cleanup_(bundle_done) struct bundle b = { 0 };
        if ((k = bundle_make(p->pool, VERIFY_BUNDLE, p->image_dir, &spec, &b, e)) < 0)
                return k;
        checks_add(c, "bundle", true, "%s (runc %s)", b.dir, version);
        _cleanup_(run_result_free) struct run_result r = { 0 };
        if ((k = bundle_run(&b, run_dir, id, 60000, &r, e)) < 0)
                return k;
        if (r.exit_code != o->exit_code && !strstr(r.out, v.marker))
                return error_set(e, -EIO, "runc run failed (exit %d): %s", r.exit_code, run_tail(r.err, 400));
        _cleanup_free_ char *bundles = strdup_printf("%s/containers/bundles", p->pool);
        if (!bundles)
                return error_set(e, -ENOMEM, "out of memory");
        verify_judge(p->pool, bundles, p->verify_dir, v.file, v.marker, o, r.out, r.exit_code, c);
        check_left(run_dir, id, &b, r.out, v.marker, c);
        return 0;
}
