/* verify for Docker Engine and podman: the project's image loaded from the
 * pool's image directory when the store lacks it, one `run --rm` with the
 * limits and the bind mount, the checks of verify.c, and that no container
 * is left. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine.h"
#include "image.h"
#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "verify.h"

/* The image's ID in the store, or NULL when it is not there (owned). */
static char *image_id(const struct engine *en) {
        const char *args[] = { "image", "inspect", "--format", "{{.Id}}", IMAGE_REF, NULL };
        char *out = NULL;
        struct error ignore = { 0 };
        if (engine_run_checked(en, args, 30000, &out, &ignore) < 0)
                return NULL;
        str_trim(out);
        if (!startswith(out, "sha256:")) {     /* podman prints the bare hex */
                char *full = strdup_printf("sha256:%s", out);
                free(out);
                out = full;
        }
        return out;
}

static int load_image(const struct engine *en, const struct image *img, struct error *e) {
        const char *args[] = { "load", "-i", en->docker ? img->docker_tar : img->tar, NULL };
        return engine_run_checked(en, args, 120000, NULL, e);
}

/* The config digest in the OCI manifest: what both runtimes show as the ID. */
static int image_config_digest(const struct engine *en, const struct image *img, char **ret, struct error *e) {
        const char *hex = startswith(img->manifest, "sha256:");
        _cleanup_free_ char *path = hex ? strdup_printf("%s/layout/blobs/sha256/%s", en->image_dir, hex) : NULL;
        _cleanup_json_ json_object *m = NULL;
        json_object *c = NULL;
        if (!path)
                return error_set(e, -EINVAL, "image: no manifest digest");
        int k = json_read_file(path, &m, e);
        if (k < 0)
                return k;
        const char *d = json_object_object_get_ex(m, "config", &c) ? json_get_string(c, "digest") : NULL;
        if (!d)
                return error_set(e, -EBADMSG, "image manifest %s names no config", img->manifest);
        *ret = strdup(d);
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

int verify_engine(const struct engine *en, const struct verify_opts *o, struct checks *c, struct error *e) {
        if (!engine_answers(en))
                return en->docker ? error_set(e, -ECONNREFUSED,
                                              "dockerd does not answer on %s; run 'hostctl containers start --runtime docker'",
                                              en->socket)
                                  : error_set(e, -ENOENT, "podman: not installed (no podman in PATH)");
        _cleanup_(image_done) struct image img = { 0 };
        _cleanup_free_ char *want_id = NULL, *id = NULL;
        int k = verify_check_bind_source(en->verify_dir, e);
        if (k < 0 || (k = image_ensure(en->image_dir, &img, e)) < 0 ||
            (k = image_config_digest(en, &img, &want_id, e)) < 0)
                return k;
        bool loaded = false;
        if (!(id = image_id(en)) || !streq(id, want_id)) {
                if ((k = load_image(en, &img, e)) < 0)
                        return k;
                free(id);
                id = image_id(en);
                loaded = true;
        }
        if ((k = mkdir_p(en->verify_dir, 0755, e)) < 0)
                return k;
        _cleanup_(verify_run_done) struct verify_run v = { 0 };
        if ((k = verify_run_init(&v, "hostd-verify", o, e)) < 0)
                return k;
        /* --mount, not -v: -v creates a missing source and splits at ':' */
        _cleanup_free_ char *bind = strdup_printf("type=bind,source=%s,target=/hostd", en->verify_dir);
        const char *head[] = { "run", "--rm", "--name", v.name, "--network", "none", "--memory", v.mem, "--cpus", v.cpus,
                               "--mount", bind, "--mount",
                               "type=bind,source=/sys/fs/cgroup,target=" VERIFY_CGROUP_DIR ",readonly", NULL };
        /* podman raises nofile and nproc to 1048576 and 4194304 by default,
         * which a host without CAP_SYS_RESOURCE (hostd in a container)
         * cannot grant: runc then fails to start it */
        const char *limits[] = { "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", NULL };
        const char *tail[] = { IMAGE_REF, "/bin/sh", "-c", v.script, NULL };
        _cleanup_strv_free_ char **args = NULL;
        if (!bind || strv_extend(&args, head) < 0 || (!en->docker && strv_extend(&args, limits) < 0) ||
            strv_extend(&args, tail) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_(run_result_free) struct run_result r = { 0 };
        if ((k = engine_run(en, (const char *const *)args, 120000, &r, e)) < 0)
                return k;
        if (r.exit_code != o->exit_code && !strstr(r.out, v.marker))
                return error_set(e, -EIO, "%s run failed (exit %d): %s", en->name, r.exit_code, run_tail(r.err, 400));
        checks_add(c, "image", id && streq(id, want_id), "%s %s %s", IMAGE_REF, id ? id : "(not in the store)",
                   loaded ? "loaded" : "already in the image store");
        verify_judge(en->pool, en->root, en->verify_dir, v.file, v.marker, o, r.out, r.exit_code, c);
        /* --rm: nothing of the run is left */
        _cleanup_free_ char *filter = strdup_printf("name=^%s$", v.name), *left = NULL;
        const char *ps[] = { "ps", "-a", "-q", "--filter", filter, NULL };
        struct error pe = { 0 };
        bool clean = filter && engine_run_checked(en, ps, 30000, &left, &pe) == 0 && !*str_trim(left);
        checks_add(c, "cleanup", clean, "%s", clean ? "no container left after the run" : pe.code ? pe.msg : left);
        return 0;
}
