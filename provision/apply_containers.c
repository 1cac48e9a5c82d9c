#include "apply_containers.h"

#include <stdio.h>
#include <stdlib.h>

#include "containers/engine.h"
#include "containers/engine_setup.h"
#include "containers/place.h"
#include "containers/setup.h"
#include "containers/verify.h"
#include "lib/json.h"
#include "lib/outcome.h"
#include "lib/spec_read.h"
#include "lib/strutil.h"

#define VERIFY_DEFAULTS { .memory = 64 << 20, .cpus = 0.5, .exit_code = 7 }

struct containers_spec {
        char *runtime, *pool, *config;
};

static void containers_spec_done(struct containers_spec *c) {
        free(c->runtime);
        free(c->pool);
        free(c->config);
}

static int read_spec(const struct host_spec *spec, struct containers_spec *ret, struct error *e) {
        static const char *const known[] = { "runtime", "pool", "config", NULL };
        json_object *c = spec->containers;
        if (!json_object_is_type(c, json_type_object))
                return error_set(e, -EINVAL, "%s: containers: must be a mapping such as {runtime: containerd}", spec->path);
        if (spec_check_keys(c, "containers", known, e) < 0 ||
            spec_read_string(c, "runtime", "containers", &ret->runtime, e) < 0 ||
            spec_read_string(c, "pool", "containers", &ret->pool, e) < 0 ||
            spec_read_string(c, "config", "containers", &ret->config, e) < 0)
                return error_prefix(e, "%s", spec->path);
        if (ret->runtime && !streq(ret->runtime, "containerd") && !streq(ret->runtime, "docker") &&
            !streq(ret->runtime, "podman"))
                return error_set(e, -EINVAL, "%s: containers.runtime: '%s' is not containerd, docker or podman",
                                 spec->path, ret->runtime);
        return 0;
}

static int checks_outcome(const struct checks *c, const char *root, char *msg, size_t n, struct error *e) {
        for (size_t i = 0; i < c->n; i++)
                if (!c->item[i].ok)
                        return error_set(e, -EIO, "container check '%s' failed: %s", c->item[i].name, c->item[i].detail);
        snprintf(msg, n, "a container ran from %s: %zu checks passed", root, c->n);
        return OUTCOME_UNCHANGED;
}

static int containerd_step(const struct containers_spec *cs, bool dry, bool verify, char *msg, size_t n,
                           struct error *e) {
        _cleanup_(place_done) struct place p = { 0 };
        if (place_init(&p, cs->pool, cs->config, NULL, e) < 0)
                return e->code;
        if (dry) {
                struct error ignore = { 0 };
                bool placed = place_load_record(&p, &ignore) >= 0;
                snprintf(msg, n, verify ? "runs a container at apply" : placed ? "containerd's root is %s" : "put containerd's root on %s",
                         p.root);
                return verify || placed ? OUTCOME_UNCHANGED : OUTCOME_CHANGED;
        }
        if (!verify) {
                _cleanup_(setup_report_done) struct setup_report sr = { 0 };
                int k = setup_containerd(&p, &sr, e);
                if (k < 0)
                        return k;
                snprintf(msg, n, "root %s, snapshotter %s%s", p.root, sr.snapshotter ? sr.snapshotter : "?",
                         k == OUTCOME_CHANGED ? "" : " (already)");
                return k;
        }
        struct checks c = { 0 };
        if (place_load_record(&p, e) < 0 || verify_containerd(&p, &(struct verify_opts)VERIFY_DEFAULTS, &c, e) < 0)
                return e->code;
        return checks_outcome(&c, p.root, msg, n, e);
}

/* Docker Engine and podman: the same two steps through engine_setup.h */
static int engine_step(const struct containers_spec *cs, bool dry, bool verify, char *msg, size_t n, struct error *e) {
        _cleanup_(engine_done) struct engine en = { 0 };
        if (engine_init(&en, cs->runtime, cs->pool, cs->config, NULL, e) < 0)
                return e->code;
        if (dry) {
                _cleanup_free_ char *root = engine_config_root(&en);
                bool placed = root && streq(root, en.root);
                snprintf(msg, n, verify ? "runs a container at apply" : placed ? "%s's root is %s" : "put %s's root on %s",
                         en.name, en.root);
                return verify || placed ? OUTCOME_UNCHANGED : OUTCOME_CHANGED;
        }
        if (!verify) {
                _cleanup_(engine_setup_report_done) struct engine_setup_report sr = { 0 };
                int k = setup_engine(&en, &sr, e);
                if (k < 0)
                        return k;
                snprintf(msg, n, "%s: root %s%s", en.name, en.root, k == OUTCOME_CHANGED ? "" : " (already)");
                return k;
        }
        struct checks c = { 0 };
        if (verify_engine(&en, &(struct verify_opts)VERIFY_DEFAULTS, &c, e) < 0)
                return e->code;
        return checks_outcome(&c, en.root, msg, n, e);
}

int apply_containers(const struct host_spec *spec, bool dry, bool verify, char *msg, size_t n, struct error *e) {
        _cleanup_(containers_spec_done) struct containers_spec cs = { 0 };
        if (read_spec(spec, &cs, e) < 0)
                return e->code;
        if (!cs.runtime || streq(cs.runtime, "containerd"))
                return containerd_step(&cs, dry, verify, msg, n, e);
        return engine_step(&cs, dry, verify, msg, n, e);
}
