/* daemon/api_volume_actions.c: the lifecycle of a Volume (an md array) as
 * Redfish actions, each started as a task that runs raid/lifecycle.h, the
 * code `hostctl raid <verb>` runs:
 *   DELETE Volumes/<name> (X-Hostd-Confirm: <name>)        destroy
 *   POST .../Actions/Volume.CheckConsistency                scrub
 *   POST .../Actions/Volume.ChangeRAIDLayout {Drives}       grow onto one more drive
 *   POST .../Actions/Oem/Hostd.AddSpare {Drive, Wipe}       add-spare
 *   POST .../Actions/Oem/Hostd.Replace {FailedDrive, ReplacementDrive, Wipe}
 *   POST .../Actions/Oem/Hostd.Remove {Drive}
 *   POST .../Actions/Oem/Hostd.Stop, .../Oem/Hostd.Assemble
 * The request is planned here first, so that a refusal is the answer
 * (409, nothing started), then again by the task on the machine as it is. */
#include <string.h>

#include "api.h"
#include "daemon.h"
#include "jobs.h"
#include "lib/json.h"
#include "lib/strutil.h"

#define DRIVES "/redfish/v1/Systems/host/Storage/md/Drives/"

void api_task_accepted(struct api_response *r, int64_t id) {
        _cleanup_free_ char *odata = strdup_printf("/redfish/v1/TaskService/Tasks/%lld", (long long)id);
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata);
        json_add_string(o, "@odata.type", "#Task.v1_7_2.Task");
        _cleanup_free_ char *ids = strdup_printf("%lld", (long long)id);
        json_add_string(o, "Id", ids);
        json_add_string(o, "TaskState", "Running");
        json_add_int(o, "PercentComplete", 0);
        api_json(r, 202, o);
        r->location = TAKE_PTR(odata);
}

/* {"@odata.id": ".../Drives/<id>"} -> the drive's serial (or WWN) when the
 * drive is here, else the id itself (a pulled disk's serial). */
static const char *drive_ref(json_object *ref, const struct disk_list *l) {
        const char *odata = ref ? json_get_string(ref, "@odata.id") : NULL;
        const char *id = odata ? startswith(odata, DRIVES) : NULL;
        if (!id || !*id || strchr(id, '/'))
                return NULL;
        for (size_t i = 0; l && i < l->n; i++) {
                const struct disk *d = &l->disks[i];
                if (streq(d->serial, id) || streq(d->name, id))
                        return d->serial ? d->serial : d->wwn ? d->wwn : d->name;
        }
        return id;
}

/* The action's body -> the request's JSON (raid_request_to_json's form). */
static json_object *request_of(enum raid_verb verb, json_object *b, const char *array, const struct disk_list *l,
                               const struct md_status *running, struct api_response *r) {
        struct raid_request rq = { .verb = verb, .array = array };
        json_object *v = NULL;
        if (b && json_object_object_get_ex(b, "Wipe", &v) && v)
                rq.wipe = json_object_get_boolean(v);
        if (verb == RAID_ADD_SPARE || verb == RAID_REMOVE) {
                if (!(rq.disk = drive_ref(b ? json_object_object_get(b, "Drive") : NULL, l)))
                        return api_error(r, 400, "ActionParameterMissing", "Drive must be {\"@odata.id\": \"%s<id>\"}",
                                         DRIVES), NULL;
        } else if (verb == RAID_REPLACE) {
                rq.failed = drive_ref(b ? json_object_object_get(b, "FailedDrive") : NULL, l);
                rq.with = drive_ref(b ? json_object_object_get(b, "ReplacementDrive") : NULL, l);
                if (!rq.failed || !rq.with)
                        return api_error(r, 400, "ActionParameterMissing",
                                         "FailedDrive and ReplacementDrive must be {\"@odata.id\": \"%s<id>\"}", DRIVES), NULL;
        } else if (verb == RAID_GROW) {
                /* ChangeRAIDLayout's Drives: the volume's drives after the change;
                 * the one that is not a member now is the one to grow onto */
                json_object *drives = b ? json_object_object_get(b, "Drives") : NULL;
                for (size_t i = 0; drives && json_object_is_type(drives, json_type_array) &&
                                   i < json_object_array_length(drives); i++) {
                        const char *id = drive_ref(json_object_array_get_idx(drives, i), l);
                        const struct disk *d = id ? disk_list_find(l, id) : NULL;
                        bool member = false;
                        for (size_t m = 0; d && running && m < running->n_members; m++)
                                member |= disk_list_holder(l, running->members[m].dev, NULL) == d;
                        if (id && !member && rq.disk)
                                return api_error(r, 400, "ActionParameterValueError",
                                                 "Drives adds more than one drive: grow by one at a time"), NULL;
                        if (id && !member)
                                rq.disk = id;
                }
                if (!rq.disk)
                        return api_error(r, 400, "ActionParameterMissing",
                                         "Drives must list the volume's drives and one new drive"), NULL;
        }
        return raid_request_to_json(&rq);
}

static void answer_error(struct api_response *r, int k, const char *msg) {
        if (k == -EINVAL)
                return api_error(r, 400, "ActionParameterValueError", "%s", msg);
        if (k == -ENOENT)
                return api_error(r, 404, "ResourceNotFound", "%s", msg);
        if (k == ERROR_REFUSED)
                return api_error(r, 409, "ActionParameterValueConflict", "refused for safety, nothing was written: %s", msg);
        if (k == -EBUSY)
                return api_error(r, 409, "ResourceInUse", "%s", msg);
        api_error(r, 500, "InternalError", "%s", msg);
}

/* Plan now (a refusal is the answer), then start the task. */
static void start(struct hostd *h, enum raid_verb verb, const char *array, json_object *request, struct api_response *r) {
        if (!h->jobs)
                return api_error(r, 503, "ServiceTemporarilyUnavailable", "no job runner");
        const char *body = request ? json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN) : NULL;
        _cleanup_(life_plan_freep) struct life_plan *p = NULL;
        struct error e = { 0 };
        int k = jobs_plan_life(raid_verb_name(verb), array, body, &p, &e);
        if (k < 0)
                return answer_error(r, k, e.msg);
        int64_t id = 0;
        if ((k = jobs_start_life(h->jobs, verb, array, body, &id, &e)) < 0)
                return api_error(r, k == -EBUSY ? 409 : 500, k == -EBUSY ? "ResourceInUse" : "InternalError", "%s", e.msg);
        api_task_accepted(r, id);
}

void api_volume_delete(struct hostd *h, const struct api_request *req, struct api_response *r, const char *name,
                       bool running) {
        if (!running) {
                /* no such volume is 404 before any confirmation is asked for */
                _cleanup_(life_plan_freep) struct life_plan *p = NULL;
                struct error e = { 0 };
                int k = jobs_plan_life(raid_verb_name(RAID_DESTROY), name, NULL, &p, &e);
                if (k < 0)
                        return answer_error(r, k, e.msg);
        }
        if (!streq(req->confirm, name))
                return api_error(r, 428, "PreconditionRequired",
                                 "deleting volume %s destroys its data: send the header 'X-Hostd-Confirm: %s'", name, name);
        start(h, RAID_DESTROY, name, NULL, r);
}

void api_volume_action(struct hostd *h, const struct api_request *req, const char *name, const char *action,
                       const struct disk_list *l, const struct md_status *running, struct api_response *r) {
        static const struct { const char *action; enum raid_verb verb; } map[] = {
                { "Volume.CheckConsistency", RAID_SCRUB }, { "Volume.ChangeRAIDLayout", RAID_GROW },
                { "Hostd.AddSpare", RAID_ADD_SPARE },     { "Hostd.Replace", RAID_REPLACE },
                { "Hostd.Remove", RAID_REMOVE },          { "Hostd.Stop", RAID_STOP },
                { "Hostd.Assemble", RAID_ASSEMBLE },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                if (!streq(action, map[i].action))
                        continue;
                if (!streq(req->method, "POST"))
                        return api_method_not_allowed(r, "POST");
                if (!running && map[i].verb != RAID_ASSEMBLE && map[i].verb != RAID_STOP)
                        return api_not_found(r, req->path);
                _cleanup_json_ json_object *b = NULL;
                if (req->body && req->body_len) {
                        if (!(b = api_body_object(req, r)))
                                return;
                }
                _cleanup_json_ json_object *request = request_of(map[i].verb, b, name, l, running, r);
                if (!request)
                        return;
                return start(h, map[i].verb, name, request, r);
        }
        api_not_found(r, req->path);
}

/* The Actions object of a Volume's JSON. */
json_object *api_volume_actions_json(const char *volume_odata) {
        json_object *actions = json_object_new_object(), *oem = json_object_new_object();
        const char *const dmtf[] = { "Volume.CheckConsistency", "Volume.ChangeRAIDLayout" };
        const char *const ours[] = { "Hostd.AddSpare", "Hostd.Replace", "Hostd.Remove", "Hostd.Stop", "Hostd.Assemble" };
        for (size_t i = 0; i < ELEMENTSOF(dmtf) + ELEMENTSOF(ours); i++) {
                bool is_oem = i >= ELEMENTSOF(dmtf);
                const char *name = is_oem ? ours[i - ELEMENTSOF(dmtf)] : dmtf[i];
                _cleanup_free_ char *key = strdup_printf("#%s", name);
                _cleanup_free_ char *target = strdup_printf("%s/Actions/%s%s", volume_odata, is_oem ? "Oem/" : "", name);
                json_object *a = json_object_new_object();
                json_add_string(a, "target", target);
                json_object_object_add(is_oem ? oem : actions, key, a);
        }
        json_object_object_add(actions, "Oem", oem);
        return actions;
}
