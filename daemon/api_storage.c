/* daemon/api_storage.c: Systems/host/Storage/md with its Drives (the inventory)
 * and Volumes (the md arrays); POST Volumes plans and starts a create task,
 * DELETE Volumes/<name> and the Volume actions are api_volume_actions.c. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "daemon.h"
#include "jobs.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "raid/disk_health.h"
#include "state.h"

#define STORAGE "/redfish/v1/Systems/host/Storage"
#define MD STORAGE "/md"

static const struct disk *find_drive(const struct disk_list *l, const char *id) {
        for (size_t i = 0; l && i < l->n; i++)
                if (streq(state_drive_id(&l->disks[i]), id))
                        return &l->disks[i];
        return NULL;
}

static const char *protocol(const char *transport) {
        static const struct { const char *t, *p; } map[] = {
                { "sata", "SATA" }, { "sas", "SAS" }, { "nvme", "NVMe" }, { "usb", "USB" }, { "virtio", "PCIe" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (streq(transport, map[i].t))
                        return map[i].p;
        return "OEM";
}

static char *link_of(const char *base, const char *id) {
        return strdup_printf("%s/%s", base, id);
}

/* Status of a Drive: Health from its last SMART check; null (not known)
 * when never checked, without SMART, or asleep; StandbyOffline when asleep */
static json_object *drive_status(const struct disk_health *h) {
        json_object *st = json_object_new_object();
        bool asleep = h && h->state == DISK_HEALTH_STANDBY;
        json_add_string(st, "State", asleep ? "StandbyOffline" : "Enabled");
        const char *health = !h ? NULL
                             : h->state == DISK_HEALTH_OK ? "OK"
                             : h->state == DISK_HEALTH_WARNING ? "Warning"
                             : h->state == DISK_HEALTH_FAILED ? "Critical" : NULL;
        json_add_string(st, "Health", health);
        return st;
}

static json_object *drive_json(const struct disk *d, const struct arrays_snap *a, const struct disk_list *l) {
        _cleanup_free_ char *odata = link_of(MD "/Drives", state_drive_id(d));
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata);
        json_add_string(o, "@odata.type", "#Drive.v1_17_0.Drive");
        json_add_string(o, "Id", state_drive_id(d));
        json_add_string(o, "Name", d->name);
        if (d->size_bytes >= 0)
                json_add_int(o, "CapacityBytes", d->size_bytes);
        if (d->rotational >= 0)
                json_add_string(o, "MediaType", d->rotational ? "HDD" : "SSD");
        json_add_string(o, "Protocol", protocol(d->transport));
        json_add_string(o, "Manufacturer", d->vendor);
        json_add_string(o, "Model", d->model);
        json_add_string(o, "SerialNumber", d->serial);
        json_add_string(o, "Revision", d->firmware);
        json_object *ids = json_object_new_array();
        if (d->wwn) {
                json_object *i = json_object_new_object();
                const char *w = startswith(d->wwn, "0x") ? d->wwn + 2 : d->wwn;
                json_add_string(i, "DurableNameFormat", startswith(d->wwn, "eui.") ? "EUI" : "NAA");
                json_add_string(i, "DurableName", w);
                json_object_array_add(ids, i);
        }
        json_object_object_add(o, "Identifiers", ids);
        json_object_object_add(o, "Status", drive_status(d->health));
        api_drive_bay_json(o, d);
        if (d->health && d->health->state != DISK_HEALTH_UNKNOWN && d->health->state != DISK_HEALTH_STANDBY)
                json_add_bool(o, "FailurePredicted", d->health->failure_predicted);
        if (d->health && d->health->life_left_percent >= 0)
                json_add_int(o, "PredictedMediaLifeLeftPercent", d->health->life_left_percent);
        json_object *links = json_object_new_object(), *vols = json_object_new_array();
        for (size_t i = 0; i < a->n; i++)
                for (size_t m = 0; m < a->v[i]->n_members; m++)
                        if (disk_list_holder(l, a->v[i]->members[m].dev, NULL) == d) {
                                _cleanup_free_ char *v = link_of(MD "/Volumes", a->v[i]->name ? a->v[i]->name : a->v[i]->kernel_name);
                                json_object_array_add(vols, api_link(v));
                                break;
                        }
        json_object_object_add(links, "Volumes", vols);
        json_object_object_add(o, "Links", links);
        json_object *oem = json_object_new_object(), *hd = json_object_new_object();
        char contents[256];
        json_add_string(hd, "Device", d->path);
        json_add_string(hd, "Transport", d->transport);
        json_add_string(hd, "Contents", disk_contents(d, contents, sizeof contents));
        json_add_bool(hd, "InUse", d->in_use);
        json_add_strv(hd, "InUseReasons", d->in_use_reasons);
        json_add_string(hd, "@odata.type", API_OEM_TYPE("Drive"));
        json_object_object_add(oem, "Hostd", hd);
        json_object_object_add(o, "Oem", oem);
        return o;
}

static const char *raid_type(const char *level) {
        static const char *const map[][2] = { { "raid0", "RAID0" }, { "raid1", "RAID1" }, { "raid5", "RAID5" },
                                              { "raid6", "RAID6" }, { "raid10", "RAID10" } };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (streq(level, map[i][0]))
                        return map[i][1];
        return NULL;
}

static const char *volume_id(const struct md_status *s) {
        return s->name ? s->name : s->kernel_name;
}

static json_object *volume_json(const struct md_status *s, const struct disk_list *l) {
        _cleanup_free_ char *odata = link_of(MD "/Volumes", volume_id(s));
        json_object *o = json_object_new_object();
        json_add_string(o, "@odata.id", odata);
        json_add_string(o, "@odata.type", "#Volume.v1_9_0.Volume");
        json_add_string(o, "Id", volume_id(s));
        json_add_string(o, "Name", volume_id(s));
        json_add_string(o, "RAIDType", raid_type(s->level));
        json_add_string(o, "VolumeType", api_dell_volume_type(s->level));   /* deprecated, still what Dell's clients read */
        json_add_bool(o, "Encrypted", false);
        if (s->size_bytes >= 0)
                json_add_int(o, "CapacityBytes", s->size_bytes);
        enum md_health health = md_health(s);
        json_object *st = json_object_new_object();
        json_add_string(st, "State", health == MD_HEALTH_CRITICAL  ? "UnavailableOffline"
                                     : health == MD_HEALTH_WARNING ? "Degraded"
                                                                   : "Enabled");
        json_add_string(st, "Health", md_health_name(health));
        json_add_string(st, "HealthRollup", md_health_name(health));   /* its drives: no health of their own */
        json_object_object_add(o, "Status", st);
        json_object *ops = json_object_new_array();
        if (md_sync_action_runs(s->sync_action) && s->sync_percent >= 0) {
                json_object *op = json_object_new_object();
                json_add_string(op, "OperationName", streq(s->sync_action, "recover") ? "Rebuild"
                                                     : streq(s->sync_action, "resync") ? "Resync"
                                                     : streq(s->sync_action, "check") ? "ConsistencyCheck"
                                                     : s->sync_action);
                json_add_int(op, "PercentageComplete", (int64_t)s->sync_percent);
                json_object_array_add(ops, op);
        }
        json_object_object_add(o, "Operations", ops);
        json_object *links = json_object_new_object(), *drives = json_object_new_array();
        json_object *members = json_object_new_array();
        for (size_t m = 0; m < s->n_members; m++) {
                const struct disk *d = disk_list_holder(l, s->members[m].dev, NULL);
                if (d) {
                        _cleanup_free_ char *dl = link_of(MD "/Drives", state_drive_id(d));
                        json_object_array_add(drives, api_link(dl));
                }
                json_object *mo = json_object_new_object();
                json_add_string(mo, "Device", s->members[m].dev);
                json_add_string(mo, "State", s->members[m].state);
                json_add_int(mo, "Slot", s->members[m].slot);
                json_add_bool(mo, "Missing", s->members[m].missing);
                json_object_array_add(members, mo);
        }
        json_object_object_add(links, "Drives", drives);
        json_object_object_add(o, "Links", links);
        json_object_object_add(o, "Actions", api_volume_actions_json(odata));
        json_object *oem = json_object_new_object(), *hd = json_object_new_object();
        json_add_string(hd, "Device", s->kernel_name);
        json_add_string(hd, "UUID", s->uuid);
        json_add_string(hd, "ArrayState", s->array_state);
        json_add_string(hd, "SyncAction", s->sync_action);
        json_add_int(hd, "Degraded", s->degraded);
        json_add_int(hd, "RaidDisks", s->raid_disks);
        json_object_object_add(hd, "Members", members);
        json_add_string(hd, "@odata.type", API_OEM_TYPE("Volume"));
        json_object_object_add(oem, "Hostd", hd);
        json_object_object_add(o, "Oem", oem);
        return o;
}

static json_object *drive_links(const struct disk_list *l) {
        json_object *drives = json_object_new_array();
        for (size_t i = 0; l && i < l->n; i++) {
                _cleanup_free_ char *d = link_of(MD "/Drives", state_drive_id(&l->disks[i]));
                json_object_array_add(drives, api_link(d));
        }
        return drives;
}

json_object *api_drive_links(void) {
        _cleanup_(disks_snap_putp) struct disks_snap *d = state_disks_get();
        return drive_links(d->list);
}

static json_object *storage_json(const struct disk_list *l, const struct arrays_snap *a) {
        json_object *o = json_object_new_object(), *drives = drive_links(l);
        json_add_string(o, "@odata.id", MD);
        json_add_string(o, "@odata.type", "#Storage.v1_13_0.Storage");
        json_add_string(o, "Id", "md");
        json_add_string(o, "Name", "Linux software RAID (md)");
        json_add_int(o, "Drives@odata.count", (int64_t)json_object_array_length(drives));
        json_object_object_add(o, "Drives", drives);
        json_object_object_add(o, "Volumes", api_link(MD "/Volumes"));
        /* md is its arrays: a degraded one degrades the storage, not only its rollup */
        const char *health = md_health_name(state_arrays_health(a));
        json_object *st = json_object_new_object();
        json_add_string(st, "State", "Enabled");
        json_add_string(st, "Health", health);
        json_add_string(st, "HealthRollup", health);
        json_object_object_add(o, "Status", st);
        return o;
}

static void api_volumes_post(struct hostd *h, const struct api_request *req, struct api_response *r, const struct disk_list *l);

void api_storage(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        _cleanup_(disks_snap_putp) struct disks_snap *ds = state_disks_get();
        _cleanup_(arrays_snap_putp) struct arrays_snap *as = state_arrays_get();
        const struct disk_list *l = ds->list;
        bool get = streq(req->method, "GET");
        /* p: Systems host Storage [md [Drives|Volumes [id]]] */
        if (p->n == 3) {
                if (!get)
                        return api_method_not_allowed(r, "GET");
                json_object *c = api_collection(STORAGE, "#StorageCollection.StorageCollection", "Storage");
                api_collection_add(c, MD);
                return api_json(r, 200, c);
        }
        if (p->n == 7 && streq(p->segs[3], "md") && streq(p->segs[4], "Oem") && streq(p->segs[5], "Hostd") &&
            streq(p->segs[6], "Inventory")) {
                /* the inventory exactly as 'hostctl disks --json' prints it: hostctl --host reads this */
                if (!get)
                        return api_method_not_allowed(r, "GET");
                static const struct disk_list empty = { 0 };
                return api_json(r, 200, disk_list_to_json(l ? l : &empty, 0));
        }
        if (p->n == 7 && streq(p->segs[3], "md") && streq(p->segs[4], "Oem") && streq(p->segs[5], "Hostd") &&
            streq(p->segs[6], "Arrays")) {
                /* the arrays exactly as 'hostctl raid status --json' prints them */
                if (!get)
                        return api_method_not_allowed(r, "GET");
                json_object *o = json_object_new_object(), *a = json_object_new_array();
                for (size_t i = 0; i < as->n; i++)
                        json_object_array_add(a, md_status_to_json(as->v[i]));
                json_object_object_add(o, "arrays", a);
                return api_json(r, 200, o);
        }
        if (p->n >= 8 && streq(p->segs[3], "md") && streq(p->segs[4], "Volumes") && streq(p->segs[6], "Actions") &&
            (p->n == 8 || (p->n == 9 && streq(p->segs[7], "Oem")))) {
                const struct md_status *running = NULL;
                for (size_t i = 0; i < as->n && !running; i++)
                        if (streq(volume_id(as->v[i]), p->segs[5]))
                                running = as->v[i];
                return api_volume_action(h, req, p->segs[5], p->segs[p->n - 1], l, running, r);
        }
        if (!streq(p->segs[3], "md") || p->n > 6 || (p->n >= 5 && !streq(p->segs[4], "Drives") && !streq(p->segs[4], "Volumes")))
                return api_not_found(r, req->path);
        if (p->n == 4)
                return get ? api_json(r, 200, storage_json(l, as)) : api_method_not_allowed(r, "GET");
        bool drives = streq(p->segs[4], "Drives");
        if (p->n == 5 && drives) {
                if (!get)
                        return api_method_not_allowed(r, "GET");
                json_object *c = api_collection(MD "/Drives", "#DriveCollection.DriveCollection", "Drives");
                for (size_t i = 0; l && i < l->n; i++) {
                        _cleanup_free_ char *d = link_of(MD "/Drives", state_drive_id(&l->disks[i]));
                        api_collection_add(c, d);
                }
                return api_json(r, 200, c);
        }
        if (p->n == 5) {
                if (streq(req->method, "POST"))
                        return api_volumes_post(h, req, r, l);
                if (!get)
                        return api_method_not_allowed(r, "GET, POST");
                json_object *c = api_collection(MD "/Volumes", "#VolumeCollection.VolumeCollection", "Volumes");
                for (size_t i = 0; i < as->n; i++) {
                        _cleanup_free_ char *v = link_of(MD "/Volumes", volume_id(as->v[i]));
                        api_collection_add(c, v);
                }
                return api_json(r, 200, c);
        }
        if (drives) {
                const struct disk *d = find_drive(l, p->segs[5]);
                if (!d)
                        return api_not_found(r, req->path);
                if (streq(req->method, "PATCH") && api_drive_patch(req, d, r) < 0)
                        return;
                if (!get && !streq(req->method, "PATCH"))
                        return api_method_not_allowed(r, "GET, PATCH");
                return api_json(r, 200, drive_json(d, as, l));
        }
        for (size_t i = 0; i < as->n; i++)
                if (streq(volume_id(as->v[i]), p->segs[5])) {
                        if (streq(req->method, "DELETE"))
                                return api_volume_delete(h, req, r, p->segs[5], true);
                        return get ? api_json(r, 200, volume_json(as->v[i], l)) : api_method_not_allowed(r, "GET, DELETE");
                }
        /* a stopped array is destroyed from its members' superblocks, as hostctl does */
        if (p->n == 6 && streq(req->method, "DELETE"))
                return api_volume_delete(h, req, r, p->segs[5], false);
        api_not_found(r, req->path);
}

/* ---- POST and DELETE ---------------------------------------------------------- */

/* The serial (or WWN) of each drive a list of links names: the planner
 * chooses disks by these, never by kernel name. NULL: answered 400 in r. */
static json_object *serials_of(json_object *drives, const char *where, const struct disk_list *l, struct api_response *r) {
        json_object *serials = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(drives); i++) {
                const char *ref = json_get_string(json_object_array_get_idx(drives, i), "@odata.id");
                const char *id = ref ? strrchr(ref, '/') : NULL;
                const struct disk *d = id && startswith(ref, MD "/Drives/") ? find_drive(l, id + 1) : NULL;
                if (!d || (!d->serial && !d->wwn)) {
                        json_object_put(serials);
                        return api_error(r, 400, "ResourceNotFound", "%s[%zu]: %s", where, i,
                                         !d ? "no such drive" : "the drive has no serial or WWN to name it by"), NULL;
                }
                json_object_array_add(serials, json_object_new_string(d->serial ? d->serial : d->wwn));
        }
        return serials;
}

/* What md cannot be asked for: the size and block size follow from the
 * drives, and hostd does not encrypt. 0, or -1 answered 400 in r. */
static int refuse_unsupported(json_object *b, struct api_response *r) {
        static const char *const derived[] = { "CapacityBytes", "BlockSizeBytes" };
        for (size_t i = 0; i < ELEMENTSOF(derived); i++)
                if (json_object_object_get_ex(b, derived[i], NULL))
                        return api_error(r, 400, "PropertyNotWritable",
                                         "%s: an md array is made of its whole drives, this follows from them", derived[i]), -1;
        json_object *v = NULL;
        bool encrypted = json_object_object_get_ex(b, "Encrypted", &v) && json_object_get_boolean(v);
        bool types = json_object_object_get_ex(b, "EncryptionTypes", &v) && json_object_is_type(v, json_type_array) &&
                     json_object_array_length(v) > 0;
        if (encrypted || types)
                return api_error(r, 400, "PropertyValueNotInList", "hostd makes md arrays without encryption"), -1;
        return 0;
}

/* {"RAIDType","Links":{"Drives":[{"@odata.id"}]},"Name"[,"OptimumIOSizeBytes"]
 *  [,"Oem":{"Hostd":{"WipeDrives":[{"@odata.id"}]}}]} -> a storage spec. */
static json_object *spec_from_volume(json_object *b, const struct disk_list *l, struct api_response *r) {
        const char *type = json_get_string(b, "RAIDType"), *name = json_get_string(b, "Name");
        static const char *const levels[][2] = { { "RAID1", "raid1" }, { "RAID5", "raid5" }, { "RAID6", "raid6" },
                                                 { "RAID10", "raid10" } };
        const char *level = NULL;
        for (size_t i = 0; i < ELEMENTSOF(levels); i++)
                if (streq(type, levels[i][0]))
                        level = levels[i][1];
        json_object *links = NULL, *drives = NULL, *oem = NULL, *wipe = NULL, *chunk = NULL;
        json_object_object_get_ex(b, "Links", &links);
        if (links && json_object_is_type(links, json_type_object))
                json_object_object_get_ex(links, "Drives", &drives);
        if (json_object_object_get_ex(b, "Oem", &oem) && json_object_is_type(oem, json_type_object) &&
            json_object_object_get_ex(oem, "Hostd", &oem) && json_object_is_type(oem, json_type_object))
                json_object_object_get_ex(oem, "WipeDrives", &wipe);
        if (!level)
                return api_error(r, 400, "PropertyValueNotInList", "RAIDType must be RAID1, RAID5, RAID6 or RAID10"), NULL;
        if (!name)
                return api_error(r, 400, "PropertyMissing", "Name (the array's name) is required"), NULL;
        if (!drives || !json_object_is_type(drives, json_type_array) || json_object_array_length(drives) == 0)
                return api_error(r, 400, "PropertyMissing", "Links.Drives must list the member drives"), NULL;
        if (wipe && !json_object_is_type(wipe, json_type_array))
                return api_error(r, 400, "PropertyValueTypeError", "Oem.Hostd.WipeDrives must be a list of drive links"), NULL;
        if (refuse_unsupported(b, r) < 0)
                return NULL;
        _cleanup_json_ json_object *serials = serials_of(drives, "Links.Drives", l, r);
        _cleanup_json_ json_object *wipe_serials = serials && wipe ? serials_of(wipe, "Oem.Hostd.WipeDrives", l, r) : NULL;
        if (!serials || (wipe && !wipe_serials))
                return NULL;
        json_object *spec = json_object_new_object(), *arrays = json_object_new_array();
        json_object *a = json_object_new_object(), *sel = json_object_new_object();
        json_add_string(a, "name", name);
        json_add_string(a, "level", level);
        json_object_object_add(sel, "serials", json_object_get(serials));
        json_object_object_add(a, "disks", sel);
        json_object_object_add(a, "spares", json_object_new_int(0));
        /* the strip on each drive (Dell's stripe size, in multiples of 64K): md's chunk */
        if (json_object_object_get_ex(b, "OptimumIOSizeBytes", &chunk))
                json_object_object_add(a, "chunk", json_object_get(chunk));
        json_object_array_add(arrays, a);
        json_object_object_add(spec, "arrays", arrays);
        if (wipe_serials)
                json_object_object_add(spec, "wipe", json_object_get(wipe_serials));
        return spec;
}

static void api_volumes_post(struct hostd *h, const struct api_request *req, struct api_response *r, const struct disk_list *l) {
        _cleanup_json_ json_object *b = api_body_object(req, r);
        if (!b || api_dell_volume_normalize(b, r) < 0)
                return;
        _cleanup_json_ json_object *spec = spec_from_volume(b, l, r);
        if (!spec)
                return;
        if (!h->jobs)
                return api_error(r, 503, "ServiceTemporarilyUnavailable", "no job runner");
        const char *body = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN);
        _cleanup_(plan_freep) struct plan *p = NULL;
        struct error e = { 0 };
        int k = jobs_plan_create(body, &p, &e);
        if (k < 0)
                return api_error(r, k == -EINVAL ? 400 : 500, k == -EINVAL ? "PropertyValueError" : "InternalError", "%s", e.msg);
        if (p->errors) {
                _cleanup_free_ char *all = strv_join(p->errors, "; ");
                return api_error(r, 409, "ResourceCreationConflict", "the plan has errors, nothing was written: %s", all);
        }
        int64_t id = 0;
        k = jobs_start_create(h->jobs, json_get_string(b, "Name"), body, &id, &e);
        if (k < 0)
                return api_error(r, k == -EBUSY ? 409 : 500, k == -EBUSY ? "ResourceInUse" : "InternalError", "%s", e.msg);
        api_task_accepted(r, id);
}
