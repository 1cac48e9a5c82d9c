/* A running array as JSON: what `hostctl raid status --json` prints and hostd
 * serves (Oem/Hostd/Arrays), one function so both say the same. */
#include <stdio.h>

#include "lib/json.h"
#include "md.h"

json_object *md_status_to_json(const struct md_status *s) {
        json_object *o = json_object_new_object(), *members = json_object_new_array();
        char device[64];
        snprintf(device, sizeof device, "/dev/md/%s", s->name ? s->name : s->kernel_name);
        json_add_string(o, "name", s->name);
        json_add_string(o, "device", device);
        json_add_string(o, "kernel_name", s->kernel_name);
        json_add_string(o, "level", s->level);
        json_add_string(o, "array_state", s->array_state);
        json_add_string(o, "health", md_health_name(md_health(s)));
        json_add_int(o, "raid_disks", s->raid_disks);
        json_add_int(o, "degraded", s->degraded);
        json_add_string(o, "sync_action", s->sync_action);
        json_object_object_add(o, "sync_percent", s->sync_percent >= 0 ? json_object_new_double(s->sync_percent) : NULL);
        json_object_object_add(o, "sync_speed_kib", s->sync_speed_kib >= 0 ? json_object_new_int64(s->sync_speed_kib) : NULL);
        json_add_int(o, "mismatch_cnt", s->mismatch_cnt);
        json_object_object_add(o, "stripe_cache_size",
                               s->stripe_cache_size >= 0 ? json_object_new_int64(s->stripe_cache_size) : NULL);
        json_add_int(o, "size_bytes", s->size_bytes);
        json_add_string(o, "uuid", s->uuid);
        json_add_string(o, "metadata", s->metadata);
        for (size_t i = 0; i < s->n_members; i++) {
                json_object *m = json_object_new_object();
                json_add_string(m, "dev", s->members[i].dev);
                json_object_object_add(m, "slot", s->members[i].slot >= 0 ? json_object_new_int(s->members[i].slot) : NULL);
                json_add_string(m, "role", s->members[i].slot >= 0 ? "active" : "spare");
                json_add_string(m, "state", s->members[i].state);
                json_add_bool(m, "missing", s->members[i].missing);
                json_object_array_add(members, m);
        }
        json_object_object_add(o, "members", members);
        return o;
}
