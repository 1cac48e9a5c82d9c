#include "verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "containerd.h"
#include "image.h"
#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

char *verify_script(const char *marker, const char *bind_dir, const char *file, int exit_code) {
        /* the host's cgroup tree is bind-mounted read-only at VERIFY_CGROUP_DIR:
         * read the container's own cgroup files there (v1, else v2). The root
         * line is the one mounted on "/" whatever its root field: "/" for
         * overlay, the directory inside the pool for a bind (native, runc). */
        return strdup_printf(
                "echo %s\n"
                "M=$(awk -F: '$2==\"memory\"{print $3}' /proc/self/cgroup)\n"
                "C=$(awk -F: '$2==\"cpu\"||$2==\"cpu,cpuacct\"{print $3}' /proc/self/cgroup)\n"
                "U=$(awk -F: '$1==\"0\"{print $3}' /proc/self/cgroup)\n"
                "G=" VERIFY_CGROUP_DIR "\n"
                "if [ -n \"$M\" ]; then\n"
                "  echo cg=memory$M; echo mem=$(cat $G/memory$M/memory.limit_in_bytes); echo cpu=$(cat $G/cpu$C/cpu.cfs_quota_us)\n"
                "else\n"
                "  echo cg=$U; echo mem=$(cat $G$U/memory.max); echo cpu=$(cut -d' ' -f1 $G$U/cpu.max)\n"
                "fi\n"
                "echo root=$(awk '$5==\"/\"{l=$0} END{print l}' /proc/self/mountinfo)\n"
                "echo %s > %s/%s\n"
                "exit %d\n",
                marker, marker, bind_dir, file, exit_code);
}

static void copy_value(char *dst, size_t len, const char *src) {
        snprintf(dst, len, "%s", src);
}

int verify_check_bind_source(const char *dir, struct error *e) {
        if (strchr(dir, ','))
                return error_set(e, ERROR_REFUSED,
                                 "the pool's directory %s contains ',', which would split the --mount option of "
                                 "the verify run; use a pool path without one", dir);
        return 0;
}

int verify_run_init(struct verify_run *v, const char *prefix, const struct verify_opts *o, struct error *e) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(v->marker, sizeof v->marker, "%s-%d-%ld", prefix, (int)getpid(), (long)ts.tv_nsec);
        snprintf(v->file, sizeof v->file, "%s.txt", v->marker);
        snprintf(v->name, sizeof v->name, "%s-%d", prefix, (int)getpid());
        snprintf(v->mem, sizeof v->mem, "%llu", (unsigned long long)o->memory);
        snprintf(v->cpus, sizeof v->cpus, "%g", o->cpus);
        v->script = verify_script(v->marker, "/hostd", v->file, o->exit_code);
        return v->script ? 0 : error_set(e, -ENOMEM, "out of memory");
}

void verify_run_done(struct verify_run *v) {
        free(v->script);
        v->script = NULL;
}

void verify_parse(const char *output, const char *marker, struct verify_seen *ret) {
        *ret = (struct verify_seen){ 0 };
        const char *p = output;
        while (p && *p) {
                const char *end = strchrnul(p, '\n');
                _cleanup_free_ char *l = strndup(p, (size_t)(end - p));
                const char *v;
                if (!l)
                        return;
                if (streq(l, marker))
                        ret->marker = true;
                else if ((v = startswith(l, "mem=")))
                        copy_value(ret->mem, sizeof ret->mem, v);
                else if ((v = startswith(l, "cpu=")))
                        copy_value(ret->cpu, sizeof ret->cpu, v);
                else if ((v = startswith(l, "cg=")))
                        copy_value(ret->cgroup, sizeof ret->cgroup, v);
                else if ((v = startswith(l, "root=")))
                        copy_value(ret->root_line, sizeof ret->root_line, v);
                p = *end ? end + 1 : end;
        }
}

/* The value of opt=... in a comma-separated option list (owned). */
static char *mount_opt(const char *opts, const char *name) {
        size_t n = strlen(name);
        for (const char *s = opts; s && *s;) {
                const char *end = strchrnul(s, ',');
                if ((size_t)(end - s) > n && strncmp(s, name, n) == 0 && s[n] == '=')
                        return strndup(s + n + 1, (size_t)(end - s - (ptrdiff_t)n - 1));
                s = *end ? end + 1 : end;
        }
        return NULL;
}

bool rootfs_on_pool(const char *line, const char *pool, const char *root, dev_t pool_dev, char *detail, size_t len) {
        unsigned maj, min;
        char mroot[1024], fstype[64], source[256], super[2048];
        const char *dash = strstr(line, " - ");
        if (!dash || sscanf(line, "%*s %*s %u:%u %1023s", &maj, &min, mroot) != 3 ||
            sscanf(dash + 3, "%63s %255s %2047s", fstype, source, super) != 3) {
                snprintf(detail, len, "cannot read the rootfs mount: '%s'", line);
                return false;
        }
        _cleanup_free_ char *prefix = strdup_printf("%s/", root);
        if (streq(fstype, "overlay")) {
                _cleanup_free_ char *upper = mount_opt(super, "upperdir"), *lower = mount_opt(super, "lowerdir");
                bool ok = prefix && upper && lower && startswith(upper, prefix) && startswith(lower, prefix);
                snprintf(detail, len, "overlay, upperdir %s", upper ? upper : "(none)");
                return ok;
        }
        /* a bind mount: the root field is the path inside the pool's filesystem */
        const char *rel = startswith(root, pool);
        _cleanup_free_ char *want = rel ? strdup_printf("%s/", *rel ? rel : "") : NULL;
        bool ok = want && makedev(maj, min) == pool_dev && (startswith(mroot, want) || streq(want, "/"));
        snprintf(detail, len, "%s on %u:%u (pool %u:%u) at %s", fstype, maj, min, major(pool_dev), minor(pool_dev),
                 mroot);
        return ok;
}

void checks_add(struct checks *c, const char *name, bool ok, const char *fmt, ...) {
        if (c->n >= ELEMENTSOF(c->item))
                return;
        struct check *k = &c->item[c->n++];
        snprintf(k->name, sizeof k->name, "%s", name);
        k->ok = ok;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(k->detail, sizeof k->detail, fmt, ap);
        va_end(ap);
}

bool checks_ok(const struct checks *c) {
        for (size_t i = 0; i < c->n; i++)
                if (!c->item[i].ok)
                        return false;
        return c->n > 0;
}

void verify_judge(const char *pool, const char *root, const char *verify_dir, const char *file, const char *marker,
                  const struct verify_opts *o, const char *output, int exit_code, struct checks *c) {
        struct verify_seen s;
        verify_parse(output, marker, &s);
        checks_add(c, "output", s.marker, s.marker ? "printed %s" : "marker %s missing in: %s", marker,
                   s.marker ? "" : run_tail(output, 300));
        checks_add(c, "exit code", exit_code == o->exit_code, "%d (wanted %d)", exit_code, o->exit_code);
        char want[32];
        snprintf(want, sizeof want, "%llu", (unsigned long long)o->memory);
        checks_add(c, "memory limit", streq(s.mem, want), "%s bytes in /sys/fs/cgroup/%s (wanted %s)",
                   s.mem[0] ? s.mem : "(nothing)", s.cgroup, want);
        snprintf(want, sizeof want, "%ld", (long)(o->cpus * 100000 + 0.5));
        checks_add(c, "cpu limit", streq(s.cpu, want), "CFS quota %s us per 100000 us (wanted %s)",
                   s.cpu[0] ? s.cpu : "(nothing)", want);
        struct stat pst, fst;
        char detail[400];
        bool on_pool = stat(pool, &pst) == 0 &&
                       rootfs_on_pool(s.root_line, pool, root, pst.st_dev, detail, sizeof detail);
        checks_add(c, "rootfs on pool", on_pool, "%s", s.root_line[0] ? detail : "no rootfs line printed");
        _cleanup_free_ char *path = strdup_printf("%s/%s", verify_dir, file), *got = NULL;
        bool landed = path && read_one_line(path, &got, NULL) == 0 && streq(got, marker) && stat(path, &fst) == 0 &&
                      fst.st_dev == pst.st_dev;
        checks_add(c, "bind mount write", landed, "%s %s", path ? path : "",
                   landed ? "holds the marker, on the pool's filesystem" : "missing or not on the pool");
        if (path)
                unlink(path);
}

/* Is the image's manifest in containerd's content store? A stat, not a ctr
 * call: verify stays close to the cost of one `ctr run`. The run itself then
 * proves the reference resolves; when it does not, verify imports and runs
 * again. */
static bool image_in_store(const struct place *p, const char *digest) {
        const char *hex = startswith(digest, "sha256:");
        _cleanup_free_ char *blob = hex ? strdup_printf("%s/io.containerd.content.v1.content/blobs/sha256/%s", p->root, hex)
                                        : NULL;
        struct stat st;
        return blob && stat(blob, &st) == 0 && S_ISREG(st.st_mode);
}

int verify_containerd(const struct place *p, const struct verify_opts *o, struct checks *c, struct error *e) {
        if (!containerd_answers(p->address))
                return error_set(e, -ECONNREFUSED, "containerd does not answer on %s; run 'hostctl containers start'",
                                 p->address);
        _cleanup_(image_done) struct image img = { 0 };
        int k = verify_check_bind_source(p->verify_dir, e);
        if (k < 0 || (k = image_ensure(p->image_dir, &img, e)) < 0)
                return k;
        bool imported = false;
        if (!image_in_store(p, img.manifest)) {
                if ((k = ctr_import(p, img.tar, p->snapshotter, e)) < 0)
                        return k;
                imported = true;
        }
        if ((k = mkdir_p(p->verify_dir, 0755, e)) < 0)
                return k;
        _cleanup_(verify_run_done) struct verify_run v = { 0 };
        if ((k = verify_run_init(&v, "hostd-verify", o, e)) < 0)
                return k;
        _cleanup_free_ char *bind = strdup_printf("type=bind,src=%s,dst=/hostd,options=rbind:rw", p->verify_dir);
        const char *cgroups = "type=bind,src=/sys/fs/cgroup,dst=" VERIFY_CGROUP_DIR ",options=rbind:ro";
        if (!bind)
                return error_set(e, -ENOMEM, "out of memory");
        const char *argv[] = { "ctr", "-a", p->address, "-n", PLACE_NAMESPACE, "run", "--rm",
                               "--snapshotter", p->snapshotter, "--runc-root", p->runc_root, "--fifo-dir", p->fifo_dir,
                               "--memory-limit", v.mem, "--cpus", v.cpus, "--mount", bind, "--mount", cgroups,
                               IMAGE_REF, v.name, "/bin/sh", "-c", v.script, NULL };
        _cleanup_(run_result_free) struct run_result r = { 0 };
        if ((k = run_argv(argv, &(struct run_opts){ .timeout_ms = 60000 }, &r, e)) < 0)
                return k;
        if (!imported && r.exit_code != o->exit_code && strstr(r.err, "not found")) {
                /* the reference is gone although the blobs are still there */
                run_result_free(&r);
                if ((k = ctr_import(p, img.tar, p->snapshotter, e)) < 0 ||
                    (k = run_argv(argv, &(struct run_opts){ .timeout_ms = 60000 }, &r, e)) < 0)
                        return k;
                imported = true;
        }
        if (r.exit_code != o->exit_code && !strstr(r.out, v.marker))
                return error_set(e, -EIO, "ctr run failed (exit %d): %s", r.exit_code, run_tail(r.err, 400));
        checks_add(c, "image", image_in_store(p, img.manifest), "%s %s %s", IMAGE_REF, img.manifest,
                   imported ? "imported" : "already in the content store");
        verify_judge(p->pool, p->root, p->verify_dir, v.file, v.marker, o, r.out, r.exit_code, c);
        return 0;
}
