/* raid/disk_health.c: names, copies and the JSON form of struct disk_health. */
#include "disk_health.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"

static const char *const state_names[_DISK_HEALTH_MAX] = {
        [DISK_HEALTH_UNKNOWN] = "unknown", [DISK_HEALTH_STANDBY] = "standby", [DISK_HEALTH_OK] = "ok",
        [DISK_HEALTH_WARNING] = "warning", [DISK_HEALTH_FAILED] = "failed",
};

const char *disk_health_state_name(enum disk_health_state s) {
        return s < _DISK_HEALTH_MAX ? state_names[s] : "unknown";
}

int disk_health_state_from_name(const char *name) {
        for (int i = 0; i < _DISK_HEALTH_MAX; i++)
                if (streq(name, state_names[i]))
                        return i;
        return -1;
}

/* The counters, by their JSON names: one table for both directions. */
static const struct {
        const char *key;
        size_t offset;
} counters[] = {
        { "temperature_c", offsetof(struct disk_health, temperature_c) },
        { "power_on_hours", offsetof(struct disk_health, power_on_hours) },
        { "reallocated_sectors", offsetof(struct disk_health, reallocated_sectors) },
        { "pending_sectors", offsetof(struct disk_health, pending_sectors) },
        { "uncorrectable_sectors", offsetof(struct disk_health, uncorrectable_sectors) },
        { "grown_defects", offsetof(struct disk_health, grown_defects) },
        { "percentage_used", offsetof(struct disk_health, percentage_used) },
        { "media_errors", offsetof(struct disk_health, media_errors) },
        { "life_left_percent", offsetof(struct disk_health, life_left_percent) },
};

static int64_t *counter(struct disk_health *h, size_t i) {
        return (int64_t *)((char *)h + counters[i].offset);
}

void disk_health_init(struct disk_health *h) {
        *h = (struct disk_health){ .state = DISK_HEALTH_UNKNOWN };
        for (size_t i = 0; i < ELEMENTSOF(counters); i++)
                *counter(h, i) = -1;
}

void disk_health_done(struct disk_health *h) {
        free(h->protocol);
        free(h->reason);
        disk_health_init(h);
}

void disk_health_free(struct disk_health *h) {
        if (!h)
                return;
        disk_health_done(h);
        free(h);
}

struct disk_health *disk_health_dup(const struct disk_health *h) {
        _cleanup_(disk_health_freep) struct disk_health *c = malloc(sizeof *c);
        if (!c)
                return NULL;
        *c = *h;
        c->protocol = c->reason = NULL;
        if ((h->protocol && !(c->protocol = strdup(h->protocol))) || (h->reason && !(c->reason = strdup(h->reason))))
                return NULL;
        return TAKE_PTR(c);
}

bool disk_health_refuses(const struct disk_health *h) {
        return h && (h->state == DISK_HEALTH_FAILED || h->failure_predicted);
}

json_object *disk_health_to_json(const struct disk_health *h) {
        json_object *o = json_object_new_object();
        json_add_string(o, "state", disk_health_state_name(h->state));
        json_add_bool(o, "failure_predicted", h->failure_predicted);
        json_add_string(o, "protocol", h->protocol);
        json_add_string(o, "reason", h->reason);
        for (size_t i = 0; i < ELEMENTSOF(counters); i++) {
                int64_t v = *counter((struct disk_health *)h, i);
                json_object_object_add(o, counters[i].key, v < 0 ? NULL : json_object_new_int64(v));
        }
        return o;
}

/* Text from a file or another program goes to terminals and logs: printable
 * ASCII only, and short. */
static bool printable(const char *s, size_t max) {
        if (strlen(s) > max)
                return false;
        for (; *s; s++)
                if (!isprint((unsigned char)*s))
                        return false;
        return true;
}

static int get_text(json_object *o, const char *key, size_t max, char **ret, struct error *e) {
        json_object *v = json_get(o, key);
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_string) || !printable(json_object_get_string(v), max))
                return error_set(e, -EBADMSG, "health.%s: not a short printable string", key);
        *ret = strdup(json_object_get_string(v));
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

int disk_health_from_json(json_object *o, struct disk_health **ret, struct error *e) {
        if (!json_object_is_type(o, json_type_object))
                return error_set(e, -EBADMSG, "health: not an object");
        _cleanup_(disk_health_freep) struct disk_health *h = calloc(1, sizeof *h);
        if (!h)
                return error_set(e, -ENOMEM, "out of memory");
        disk_health_init(h);
        int s = disk_health_state_from_name(json_get_string(o, "state"));
        if (s < 0)
                return error_set(e, -EBADMSG, "health.state: not one of unknown, standby, ok, warning, failed");
        h->state = s;
        json_object *fp = json_get(o, "failure_predicted");
        if (fp && !json_object_is_type(fp, json_type_boolean))
                return error_set(e, -EBADMSG, "health.failure_predicted: not a boolean");
        h->failure_predicted = fp && json_object_get_boolean(fp);
        int k = get_text(o, "protocol", 16, &h->protocol, e);
        if (k >= 0)
                k = get_text(o, "reason", 256, &h->reason, e);
        if (k < 0)
                return k;
        for (size_t i = 0; i < ELEMENTSOF(counters); i++) {
                json_object *v = json_get(o, counters[i].key);
                if (!v)
                        continue;
                if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
                        return error_set(e, -EBADMSG, "health.%s: not a count (an integer >= 0)", counters[i].key);
                *counter(h, i) = json_object_get_int64(v);
        }
        *ret = TAKE_PTR(h);
        return 0;
}
