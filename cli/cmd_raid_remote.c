/* hostctl --host URL raid <verb>: the lifecycle operations through hostd's
 * Volume actions (daemon/api_volume_actions.c), which run the code that
 * hostctl runs in-process (raid/lifecycle.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "cmd_raid.h"
#include "lib/json.h"
#include "lib/strutil.h"

#define VOLUMES "/redfish/v1/Systems/host/Storage/md/Volumes/"
#define DRIVES "/redfish/v1/Systems/host/Storage/md/Drives/"

/* {"@odata.id": ".../Drives/<id>"}: hostd names drives by serial; a by-id
 * path goes by its last part, which the planner knows too */
static json_object *drive_link(const char *id) {
        const char *slash = strrchr(id, '/');
        _cleanup_free_ char *odata = strdup_printf(DRIVES "%s", slash ? slash + 1 : id);
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata);
        return o;
}

static const char *remote_action(enum raid_verb verb) {
        static const char *const actions[] = {
                [RAID_ADD_SPARE] = "Actions/Oem/Hostd.AddSpare", [RAID_REPLACE] = "Actions/Oem/Hostd.Replace",
                [RAID_REMOVE] = "Actions/Oem/Hostd.Remove",      [RAID_GROW] = "Actions/Volume.ChangeRAIDLayout",
                [RAID_SCRUB] = "Actions/Volume.CheckConsistency", [RAID_STOP] = "Actions/Oem/Hostd.Stop",
                [RAID_ASSEMBLE] = "Actions/Oem/Hostd.Assemble",
        };
        return (unsigned)verb < ELEMENTSOF(actions) ? actions[verb] : NULL;
}

static json_object *remote_body(const struct raid_request *rq) {
        json_object *b = json_object_new_object();
        if (rq->verb == RAID_REPLACE) {
                json_object_object_add(b, "FailedDrive", drive_link(rq->failed));
                json_object_object_add(b, "ReplacementDrive", drive_link(rq->with));
        } else if (rq->verb == RAID_GROW) {
                /* ChangeRAIDLayout's Drives: hostd grows onto the one that is no member */
                json_object *drives = json_object_new_array();
                json_object_array_add(drives, drive_link(rq->disk));
                json_object_object_add(b, "Drives", drives);
        } else if (rq->disk)
                json_object_object_add(b, "Drive", drive_link(rq->disk));
        if (rq->wipe)
                json_add_bool(b, "Wipe", true);
        return b;
}

/* Start the action, then follow its task to the end; print what it said. */
int raid_life_remote(struct cli_ctx *ctx, const struct raid_request *rq, struct error *e) {
        _cleanup_free_ char *path = rq->verb == RAID_DESTROY ? strdup_printf(VOLUMES "%s", rq->array)
                                                             : strdup_printf(VOLUMES "%s/%s", rq->array, remote_action(rq->verb));
        _cleanup_json_ json_object *body = remote_body(rq), *task = NULL;
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        int k = client_request_json(ctx->host, rq->verb == RAID_DESTROY ? "DELETE" : "POST", path,
                                    rq->verb == RAID_DESTROY ? NULL : json_object_to_json_string(body),
                                    rq->verb == RAID_DESTROY ? rq->array : NULL, &task, e);
        if (k < 0)
                return k;
        _cleanup_free_ char *task_path = json_get_string(task, "@odata.id") ? strdup(json_get_string(task, "@odata.id")) : NULL;
        if (!task_path)
                return error_set(e, -EBADMSG, "hostd at %s started no task", ctx->host);
        for (int i = 0; i < 2 * 3600; i++) {   /* an hour: a step never takes that long */
                json_object_put(task);
                task = NULL;
                if ((k = client_get_json(ctx->host, task_path, &task, e)) < 0)
                        return k;
                const char *state = json_get_string(task, "TaskState");
                json_object *msgs = json_object_object_get(task, "Messages");
                json_object *last = msgs && json_object_array_length(msgs) ? json_object_array_get_idx(msgs, 0) : NULL;
                const char *msg = last ? json_get_string(last, "Message") : NULL;
                if (streq(state, "Completed")) {
                        if (ctx->json)
                                return cli_print_json(ctx, task), 0;
                        return fprintf(ctx->out, "%s\n", msg ? msg : "done"), 0;
                }
                if (!streq(state, "Running") && !streq(state, "New") && !streq(state, "Pending"))
                        return error_set(e, -EIO, "hostd at %s: task %s is %s: %s", ctx->host, task_path, state ? state : "?",
                                         msg ? msg : "");
                usleep(500 * 1000);
        }
        return error_set(e, -ETIMEDOUT, "hostd at %s: task %s did not end within an hour", ctx->host, task_path);
}
