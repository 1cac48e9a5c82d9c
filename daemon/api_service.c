/* daemon/api_service.c: ServiceRoot, Systems, Systems/host and the SessionService. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "auth.h"
#include "daemon.h"
#include "facts.h"
#include "state.h"
#include "lib/json.h"
#include "lib/strutil.h"

void api_tasks(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);
void api_events(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);

#ifndef HOSTD_VERSION
#define HOSTD_VERSION "0.0.0"
#endif
#define SESSIONS "/redfish/v1/SessionService/Sessions"

static void service_root(const struct api_request *req, struct api_response *r) {
        const struct host_facts *facts = daemon_host_facts(req->cfg);
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", "/redfish/v1/");
        json_add_string(o, "@odata.type", "#ServiceRoot.v1_15_0.ServiceRoot");
        json_add_string(o, "Id", "RootService");
        json_add_string(o, "Name", "hostd");
        json_add_string(o, "RedfishVersion", "1.15.0");
        if (facts->product_uuid)
                json_add_string(o, "UUID", facts->product_uuid);
        json_object_object_add(o, "Systems", api_link("/redfish/v1/Systems"));
        json_object_object_add(o, "Chassis", api_link("/redfish/v1/Chassis"));
        json_object_object_add(o, "Managers", api_link("/redfish/v1/Managers"));
        json_object_object_add(o, "AccountService", api_link("/redfish/v1/AccountService"));
        json_object_object_add(o, "SessionService", api_link("/redfish/v1/SessionService"));
        /* the ServiceRoot schema names the TaskService link "Tasks" */
        json_object_object_add(o, "Tasks", api_link("/redfish/v1/TaskService"));
        json_object_object_add(o, "EventService", api_link("/redfish/v1/EventService"));
        json_object *links = json_object_new_object();
        json_object_object_add(links, "Sessions", api_link(SESSIONS));
        json_object_object_add(o, "Links", links);
        json_object *oem = json_object_new_object(), *hd = json_object_new_object();
        json_add_string(hd, "@odata.type", API_OEM_TYPE("ServiceRoot"));
        json_add_string(hd, "Version", HOSTD_VERSION);
        /* Prometheus text, not a Redfish resource: a plain URI, not an @odata.id link */
        json_add_string(hd, "MetricsURI", "/metrics");
        json_object_object_add(oem, "Hostd", hd);
        json_object_object_add(o, "Oem", oem);
        api_json(r, 200, o);
}

static void system_host(const struct api_request *req, struct api_response *r) {
        const struct host_facts *facts = daemon_host_facts(req->cfg);
        char hn[256] = "";
        gethostname(hn, sizeof hn - 1);
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", "/redfish/v1/Systems/host");
        json_add_string(o, "@odata.type", "#ComputerSystem.v1_20_0.ComputerSystem");
        json_add_string(o, "Id", "host");
        json_add_string(o, "Name", "This host");
        json_add_string(o, "HostName", hn);
        json_add_string(o, "SystemType", "Physical");
        json_add_string(o, "Manufacturer", facts->sys_vendor);
        json_add_string(o, "Model", facts->product_name);
        json_add_string(o, "SerialNumber", facts->product_serial);
        if (facts->product_uuid)
                json_add_string(o, "UUID", facts->product_uuid);
        if (facts->bios_version)
                json_add_string(o, "BiosVersion", facts->bios_version);
        json_add_string(o, "PowerState", "On");
        /* hostd judges this host by its storage alone (no sensors: those are the BMC's),
         * so its health is the rollup of Storage */
        _cleanup_(arrays_snap_putp) struct arrays_snap *arrays = state_arrays_get();
        const char *health = md_health_name(state_arrays_health(arrays));
        json_object *st = json_object_new_object();
        json_add_string(st, "State", "Enabled");
        json_add_string(st, "Health", health);
        json_add_string(st, "HealthRollup", health);
        json_object_object_add(o, "Status", st);
        json_object *mem = json_object_new_object();
        char gib[32];
        snprintf(gib, sizeof gib, "%.2f", (double)host_memory_mib(facts) / 1024.0);
        json_object_object_add(mem, "TotalSystemMemoryGiB", json_object_new_double_s(strtod(gib, NULL), gib));
        json_object_object_add(o, "MemorySummary", mem);
        json_object *cpu = json_object_new_object();
        json_add_int(cpu, "Count", (int64_t)facts->n_cpus);
        json_add_int(cpu, "LogicalProcessorCount", facts->logical_cpus);
        json_add_string(cpu, "Model", facts->n_cpus ? facts->cpus[0].model : NULL);
        json_object_object_add(o, "ProcessorSummary", cpu);
        json_object_object_add(o, "Storage", api_link("/redfish/v1/Systems/host/Storage"));
        json_object_object_add(o, "Processors", api_link(API_HOST "/Processors"));
        json_object_object_add(o, "Memory", api_link(API_HOST "/Memory"));
        json_object_object_add(o, "EthernetInterfaces", api_link(API_HOST "/EthernetInterfaces"));
        json_object *links = json_object_new_object(), *chassis = json_object_new_array(),
                    *managers = json_object_new_array();
        json_object_array_add(chassis, api_link(API_CHASSIS));
        json_object_array_add(managers, api_link(API_MANAGER));
        json_object_object_add(links, "Chassis", chassis);
        json_object_object_add(links, "ManagedBy", managers);
        json_object_object_add(o, "Links", links);
        json_object *boot = json_object_new_object();
        json_add_string(boot, "BootSourceOverrideEnabled", "Disabled");
        json_add_string(boot, "BootSourceOverrideTarget", "None");
        json_object_object_add(o, "Boot", boot);
        json_object_object_add(o, "Actions", api_host_actions_json());
        /* what Redfish has no schema for: the container runtimes */
        json_object *oem = json_object_new_object(), *hd = json_object_new_object();
        json_add_string(hd, "@odata.type", API_OEM_TYPE("ComputerSystem"));
        json_object_object_add(hd, "Containers", api_link(API_CONTAINERS));
        json_object_object_add(oem, "Hostd", hd);
        json_object_object_add(o, "Oem", oem);
        api_json(r, 200, o);
}

static json_object *session_json(const char *id, const char *user) {
        _cleanup_free_ char *odata = strdup_printf(SESSIONS "/%s", id);
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata);
        json_add_string(o, "@odata.type", "#Session.v1_6_0.Session");
        json_add_string(o, "Id", id);
        json_add_string(o, "Name", "User session");
        json_add_string(o, "UserName", user);
        return o;
}

static void session_login(struct hostd *h, const struct api_request *req, struct api_response *r) {
        _cleanup_json_ json_object *b = api_body_object(req, r);
        if (!b)
                return;
        const char *user = json_get_string(b, "UserName"), *pw = json_get_string(b, "Password");
        if (!user || !pw)
                return api_error(r, 400, "PropertyMissing", "UserName and Password are required");
        if (!h->auth)
                return api_error(r, 401, "NoValidSession", "sessions need a users_file in the configuration");
        unsigned wait = 0;
        uint64_t generation = 0;
        enum auth_result a = auth_login(h->auth, user, pw, req->client, &wait, &generation);
        if (a == AUTH_THROTTLED) {
                api_error(r, 429, "ServiceTemporarilyUnavailable", "too many failed logins: try again in %u s", wait);
                r->retry_after = wait;
                return;
        }
        if (a != AUTH_OK)
                return api_error(r, 401, "NoValidSession", "wrong user name or password");
        _cleanup_free_ char *token = NULL, *id = NULL;
        struct error e = { 0 };
        int k = auth_session_new(h->auth, user, generation, req->cfg->sessions_per_user, &token, &id, &e);
        /* the users file changed during the check: the user may be gone */
        if (k == -ESTALE)
                return api_error(r, 401, "NoValidSession", "%s", e.msg);
        if (k < 0)
                return api_error(r, 503, "GeneralError", "%s", e.msg);
        api_json(r, 201, session_json(id, user));
        r->location = strdup_printf(SESSIONS "/%s", id);
        r->auth_token = TAKE_PTR(token);
}

static void sessions(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        if (p->n == 2 && streq(req->method, "POST"))
                return session_login(h, req, r);
        if (p->n == 2 && streq(req->method, "GET")) {
                json_object *c = api_collection(SESSIONS, "#SessionCollection.SessionCollection", "Sessions");
                _cleanup_strv_free_ char **ids = h->auth ? auth_session_ids(h->auth) : NULL;
                for (char **i = ids; i && *i; i++) {
                        _cleanup_free_ char *id = strdup_printf(SESSIONS "/%s", *i);
                        api_collection_add(c, id);
                }
                return api_json(r, 200, c);
        }
        if (p->n == 2)
                return api_method_not_allowed(r, "GET, POST");
        char user[64];
        if (p->n != 3 || !h->auth || !auth_session_user(h->auth, p->segs[2], user, sizeof user))
                return api_not_found(r, req->path);
        if (streq(req->method, "GET"))
                return api_json(r, 200, session_json(p->segs[2], user));
        if (streq(req->method, "DELETE")) {
                if (!req->admin && !streq_ptr(req->user, user))
                        return api_error(r, 403, "InsufficientPrivilege", "the session is %s's: a user ends only its own",
                                         user);
                auth_session_delete(h->auth, p->segs[2], NULL);
                r->status = 204;
                return;
        }
        api_method_not_allowed(r, "GET, DELETE");
}

static void session_service(struct hostd *h, const struct api_request *req, struct api_response *r) {
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", "/redfish/v1/SessionService");
        json_add_string(o, "@odata.type", "#SessionService.v1_1_9.SessionService");
        json_add_string(o, "Id", "SessionService");
        json_add_string(o, "Name", "Session Service");
        json_add_bool(o, "ServiceEnabled", h->auth != NULL);
        json_add_int(o, "SessionTimeout", req->cfg->session_timeout_s);
        json_object_object_add(o, "Sessions", api_link(SESSIONS));
        api_json(r, 200, o);
}

void api_service(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        const char *s0 = p->n ? p->segs[0] : NULL;
        if (p->n >= 1 && streq(s0, "SessionService") && (p->n == 1 || streq(p->segs[1], "Sessions"))) {
                if (p->n >= 2)
                        return sessions(h, req, p, r);
                if (!streq(req->method, "GET"))
                        return api_method_not_allowed(r, "GET");
                return session_service(h, req, r);
        }
        if (p->n >= 1 && streq(s0, "TaskService"))
                return api_tasks(h, req, p, r);
        if (p->n >= 1 && streq(s0, "EventService"))
                return api_events(h, req, p, r);
        bool root = p->n == 0, systems = p->n == 1 && streq(s0, "Systems"),
             host = p->n == 2 && streq(s0, "Systems") && streq(p->segs[1], "host");
        if (!root && !systems && !host)
                return api_not_found(r, req->path);
        if (!streq(req->method, "GET"))
                return api_method_not_allowed(r, "GET");
        if (root)
                return service_root(req, r);
        if (host)
                return system_host(req, r);
        json_object *c = api_collection("/redfish/v1/Systems", "#ComputerSystemCollection.ComputerSystemCollection",
                                        "Computer Systems");
        api_collection_add(c, "/redfish/v1/Systems/host");
        api_vms_members(h, c);
        api_json(r, 200, c);
}
