/* daemon/api.c: the router and the Redfish helpers every resource uses. */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"

void api_response_done(struct api_response *r) {
        free(r->body);
        free(r->location);
        free(r->auth_token);
        free(r->etag);
        free(r->link);
        *r = (struct api_response){ 0 };
}

void api_json(struct api_response *r, unsigned status, json_object *o) {
        r->status = status;
        r->content_type = "application/json";
        const char *type = json_get_string(o, "@odata.type");
        snprintf(r->odata_type, sizeof r->odata_type, "%s", type ? type : "");
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        size_t n = strlen(s);
        free(r->body);
        r->body = malloc(n + 1);
        if (r->body) {
                memcpy(r->body, s, n + 1);
                r->body_len = n;
        } else
                r->status = 500;
        json_object_put(o);
}

void api_error(struct api_response *r, unsigned status, const char *message_id, const char *fmt, ...) {
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        _cleanup_free_ char *id = strdup_printf("Base.1.16.%s", message_id);
        json_object *o = json_object_new_object(), *err = json_object_new_object();
        json_object *info = json_object_new_array(), *m = json_object_new_object();
        json_add_string(err, "code", id);
        json_add_string(err, "message", msg);
        json_add_string(m, "@odata.type", "#Message.v1_1_2.Message");
        json_add_string(m, "MessageId", id);
        json_add_string(m, "Message", msg);
        json_add_string(m, "Severity", status >= 500 ? "Critical" : "Warning");
        json_object_array_add(info, m);
        json_object_object_add(err, "@Message.ExtendedInfo", info);
        json_object_object_add(o, "error", err);
        api_json(r, status, o);
}

void api_not_found(struct api_response *r, const char *path) {
        api_error(r, 404, "ResourceNotFound", "no resource at %.400s", path);
}

void api_method_not_allowed(struct api_response *r, const char *allow) {
        api_error(r, 405, "OperationNotAllowed", "method not allowed here; allowed: %s", allow);
        r->allow = allow;
}

json_object *api_resource(const char *odata, const char *type, const char *id, const char *name) {
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata);
        json_add_string(o, "@odata.type", type);
        json_add_string(o, "Id", id);
        json_add_string(o, "Name", name);
        return o;
}

json_object *api_link(const char *id) {
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", id);
        return o;
}

json_object *api_collection(const char *odata_id, const char *type, const char *name) {
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata_id);
        json_add_string(o, "@odata.type", type);
        json_add_string(o, "Name", name);
        json_object_object_add(o, "Members", json_object_new_array());
        json_add_int(o, "Members@odata.count", 0);
        return o;
}

void api_collection_add(json_object *coll, const char *member_id) {
        json_object *m = NULL;
        json_object_object_get_ex(coll, "Members", &m);
        json_object_array_add(m, api_link(member_id));
        json_add_int(coll, "Members@odata.count", (int64_t)json_object_array_length(m));
}

json_object *api_body_object(const struct api_request *req, struct api_response *r) {
        json_object *o = NULL;
        struct error e = { 0 };
        if (!req->body || req->body_len == 0) {
                api_error(r, 400, "MalformedJSON", "the request needs a JSON body");
                return NULL;
        }
        if (json_parse(req->body, req->body_len, &o, &e) < 0) {
                api_error(r, 400, "MalformedJSON", "%s", e.msg);
                return NULL;
        }
        if (!json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                api_error(r, 400, "MalformedJSON", "the body must be a JSON object");
                return NULL;
        }
        return o;
}

static bool split_path(const char *path, struct api_path *p) {
        if (strlen(path) >= sizeof p->buf)
                return false;
        strcpy(p->buf, path);
        p->n = 0;
        for (char *save = NULL, *s = strtok_r(p->buf, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
                if (p->n == API_MAX_SEGS)
                        return false;
                p->segs[p->n++] = s;
        }
        return true;
}

void api_handle(struct hostd *h, const struct api_request *req, struct api_response *r) {
        *r = (struct api_response){ 0 };
        struct api_dell_alias dell;
        int alias = api_dell_alias(req, &dell, r);
        if (alias < 0)
                return;
        if (alias > 0) {
                struct api_request std = *req;
                std.path = dell.path;
                if (dell.confirm)
                        std.confirm = dell.volume;
                api_handle(h, &std, r);
                return api_dell_finish(&dell, r);
        }
        struct api_path p;
        if (streq(req->path, "/metrics")) {
                if (!streq(req->method, "GET"))
                        return api_method_not_allowed(r, "GET");
                return api_metrics(h, req, r);
        }
        if (!split_path(req->path, &p) || p.n < 2 || !streq(p.segs[0], "redfish") || !streq(p.segs[1], "v1")) {
                if (streq(req->path, "/redfish") || streq(req->path, "/redfish/")) {
                        if (!streq(req->method, "GET"))
                                return api_method_not_allowed(r, "GET");
                        json_object *o = json_object_new_object();
                        json_add_string(o, "v1", "/redfish/v1/");
                        return api_json(r, 200, o);
                }
                return api_not_found(r, req->path);
        }
        /* drop "redfish", "v1" */
        memmove(p.segs, p.segs + 2, (p.n - 2) * sizeof p.segs[0]);
        p.n -= 2;
        if (!api_role_permits(req, &p, r))
                return;
        const char *s0 = p.n ? p.segs[0] : "";
        if (streq(s0, "Chassis"))
                return api_chassis(h, req, &p, r);
        if (streq(s0, "Managers"))
                return api_managers(h, req, &p, r);
        if (streq(s0, "AccountService"))
                return api_accounts(h, req, &p, r);
        if (p.n >= 3 && streq(s0, "Systems") && streq(p.segs[1], "host") &&
            (streq(p.segs[2], "Processors") || streq(p.segs[2], "Memory") || streq(p.segs[2], "EthernetInterfaces") ||
             streq(p.segs[2], "Actions")))
                return api_host(h, req, &p, r);
        if (p.n >= 3 && streq(p.segs[0], "Systems") && streq(p.segs[1], "host") && streq(p.segs[2], "Storage"))
                return api_storage(h, req, &p, r);
        if (p.n >= 5 && streq(p.segs[0], "Systems") && streq(p.segs[1], "host") && streq(p.segs[2], "Oem") &&
            streq(p.segs[3], "Hostd") && streq(p.segs[4], "Containers"))
                return api_containers(h, req, &p, r);
        if (p.n >= 2 && streq(p.segs[0], "Systems") && !streq(p.segs[1], "host"))
                return api_vms(h, req, &p, r);
        return api_service(h, req, &p, r);
}
