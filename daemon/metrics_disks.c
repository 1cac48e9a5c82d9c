/* daemon/metrics_disks.c: the disks' SMART health in /metrics, from the
 * periodic check's results that the inventory snapshot carries. A disk
 * whose health is not known (no SMART, not checked yet, asleep since hostd
 * started) has no series: no value is better than a made-up one. */
#include <stddef.h>
#include <stdio.h>

#include "metrics_disks.h"
#include "raid/disk_health.h"
#include "stats.h"

#define DISK_LABELS_MAX 256

static bool known(const struct disk *d) {
        return d->health && (d->health->state == DISK_HEALTH_OK || d->health->state == DISK_HEALTH_WARNING ||
                             d->health->state == DISK_HEALTH_FAILED);
}

static void disk_labels(char out[static DISK_LABELS_MAX], const struct disk *d) {
        char name[64], serial[DISK_LABELS_MAX - 96];
        stats_escape_label(name, sizeof name, d->name);
        stats_escape_label(serial, sizeof serial, d->serial ? d->serial : "");
        snprintf(out, DISK_LABELS_MAX, "disk=\"%s\",serial=\"%s\"", name, serial);
}

/* The counters as gauges, in base units: hours become seconds, percent a ratio */
static const struct {
        const char *name, *help;
        size_t offset;
        double scale;
} gauges[] = {
        { "hostd_disk_temperature_celsius", "The disk's temperature (SMART).",
          offsetof(struct disk_health, temperature_c), 1 },
        { "hostd_disk_power_on_seconds", "How long the disk has been powered on (SMART power-on hours).",
          offsetof(struct disk_health, power_on_hours), 3600 },
        { "hostd_disk_life_left_ratio",
          "SSD media life left, 1 new, 0 worn out (Redfish PredictedMediaLifeLeftPercent / 100).",
          offsetof(struct disk_health, life_left_percent), 0.01 },
        { "hostd_disk_reallocated_sectors", "ATA: sectors the disk has reallocated (attribute 5).",
          offsetof(struct disk_health, reallocated_sectors), 1 },
        { "hostd_disk_pending_sectors", "ATA: sectors waiting to be reallocated (attribute 197).",
          offsetof(struct disk_health, pending_sectors), 1 },
        { "hostd_disk_uncorrectable_sectors", "ATA: sectors found uncorrectable offline (attribute 198).",
          offsetof(struct disk_health, uncorrectable_sectors), 1 },
        { "hostd_disk_grown_defects", "SCSI/SAS: entries of the grown defect list.",
          offsetof(struct disk_health, grown_defects), 1 },
        { "hostd_disk_media_errors", "NVMe: unrecovered data integrity errors (media_errors).",
          offsetof(struct disk_health, media_errors), 1 },
};

static int64_t gauge_value(const struct disk_health *h, size_t i) {
        return *(const int64_t *)((const char *)h + gauges[i].offset);
}

static void family(FILE *f, const char *name, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

void metrics_write_disks(FILE *f, const struct disk_list *l) {
        size_t n = l ? l->n : 0;
        char lab[DISK_LABELS_MAX];
        family(f, "hostd_disk_health",
               "The disk's SMART health as its Drive's Status.Health: 0 OK, 1 Warning, 2 Critical (failing).");
        for (size_t i = 0; i < n; i++)
                if (known(&l->disks[i])) {
                        const struct disk_health *h = l->disks[i].health;
                        disk_labels(lab, &l->disks[i]);
                        fprintf(f, "hostd_disk_health{%s} %d\n", lab,
                                h->state == DISK_HEALTH_OK ? 0 : h->state == DISK_HEALTH_WARNING ? 1 : 2);
                }
        family(f, "hostd_disk_failure_predicted",
               "1 when SMART says the disk is failing or a pre-failure attribute is at its threshold.");
        for (size_t i = 0; i < n; i++)
                if (known(&l->disks[i])) {
                        disk_labels(lab, &l->disks[i]);
                        fprintf(f, "hostd_disk_failure_predicted{%s} %d\n", lab, l->disks[i].health->failure_predicted);
                }
        for (size_t g = 0; g < ELEMENTSOF(gauges); g++) {
                family(f, gauges[g].name, gauges[g].help);
                for (size_t i = 0; i < n; i++) {
                        const struct disk *d = &l->disks[i];
                        if (!known(d) || gauge_value(d->health, g) < 0)
                                continue;
                        disk_labels(lab, d);
                        fprintf(f, "%s{%s} %.15g\n", gauges[g].name, lab,
                                (double)gauge_value(d->health, g) * gauges[g].scale);
                }
        }
}
