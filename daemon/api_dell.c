/* daemon/api_dell.c: the paths and the volume payload of Dell's Redfish
 * clients (Ansible dellemc.openmanage: redfish_storage_volume and the login
 * of its module_utils), as aliases of the standard resources. A Dell path is
 * rewritten to the standard one and routed as usual, so each operation keeps
 * one implementation:
 *   /Sessions[/<id>]                          -> /SessionService/Sessions[/<id>]
 *   Systems/host/Storage/Drives/<id>          -> .../Storage/md/Drives/<id>
 *   Systems/host/Storage/Volumes/<id>[/...]   -> .../Storage/md/Volumes/<id>[/...]
 *   Systems/host/Storage/Volumes/<id>/Settings  GET: the Volume with the
 *                                             properties the module compares
 * The controller the module names (controller_id) is the one hostd has: md,
 * so Storage/md/Volumes is already the path it posts to. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "lib/json.h"
#include "lib/strutil.h"

#define V1 "/redfish/v1/"
#define STORAGE V1 "Systems/host/Storage/"
#define MD_DRIVES STORAGE "md/Drives/"

/* One path segment: a drive's or a volume's id, as hostd makes them. */
static bool is_id(const char *s, size_t n) {
        if (n == 0 || n > 64)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]))
                        return false;
        return true;
}

static void set_path(struct api_dell_alias *a, const char *prefix, const char *rest) {
        snprintf(a->path, sizeof a->path, "%s%s", prefix, rest);
}

int api_dell_alias(const struct api_request *req, struct api_dell_alias *a, struct api_response *r) {
        *a = (struct api_dell_alias){ 0 };
        if (strlen(req->path) >= sizeof a->path - 16)
                return 0;   /* the router answers what is too long */
        const char *rest;
        if ((rest = startswith(req->path, V1 "Sessions")) && (!*rest || *rest == '/')) {
                set_path(a, V1 "SessionService/Sessions", rest);
                return 1;
        }
        if ((rest = startswith(req->path, STORAGE "Drives/"))) {
                set_path(a, MD_DRIVES, rest);
                return 1;
        }
        if (!(rest = startswith(req->path, STORAGE "Volumes/")))
                return 0;
        size_t n = strcspn(rest, "/");
        if (!is_id(rest, n))
                return api_not_found(r, req->path), -1;
        memcpy(a->volume, rest, n);
        const char *tail = rest + n;
        if (streq(tail, "/Settings") || streq(tail, "/Settings/")) {
                /* hostd applies a change when asked (the Volume's actions): there
                 * are no pending settings to PATCH, only the volume as it is */
                if (!streq(req->method, "GET"))
                        return api_method_not_allowed(r, "GET"), -1;
                a->settings = true;
                tail = "";
        }
        /* DELETE on the Dell path is confirmed by the path: Dell's clients send
         * no X-Hostd-Confirm, and their volume_id names the one volume to
         * destroy. The destroy plan's guards (in use, mounted) still apply. */
        a->confirm = streq(req->method, "DELETE") && !*tail && !a->settings;
        snprintf(a->path, sizeof a->path, STORAGE "md/Volumes/%s%s", a->volume, tail);
        return 1;
}

const char *api_dell_volume_type(const char *level) {
        static const char *const map[][2] = { { "raid0", "NonRedundant" },     { "raid1", "Mirrored" },
                                              { "raid5", "StripedWithParity" }, { "raid6", "StripedWithParity" },
                                              { "raid10", "SpannedMirrors" } };
        for (size_t i = 0; level && i < ELEMENTSOF(map); i++)
                if (streq(level, map[i][0]))
                        return map[i][1];
        return NULL;
}

/* The Settings view: the Volume under its Settings path, with the
 * properties the module reads there (null where md has no such fact, and
 * EncryptionTypes, which the module indexes, as [null]: no encryption). */
void api_dell_finish(const struct api_dell_alias *a, struct api_response *r) {
        if (!a->settings || r->status != 200 || !r->body)
                return;
        _cleanup_json_ json_object *o = NULL;
        struct error e = { 0 };
        if (json_parse(r->body, r->body_len, &o, &e) < 0 || !json_object_is_type(o, json_type_object))
                return api_error(r, 500, "InternalError", "the volume's document: %s", e.msg);
        _cleanup_free_ char *odata = strdup_printf(STORAGE "Volumes/%s/Settings", a->volume);
        json_add_string(o, "@odata.id", odata);
        static const char *const unknown[] = { "BlockSizeBytes", "OptimumIOSizeBytes", "CapacityBytes" };
        for (size_t i = 0; i < ELEMENTSOF(unknown); i++)
                if (!json_object_object_get_ex(o, unknown[i], NULL))
                        json_object_object_add(o, unknown[i], NULL);
        json_object *types = json_object_new_array();
        json_object_array_add(types, NULL);
        json_object_object_add(o, "EncryptionTypes", types);
        api_json(r, 200, json_object_get(o));
}

/* A link to a drive in Dell's form (Storage/Drives/<id>) in the standard one. */
static int normalize_drive_link(json_object *link, const char *where, struct api_response *r) {
        const char *odata = json_object_is_type(link, json_type_object) ? json_get_string(link, "@odata.id") : NULL;
        if (!odata)
                return api_error(r, 400, "PropertyValueTypeError", "%s: each drive must be {\"@odata.id\": \"%s<id>\"}",
                                 where, MD_DRIVES), -1;
        const char *id = startswith(odata, STORAGE "Drives/");
        if (id) {
                _cleanup_free_ char *std = strdup_printf(MD_DRIVES "%s", id);
                json_add_string(link, "@odata.id", std);
        }
        return 0;
}

static int normalize_drive_list(json_object *list, const char *where, struct api_response *r) {
        if (!json_object_is_type(list, json_type_array))
                return api_error(r, 400, "PropertyValueTypeError", "%s must be a list of drive links", where), -1;
        for (size_t i = 0; i < json_object_array_length(list); i++)
                if (normalize_drive_link(json_object_array_get_idx(list, i), where, r) < 0)
                        return -1;
        return 0;
}

/* VolumeType (Dell's, deprecated in DMTF's Volume) as a RAIDType: the one
 * given, or the level md makes for it. */
static int normalize_volume_type(json_object *b, struct api_response *r) {
        json_object *vt = NULL;
        if (!json_object_object_get_ex(b, "VolumeType", &vt))
                return 0;
        const char *type = json_object_is_type(vt, json_type_string) ? json_object_get_string(vt) : NULL;
        static const char *const map[][3] = { { "Mirrored", "RAID1", NULL },
                                              { "StripedWithParity", "RAID5", "RAID6" },
                                              { "SpannedMirrors", "RAID10", NULL } };
        for (size_t i = 0; type && i < ELEMENTSOF(map); i++) {
                if (!streq(type, map[i][0]))
                        continue;
                const char *raid = json_get_string(b, "RAIDType");
                if (!raid)
                        return json_add_string(b, "RAIDType", map[i][1]), 0;
                if (streq(raid, map[i][1]) || streq_ptr(raid, map[i][2]))
                        return 0;
                return api_error(r, 400, "PropertyValueConflict", "VolumeType %s and RAIDType %s disagree", type, raid), -1;
        }
        return api_error(r, 400, "PropertyValueNotInList",
                         "VolumeType must be Mirrored (RAID1), StripedWithParity (RAID5, RAID6) or SpannedMirrors "
                         "(RAID10): md arrays made by hostd are redundant"), -1;
}

int api_dell_volume_normalize(json_object *b, struct api_response *r) {
        if (normalize_volume_type(b, r) < 0)
                return -1;
        json_object *links = NULL, *drives = NULL, *linked = NULL;
        if (json_object_object_get_ex(b, "Links", &links) && json_object_is_type(links, json_type_object) &&
            json_object_object_get_ex(links, "Drives", &linked) && normalize_drive_list(linked, "Links.Drives", r) < 0)
                return -1;
        json_object *oem = NULL, *ours = NULL, *wipe = NULL;
        if (json_object_object_get_ex(b, "Oem", &oem) && json_object_is_type(oem, json_type_object) &&
            json_object_object_get_ex(oem, "Hostd", &ours) && json_object_is_type(ours, json_type_object) &&
            json_object_object_get_ex(ours, "WipeDrives", &wipe) && normalize_drive_list(wipe, "Oem.Hostd.WipeDrives", r) < 0)
                return -1;
        if (!json_object_object_get_ex(b, "Drives", &drives))
                return 0;
        if (linked)
                return api_error(r, 400, "PropertyValueConflict", "give the drives once: Drives or Links.Drives"), -1;
        if (normalize_drive_list(drives, "Drives", r) < 0)
                return -1;
        if (!links || !json_object_is_type(links, json_type_object)) {
                links = json_object_new_object();
                json_object_object_add(b, "Links", links);
        }
        json_object_object_add(links, "Drives", json_object_get(drives));
        json_object_object_del(b, "Drives");
        return 0;
}
