/* daemon/api_accounts.c: the AccountService (the users file as Accounts,
 * the three predefined Roles) and the role check of every request. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "daemon.h"
#include "lib/json.h"
#include "lib/strutil.h"

#define ACCOUNT_SERVICE "/redfish/v1/AccountService"
#define ACCOUNTS ACCOUNT_SERVICE "/Accounts"
#define ROLES ACCOUNT_SERVICE "/Roles"
#define READ_ONLY_ACCOUNTS \
        "accounts are the lines of hostd's users file: edit it (name:hash[:role]) and reload hostd (SIGHUP)"

static bool is_write(const char *method) {
        return streq(method, "POST") || streq(method, "PATCH") || streq(method, "PUT") || streq(method, "DELETE");
}

/* A login (POST of a session) or a logout (DELETE of a session: its handler
 * lets a user end only its own). Dell's /redfish/v1/Sessions is rewritten to
 * SessionService/Sessions before this check. */
static bool is_own_session_request(const char *method, const struct api_path *p) {
        if (p->n < 2 || !streq(p->segs[0], "SessionService") || !streq(p->segs[1], "Sessions"))
                return false;
        return (streq(method, "POST") && p->n == 2) || (streq(method, "DELETE") && p->n == 3);
}

/* What only an Administrator may change: the first segments of its path
 * under /redfish/v1 and what the refusal calls it. */
static const struct {
        const char *segs[3];
        const char *what;
} administrator_only[] = {
        { { "AccountService" }, "managing accounts" },
        { { "Systems", "host", "Actions" }, "resetting the host" },
};

static bool path_starts_with(const struct api_path *p, const char *const segs[3]) {
        for (size_t i = 0; i < 3 && segs[i]; i++)
                if (i >= p->n || !streq(p->segs[i], segs[i]))
                        return false;
        return true;
}

bool api_role_permits(const struct api_request *req, const struct api_path *p, struct api_response *r) {
        if (!is_write(req->method) || is_own_session_request(req->method, p))
                return true;
        const char *user = req->user ? req->user : "-";
        if (req->role == AUTH_ROLE_READONLY) {
                api_error(r, 403, "InsufficientPrivilege", "%s is ReadOnly: it may read, log in and log out", user);
                return false;
        }
        for (size_t i = 0; i < ELEMENTSOF(administrator_only) && req->role < AUTH_ROLE_ADMINISTRATOR; i++)
                if (path_starts_with(p, administrator_only[i].segs)) {
                        api_error(r, 403, "InsufficientPrivilege", "%s needs the Administrator role; %s is %s",
                                  administrator_only[i].what, user, auth_role_name(req->role));
                        return false;
                }
        return true;
}


static json_object *role_json(enum auth_role role) {
        /* DSP0266's privileges of the predefined roles */
        static const char *const privileges[_AUTH_ROLE_MAX][6] = {
                [AUTH_ROLE_READONLY] = { "Login", "ConfigureSelf" },
                [AUTH_ROLE_OPERATOR] = { "Login", "ConfigureSelf", "ConfigureComponents" },
                [AUTH_ROLE_ADMINISTRATOR] = { "Login", "ConfigureManager", "ConfigureUsers", "ConfigureSelf",
                                              "ConfigureComponents" },
        };
        const char *name = auth_role_name(role);
        _cleanup_free_ char *odata = strdup_printf(ROLES "/%s", name);
        json_object *o = api_resource(odata, "#Role.v1_3_3.Role", name, name);
        json_add_string(o, "RoleId", name);
        json_add_bool(o, "IsPredefined", true);
        json_object *a = json_object_new_array();
        for (const char *const *x = privileges[role]; *x; x++)
                json_object_array_add(a, json_object_new_string(*x));
        json_object_object_add(o, "AssignedPrivileges", a);
        return o;
}

static json_object *account_json(const struct auth_user *u) {
        _cleanup_free_ char *odata = strdup_printf(ACCOUNTS "/%s", u->name);
        _cleanup_free_ char *role = strdup_printf(ROLES "/%s", auth_role_name(u->role));
        json_object *o = api_resource(odata, "#ManagerAccount.v1_12_3.ManagerAccount", u->name, "User account");
        json_add_string(o, "UserName", u->name);
        json_add_string(o, "RoleId", auth_role_name(u->role));
        json_add_bool(o, "Enabled", true);
        json_add_bool(o, "Locked", false);
        /* required by the schema: these accounts log in to the Redfish service only */
        json_object *types = json_object_new_array();
        json_object_array_add(types, json_object_new_string("Redfish"));
        json_object_object_add(o, "AccountTypes", types);
        json_object *links = json_object_new_object();
        json_object_object_add(links, "Role", api_link(role));
        json_object_object_add(o, "Links", links);
        return o;
}

static json_object *account_service_json(const struct hostd *h) {
        json_object *o = api_resource(ACCOUNT_SERVICE, "#AccountService.v1_15_4.AccountService", "AccountService",
                                  "Account Service");
        json_add_string(o, "Description", READ_ONLY_ACCOUNTS);
        json_add_bool(o, "ServiceEnabled", h->auth != NULL);
        json_add_string(o, "LocalAccountAuth", h->auth ? "Enabled" : "Disabled");
        json_object_object_add(o, "Accounts", api_link(ACCOUNTS));
        json_object_object_add(o, "Roles", api_link(ROLES));
        return o;
}

static void accounts(struct hostd *h, const struct api_request *req, const struct api_path *p,
                     struct api_response *r) {
        struct auth_user *users = NULL;
        size_t n = h->auth ? auth_users(h->auth, &users) : 0;
        json_object *o = NULL;
        if (p->n == 2) {
                o = api_collection(ACCOUNTS, "#ManagerAccountCollection.ManagerAccountCollection", "Accounts");
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *id = strdup_printf(ACCOUNTS "/%s", users[i].name);
                        api_collection_add(o, id);
                }
        }
        for (size_t i = 0; p->n == 3 && i < n && !o; i++)
                if (streq(users[i].name, p->segs[2]))
                        o = account_json(&users[i]);
        free(users);
        if (!o)
                return api_not_found(r, req->path);
        if (!streq(req->method, "GET")) {
                json_object_put(o);
                api_error(r, 405, "OperationNotAllowed", READ_ONLY_ACCOUNTS);
                r->allow = "GET";
                return;
        }
        api_json(r, 200, o);
}

void api_accounts(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        if (p->n >= 2 && streq(p->segs[1], "Accounts") && p->n <= 3)
                return accounts(h, req, p, r);
        enum auth_role role = AUTH_ROLE_READONLY;
        bool roles = p->n >= 2 && streq(p->segs[1], "Roles");
        if (!(p->n == 1 || (roles && p->n == 2) || (roles && p->n == 3 && auth_role_from_name(p->segs[2], &role) >= 0)))
                return api_not_found(r, req->path);
        if (!streq(req->method, "GET")) {
                api_error(r, 405, "OperationNotAllowed", p->n == 1 ? READ_ONLY_ACCOUNTS : "the roles are predefined");
                r->allow = "GET";
                return;
        }
        if (p->n == 1)
                return api_json(r, 200, account_service_json(h));
        if (p->n == 3)
                return api_json(r, 200, role_json(role));
        json_object *c = api_collection(ROLES, "#RoleCollection.RoleCollection", "Roles");
        for (int i = _AUTH_ROLE_MAX - 1; i >= 0; i--) {
                _cleanup_free_ char *id = strdup_printf(ROLES "/%s", auth_role_name((enum auth_role)i));
                api_collection_add(c, id);
        }
        api_json(r, 200, c);
}
