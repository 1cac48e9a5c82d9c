/* The plan as JSON: {"arrays", "steps", "errors", "warnings"}. */
#include "plan.h"

#include <stdio.h>

#include "lib/json.h"
#include "lib/strutil.h"

static json_object *disk_json(const struct plan_disk *d) {
        json_object *o = json_object_new_object();
        json_add_string(o, "serial", d->serial);
        json_add_string(o, "wwn", d->wwn);
        json_add_string(o, "path", d->path);
        json_add_int(o, "size_bytes", d->size_bytes);
        return o;
}

static json_object *array_json(const struct plan_array *a) {
        json_object *o = json_object_new_object(), *members = json_object_new_array(),
                    *spares = json_object_new_array();
        char level[16];
        snprintf(level, sizeof level, "raid%d", a->level);
        json_add_string(o, "name", a->name);
        char device[64];
        snprintf(device, sizeof device, "/dev/md/%s", a->name);
        json_add_string(o, "device", device);
        json_add_string(o, "level", level);
        for (size_t i = 0; i < a->n_members; i++)
                json_object_array_add(members, disk_json(&a->members[i]));
        for (size_t i = 0; i < a->n_spares; i++)
                json_object_array_add(spares, disk_json(&a->spares[i]));
        json_object_object_add(o, "members", members);
        json_object_object_add(o, "spares", spares);
        json_object_object_add(o, "chunk", a->chunk ? json_object_new_int64((int64_t)a->chunk) : NULL);
        json_add_string(o, "metadata", a->metadata);
        json_add_int(o, "size_bytes", a->size_bytes);
        json_add_int(o, "partition", a->partition);
        json_add_bool(o, "bitmap", a->bitmap);
        json_add_string(o, "consistency_policy", a->consistency_policy);
        json_object *fs = NULL;
        if (a->fs_type) {
                fs = json_object_new_object();
                json_add_string(fs, "type", a->fs_type);
                json_add_string(fs, "mount", a->fs_mount);
                json_add_string(fs, "label", a->fs_label);
        }
        json_object_object_add(o, "filesystem", fs);
        json_object *tuning = NULL;
        if (a->tuned) {
                tuning = json_object_new_object();
                json_add_int(tuning, "stripe_cache_size", a->tuning.stripe_cache_size);
                json_add_int(tuning, "group_thread_cnt", a->tuning.group_thread_cnt);
                json_add_int(tuning, "sync_speed_min_kib_s", a->tuning.sync_speed_min);
        }
        json_object_object_add(o, "tuning", tuning);
        return o;
}

static json_object *step_json(const struct plan_step *s) {
        json_object *o = json_object_new_object();
        json_add_string(o, "kind", step_kind_name(s->kind));
        json_add_string(o, "array", s->array);
        json_add_string(o, "disk", s->disk);
        json_add_string(o, "description", s->description);
        if (s->argv)
                json_add_strv(o, "argv", s->argv);
        else
                json_object_object_add(o, "argv", NULL);
        return o;
}

json_object *plan_to_json(const struct plan *p) {
        json_object *o = json_object_new_object(), *arrays = json_object_new_array(), *steps = json_object_new_array();
        for (size_t i = 0; i < p->n_arrays; i++)
                json_object_array_add(arrays, array_json(&p->arrays[i]));
        for (size_t i = 0; i < p->n_steps; i++)
                json_object_array_add(steps, step_json(&p->steps[i]));
        json_object_object_add(o, "arrays", arrays);
        json_object_object_add(o, "steps", steps);
        json_add_strv(o, "errors", p->errors);
        json_add_strv(o, "warnings", p->warnings);
        json_add_bool(o, "default_spec", p->default_spec);
        return o;
}
