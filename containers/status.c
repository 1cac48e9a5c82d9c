#include "status.h"

#include "containerd.h"
#include "detect.h"
#include "engine.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "place.h"

int containers_detect_json(const struct detect_inputs *in, json_object **ret, struct error *e) {
        _cleanup_(detect_result_done) struct detect_result d = { 0 };
        int k = detect_runtimes(in, &d, e);
        if (k < 0)
                return k;
        json_object *doc = json_object_new_object(), *a = json_object_new_array();
        for (size_t i = 0; i < ELEMENTSOF(d.rt); i++) {
                const struct runtime_info *r = &d.rt[i];
                json_object *x = json_object_new_object();
                json_add_string(x, "name", r->name);
                json_add_bool(x, "installed", r->installed);
                json_add_string(x, "version", r->version);
                if (streq(r->name, "containerd"))
                        json_add_string(x, "runc_version", r->helper_version);
                json_add_string(x, "config", r->config);
                json_add_string(x, "data_root", r->data_root);
                json_add_bool(x, "active", r->active);
                if (r->note)
                        json_add_string(x, "note", r->note);
                json_object_array_add(a, x);
        }
        json_object_object_add(doc, "runtimes", a);
        *ret = doc;
        return 0;
}

int containers_status_json(const char *pool, const char *config, const char *run_dir, json_object **ret,
                           struct error *e) {
        _cleanup_(place_done) struct place p = { 0 };
        int k = place_init(&p, pool, config, run_dir, e);
        if (k < 0)
                return k;
        /* not placed yet is an answer, not an error: the note says why */
        struct error re = { 0 };
        bool placed = place_load_record(&p, &re) >= 0;
        json_object *j = json_object_new_object();
        json_add_bool(j, "placed", placed);
        json_add_bool(j, "running", containerd_answers(p.address));
        json_add_int(j, "pid", containerd_pid(&p));
        json_add_string(j, "root", placed ? p.root : NULL);
        json_add_string(j, "address", p.address);
        json_add_string(j, "snapshotter", p.snapshotter);
        if (!placed)
                json_add_string(j, "note", re.msg);
        *ret = j;
        return 0;
}

int containers_engine_status_json(const char *name, const char *pool, const char *config, const char *run_dir,
                                  json_object **ret, struct error *e) {
        _cleanup_(engine_done) struct engine en = { 0 };
        int k = engine_init(&en, name, pool, config, run_dir, e);
        if (k < 0)
                return k;
        _cleanup_free_ char *root = engine_config_root(&en);
        bool placed = root && streq(root, en.root);
        json_object *j = json_object_new_object();
        json_add_bool(j, "placed", placed);
        json_add_bool(j, "running", engine_answers(&en));
        json_add_int(j, "pid", engine_pid(&en));
        json_add_string(j, "root", root);
        json_add_string(j, "config", en.config);
        if (en.docker)
                json_add_string(j, "socket", en.socket);
        if (!placed)
                json_add_string(j, "note", "not placed on the pool: its config keeps the data elsewhere");
        *ret = j;
        return 0;
}
