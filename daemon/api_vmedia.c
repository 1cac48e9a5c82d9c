/* daemon/api_vmedia.c: a VM's CD drive as Redfish VirtualMedia. Image is an
 * ISO file on this host (an absolute path or a file:// URL); InsertMedia
 * puts it into the domain's CD drive (added when there is none) and
 * EjectMedia empties it. */
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "daemon.h"
#include "hypervisor/vm_edit.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strutil.h"

static void vmedia_get(struct hostd *h, const char *base, const char *name, struct api_response *r) {
        _cleanup_free_ char *iso = NULL, *odata = strdup_printf("%s/CD", base);
        _cleanup_free_ char *ins = strdup_printf("%s/Actions/VirtualMedia.InsertMedia", odata);
        _cleanup_free_ char *ej = strdup_printf("%s/Actions/VirtualMedia.EjectMedia", odata);
        struct error e = { 0 };
        if (hv_vm_cdrom_get(h->hv, name, &iso, &e) < 0)
                return api_error(r, 500, "GeneralError", "%s", e.msg);
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata);
        json_add_string(o, "@odata.type", "#VirtualMedia.v1_6_0.VirtualMedia");
        json_add_string(o, "Id", "CD");
        json_add_string(o, "Name", "Virtual CD");
        json_object *types = json_object_new_array();
        json_object_array_add(types, json_object_new_string("CD"));
        json_object_array_add(types, json_object_new_string("DVD"));
        json_object_object_add(o, "MediaTypes", types);
        json_object_object_add(o, "Image", iso ? json_object_new_string(iso) : NULL);
        if (iso) {
                const char *slash = strrchr(iso, '/');
                json_add_string(o, "ImageName", slash ? slash + 1 : iso);
        }
        json_add_bool(o, "Inserted", iso != NULL);
        json_add_bool(o, "WriteProtected", true);
        json_object *acts = json_object_new_object(), *a = json_object_new_object(), *b = json_object_new_object();
        json_add_string(a, "target", ins);
        json_add_string(b, "target", ej);
        json_object_object_add(acts, "#VirtualMedia.InsertMedia", a);
        json_object_object_add(acts, "#VirtualMedia.EjectMedia", b);
        json_object_object_add(o, "Actions", acts);
        api_json(r, 200, o);
}

static void vmedia_set(struct hostd *h, const struct api_request *req, const char *name, bool insert,
                       struct api_response *r) {
        _cleanup_json_ json_object *b = NULL;
        const char *iso = NULL;
        if (insert) {
                if (!(b = api_body_object(req, r)))
                        return;
                const char *image = json_get_string(b, "Image");
                if (!image)
                        return api_error(r, 400, "ActionParameterMissing", "InsertMedia needs the parameter Image");
                iso = startswith(image, "file://") ? image + 7 : image;
                if (iso[0] != '/')
                        return api_error(r, 400, "ActionParameterValueFormatError",
                                         "Image '%.200s': give an ISO file on this host (/path or file:///path)", image);
                if (access(iso, R_OK) < 0)
                        return api_error(r, 400, "ActionParameterValueFormatError", "Image %.200s: %s", iso,
                                         strerror(errno));
        }
        struct error e = { 0 };
        bool at_next_start = false;
        int k = hv_vm_cdrom_set(h->hv, name, iso, &at_next_start, &e);
        if (k < 0)
                return api_error(r, 500, "GeneralError", "%s", e.msg);
        log_info("%s: VM %s CD %s%s%s", req->user ? req->user : "?", name, iso ? "holds " : "ejected",
                 iso ? iso : "", at_next_start ? " (from its next start)" : "");
        r->status = 204;
}

void api_vmedia(struct hostd *h, const struct api_request *req, const struct api_path *p, const char *name,
                struct api_response *r) {
        _cleanup_free_ char *base = strdup_printf("/redfish/v1/Systems/%s/VirtualMedia", p->segs[1]);
        bool coll = p->n == 3, cd = p->n == 4 && streq(p->segs[3], "CD");
        bool action = p->n == 6 && streq(p->segs[3], "CD") && streq(p->segs[4], "Actions");
        if (action && (streq(p->segs[5], "VirtualMedia.InsertMedia") || streq(p->segs[5], "VirtualMedia.EjectMedia"))) {
                if (!streq(req->method, "POST"))
                        return api_method_not_allowed(r, "POST");
                return vmedia_set(h, req, name, streq(p->segs[5], "VirtualMedia.InsertMedia"), r);
        }
        if (!coll && !cd)
                return api_not_found(r, req->path);
        if (!streq(req->method, "GET"))
                return api_method_not_allowed(r, "GET");
        if (cd)
                return vmedia_get(h, base, name, r);
        json_object *c = api_collection(base, "#VirtualMediaCollection.VirtualMediaCollection", "Virtual Media");
        _cleanup_free_ char *member = strdup_printf("%s/CD", base);
        api_collection_add(c, member);
        api_json(r, 200, c);
}
