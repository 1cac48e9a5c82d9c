/* daemon/api_managers.c: Managers/hostd, hostd itself as the manager of
 * the host: its version, its clock, the protocol it serves, and its events
 * as a LogService. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "daemon.h"
#include "events.h"
#include "lib/json.h"
#include "lib/store.h"
#include "lib/strutil.h"

#ifndef HOSTD_VERSION
#define HOSTD_VERSION "0.0.0"
#endif
#define NETWORK_PROTOCOL API_MANAGER "/NetworkProtocol"
#define LOG_SERVICES API_MANAGER "/LogServices"
#define EVENT_LOG LOG_SERVICES "/Events"
#define ENTRIES EVENT_LOG "/Entries"
/* the journal keeps every event; the log shows the newest ones */
#define ENTRIES_MAX 500

static json_object *link_array(const char *id) {
        json_object *a = json_object_new_array();
        json_object_array_add(a, api_link(id));
        return a;
}


static json_object *manager_json(void) {
        json_object *o = api_resource(API_MANAGER, "#Manager.v1_19_3.Manager", "hostd", "hostd");
        json_add_string(o, "Description", "hostd, the service that manages this host's storage, VMs and containers");
        json_add_string(o, "ManagerType", "Service");
        json_add_string(o, "Model", "hostd");
        json_add_string(o, "FirmwareVersion", HOSTD_VERSION);
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        char date[40], offset[16];
        int off = (int)(tm.tm_gmtoff / 60);
        snprintf(offset, sizeof offset, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60 % 100, abs(off) % 60);
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
        strcat(date, offset);
        json_add_string(o, "DateTime", date);
        json_add_string(o, "DateTimeLocalOffset", offset);
        json_add_string(o, "PowerState", "On");
        json_object *st = json_object_new_object();
        json_add_string(st, "State", "Enabled");
        json_add_string(st, "Health", "OK");
        json_object_object_add(o, "Status", st);
        json_object_object_add(o, "NetworkProtocol", api_link(NETWORK_PROTOCOL));
        json_object_object_add(o, "LogServices", api_link(LOG_SERVICES));
        json_object *links = json_object_new_object();
        json_object_object_add(links, "ManagerForServers", link_array(API_HOST));
        json_object_object_add(links, "ManagerForChassis", link_array(API_CHASSIS));
        json_object_object_add(links, "ManagerInChassis", api_link(API_CHASSIS));
        json_object_object_add(o, "Links", links);
        return o;
}

/* The port of "ADDR:PORT" (listen:), 0 without TCP. */
static int listen_port(const char *listen) {
        const char *colon = listen ? strrchr(listen, ':') : NULL;
        return colon ? atoi(colon + 1) : 0;
}

static json_object *network_protocol_json(const struct daemon_config *cfg) {
        json_object *o = api_resource(NETWORK_PROTOCOL, "#ManagerNetworkProtocol.v1_10_1.ManagerNetworkProtocol",
                                  "NetworkProtocol", "hostd's network protocols");
        char hn[256] = "";
        gethostname(hn, sizeof hn - 1);
        json_add_string(o, "HostName", hn);
        int port = listen_port(cfg->listen);
        json_object *https = json_object_new_object(), *http = json_object_new_object();
        json_add_bool(https, "ProtocolEnabled", port && cfg->tls);
        json_add_bool(http, "ProtocolEnabled", port && !cfg->tls);
        if (port)
                json_add_int(cfg->tls ? https : http, "Port", port);
        json_object_object_add(o, "HTTPS", https);
        json_object_object_add(o, "HTTP", http);
        json_object *st = json_object_new_object();
        json_add_string(st, "State", "Enabled");
        json_object_object_add(o, "Status", st);
        return o;
}

static json_object *log_service_json(void) {
        json_object *o = api_resource(EVENT_LOG, "#LogService.v1_5_3.LogService", "Events", "hostd events");
        json_add_string(o, "Description", "what hostd saw happen: arrays, drives, tasks (the journal in its state store)");
        json_add_bool(o, "ServiceEnabled", true);
        json_add_string(o, "LogEntryType", "Event");
        json_add_int(o, "MaxNumberOfRecords", ENTRIES_MAX);
        json_add_string(o, "OverWritePolicy", "NeverOverWrites");
        json_object_object_add(o, "Entries", api_link(ENTRIES));
        json_object *st = json_object_new_object();
        json_add_string(st, "State", "Enabled");
        json_object_object_add(o, "Status", st);
        return o;
}

static json_object *log_entry_json(const struct journal_record *j) {
        char id[24], ts[40];
        snprintf(id, sizeof id, "%lld", (long long)j->id);
        _cleanup_free_ char *odata = strdup_printf(ENTRIES "/%s", id);
        _cleanup_free_ char *mid = strdup_printf("Hostd.1.0.%s", j->kind);
        json_object *o = api_resource(odata, "#LogEntry.v1_15_6.LogEntry", id, j->kind);
        json_add_string(o, "EntryType", "Event");
        json_add_string(o, "Created", format_time_ms(j->time_ms, ts, sizeof ts));
        json_add_string(o, "Severity", j->severity);
        json_add_string(o, "Message", j->message);
        json_add_string(o, "MessageId", mid);
        if (j->data && *j->data) {
                json_object *links = json_object_new_object();
                json_object_object_add(links, "OriginOfCondition", api_link(j->data));
                json_object_object_add(o, "Links", links);
        }
        return o;
}

/* The entries, with the entries themselves as members, as clients read them
 * in one request (the newest ENTRIES_MAX) */
static void entries(struct hostd *h, const struct api_request *req, struct api_response *r) {
        struct journal_record *v = NULL;
        size_t n = 0;
        struct error e = { 0 };
        if (!h->store)
                return api_error(r, 503, "ServiceTemporarilyUnavailable", "no event store");
        if (store_journal_list(h->store, NULL, ENTRIES_MAX, &v, &n, &e) < 0)
                return api_error(r, 500, "InternalError", "%s", e.msg);
        json_object *c = api_collection(ENTRIES, "#LogEntryCollection.LogEntryCollection", "hostd events");
        json_object *members = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(members, log_entry_json(&v[i]));
        json_object_object_add(c, "Members", members);
        json_add_int(c, "Members@odata.count", (int64_t)n);
        journal_record_list_free(v, n);
        api_json(r, 200, c);
}

/* One entry by its id, however old: the log never overwrites */
static void entry(struct hostd *h, const struct api_request *req, const char *id, struct api_response *r) {
        struct error e = { 0 };
        char *end = NULL;
        errno = 0;
        long long n = strtoll(id, &end, 10);
        if (!h->store)
                return api_error(r, 503, "ServiceTemporarilyUnavailable", "no event store");
        if (!*id || *end || errno || n <= 0)
                return api_not_found(r, req->path);
        struct journal_record rec = { 0 };
        int k = store_journal_get(h->store, n, &rec, &e);
        if (k == -ENOENT)
                return api_not_found(r, req->path);
        if (k < 0)
                return api_error(r, 500, "InternalError", "%s", e.msg);
        json_object *o = log_entry_json(&rec);
        journal_record_done(&rec);
        api_json(r, 200, o);
}

void api_managers(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        /* Managers, hostd, hostd/NetworkProtocol, hostd/LogServices[/Events[/Entries[/<id>]]] */
        bool hostd = p->n >= 2 && streq(p->segs[1], "hostd");
        bool logs = hostd && p->n >= 3 && streq(p->segs[2], "LogServices");
        bool events = logs && p->n >= 4 && streq(p->segs[3], "Events");
        bool known = p->n == 1 || (hostd && p->n == 2) ||
                     (hostd && p->n == 3 && (logs || streq(p->segs[2], "NetworkProtocol"))) ||
                     (events && p->n == 4) || (events && p->n >= 5 && p->n <= 6 && streq(p->segs[4], "Entries"));
        if (!known)
                return api_not_found(r, req->path);
        if (!streq(req->method, "GET"))
                return api_method_not_allowed(r, "GET");
        if (p->n == 1) {
                json_object *c = api_collection("/redfish/v1/Managers", "#ManagerCollection.ManagerCollection",
                                                "Managers");
                api_collection_add(c, API_MANAGER);
                return api_json(r, 200, c);
        }
        if (p->n == 2)
                return api_json(r, 200, manager_json());
        if (p->n == 3 && !logs)
                return api_json(r, 200, network_protocol_json(req->cfg));
        if (p->n == 3) {
                json_object *c = api_collection(LOG_SERVICES, "#LogServiceCollection.LogServiceCollection",
                                                "hostd's logs");
                api_collection_add(c, EVENT_LOG);
                return api_json(r, 200, c);
        }
        if (p->n == 4)
                return api_json(r, 200, log_service_json());
        if (p->n == 6)
                return entry(h, req, p->segs[5], r);
        entries(h, req, r);
}
