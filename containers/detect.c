#include "detect.h"

#include <stdlib.h>
#include <string.h>

#include "containerd.h"
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

static void detect_containerd(const char *config, struct runtime_info *r) {
        r->name = "containerd";
        r->config = strdup(config ? config : "/etc/containerd/config.toml");
        struct error e = { 0 };
        if (containerd_version(&r->version, &e) < 0) {
                r->note = strdup("not installed (no containerd in PATH)");
                return;
        }
        r->installed = true;
        runc_version(&r->helper_version, NULL);
        if (containerd_effective(r->config, &r->data_root, NULL, NULL, &e) < 0)
                r->note = strdup(e.msg);
}

static void detect_docker(struct runtime_info *r) {
        r->name = "docker";
        r->config = strdup(DOCKER_DEFAULT_CONFIG);
        r->version = version_word("dockerd", 2);
        r->installed = r->version != NULL;
        if (!r->installed) {
                /* a docker client alone (no dockerd) runs no container */
                _cleanup_free_ char *client = find_program_path("docker");
                r->note = strdup(client ? "not installed (no dockerd; only the docker client is here)"
                                        : "not installed (no dockerd in PATH)");
                return;
        }
        _cleanup_free_ char *text = NULL;
        read_file(DOCKER_DEFAULT_CONFIG, 16 << 20, &text, NULL, NULL);
        r->data_root = docker_data_root(text);
}

static void detect_podman(struct runtime_info *r) {
        r->name = "podman";
        r->config = strdup(PODMAN_DEFAULT_CONFIG);
        r->version = version_word("podman", 2);
        r->installed = r->version != NULL;
        if (!r->installed) {
                r->note = strdup("not installed (no podman in PATH)");
                return;
        }
        _cleanup_free_ char *text = NULL;
        if (read_file(PODMAN_DEFAULT_CONFIG, 16 << 20, &text, NULL, NULL) < 0)
                read_file(PODMAN_VENDOR_CONFIG, 16 << 20, &text, NULL, NULL);
        r->data_root = podman_graphroot(text);
}

int detect_runtime(const char *name, const char *containerd_config, struct runtime_info *ret) {
        *ret = (struct runtime_info){ 0 };
        if (streq(name, "containerd"))
                detect_containerd(containerd_config, ret);
        else if (streq(name, "docker"))
                detect_docker(ret);
        else if (streq(name, "podman"))
                detect_podman(ret);
        else
                return -EINVAL;
        return 0;
}

int detect_runtimes(const char *containerd_config, struct detect_result *ret, struct error *e) {
        *ret = (struct detect_result){ 0 };
        detect_containerd(containerd_config, &ret->rt[0]);
        detect_docker(&ret->rt[1]);
        detect_podman(&ret->rt[2]);
        return 0;
}
