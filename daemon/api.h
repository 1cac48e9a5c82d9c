/* The HTTP API as a function: a request (method, path, body, who) in, a
 * response (status, JSON body, headers) out. No socket and no libmicrohttpd
 * here, so the fuzzer and the unit tests call it directly. Resources follow
 * DMTF Redfish; what Redfish has no schema for is under Oem.Hostd. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth.h"

struct hostd;

struct api_request {
        const char *method;
        const char *path;         /* without the query string */
        const char *body;         /* may be NULL */
        size_t body_len;
        const char *user;         /* who is asking ("local" on the Unix socket) */
        bool admin;               /* may act on what other users made (the Unix socket) */
        enum auth_role role;      /* the user's role: Administrator on the Unix socket,
                                   * ReadOnly (the zero value) when unknown */
        const char *client;       /* the client's address ("local" on the Unix socket) */
        const char *confirm;      /* X-Hostd-Confirm header: DELETE of a Volume names it */
        const char *if_match;     /* If-Match header: PATCH of a resource with an ETag */
        const char *odata_version;/* OData-Version header, or NULL */
        const struct daemon_config *cfg;   /* the configuration, for the whole request */
};

struct api_response {
        unsigned status;
        char *body;               /* malloc'd; NULL: empty */
        size_t body_len;
        const char *content_type;
        char *location;           /* Location header, or NULL */
        char *auth_token;         /* X-Auth-Token header, or NULL */
        const char *allow;        /* Allow header with 405 */
        char *etag;               /* ETag header, or NULL */
        unsigned retry_after;     /* Retry-After header (seconds) with 429, or 0 */
        char *link;               /* Link header (rel=describedby), or NULL */
        char odata_type[96];      /* the body's top-level @odata.type, or "" (api_json sets it) */
};

void api_response_done(struct api_response *r);
/* What the server calls: api_handle() inside what DSP0266 asks of every
 * request and response (api_protocol.c): OData-Version, HEAD, OPTIONS, the
 * Allow and Link headers, an error body on every 4xx/5xx, $metadata. */
void api_serve(struct hostd *h, const struct api_request *req, struct api_response *ret);
/* The resources alone: the router. */
void api_handle(struct hostd *h, const struct api_request *req, struct api_response *ret);
/* Whether a request needs no credentials: the ServiceRoot, the OData
 * service document, $metadata, and a session login (DSP0266). */
bool api_path_is_open(const char *method, const char *path);

/* ---- for the api_*.c files ---------------------------------------------------- */

/* Split "/redfish/v1/Systems/host" after /redfish/v1 into segments. */
#define API_MAX_SEGS 12   /* /redfish/v1/.../Volumes/<name>/Actions/Oem/Hostd.<Verb>: 11 */
struct api_path {
        char *segs[API_MAX_SEGS];
        size_t n;
        char buf[512];
};

void api_json(struct api_response *r, unsigned status, json_object *o);   /* takes o */
void api_error(struct api_response *r, unsigned status, const char *message_id, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void api_not_found(struct api_response *r, const char *path);
void api_method_not_allowed(struct api_response *r, const char *allow);
/* The @odata.type of an Oem.Hostd object inside a resource of that type
 * (DSP0266: OEM extension objects carry their type). */
#define API_OEM_TYPE(resource_type) "#Hostd.v1_0_0." resource_type
/* {"@odata.id": id} */
json_object *api_link(const char *id);
/* A new resource object with the members every one has. */
json_object *api_resource(const char *odata, const char *type, const char *id, const char *name);
json_object *api_collection(const char *odata_id, const char *type, const char *name);
void api_collection_add(json_object *coll, const char *member_id);
/* Parse the body as a JSON object, or answer 400 and return NULL. */
json_object *api_body_object(const struct api_request *req, struct api_response *r);

void api_storage(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);
/* 202 with the Task and its Location. */
void api_task_accepted(struct api_response *r, int64_t id);
/* api_volume_actions.c: DELETE of a Volume (destroy) and its actions, each a
 * task running raid/lifecycle.h; running: the array's state, NULL when stopped. */
struct disk;
struct disk_list;
struct md_status;
void api_volume_delete(struct hostd *h, const struct api_request *req, struct api_response *r, const char *name,
                       bool running);
void api_volume_action(struct hostd *h, const struct api_request *req, const char *name, const char *action,
                       const struct disk_list *l, const struct md_status *running, struct api_response *r);
json_object *api_volume_actions_json(const char *volume_odata);
void api_service(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);
void api_metrics(struct hostd *h, const struct api_request *req, struct api_response *r);
/* The VMs as Systems (api_vms.c): members of the Systems collection, and
 * everything under /Systems/<domain UUID>. */
void api_vms_members(struct hostd *h, json_object *systems);
void api_vms(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);
/* Systems/host/Oem/Hostd/Containers (api_containers.c): the container
 * runtimes as `hostctl containers detect/status --json` print them. */
#define API_CONTAINERS "/redfish/v1/Systems/host/Oem/Hostd/Containers"
void api_containers(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);
/* /Systems/<uuid>/VirtualMedia[/CD[/Actions/...]] of the VM name (api_vmedia.c). */
void api_vmedia(struct hostd *h, const struct api_request *req, const struct api_path *p, const char *name,
                struct api_response *r);

/* ---- the host, its chassis, hostd as its manager, accounts and roles ------- */
#define API_HOST "/redfish/v1/Systems/host"
#define API_CHASSIS "/redfish/v1/Chassis/host"
#define API_MANAGER "/redfish/v1/Managers/hostd"
/* Systems/host/{Processors,Memory,EthernetInterfaces}[/<id>] and its Reset (api_host.c). */
void api_host(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);
/* Systems/host's Actions: the Reset with the ResetTypes it carries out. */
json_object *api_host_actions_json(void);
/* Chassis[/host] (api_chassis.c). */
void api_chassis(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);
/* Links to every drive of Storage/md, as Chassis/host contains them (api_storage.c). */
json_object *api_drive_links(void);
/* daemon/api_drive_bay.c: a Drive's PhysicalLocation and LocationIndicatorActive */
void api_drive_bay_json(json_object *o, const struct disk *d);
/* PATCH of a Drive: 0 when the BMC blinked (or stopped) its bay, else -1 with r the error */
int api_drive_patch(const struct api_request *req, const struct disk *d, struct api_response *r);
/* Managers[/hostd[/NetworkProtocol|/LogServices/...]] (api_managers.c). */
void api_managers(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);
/* AccountService, its Roles and Accounts (api_accounts.c). */
void api_accounts(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r);
/* The role check every request passes before it is routed: true when the
 * request's role may make it, else r is the 403 (api_accounts.c). */
bool api_role_permits(const struct api_request *req, const struct api_path *p, struct api_response *r);
/* Dell's paths and volume payload as aliases of the standard ones (api_dell.c). */
struct api_dell_alias {
        char path[512];           /* the standard path to route instead */
        char volume[65];          /* Storage/Volumes/<id>: the id */
        bool settings;            /* .../Settings: the volume as Dell's Settings view */
        bool confirm;             /* DELETE of the volume: the path confirms it */
};
/* 1: route a->path instead of req->path; 0: not a Dell path; -1: answered in r. */
int api_dell_alias(const struct api_request *req, struct api_dell_alias *a, struct api_response *r);
/* After routing an alias: the Settings view of a Volume. */
void api_dell_finish(const struct api_dell_alias *a, struct api_response *r);
/* Dell's volume payload in the standard form, in place (VolumeType as
 * RAIDType, top-level Drives as Links.Drives, Storage/Drives/<id> links as
 * Storage/md/Drives/<id>); -1: answered 400 in r. A standard payload passes unchanged. */
int api_dell_volume_normalize(json_object *b, struct api_response *r);
/* md's level as Dell's VolumeType ("raid1" -> "Mirrored"), or NULL. */
const char *api_dell_volume_type(const char *level);
