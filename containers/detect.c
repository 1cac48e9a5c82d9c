#include "detect.h"

#include <stdlib.h>
#include <string.h>

#include "containerd.h"
#include "engine.h"
#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "others.h"

void runtime_info_done(struct runtime_info *r) {
        free(r->version);
        free(r->helper_version);
        free(r->config);
        free(r->data_root);
        free(r->note);
        *r = (struct runtime_info){ 0 };
}

void detect_result_done(struct detect_result *d) {
        for (size_t i = 0; i < ELEMENTSOF(d->rt); i++)
                runtime_info_done(&d->rt[i]);
}

/* "Docker version 20.10.24+dfsg1, build 297e128" / "podman version 4.3.1" */
static char *version_word(const char *prog, int word) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *argv[] = { prog, "--version", NULL };
        if (run_checked(argv, &(struct run_opts){ .timeout_ms = 10000 }, &r, NULL) < 0)
                return NULL;
        char *save = NULL, *t = strtok_r(r.out, " \n", &save);
        for (int i = 0; t && i < word; i++)
                t = strtok_r(NULL, " \n", &save);
        if (t && endswith(t, ","))
                t[strlen(t) - 1] = '\0';
        return t ? strdup(t) : NULL;
}

static void detect_containerd(const struct detect_inputs *in, struct runtime_info *r) {
        r->name = "containerd";
        r->config = strdup(in->containerd_config ? in->containerd_config : "/etc/containerd/config.toml");
        struct error e = { 0 };
        if (containerd_version(&r->version, &e) < 0) {
                r->note = strdup("not installed (no containerd in PATH)");
                return;
        }
        r->installed = true;
        runc_version(&r->helper_version, NULL);
        _cleanup_free_ char *address = NULL;
        if (containerd_effective(r->config, &r->data_root, NULL, &address, &e) < 0)
                r->note = strdup(e.msg);
        r->active = address && containerd_answers(address);
}

/* The engine's data root per its config, and whether it is active. */
static void detect_engine(const char *name, const struct detect_inputs *in, const char *config, struct runtime_info *r) {
        _cleanup_(engine_done) struct engine en = { 0 };
        struct error e = { 0 };
        if (engine_init(&en, name, NULL, config, in->run_dir, &e) < 0) {
                r->note = strdup(e.msg);
                return;
        }
        r->data_root = engine_config_root(&en);
        if (en.docker) {
                r->active = engine_answers(&en);
                return;
        }
        _cleanup_free_ char *out = NULL;
        const char *args[] = { "ps", "-q", NULL };
        r->active = engine_run_checked(&en, args, 30000, &out, NULL) == 0 && *str_trim(out);
}

static void detect_docker(const struct detect_inputs *in, struct runtime_info *r) {
        r->name = "docker";
        r->config = strdup(in->docker_config ? in->docker_config : DOCKER_DEFAULT_CONFIG);
        r->version = version_word("dockerd", 2);
        r->installed = r->version != NULL;
        if (!r->installed) {
                /* a docker client alone (no dockerd) runs no container */
                _cleanup_free_ char *client = find_program_path("docker");
                r->note = strdup(client ? "not installed (no dockerd; only the docker client is here)"
                                        : "not installed (no dockerd in PATH)");
                return;
        }
        detect_engine("docker", in, r->config, r);
}

static void detect_podman(const struct detect_inputs *in, struct runtime_info *r) {
        r->name = "podman";
        r->config = strdup(in->podman_config ? in->podman_config : PODMAN_DEFAULT_CONFIG);
        r->version = version_word("podman", 2);
        r->installed = r->version != NULL;
        if (!r->installed) {
                r->note = strdup("not installed (no podman in PATH)");
                return;
        }
        detect_engine("podman", in, r->config, r);
}

int detect_runtime(const char *name, const struct detect_inputs *in, struct runtime_info *ret) {
        static const struct detect_inputs defaults = { 0 };
        in = in ? in : &defaults;
        *ret = (struct runtime_info){ 0 };
        if (streq(name, "containerd"))
                detect_containerd(in, ret);
        else if (streq(name, "docker"))
                detect_docker(in, ret);
        else if (streq(name, "podman"))
                detect_podman(in, ret);
        else
                return -EINVAL;
        return 0;
}

int detect_runtimes(const struct detect_inputs *in, struct detect_result *ret, struct error *e) {
        static const struct detect_inputs defaults = { 0 };
        in = in ? in : &defaults;
        *ret = (struct detect_result){ 0 };
        detect_containerd(in, &ret->rt[0]);
        detect_docker(in, &ret->rt[1]);
        detect_podman(in, &ret->rt[2]);
        return 0;
}
