/* daemon/api_metadata.c: /redfish/v1/odata and /redfish/v1/$metadata. */
#include "api_metadata.h"

#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"

/* Every DMTF type a resource of hostd has as its @odata.type, with the
 * version it claims. tests/host/t-hostd-schemas.sh fails when a resource
 * carries a type this table lacks. Collections are unversioned. */
static const struct schema_type {
        const char *name;
        const char *version;
} types[] = {
        { "ServiceRoot", "v1_15_0" },
        { "ComputerSystemCollection", NULL },
        { "ComputerSystem", "v1_20_0" },
        { "StorageCollection", NULL },
        { "Storage", "v1_13_0" },
        { "DriveCollection", NULL },
        { "Drive", "v1_17_0" },
        { "VolumeCollection", NULL },
        { "Volume", "v1_9_0" },
        { "VirtualMediaCollection", NULL },
        { "VirtualMedia", "v1_6_0" },
        { "SessionService", "v1_1_9" },
        { "SessionCollection", NULL },
        { "Session", "v1_6_0" },
        { "TaskService", "v1_2_0" },
        { "TaskCollection", NULL },
        { "Task", "v1_7_2" },
        { "EventService", "v1_10_0" },
        { "EventDestinationCollection", NULL },
        { "EventDestination", "v1_13_0" },
        { "Event", "v1_7_0" },
        { "Message", "v1_1_2" },
        { "ChassisCollection", NULL },
        { "Chassis", "v1_23_3" },
        { "ManagerCollection", NULL },
        { "Manager", "v1_19_3" },
        { "ManagerNetworkProtocol", "v1_10_1" },
        { "LogServiceCollection", NULL },
        { "LogService", "v1_5_3" },
        { "LogEntryCollection", NULL },
        { "LogEntry", "v1_15_6" },
        { "AccountService", "v1_15_4" },
        { "ManagerAccountCollection", NULL },
        { "ManagerAccount", "v1_12_3" },
        { "RoleCollection", NULL },
        { "Role", "v1_3_3" },
        { "ProcessorCollection", NULL },
        { "Processor", "v1_18_4" },
        { "MemoryCollection", NULL },
        { "Memory", "v1_19_1" },
        { "EthernetInterfaceCollection", NULL },
        { "EthernetInterface", "v1_12_4" },
};

/* hostd's own types (DSP0266: $metadata references OEM namespaces too): the
 * Oem.Hostd objects of the resources above and the two resources Redfish has
 * no schema for, served at API_OEM_CSDL. Open types: their properties are
 * what api_*.c writes, documented in README.md. */
static const char *const oem_namespaces[] = { "Hostd.v1_0_0", "HostdContainers.v1_0_0", "HostdEventLog.v1_0_0" };
static const char oem_csdl[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\" Version=\"4.0\">\n"
        "  <edmx:Reference Uri=\"" API_DMTF_SCHEMAS "Resource_v1.xml\">\n"
        "    <edmx:Include Namespace=\"Resource\"/>\n"
        "    <edmx:Include Namespace=\"Resource.v1_0_0\"/>\n"
        "  </edmx:Reference>\n"
        "  <edmx:DataServices>\n"
        "    <Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" Namespace=\"Hostd.v1_0_0\">\n"
        "      <ComplexType Name=\"ServiceRoot\" BaseType=\"Resource.OemObject\" OpenType=\"true\"/>\n"
        "      <ComplexType Name=\"ComputerSystem\" BaseType=\"Resource.OemObject\" OpenType=\"true\"/>\n"
        "      <ComplexType Name=\"Drive\" BaseType=\"Resource.OemObject\" OpenType=\"true\"/>\n"
        "      <ComplexType Name=\"Volume\" BaseType=\"Resource.OemObject\" OpenType=\"true\"/>\n"
        "      <ComplexType Name=\"Task\" BaseType=\"Resource.OemObject\" OpenType=\"true\"/>\n"
        "      <ComplexType Name=\"EventService\" BaseType=\"Resource.OemObject\" OpenType=\"true\"/>\n"
        "    </Schema>\n"
        "    <Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" Namespace=\"HostdContainers.v1_0_0\">\n"
        "      <EntityType Name=\"HostdContainers\" BaseType=\"Resource.v1_0_0.Resource\" OpenType=\"true\"/>\n"
        "    </Schema>\n"
        "    <Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" Namespace=\"HostdEventLog.v1_0_0\">\n"
        "      <EntityType Name=\"HostdEventLog\" BaseType=\"Resource.v1_0_0.Resource\" OpenType=\"true\"/>\n"
        "    </Schema>\n"
        "  </edmx:DataServices>\n"
        "</edmx:Edmx>\n";

static const struct schema_type *type_named(const char *name, size_t len) {
        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                if (strlen(types[i].name) == len && strncmp(types[i].name, name, len) == 0)
                        return &types[i];
        return NULL;
}

bool api_metadata_namespace(const char *odata_type, char *ns, size_t len) {
        if (!odata_type || odata_type[0] != '#')
                return false;
        const char *name = odata_type + 1, *dot = strchr(name, '.');
        if (!dot)
                return false;
        const struct schema_type *t = type_named(name, (size_t)(dot - name));
        if (!t)
                return false;
        /* "#Name.vX_Y_Z.Name": the versioned namespace; "#NameCollection.NameCollection": the name */
        const char *v = dot + 1, *vend = strchr(v, '.');
        if (t->version && (!vend || !startswith(v, "v")))
                return false;
        int k = t->version ? snprintf(ns, len, "%.*s", (int)(vend - name), name) : snprintf(ns, len, "%s", t->name);
        return k > 0 && (size_t)k < len;
}

/* The CSDL: one edmx:Reference per schema file, the unversioned namespace
 * and the version in use (identifiers from the table above: nothing to escape). */
static char *metadata_csdl(void) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return NULL;
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\" Version=\"4.0\">\n", f);
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                const struct schema_type *t = &types[i];
                fprintf(f, "  <edmx:Reference Uri=\"" API_DMTF_SCHEMAS "%s_v1.xml\">\n", t->name);
                fprintf(f, "    <edmx:Include Namespace=\"%s\"/>\n", t->name);
                if (t->version)
                        fprintf(f, "    <edmx:Include Namespace=\"%s.%s\"/>\n", t->name, t->version);
                fputs("  </edmx:Reference>\n", f);
        }
        fputs("  <edmx:Reference Uri=\"" API_OEM_CSDL "\">\n", f);
        for (size_t i = 0; i < ELEMENTSOF(oem_namespaces); i++)
                fprintf(f, "    <edmx:Include Namespace=\"%s\"/>\n", oem_namespaces[i]);
        fputs("  </edmx:Reference>\n", f);
        fputs("  <edmx:Reference Uri=\"" API_DMTF_SCHEMAS "RedfishExtensions_v1.xml\">\n"
              "    <edmx:Include Namespace=\"RedfishExtensions.v1_0_0\" Alias=\"Redfish\"/>\n"
              "  </edmx:Reference>\n"
              "  <edmx:DataServices>\n"
              "    <Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" Namespace=\"Service\">\n"
              "      <EntityContainer Name=\"Service\" Extends=\"ServiceRoot.", f);
        fprintf(f, "%s.ServiceContainer\"/>\n", types[0].version);
        fputs("    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n", f);
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

/* The service document lists what the ServiceRoot links, so it cannot
 * disagree with it: the root's own answer is read back. */
static void service_document(struct hostd *h, const struct api_request *req, struct api_response *r) {
        struct api_request q = *req;
        q.path = "/redfish/v1";
        struct api_response root = { 0 };
        api_handle(h, &q, &root);
        _cleanup_json_ json_object *doc = NULL;
        struct error e = { 0 };
        if (root.status != 200 || json_parse(root.body, root.body_len, &doc, &e) < 0) {
                api_response_done(&root);
                return api_error(r, 500, "InternalError", "the ServiceRoot did not answer");
        }
        api_response_done(&root);
        json_object *o = json_object_new_object(), *value = json_object_new_array();
        json_add_string(o, "@odata.context", "/redfish/v1/$metadata");
        json_object *svc = json_object_new_object();
        json_add_string(svc, "name", "Service");
        json_add_string(svc, "kind", "Singleton");
        json_add_string(svc, "url", "/redfish/v1/");
        json_object_array_add(value, svc);
        json_object *links = NULL;
        json_object_object_get_ex(doc, "Links", &links);
        json_object *where[] = { doc, links };
        for (size_t i = 0; i < ELEMENTSOF(where); i++) {
                if (!where[i])
                        continue;
                json_object_object_foreach(where[i], key, val) {
                        const char *url = json_object_is_type(val, json_type_object) ? json_get_string(val, "@odata.id") : NULL;
                        if (!url)
                                continue;
                        json_object *s = json_object_new_object();
                        json_add_string(s, "name", key);
                        json_add_string(s, "kind", "Singleton");
                        json_add_string(s, "url", url);
                        json_object_array_add(value, s);
                }
        }
        json_object_object_add(o, "value", value);
        api_json(r, 200, o);
}

static void xml(struct api_response *r, char *text) {
        if (!text)
                return api_error(r, 500, "InternalError", "out of memory");
        r->status = 200;
        r->content_type = "application/xml";
        r->body = text;
        r->body_len = strlen(text);
}

bool api_metadata_handle(struct hostd *h, const struct api_request *req, struct api_response *r) {
        bool odata = streq(req->path, "/redfish/v1/odata"), metadata = streq(req->path, "/redfish/v1/$metadata");
        bool oem = streq(req->path, API_OEM_CSDL);
        if (!odata && !metadata && !oem)
                return false;
        if (!streq(req->method, "GET")) {
                api_method_not_allowed(r, "GET");
                return true;
        }
        if (odata) {
                service_document(h, req, r);
                return true;
        }
        xml(r, metadata ? metadata_csdl() : strdup(oem_csdl));
        return true;
}
