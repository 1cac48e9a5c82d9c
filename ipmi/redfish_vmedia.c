/* The Redfish driver's virtual media: found under the System or its
 * Manager, changed by action or PATCH, and always read back. */
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"
#include "redfish_driver.h"
#include "redfish_http.h"
#include "redfish_json.h"

/* The CD/DVD virtual media: under the System (newer BMCs) or the Manager (iDRAC 8). */
static int find_vmedia(struct bmc *b, char **ret_path, json_object **ret, struct error *e) {
        struct rf_driver *d = drv(b);
        _cleanup_json_ json_object *s = NULL, *m = NULL;
        int k = rf_get_system(b, &s, NULL, e);
        if (k < 0)
                return k;
        const char *link = rf_link(s, "VirtualMedia");
        if (!link && d->manager) {
                if ((k = rf_get(d->c, d->manager, &m, NULL, e)) < 0)
                        return k;
                link = rf_link(m, "VirtualMedia");
        }
        if (!link)
                return rf_bad_service(b, "VirtualMedia under the system or its manager", e);
        _cleanup_strv_free_ char **members = NULL;
        if ((k = rf_collect_members(b, link, &members, e)) < 0)
                return k;
        for (char **p = members; *p; p++) {
                json_object *v = NULL;
                if ((k = rf_get(d->c, *p, &v, NULL, e)) < 0)
                        return k;
                if (rf_vmedia_is_cd(v) || !p[1]) {
                        *ret_path = strdup(*p);
                        *ret = v;
                        return *ret_path ? 0 : error_set(e, -ENOMEM, "out of memory");
                }
                json_object_put(v);
        }
        return rf_bad_service(b, "virtual media device", e);
}

static int vmedia_read_back(struct bmc *b, const char *path, struct bmc_vmedia *ret, struct error *e) {
        _cleanup_json_ json_object *v = NULL;
        int k = rf_get(drv(b)->c, path, &v, NULL, e);
        if (k < 0)
                return k;
        return rf_read_vmedia(v, ret) < 0 ? rf_oom(e) : 0;
}

/* Eject or insert (url) through the action, or a PATCH where there is none;
 * then read the drive back: what the BMC shows is the answer, not its status
 * code (a BMC may answer 204 and keep the old image, or 500 and do it). */
static int vmedia_change(struct bmc *b, const char *path, json_object *v, const char *url, struct error *e) {
        _cleanup_json_ json_object *body = json_object_new_object();
        const char *action = url ? "#VirtualMedia.InsertMedia" : "#VirtualMedia.EjectMedia";
        const char *target = rf_action_target(v, action);
        if (url) {
                json_add_string(body, "Image", url);
                json_add_bool(body, "Inserted", true);
                json_add_bool(body, "WriteProtected", true);
        } else if (!target) {
                json_object_object_add(body, "Image", NULL);
                json_add_bool(body, "Inserted", false);
        }
        struct error sent_e = { 0 };
        int sent = target ? rf_post_action(drv(b)->c, target, body, &sent_e) : rf_patch(drv(b)->c, path, body, &sent_e);
        if (sent < 0 && sent != BMC_UNCONFIRMED)
                return *e = sent_e, sent;
        _cleanup_(bmc_vmedia_done) struct bmc_vmedia now = { 0 };
        int k = vmedia_read_back(b, path, &now, e);
        if (k < 0)
                return k;
        bool done = url ? now.inserted && streq(now.image, url) : !now.inserted;
        if (done)
                return 0;
        const char *what = url ? "insert" : "eject";
        const char *answer = sent < 0 ? sent_e.msg : "it answered success";
        if (!now.inserted)
                return error_set(e, -EIO, "BMC %s: virtual media %s of %s: %s, but the BMC shows the drive empty",
                                 b->cfg->name, what, url, answer);
        return error_set(e, -EIO, "BMC %s: virtual media %s: %s, but the BMC shows %s (still inserted)", b->cfg->name,
                         what, answer, now.image ? now.image : "an image without a URL");
}

int rf_vmedia_eject(struct bmc *b, struct error *e) {
        _cleanup_free_ char *path = NULL;
        _cleanup_json_ json_object *v = NULL;
        _cleanup_(bmc_vmedia_done) struct bmc_vmedia st = { 0 };
        int k = find_vmedia(b, &path, &v, e);
        if (k < 0)
                return k;
        if (rf_read_vmedia(v, &st) < 0)
                return rf_oom(e);
        if (!st.inserted)
                return 0;
        return vmedia_change(b, path, v, NULL, e);
}

int rf_vmedia_insert(struct bmc *b, const char *url, struct error *e) {
        _cleanup_free_ char *path = NULL;
        _cleanup_json_ json_object *v = NULL;
        _cleanup_(bmc_vmedia_done) struct bmc_vmedia st = { 0 };
        int k = find_vmedia(b, &path, &v, e);
        if (k < 0)
                return k;
        if (rf_read_vmedia(v, &st) < 0)
                return rf_oom(e);
        if (st.inserted && streq(st.image, url))
                return 0;
        if (st.inserted) {
                /* replacing: the old image stays in unless the new one can be had */
                if ((startswith(url, "http://") || startswith(url, "https://")) && (k = rf_url_answers(b->cfg, url, e)) < 0)
                        return error_prefix(e, "BMC %s: vmedia insert: the new image does not answer, so %s was left in",
                                            b->cfg->name, st.image ? st.image : "the inserted image");
                if ((k = vmedia_change(b, path, v, NULL, e)) < 0)
                        return k;
        }
        return vmedia_change(b, path, v, url, e);
}

int rf_vmedia_status(struct bmc *b, struct bmc_vmedia *ret, struct error *e) {
        _cleanup_free_ char *path = NULL;
        _cleanup_json_ json_object *v = NULL;
        int k = find_vmedia(b, &path, &v, e);
        if (k < 0)
                return k;
        return rf_read_vmedia(v, ret) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}
