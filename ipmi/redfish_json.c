#include "redfish_json.h"

#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"

static json_object *get(json_object *o, const char *key, enum json_type t) {
        json_object *v;
        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
            !json_object_is_type(v, t))
                return NULL;
        return v;
}

static const char *str(json_object *o, const char *key) {
        json_object *v = get(o, key, json_type_string);
        return v ? json_object_get_string(v) : NULL;
}

static int64_t num(json_object *o, const char *key, int64_t dflt) {
        json_object *v;
        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
                return dflt;
        if (json_object_is_type(v, json_type_int))
                return json_object_get_int64(v);
        if (json_object_is_type(v, json_type_double)) {
                double d = json_object_get_double(v);
                return d >= 0 && d < 9e18 ? (int64_t)d : dflt;
        }
        return dflt;
}

static int dup_into(char **field, const char *s) {
        if (!s)
                return 0;
        free(*field);
        *field = strdup(s);
        return *field ? 0 : -ENOMEM;
}

const char *rf_link(json_object *o, const char *key) {
        return str(get(o, key, json_type_object), "@odata.id");
}

const char *rf_links_first(json_object *o, const char *key) {
        json_object *links = get(o, "Links", json_type_object), *v;
        if ((v = get(links, key, json_type_array)))
                return json_object_array_length(v) > 0 ? str(json_object_array_get_idx(v, 0), "@odata.id") : NULL;
        return rf_link(links, key);
}

const char *rf_action_target(json_object *o, const char *action) {
        return str(get(get(o, "Actions", json_type_object), action, json_type_object), "target");
}

bool rf_action_allows(json_object *o, const char *action, const char *param, const char *value) {
        char key[128];
        snprintf(key, sizeof key, "%s@Redfish.AllowableValues", param);
        json_object *list = get(get(get(o, "Actions", json_type_object), action, json_type_object), key, json_type_array);
        if (!list)
                return true;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *v = json_object_array_get_idx(list, i);
                if (json_object_is_type(v, json_type_string) && streq(json_object_get_string(v), value))
                        return true;
        }
        return false;
}

const char *rf_next_page(json_object *coll) {
        const char *next = str(coll, "Members@odata.nextLink");
        return next ? next : str(coll, "@odata.nextLink");
}

int rf_members(json_object *coll, char ***ret) {
        char **v = calloc(1, sizeof(char *));      /* empty, not NULL */
        json_object *m = get(coll, "Members", json_type_array);
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; m && i < json_object_array_length(m); i++) {
                const char *id = str(json_object_array_get_idx(m, i), "@odata.id");
                if (id && strv_push(&v, id) < 0) {
                        strv_free(v);
                        return -ENOMEM;
                }
        }
        *ret = v;
        return 0;
}

const char *rf_member_pick(char *const *members, const char *want) {
        for (char *const *m = members; m && *m; m++) {
                const char *slash = strrchr(*m, '/');
                if (!want || streq(*m, want) || (slash && streq(slash + 1, want)))
                        return *m;
        }
        return NULL;
}

int rf_power_state(json_object *system, enum bmc_power *ret) {
        const char *s = str(system, "PowerState");
        if (streq(s, "On"))
                *ret = BMC_POWER_ON;
        else if (streq(s, "Off"))
                *ret = BMC_POWER_OFF;
        else if (streq(s, "PoweringOn") || streq(s, "PoweringOff") || streq(s, "Paused"))
                *ret = BMC_POWER_UNKNOWN;
        else
                return -EBADMSG;
        return 0;
}

int rf_read_system(json_object *s, struct bmc_inventory *inv) {
        int k;
        if ((k = dup_into(&inv->manufacturer, str(s, "Manufacturer"))) < 0 || (k = dup_into(&inv->model, str(s, "Model"))) < 0 ||
            (k = dup_into(&inv->serial, str(s, "SerialNumber"))) < 0 ||
            (k = dup_into(&inv->service_tag, str(s, "SKU"))) < 0 ||
            (k = dup_into(&inv->bios_version, str(s, "BiosVersion"))) < 0)
                return k;
        inv->cpu_count = (int)num(get(s, "ProcessorSummary", json_type_object), "Count", -1);
        int64_t gib = num(get(s, "MemorySummary", json_type_object), "TotalSystemMemoryGiB", 0);
        inv->memory_bytes = gib > 0 && gib < (1LL << 30) ? (uint64_t)gib << 30 : 0;
        return 0;
}

int rf_read_processor(json_object *o, struct bmc_inventory *inv) {
        const char *type = str(o, "ProcessorType");
        if (type && !streq(type, "CPU"))
                return 0;                       /* GPUs, FPGAs: not CPUs */
        if (streq(str(get(o, "Status", json_type_object), "State"), "Absent"))
                return 0;
        struct bmc_cpu *c = bmc_array_add((void **)&inv->cpus, &inv->n_cpus, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->cores = (int)num(o, "TotalCores", 0);
        c->threads = (int)num(o, "TotalThreads", 0);
        const char *sock = str(o, "Socket");
        int k = dup_into(&c->socket, sock ? sock : str(o, "Id"));
        return k < 0 ? k : dup_into(&c->model, str(o, "Model"));
}

int rf_read_nic(json_object *o, struct bmc_inventory *inv) {
        const char *mac = str(o, "MACAddress");
        if (!mac)
                mac = str(o, "PermanentMACAddress");
        struct bmc_nic *n = bmc_array_add((void **)&inv->nics, &inv->n_nics, sizeof *n);
        if (!n)
                return -ENOMEM;
        int k = dup_into(&n->id, str(o, "Id"));
        return k < 0 ? k : dup_into(&n->mac, mac);
}

int rf_read_storage(json_object *o, struct bmc_inventory *inv, char ***ret_drives) {
        json_object *ctrls = get(o, "StorageControllers", json_type_array);
        int k;
        for (size_t i = 0; ctrls && i < json_object_array_length(ctrls); i++) {
                json_object *c = json_object_array_get_idx(ctrls, i);
                struct bmc_controller *x = bmc_array_add((void **)&inv->controllers, &inv->n_controllers, sizeof *x);
                if (!x)
                        return -ENOMEM;
                const char *id = str(c, "MemberId") ? str(c, "MemberId") : str(c, "Name");
                if ((k = dup_into(&x->id, id ? id : str(o, "Id"))) < 0 ||
                    (k = dup_into(&x->model, str(c, "Model") ? str(c, "Model") : str(c, "Name"))) < 0)
                        return k;
        }
        return rf_storage_drives(o, ret_drives);
}

int rf_storage_drives(json_object *storage, char ***ret) {
        char **drives = NULL;
        json_object *d = get(storage, "Drives", json_type_array);
        for (size_t i = 0; d && i < json_object_array_length(d); i++) {
                const char *id = str(json_object_array_get_idx(d, i), "@odata.id");
                if (id && strv_push(&drives, id) < 0) {
                        strv_free(drives);
                        return -ENOMEM;
                }
        }
        *ret = drives;
        return 0;
}

static int add_drive(struct bmc_inventory *inv, const char *id, const char *model, const char *serial,
                     const char *media, int64_t bytes) {
        struct bmc_drive *d = bmc_array_add((void **)&inv->drives, &inv->n_drives, sizeof *d);
        if (!d)
                return -ENOMEM;
        d->bytes = bytes > 0 ? (uint64_t)bytes : 0;
        int k;
        if ((k = dup_into(&d->id, id)) < 0 || (k = dup_into(&d->model, model)) < 0 || (k = dup_into(&d->serial, serial)) < 0)
                return k;
        return dup_into(&d->media, media);
}

int rf_read_simple_storage(json_object *o, struct bmc_inventory *inv) {
        json_object *devs = get(o, "Devices", json_type_array);
        struct bmc_controller *x = bmc_array_add((void **)&inv->controllers, &inv->n_controllers, sizeof *x);
        int k;
        if (!x)
                return -ENOMEM;
        if ((k = dup_into(&x->id, str(o, "Id"))) < 0 || (k = dup_into(&x->model, str(o, "Name"))) < 0)
                return k;
        for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
                json_object *d = json_object_array_get_idx(devs, i);
                if (streq(str(get(d, "Status", json_type_object), "State"), "Absent"))
                        continue;
                if ((k = add_drive(inv, str(d, "Name"), str(d, "Model"), NULL, NULL, num(d, "CapacityBytes", 0))) < 0)
                        return k;
        }
        return 0;
}

int rf_read_drive(json_object *o, struct bmc_inventory *inv) {
        return add_drive(inv, str(o, "Id"), str(o, "Model"), str(o, "SerialNumber"), str(o, "MediaType"),
                         num(o, "CapacityBytes", 0));
}

/* A serial as the BMC gives it, blanks around it dropped (iDRAC pads SAS
 * serials); NULL when it is empty, too long or not printable ASCII. */
char *rf_drive_serial(json_object *drive) {
        const char *s = str(drive, "SerialNumber");
        _cleanup_free_ char *copy = s ? strdup(s) : NULL;
        char *t = copy ? str_trim(copy) : NULL;
        if (!t || !*t || strlen(t) > 64)
                return NULL;
        for (const char *c = t; *c; c++)
                if (*c < 0x21 || *c > 0x7e)
                        return NULL;
        return strdup(t);
}

/* PhysicalLocation.PartLocation.LocationOrdinalValue (Redfish), else the N
 * of an Id "Disk.Bay.N:Enclosure..." (Dell, whose older firmware has no
 * PhysicalLocation); NULL when the drive says neither. */
char *rf_drive_bay(json_object *drive) {
        json_object *part = get(get(drive, "PhysicalLocation", json_type_object), "PartLocation", json_type_object);
        int64_t ordinal = num(part, "LocationOrdinalValue", -1);
        if (ordinal >= 0 && ordinal < 10000)
                return strdup_printf("%d", (int)ordinal);
        const char *id = str(drive, "Id"), *n = id ? startswith(id, "Disk.Bay.") : NULL;
        size_t digits = n ? strspn(n, "0123456789") : 0;
        if (digits == 0 || digits > 4 || (n[digits] && n[digits] != ':'))
                return NULL;
        return strndup(n, digits);
}

static enum bmc_drive_led drive_led(json_object *drive, bool *ret_blinking) {
        json_object *active = get(drive, "LocationIndicatorActive", json_type_boolean);
        const char *led = str(drive, "IndicatorLED");
        if (active) {
                *ret_blinking = json_object_get_boolean(active);
                return BMC_DRIVE_LED_LOCATION_INDICATOR;
        }
        if (streq(led, "Lit") || streq(led, "Blinking") || streq(led, "Off")) {
                *ret_blinking = !streq(led, "Off");
                return BMC_DRIVE_LED_INDICATOR;
        }
        *ret_blinking = false;
        return BMC_DRIVE_LED_NONE;
}

int rf_read_drive_bay(json_object *drive, struct bmc_bays *bays) {
        const char *path = str(drive, "@odata.id");
        _cleanup_free_ char *serial = rf_drive_serial(drive), *bay = rf_drive_bay(drive);
        if (!serial || !bay || !path || !startswith(path, "/redfish/v1/") || strpbrk(path, " \t\r\n"))
                return 0;
        struct bmc_bay *x = bmc_array_add((void **)&bays->v, &bays->n, sizeof *x);
        if (!x)
                return -ENOMEM;
        x->led = drive_led(drive, &x->blinking);
        x->serial = TAKE_PTR(serial);
        x->bay = TAKE_PTR(bay);
        x->drive = strdup(path);
        return x->drive ? 0 : -ENOMEM;
}

int rf_read_log_entry(json_object *o, struct bmc_sel *sel) {
        if (!json_object_is_type(o, json_type_object))
                return 0;
        struct bmc_sel_entry *en = bmc_array_add((void **)&sel->entries, &sel->n, sizeof *en);
        if (!en)
                return -ENOMEM;
        int k;
        if ((k = dup_into(&en->id, str(o, "Id"))) < 0 || (k = dup_into(&en->created, str(o, "Created"))) < 0 ||
            (k = dup_into(&en->severity, str(o, "Severity"))) < 0)
                return k;
        const char *msg = str(o, "Message"), *code = str(o, "EntryCode"), *sensor = str(o, "SensorType");
        if (msg && (code || sensor)) {
                free(en->message);
                en->message = strdup_printf("%s%s%s%s%s", sensor ? sensor : "", sensor ? ": " : "", msg,
                                            code ? " - " : "", code ? code : "");
                return en->message ? 0 : -ENOMEM;
        }
        return dup_into(&en->message, msg ? msg : str(o, "Name"));
}

bool rf_vmedia_is_cd(json_object *o) {
        json_object *types = get(o, "MediaTypes", json_type_array);
        for (size_t i = 0; types && i < json_object_array_length(types); i++) {
                json_object *t = json_object_array_get_idx(types, i);
                if (json_object_is_type(t, json_type_string) &&
                    (streq(json_object_get_string(t), "CD") || streq(json_object_get_string(t), "DVD")))
                        return true;
        }
        return false;
}

int rf_read_vmedia(json_object *o, struct bmc_vmedia *ret) {
        struct bmc_vmedia v = { 0 };
        json_object *ins = get(o, "Inserted", json_type_boolean);
        const char *image = str(o, "Image");
        v.inserted = ins ? json_object_get_boolean(ins) : image && *image;
        if (dup_into(&v.id, str(o, "Id")) < 0 || dup_into(&v.image, image && *image ? image : NULL) < 0) {
                bmc_vmedia_done(&v);
                return -ENOMEM;
        }
        *ret = v;
        return 0;
}

char *rf_error_message(const char *body, size_t len) {
        if (!body || !len)
                return NULL;
        _cleanup_json_ json_object *o = NULL;
        struct error ignore = { 0 };
        if (json_parse(body, len, &o, &ignore) < 0)
                return NULL;
        json_object *err = get(o, "error", json_type_object);
        json_object *info = get(err, "@Message.ExtendedInfo", json_type_array);
        const char *m = info && json_object_array_length(info) > 0 ? str(json_object_array_get_idx(info, 0), "Message")
                                                                   : NULL;
        if (!m)
                m = str(err, "message");
        return m ? strndup(m, 300) : NULL;
}

/* Dell's Oem.Dell.<object>.<key> of a resource (DellController, DellPhysicalDisk), or NULL. */
static const char *dell_oem(json_object *o, const char *object, const char *key) {
        return str(get(get(get(o, "Oem", json_type_object), "Dell", json_type_object), object, json_type_object), key);
}

/* A word a BMC gives as a state: letters and digits only, else NULL. */
static int dup_word(char **dst, const char *v) {
        if (!v || !*v || strlen(v) > 32)
                return 0;
        for (const char *c = v; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
                        return 0;
        return dup_into(dst, v);
}

int rf_read_storage_controller(json_object *storage, struct bmc_storage *st) {
        struct bmc_storage_controller *c = bmc_array_add((void **)&st->v, &st->n, sizeof *c);
        if (!c)
                return -ENOMEM;
        json_object *ctls = get(storage, "StorageControllers", json_type_array);
        json_object *first = ctls && json_object_array_length(ctls) ? json_object_array_get_idx(ctls, 0) : NULL;
        const char *model = str(first, "Model") ? str(first, "Model") : str(storage, "Name");
        int k = dup_into(&c->id, str(storage, "Id"));
        if (k >= 0)
                k = dup_into(&c->model, model);
        if (k >= 0)
                k = dup_word(&c->mode, dell_oem(storage, "DellController", "CurrentControllerMode"));
        return k;
}

int rf_read_storage_drive(json_object *drive, struct bmc_storage_controller *c) {
        const char *id = str(drive, "Id");
        if (!id || strlen(id) > 128 || strpbrk(id, " \t\r\n\"/"))
                return 0;
        struct bmc_storage_drive *d = bmc_array_add((void **)&c->drives, &c->n_drives, sizeof *d);
        if (!d)
                return -ENOMEM;
        d->serial = rf_drive_serial(drive);
        d->bay = rf_drive_bay(drive);
        int k = dup_into(&d->id, id);
        if (k >= 0)
                k = dup_word(&d->raid_status, dell_oem(drive, "DellPhysicalDisk", "RaidStatus"));
        return k;
}

int rf_read_job(json_object *job, struct bmc_job *ret) {
        int k = dup_into(&ret->id, str(job, "Id"));
        if (k >= 0)
                k = dup_word(&ret->state, str(job, "JobState"));
        if (k >= 0)
                k = dup_into(&ret->message, str(job, "Message"));
        ret->percent = (int)num(job, "PercentComplete", -1);
        return k;
}
