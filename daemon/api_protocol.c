/* daemon/api_protocol.c: what DSP0266 asks of every request and response,
 * around the router (api_handle), so that the resources need not repeat it:
 * the OData-Version check (412), HEAD and OPTIONS, the trailing-slash
 * aliases, the Allow header, the Link header to the resource's DMTF schema,
 * and a Redfish error body on every 4xx/5xx. */
#include "api.h"

#include <stdio.h>
#include <string.h>

#include "api_metadata.h"
#include "lib/strutil.h"

#define SESSIONS "/redfish/v1/SessionService/Sessions"

/* The methods each resource takes ('*': one path segment; the first match
 * wins), as its handler's 405 answer names them. tests/host/t-hostd-dsp0266.sh
 * checks this table against the handlers' own 405 answers for every
 * resource it reaches, and that every resource has an entry. */
static const struct route {
        const char *pattern;
        const char *methods;
} routes[] = {
        { "/redfish", "GET" },
        { "/redfish/v1", "GET" },
        { "/redfish/v1/odata", "GET" },
        { "/redfish/v1/$metadata", "GET" },
        { API_OEM_CSDL, "GET" },
        { "/metrics", "GET" },
        { "/redfish/v1/Systems", "GET" },
        { "/redfish/v1/Systems/host", "GET" },
        { "/redfish/v1/Systems/host/Storage", "GET" },
        { "/redfish/v1/Systems/host/Storage/md", "GET" },
        { "/redfish/v1/Systems/host/Storage/md/Drives", "GET" },
        { "/redfish/v1/Systems/host/Storage/md/Drives/*", "GET, PATCH" },
        { "/redfish/v1/Systems/host/Storage/md/Volumes", "GET, POST" },
        { "/redfish/v1/Systems/host/Storage/md/Volumes/*", "GET, DELETE" },
        { "/redfish/v1/Systems/host/Storage/md/Volumes/*/Actions/*", "POST" },
        { "/redfish/v1/Systems/host/Storage/md/Volumes/*/Actions/Oem/*", "POST" },
        { "/redfish/v1/Systems/host/Storage/md/Oem/Hostd/*", "GET" },
        { "/redfish/v1/Systems/host/Oem/Hostd/Containers", "GET" },
        { "/redfish/v1/Systems/host/Processors", "GET" },
        { "/redfish/v1/Systems/host/Processors/*", "GET" },
        { "/redfish/v1/Systems/host/Memory", "GET" },
        { "/redfish/v1/Systems/host/Memory/*", "GET" },
        { "/redfish/v1/Systems/host/EthernetInterfaces", "GET" },
        { "/redfish/v1/Systems/host/EthernetInterfaces/*", "GET" },
        { "/redfish/v1/Systems/*", "GET, PATCH" },
        { "/redfish/v1/Systems/*/Actions/ComputerSystem.Reset", "POST" },
        { "/redfish/v1/Systems/*/VirtualMedia", "GET" },
        { "/redfish/v1/Systems/*/VirtualMedia/CD", "GET" },
        { "/redfish/v1/Systems/*/VirtualMedia/CD/Actions/*", "POST" },
        { "/redfish/v1/Chassis", "GET" },
        { "/redfish/v1/Chassis/*", "GET" },
        { "/redfish/v1/Managers", "GET" },
        { "/redfish/v1/Managers/*", "GET" },
        { "/redfish/v1/Managers/*/NetworkProtocol", "GET" },
        { "/redfish/v1/Managers/*/LogServices", "GET" },
        { "/redfish/v1/Managers/*/LogServices/*", "GET" },
        { "/redfish/v1/Managers/*/LogServices/*/Entries", "GET" },
        { "/redfish/v1/Managers/*/LogServices/*/Entries/*", "GET" },
        { "/redfish/v1/AccountService", "GET" },
        { "/redfish/v1/AccountService/Accounts", "GET" },
        { "/redfish/v1/AccountService/Accounts/*", "GET" },
        { "/redfish/v1/AccountService/Roles", "GET" },
        { "/redfish/v1/AccountService/Roles/*", "GET" },
        { "/redfish/v1/SessionService", "GET" },
        { SESSIONS, "GET, POST" },
        { SESSIONS "/Members", "POST" },
        { SESSIONS "/*", "GET, DELETE" },
        { "/redfish/v1/TaskService", "GET" },
        { "/redfish/v1/TaskService/Tasks", "GET" },
        { "/redfish/v1/TaskService/Tasks/*", "GET" },
        { "/redfish/v1/TaskService/Tasks/*/Actions/Oem/Hostd.Resume", "POST" },
        { "/redfish/v1/EventService", "GET" },
        { "/redfish/v1/EventService/Oem/Hostd/Events", "GET" },
        { "/redfish/v1/EventService/Actions/EventService.SubmitTestEvent", "POST" },
        { "/redfish/v1/EventService/Subscriptions", "GET, POST" },
        { "/redfish/v1/EventService/Subscriptions/*", "GET, DELETE" },
};

/* The Allow header for a handler's methods: HEAD wherever GET is, OPTIONS everywhere. */
static const struct {
        const char *methods;
        const char *allow;
} allow_headers[] = {
        { "GET", "GET, HEAD, OPTIONS" },
        { "POST", "POST, OPTIONS" },
        { "GET, POST", "GET, HEAD, POST, OPTIONS" },
        { "GET, DELETE", "GET, HEAD, DELETE, OPTIONS" },
        { "GET, PATCH", "GET, HEAD, PATCH, OPTIONS" },
};

static const char *allow_header(const char *methods) {
        for (size_t i = 0; methods && i < ELEMENTSOF(allow_headers); i++)
                if (streq(allow_headers[i].methods, methods))
                        return allow_headers[i].allow;
        return methods;
}

/* path matches pattern segment by segment, '*' matching any one segment. */
static bool route_matches(const char *pattern, const char *path) {
        while (*pattern && *path) {
                if (*pattern != '/' || *path != '/')
                        return false;
                pattern++, path++;
                size_t np = strcspn(pattern, "/"), ns = strcspn(path, "/");
                if (ns == 0 || !((np == 1 && *pattern == '*') || (np == ns && strncmp(pattern, path, np) == 0)))
                        return false;
                pattern += np, path += ns;
        }
        return !*pattern && !*path;
}

static const char *route_methods(const char *path) {
        for (size_t i = 0; i < ELEMENTSOF(routes); i++)
                if (route_matches(routes[i].pattern, path))
                        return routes[i].methods;
        return NULL;
}

bool api_path_is_open(const char *method, const char *path) {
        char buf[64];   /* longer than every open path */
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/')
                n--;
        if (n >= sizeof buf)
                return false;
        memcpy(buf, path, n);
        buf[n] = '\0';
        bool read = streq(method, "GET") || streq(method, "HEAD") || streq(method, "OPTIONS");
        if (read && (streq(buf, "/redfish") || streq(buf, "/redfish/v1") || streq(buf, "/redfish/v1/odata") ||
                     streq(buf, "/redfish/v1/$metadata") || streq(buf, API_OEM_CSDL)))
                return true;
        /* /redfish/v1/Sessions: where Dell's clients post the login (api_dell.c) */
        return streq(method, "POST") && (streq(buf, SESSIONS) || streq(buf, SESSIONS "/Members") ||
                                         streq(buf, "/redfish/v1/Sessions"));
}

/* The Base registry message for a status a handler left without a body. */
static const char *message_for_status(unsigned status) {
        static const struct {
                unsigned status;
                const char *id;
        } map[] = {
                { 400, "GeneralError" },        { 401, "NoValidSession" },    { 403, "InsufficientPrivilege" },
                { 404, "ResourceNotFound" },    { 405, "OperationNotAllowed" }, { 409, "ResourceInUse" },
                { 412, "PreconditionFailed" },  { 413, "PayloadTooLarge" },   { 415, "HeaderInvalid" },
                { 428, "PreconditionRequired" }, { 429, "ServiceTemporarilyUnavailable" },
                { 503, "ServiceTemporarilyUnavailable" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (map[i].status == status)
                        return map[i].id;
        return status >= 500 ? "InternalError" : "GeneralError";
}

/* "#ComputerSystem.v1_20_0.ComputerSystem" -> the DMTF JSON schema of that
 * version; "#SessionCollection.SessionCollection" -> SessionCollection.json.
 * Only for the types $metadata names (hostd's own Oem types have no DMTF schema). */
static char *describedby_link(const char *odata_type) {
        char ns[96];
        if (!api_metadata_namespace(odata_type, ns, sizeof ns))
                return NULL;
        return strdup_printf("<" API_DMTF_SCHEMAS "%s.json>; rel=describedby", ns);
}

/* HEAD and OPTIONS ask what GET would answer (a handler's GET has no effect). */
static void serve_resource(struct hostd *h, const struct api_request *req, struct api_response *r) {
        bool head = streq(req->method, "HEAD"), options = streq(req->method, "OPTIONS");
        struct api_request q = *req;
        if (head || options)
                q.method = "GET";
        if (api_metadata_handle(h, &q, r))
                ;
        else
                api_handle(h, &q, r);
        const char *methods = route_methods(req->path);
        if (r->status == 405 && r->allow)
                r->allow = allow_header(r->allow);
        else if (r->status < 400 && methods)
                r->allow = allow_header(methods);
        if (options && (r->status < 400 || r->status == 405)) {
                const char *allow = r->allow;
                api_response_done(r);
                r->status = 204;
                r->allow = allow;
        }
}

void api_serve(struct hostd *h, const struct api_request *req, struct api_response *r) {
        *r = (struct api_response){ 0 };
        const char *v = req->odata_version;
        if (v) {
                while (*v == ' ' || *v == '\t')
                        v++;
                size_t n = strcspn(v, " \t");
                if (n != 3 || strncmp(v, "4.0", 3) != 0 || v[n + strspn(v + n, " \t")])
                        return api_error(r, 412, "PreconditionFailed",
                                         "OData-Version %.40s is not supported: this service speaks OData 4.0", v);
        }
        /* the trailing-slash aliases: /redfish/v1/ is /redfish/v1, /redfish/v1/Systems/ is /redfish/v1/Systems */
        char path[sizeof ((struct api_path *)0)->buf];
        size_t n = strlen(req->path);
        while (n > 1 && req->path[n - 1] == '/')
                n--;
        if (n >= sizeof path)
                return api_not_found(r, "(a path too long)");
        memcpy(path, req->path, n);
        path[n] = '\0';
        struct api_request q = *req;
        q.path = path;
        /* DSP0266: a login may be POSTed to the Members of the Sessions collection too */
        if (streq(req->method, "POST") && streq(path, SESSIONS "/Members"))
                q.path = SESSIONS;
        serve_resource(h, &q, r);
        if (r->status >= 400 && !r->body) {
                const char *allow = r->allow;
                unsigned status = r->status, retry = r->retry_after;
                api_error(r, status, message_for_status(status), "%s", "the request failed");
                r->allow = allow, r->retry_after = retry;
        }
        if (r->status < 400 && r->odata_type[0])
                r->link = describedby_link(r->odata_type);
}
