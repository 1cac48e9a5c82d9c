/* daemon/api_tasks.c: TaskService (jobs), EventService (subscriptions, and the
 * event log under Oem.Hostd). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "daemon.h"
#include "events.h"
#include "jobs.h"
#include "lib/json.h"
#include "lib/store.h"
#include "lib/strutil.h"
#include "state.h"

void api_tasks(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);
void api_events(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);

#define TASKS "/redfish/v1/TaskService/Tasks"
#define SUBS "/redfish/v1/EventService/Subscriptions"
#define SUBMIT_TEST_EVENT "/redfish/v1/EventService/Actions/EventService.SubmitTestEvent"

static bool parse_id(const char *s, int64_t *ret) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!*s || *end || errno || v <= 0)
                return false;
        *ret = v;
        return true;
}

static json_object *task_json(const struct job_record *j) {
        char ts[40], id[24];
        snprintf(id, sizeof id, "%lld", (long long)j->id);
        _cleanup_free_ char *odata = strdup_printf(TASKS "/%s", id);
        _cleanup_free_ char *name = strdup_printf("%s volume %s", j->kind, j->target);
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata);
        json_add_string(o, "@odata.type", "#Task.v1_7_2.Task");
        json_add_string(o, "Id", id);
        json_add_string(o, "Name", name);
        json_add_string(o, "TaskState", j->state);
        json_add_string(o, "TaskStatus", streq(j->state, "Exception") ? "Critical"
                                         : streq(j->state, "Interrupted") ? "Warning" : "OK");
        json_add_int(o, "PercentComplete", j->percent);
        json_add_string(o, "StartTime", format_time_ms(j->created_ms, ts, sizeof ts));
        if (!streq(j->state, "Running"))
                json_add_string(o, "EndTime", format_time_ms(j->updated_ms, ts, sizeof ts));
        json_object *msgs = json_object_new_array();
        if (j->message) {
                json_object *m = json_object_new_object();
                json_add_string(m, "MessageId", streq(j->state, "Exception") ? "Base.1.16.GeneralError" : "Task.1.0.TaskProgressChanged");
                json_add_string(m, "Message", j->message);
                json_object_array_add(msgs, m);
        }
        json_object_object_add(o, "Messages", msgs);
        json_object *oem = json_object_new_object(), *hd = json_object_new_object();
        json_add_string(hd, "Kind", j->kind);
        json_add_string(hd, "Volume", j->target);
        if (streq(j->state, "Interrupted")) {
                _cleanup_free_ char *target = strdup_printf("%s/Actions/Oem/Hostd.Resume", odata);
                json_object *act = json_object_new_object();
                json_add_string(act, "target", target);
                json_object_object_add(hd, "#Hostd.Resume", act);
        }
        json_add_string(hd, "@odata.type", API_OEM_TYPE("Task"));
        json_object_object_add(oem, "Hostd", hd);
        json_object_object_add(o, "Oem", oem);
        return o;
}

void api_tasks(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        struct error e = { 0 };
        if (!h->store)
                return api_error(r, 503, "ServiceTemporarilyUnavailable", "no job store");
        if (p->n == 1 || (p->n == 2 && streq(p->segs[1], "Tasks"))) {
                if (!streq(req->method, "GET"))
                        return api_method_not_allowed(r, "GET");
                if (p->n == 1) {
                        json_object *o = json_object_new_object();
                        json_add_string(o, "@odata.id", "/redfish/v1/TaskService");
                        json_add_string(o, "@odata.type", "#TaskService.v1_2_0.TaskService");
                        json_add_string(o, "Id", "TaskService");
                        json_add_string(o, "Name", "Task Service");
                        json_add_bool(o, "ServiceEnabled", true);
                        json_object_object_add(o, "Tasks", api_link(TASKS));
                        return api_json(r, 200, o);
                }
                struct job_record *v = NULL;
                size_t n = 0;
                if (store_job_list(h->store, &v, &n, &e) < 0)
                        return api_error(r, 500, "InternalError", "%s", e.msg);
                json_object *c = api_collection(TASKS, "#TaskCollection.TaskCollection", "Tasks");
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *id = strdup_printf(TASKS "/%lld", (long long)v[i].id);
                        api_collection_add(c, id);
                }
                job_record_list_free(v, n);
                return api_json(r, 200, c);
        }
        int64_t id;
        if (p->n < 3 || !streq(p->segs[1], "Tasks") || !parse_id(p->segs[2], &id))
                return api_not_found(r, req->path);
        struct job_record j = { 0 };
        int k = store_job_get(h->store, id, &j, &e);
        if (k == -ENOENT)
                return api_not_found(r, req->path);
        if (k < 0)
                return api_error(r, 500, "InternalError", "%s", e.msg);
        bool resume = p->n == 6 && streq(p->segs[3], "Actions") && streq(p->segs[4], "Oem") &&
                      streq(p->segs[5], "Hostd.Resume");
        if (p->n == 3 && streq(req->method, "GET"))
                api_json(r, 200, task_json(&j));
        else if (p->n == 3)
                api_method_not_allowed(r, "GET");
        else if (!resume)
                api_not_found(r, req->path);
        else if (!streq(req->method, "POST"))
                api_method_not_allowed(r, "POST");
        else if (!h->jobs)
                api_error(r, 503, "ServiceTemporarilyUnavailable", "no job runner");
        else if ((k = jobs_resume(h->jobs, id, &e)) < 0)
                api_error(r, k == -EBUSY ? 409 : 500, k == -EBUSY ? "ResourceInUse" : "InternalError", "%s", e.msg);
        else {
                r->status = 202;
                r->location = strdup_printf(TASKS "/%lld", (long long)id);
        }
        job_record_done(&j);
}

static json_object *subscription_json(const struct subscription_record *s) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)s->id);
        _cleanup_free_ char *odata = strdup_printf(SUBS "/%s", id);
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata);
        json_add_string(o, "@odata.type", "#EventDestination.v1_13_0.EventDestination");
        json_add_string(o, "Id", id);
        json_add_string(o, "Name", "Event subscription");
        json_add_string(o, "Destination", s->destination);
        json_add_string(o, "Context", s->context ? s->context : "");
        json_add_string(o, "Protocol", "Redfish");
        json_add_string(o, "SubscriptionType", "RedfishEvent");
        return o;
}

static bool has_control(const char *s) {
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

static void subscribe(struct hostd *h, const struct api_request *req, struct api_response *r) {
        _cleanup_json_ json_object *b = api_body_object(req, r);
        if (!b)
                return;
        const char *dest = json_get_string(b, "Destination"), *ctx = json_get_string(b, "Context");
        const char *proto = json_get_string(b, "Protocol");
        if (!dest || (!startswith(dest, "http://") && !startswith(dest, "https://")))
                return api_error(r, 400, "PropertyValueFormatError", "Destination must be an http:// or https:// URL");
        if (strlen(dest) > EVENTS_DESTINATION_MAX || has_control(dest))
                return api_error(r, 400, "PropertyValueFormatError",
                                 "Destination: at most %d characters, no control characters", EVENTS_DESTINATION_MAX);
        if (ctx && (strlen(ctx) > EVENTS_CONTEXT_MAX || has_control(ctx)))
                return api_error(r, 400, "PropertyValueFormatError",
                                 "Context: at most %d characters, no control characters", EVENTS_CONTEXT_MAX);
        if (proto && !streq(proto, "Redfish"))
                return api_error(r, 400, "PropertyValueNotInList", "Protocol: only Redfish is supported");
        int64_t id = 0;
        struct error e = { 0 };
        int k = events_subscription_add(h->events, dest, ctx, req->user, req->cfg->subscriptions_per_user,
                                        req->cfg->subscriptions_max, &id, &e);
        if (k == -EDQUOT)
                return api_error(r, 400, "CreateLimitReachedForResource", "%s", e.msg);
        if (k < 0)
                return api_error(r, 500, "InternalError", "%s", e.msg);
        struct subscription_record s = { .id = id, .destination = (char *)dest, .context = (char *)ctx };
        api_json(r, 201, subscription_json(&s));
        r->location = strdup_printf(SUBS "/%lld", (long long)id);
}

/* Oem: the newest events, as Redfish EventRecords. */
static void event_log(struct hostd *h, struct api_response *r) {
        struct journal_record *v = NULL;
        size_t n = 0;
        struct error e = { 0 };
        if (store_journal_list(h->store, NULL, 200, &v, &n, &e) < 0)
                return api_error(r, 500, "InternalError", "%s", e.msg);
        json_object *o = json_object_new_object(), *arr = json_object_new_array();
        json_add_string(o, "@odata.id", "/redfish/v1/EventService/Oem/Hostd/Events");
        json_add_string(o, "@odata.type", "#HostdEventLog.v1_0_0.HostdEventLog");
        json_add_string(o, "Name", "hostd events, oldest first (at most 200)");
        for (size_t i = 0; i < n; i++)
                json_object_array_add(arr, event_record_from_journal(v[i].id, v[i].time_ms, v[i].kind, v[i].severity,
                                                                     v[i].message, v[i].data));
        json_object_object_add(o, "Events", arr);
        journal_record_list_free(v, n);
        api_json(r, 200, o);
}

/* SubmitTestEvent: an event like any other (journaled, logged, sent to every
 * subscription), of kind TestEvent, so a receiver can be checked end to end.
 * Every parameter is optional; those given are checked. One a second per
 * user (429 with Retry-After beyond). */
static void submit_test_event(struct hostd *h, const struct api_request *req, struct api_response *r) {
        _cleanup_json_ json_object *b = NULL;
        if (req->body_len && !(b = api_body_object(req, r)))
                return;
        if (!b)
                b = json_object_new_object();
        static const char *const known[] = { "EventType", "EventId",  "EventTimestamp", "MessageId", "MessageArgs",
                                             "OriginOfCondition", "Message", "Severity", "MessageSeverity", NULL };
        const char *message = "a test event", *severity = "OK";
        json_object_object_foreach(b, key, v) {
                const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
                if (!strv_contains((char *const *)known, key))
                        return api_error(r, 400, "PropertyUnknown",
                                         "The property %.64s is not in the list of valid properties for SubmitTestEvent",
                                         key);
                if (streq(key, "Message")) {
                        if (!s || strlen(s) > 255 || has_control(s))
                                return api_error(r, 400, "PropertyValueFormatError",
                                                 "The property Message must be a string of at most 255 printable bytes");
                        message = s;
                } else if (streq(key, "Severity") || streq(key, "MessageSeverity")) {
                        if (!s || !(streq(s, "OK") || streq(s, "Warning") || streq(s, "Critical")))
                                return api_error(r, 400, "PropertyValueNotInList",
                                                 "The value for the property %s is not in the list of acceptable values "
                                                 "(OK, Warning, Critical)", key);
                        severity = s;
                }
        }
        unsigned wait = 0;
        if (h->events && !events_test_allowed(h->events, req->user ? req->user : "", &wait)) {
                api_error(r, 429, "ServiceTemporarilyUnavailable",
                          "one test event a second per user: try again in %u s", wait);
                r->retry_after = wait;
                return;
        }
        events_emit(h->events, "TestEvent", severity, NULL, "%s (submitted by %s)", message, req->user);
        r->status = 204;
}

void api_events(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        struct error e = { 0 };
        if (!h->store)
                return api_error(r, 503, "ServiceTemporarilyUnavailable", "no event store");
        if (p->n == 1) {
                if (!streq(req->method, "GET"))
                        return api_method_not_allowed(r, "GET");
                json_object *o = json_object_new_object(), *types = json_object_new_array();
                json_add_string(o, "@odata.id", "/redfish/v1/EventService");
                json_add_string(o, "@odata.type", "#EventService.v1_10_0.EventService");
                json_add_string(o, "Id", "EventService");
                json_add_string(o, "Name", "Event Service");
                json_add_bool(o, "ServiceEnabled", true);
                json_object_array_add(types, json_object_new_string("Alert"));
                json_object_object_add(o, "EventTypesForSubscription", types);
                json_object_object_add(o, "Subscriptions", api_link(SUBS));
                json_object *acts = json_object_new_object(), *test = json_object_new_object();
                json_add_string(test, "target", SUBMIT_TEST_EVENT);
                json_object_object_add(acts, "#EventService.SubmitTestEvent", test);
                json_object_object_add(o, "Actions", acts);
                json_object *oem = json_object_new_object(), *hd = json_object_new_object();
                json_object_object_add(hd, "Events", api_link("/redfish/v1/EventService/Oem/Hostd/Events"));
                json_add_string(hd, "@odata.type", API_OEM_TYPE("EventService"));
                json_object_object_add(oem, "Hostd", hd);
                json_object_object_add(o, "Oem", oem);
                return api_json(r, 200, o);
        }
        if (p->n == 3 && streq(p->segs[1], "Actions") && streq(p->segs[2], "EventService.SubmitTestEvent"))
                return streq(req->method, "POST") ? submit_test_event(h, req, r) : api_method_not_allowed(r, "POST");
        if (p->n == 4 && streq(p->segs[1], "Oem") && streq(p->segs[2], "Hostd") && streq(p->segs[3], "Events"))
                return streq(req->method, "GET") ? event_log(h, r) : api_method_not_allowed(r, "GET");
        if (!streq(p->segs[1], "Subscriptions") || p->n > 3)
                return api_not_found(r, req->path);
        if (!h->events)
                return api_error(r, 503, "ServiceTemporarilyUnavailable", "no event service");
        struct subscription_record *v = NULL;
        size_t n = 0;
        if (events_subscriptions(h->events, &v, &n, &e) < 0)
                return api_error(r, 500, "InternalError", "%s", e.msg);
        if (p->n == 2) {
                if (streq(req->method, "POST"))
                        subscribe(h, req, r);
                else if (!streq(req->method, "GET"))
                        api_method_not_allowed(r, "GET, POST");
                else {
                        json_object *c = api_collection(SUBS, "#EventDestinationCollection.EventDestinationCollection",
                                                        "Event Subscriptions");
                        for (size_t i = 0; i < n; i++) {
                                _cleanup_free_ char *id = strdup_printf(SUBS "/%lld", (long long)v[i].id);
                                api_collection_add(c, id);
                        }
                        api_json(r, 200, c);
                }
                return subscription_record_list_free(v, n);
        }
        int64_t id = 0;
        size_t i = 0;
        if (parse_id(p->segs[2], &id))
                while (i < n && v[i].id != id)
                        i++;
        int k;
        if (!id || i == n)
                api_not_found(r, req->path);
        else if (streq(req->method, "GET"))
                api_json(r, 200, subscription_json(&v[i]));
        else if (!streq(req->method, "DELETE"))
                api_method_not_allowed(r, "GET, DELETE");
        else if ((k = events_subscription_delete(h->events, id, req->user, req->admin, &e)) == -EPERM)
                api_error(r, 403, "InsufficientPrivilege", "%s", e.msg);
        else if (k == -ENOENT)
                api_not_found(r, req->path);
        else if (k < 0)
                api_error(r, 500, "InternalError", "%s", e.msg);
        else
                r->status = 204;
        subscription_record_list_free(v, n);
}
