/* raid/smart_parse.c: `smartctl --json` -> struct disk_health. Pure. The
 * members read are those smartmontools documents for its JSON output:
 * smartctl.exit_status and .messages, device.protocol, smart_status.passed,
 * temperature.current, power_on_time.hours, rotation_rate,
 * ata_smart_attributes.table, scsi_grown_defect_list,
 * scsi_percentage_used_endurance_indicator, nvme_smart_health_information_log. */
#include "smart.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"

/* ATA attributes whose raw value counts bad sectors */
#define ATA_REALLOCATED 5
#define ATA_PENDING 197
#define ATA_UNCORRECTABLE 198
/* SSD attributes whose normalized value (100 new) is the life left:
 * Wear_Leveling_Count (Samsung), SSD_Life_Left, Media_Wearout_Indicator
 * (Intel), Percent_Lifetime_Remain (Micron, Crucial). Vendor-specific: on
 * a spinning disk these numbers mean other things and are not read. */
static const int ata_life_left_ids[] = { 177, 231, 233, 202 };

/* A count read from smartctl: an integer >= 0, else -1 (unknown). */
static int64_t count_at(json_object *o, const char *key) {
        json_object *v = json_get(o, key);
        if (!v || !json_object_is_type(v, json_type_int))
                return -1;
        int64_t n = json_object_get_int64(v);
        return n >= 0 ? n : -1;
}

static int64_t percent(int64_t v) {
        return v < 0 ? -1 : v > 100 ? 100 : v;
}

/* The first message of smartctl's of this severity that starts with prefix
 * (NULL: any), cleaned for people: printable ASCII, at most 200 bytes. */
static char *message(json_object *smartctl, const char *severity, const char *needle) {
        json_object *msgs = json_get(smartctl, "messages");
        if (!msgs || !json_object_is_type(msgs, json_type_array))
                return NULL;
        for (size_t i = 0; i < json_object_array_length(msgs); i++) {
                json_object *m = json_object_array_get_idx(msgs, i);
                const char *s = json_get_string(m, "string");
                if (!s || (severity && !streq_ptr(json_get_string(m, "severity"), severity)) ||
                    (needle && !strstr(s, needle)))
                        continue;
                char buf[201];
                size_t n = 0;
                for (; *s && n < sizeof buf - 1; s++)
                        buf[n++] = isprint((unsigned char)*s) ? *s : '?';
                buf[n] = '\0';
                return strdup(buf);
        }
        return NULL;
}

struct ata_findings {
        char prefail_now[64];     /* name of a pre-failure attribute failing now */
};

static void read_ata(json_object *doc, struct disk_health *h, struct ata_findings *f) {
        json_object *table = json_get(json_get(doc, "ata_smart_attributes"), "table");
        if (!table || !json_object_is_type(table, json_type_array))
                return;
        bool ssd = count_at(doc, "rotation_rate") == 0;
        for (size_t i = 0; i < json_object_array_length(table); i++) {
                json_object *a = json_object_array_get_idx(table, i);
                int64_t id = count_at(a, "id"), raw = count_at(json_get(a, "raw"), "value");
                if (id == ATA_REALLOCATED)
                        h->reallocated_sectors = raw;
                else if (id == ATA_PENDING)
                        h->pending_sectors = raw;
                else if (id == ATA_UNCORRECTABLE)
                        h->uncorrectable_sectors = raw;
                for (size_t j = 0; ssd && j < ELEMENTSOF(ata_life_left_ids); j++)
                        if (id == ata_life_left_ids[j] && h->life_left_percent < 0)
                                h->life_left_percent = percent(count_at(a, "value"));
                json_object *flags = json_get(a, "flags");
                json_object *prefail = json_get(flags, "prefailure");
                bool is_prefail = prefail && json_object_is_type(prefail, json_type_boolean) &&
                                  json_object_get_boolean(prefail);
                if (is_prefail && streq_ptr(json_get_string(a, "when_failed"), "now") && !f->prefail_now[0]) {
                        const char *name = json_get_string(a, "name");
                        snprintf(f->prefail_now, sizeof f->prefail_now, "%" PRId64 " %.40s", id,
                                 name ? name : "");
                        for (char *c = f->prefail_now; *c; c++)
                                if (!isprint((unsigned char)*c))
                                        *c = '?';
                }
        }
}

static void read_scsi(json_object *doc, struct disk_health *h) {
        h->grown_defects = count_at(doc, "scsi_grown_defect_list");
        int64_t used = count_at(doc, "scsi_percentage_used_endurance_indicator");
        if (used >= 0) {
                h->percentage_used = used;
                h->life_left_percent = used >= 100 ? 0 : 100 - used;
        }
}

/* NVMe's critical warning byte (critical_warning), bit by bit */
static void read_nvme(json_object *doc, struct disk_health *h, int64_t *ret_critical) {
        json_object *log = json_get(doc, "nvme_smart_health_information_log");
        if (!log)
                return;
        int64_t used = count_at(log, "percentage_used");   /* may pass 100 */
        if (used >= 0) {
                h->percentage_used = used;
                h->life_left_percent = used >= 100 ? 0 : 100 - used;
        }
        h->media_errors = count_at(log, "media_errors");
        if (h->power_on_hours < 0)
                h->power_on_hours = count_at(log, "power_on_hours");
        if (h->temperature_c < 0)
                h->temperature_c = count_at(log, "temperature");
        *ret_critical = count_at(log, "critical_warning");
}

static int add_reason(char ***v, const char *label, int64_t n) {
        return n > 0 ? strv_push_printf(v, "%" PRId64 " %s", n, label) : 0;
}

/* The verdict and its reasons, from what was read */
static int judge(struct disk_health *h, bool passed_known, bool passed, int exit_status,
                 const struct ata_findings *f, int64_t nvme_critical) {
        _cleanup_strv_free_ char **why = NULL;
        bool failing = (passed_known && !passed) || (exit_status & SMART_EXIT_FAILING);
        if (failing && strv_push_printf(&why, "SMART overall-health self-assessment: FAILED") < 0)
                return -ENOMEM;
        if (f->prefail_now[0] && strv_push_printf(&why, "pre-failure attribute %s at or below its threshold",
                                                  f->prefail_now) < 0)
                return -ENOMEM;
        else if (!f->prefail_now[0] && (exit_status & SMART_EXIT_PREFAIL_NOW) &&
                 strv_push_printf(&why, "pre-failure attributes at or below their thresholds") < 0)
                return -ENOMEM;
        h->failure_predicted = failing || f->prefail_now[0] || (exit_status & SMART_EXIT_PREFAIL_NOW);
        if (add_reason(&why, "reallocated sector(s)", h->reallocated_sectors) < 0 ||
            add_reason(&why, "pending sector(s)", h->pending_sectors) < 0 ||
            add_reason(&why, "uncorrectable sector(s)", h->uncorrectable_sectors) < 0 ||
            add_reason(&why, "grown defect(s)", h->grown_defects) < 0 ||
            add_reason(&why, "media error(s)", h->media_errors) < 0)
                return -ENOMEM;
        if (nvme_critical > 0 && strv_push_printf(&why, "NVMe critical warning 0x%02" PRIx64, nvme_critical) < 0)
                return -ENOMEM;
        if (h->life_left_percent >= 0 && h->life_left_percent <= DISK_HEALTH_LIFE_LEFT_WARN &&
            strv_push_printf(&why, "worn: %" PRId64 "%% of its life left", h->life_left_percent) < 0)
                return -ENOMEM;
        h->state = failing ? DISK_HEALTH_FAILED : why ? DISK_HEALTH_WARNING : DISK_HEALTH_OK;
        if (why && !(h->reason = strv_join(why, "; ")))
                return -ENOMEM;
        return 0;
}

static const char *valid_protocol(const char *p) {
        static const char *const known[] = { "ATA", "SCSI", "NVMe" };
        for (size_t i = 0; i < ELEMENTSOF(known); i++)
                if (streq_ptr(p, known[i]))
                        return known[i];
        return NULL;
}

int smart_health_parse(const char *text, size_t len, int exit_status, struct disk_health *ret, struct error *e) {
        _cleanup_json_ json_object *doc = NULL;
        int k = json_parse(text, len, &doc, e);
        if (k < 0)
                return error_prefix(e, "smartctl's JSON");
        json_object *smartctl = json_get(doc, "smartctl");
        if (!json_object_is_type(doc, json_type_object) || !smartctl)
                return error_set(e, -EBADMSG, "smartctl's JSON: no \"smartctl\" member: not smartctl --json output");
        if (exit_status < 0)
                exit_status = (int)count_at(smartctl, "exit_status");
        if (exit_status < 0 || exit_status > 255)
                return error_set(e, -EBADMSG, "smartctl's JSON: no exit status");

        struct disk_health h;
        disk_health_init(&h);
        const char *proto = valid_protocol(json_get_string(json_get(doc, "device"), "protocol"));
        if (proto && !(h.protocol = strdup(proto)))
                return error_set(e, -ENOMEM, "out of memory");
        /* `-n standby`: smartctl left the disk asleep and says so in an information message */
        _cleanup_free_ char *asleep = (exit_status & SMART_EXIT_OPEN) ? message(smartctl, NULL, "Device is in ") : NULL;
        if (asleep && (strstr(asleep, "STANDBY") || strstr(asleep, "SLEEP"))) {
                h.state = DISK_HEALTH_STANDBY;
                h.reason = strdup_printf("not asked: %s", asleep);
                *ret = h;
                return 0;
        }
        json_object *status = json_get(json_get(doc, "smart_status"), "passed");
        bool passed_known = status && json_object_is_type(status, json_type_boolean);
        bool passed = passed_known && json_object_get_boolean(status);
        if (!passed_known && !(exit_status & SMART_EXIT_FAILING)) {
                /* no SMART here (a virtual disk, a USB bridge), or it could not be asked */
                _cleanup_free_ char *why = message(smartctl, "error", NULL);
                h.reason = why ? strdup_printf("no SMART status: %s", why) : strdup("no SMART status");
                *ret = h;
                return 0;
        }
        h.temperature_c = count_at(json_get(doc, "temperature"), "current");
        h.power_on_hours = count_at(json_get(doc, "power_on_time"), "hours");
        struct ata_findings f = { 0 };
        int64_t nvme_critical = -1;
        read_ata(doc, &h, &f);
        read_scsi(doc, &h);
        read_nvme(doc, &h, &nvme_critical);
        if (judge(&h, passed_known, passed, exit_status, &f, nvme_critical) < 0) {
                disk_health_done(&h);
                return error_set(e, -ENOMEM, "out of memory");
        }
        *ret = h;
        return 0;
}
