/* daemon/api_chassis.c: Chassis and Chassis/host, from DMI: the enclosure
 * the host and its drives are in. */
#include "api.h"
#include "daemon.h"
#include "facts.h"
#include "state.h"
#include "lib/json.h"
#include "lib/strutil.h"

/* SMBIOS 3.x 7.4.1 chassis types as Redfish's ChassisType names them. */
static const char *chassis_type(int smbios) {
        switch (smbios) {
        case 3: case 4: case 6: case 7: case 17:   /* desktop, low profile, mini tower, tower, main server */
                return "StandAlone";
        case 23: return "RackMount";
        case 25: return "Enclosure";   /* multi-system chassis */
        case 28: return "Blade";
        case 29: return "Enclosure";   /* blade enclosure */
        default: return "Other";
        }
}

static json_object *chassis_host(const struct api_request *req) {
        const struct host_facts *f = daemon_host_facts(req->cfg);
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", API_CHASSIS);
        json_add_string(o, "@odata.type", "#Chassis.v1_23_3.Chassis");
        json_add_string(o, "Id", "host");
        json_add_string(o, "Name", "The host's chassis");
        json_add_string(o, "ChassisType", chassis_type(f->chassis_type));
        json_add_string(o, "Manufacturer", f->chassis_vendor ? f->chassis_vendor : f->sys_vendor);
        json_add_string(o, "Model", f->product_name);
        json_add_string(o, "SKU", f->product_sku);
        json_add_string(o, "SerialNumber", f->chassis_serial ? f->chassis_serial : f->product_serial);
        /* the asset tag is what an operator wrote into the firmware: where the box is */
        json_add_string(o, "AssetTag", f->chassis_asset_tag);
        json_add_string(o, "PowerState", "On");
        _cleanup_(arrays_snap_putp) struct arrays_snap *arrays = state_arrays_get();
        json_object *st = json_object_new_object();
        json_add_string(st, "State", "Enabled");
        json_add_string(st, "HealthRollup", md_health_name(state_arrays_health(arrays)));
        json_object_object_add(o, "Status", st);
        json_object *links = json_object_new_object(), *systems = json_object_new_array(),
                    *managers = json_object_new_array();
        json_object_array_add(systems, api_link(API_HOST));
        json_object_array_add(managers, api_link(API_MANAGER));
        json_object_object_add(links, "ComputerSystems", systems);
        json_object_object_add(links, "ManagedBy", managers);
        json_object_object_add(links, "Drives", api_drive_links());
        json_object_object_add(o, "Links", links);
        return o;
}

void api_chassis(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        if (p->n > 2 || (p->n == 2 && !streq(p->segs[1], "host")))
                return api_not_found(r, req->path);
        if (!streq(req->method, "GET"))
                return api_method_not_allowed(r, "GET");
        if (p->n == 2)
                return api_json(r, 200, chassis_host(req));
        json_object *c = api_collection("/redfish/v1/Chassis", "#ChassisCollection.ChassisCollection", "Chassis");
        api_collection_add(c, API_CHASSIS);
        api_json(r, 200, c);
}
