/* hostctl disks --health: the HEALTH column and the health lines of `show`. */
#include "cmd_disks.h"

#include <stdio.h>
#include <string.h>

#include "raid/smart.h"

const char *disks_health_word(const struct disk *d) {
        const struct disk_health *h = d->health;
        if (!h)
                return "-";   /* not asked: the plain listing runs no smartctl */
        if (h->failure_predicted && h->state != DISK_HEALTH_FAILED)
                return "warning (failure predicted)";
        return disk_health_state_name(h->state);
}

static void count_line(FILE *out, const char *key, int64_t v, const char *unit) {
        if (v >= 0)
                fprintf(out, "  %-19s %lld%s\n", key, (long long)v, unit);
}

void disks_print_health(FILE *out, const struct disk *d) {
        const struct disk_health *h = d->health;
        fprintf(out, "%-21s %s\n", "health", disks_health_word(d));
        if (!h)
                return;
        _cleanup_free_ char *reason = h->reason ? disk_clean_string(h->reason, strlen(h->reason)) : NULL;
        if (reason)
                fprintf(out, "  %-19s %s\n", "because", reason);
        if (h->protocol)
                fprintf(out, "  %-19s %s\n", "protocol", h->protocol);
        count_line(out, "temperature", h->temperature_c, " C");
        count_line(out, "power_on_hours", h->power_on_hours, "");
        count_line(out, "reallocated_sectors", h->reallocated_sectors, "");
        count_line(out, "pending_sectors", h->pending_sectors, "");
        count_line(out, "uncorrectable", h->uncorrectable_sectors, "");
        count_line(out, "grown_defects", h->grown_defects, "");
        count_line(out, "percentage_used", h->percentage_used, "%");
        count_line(out, "media_errors", h->media_errors, "");
        count_line(out, "life_left", h->life_left_percent, "%");
}

int disks_check_health(struct disk_list *l, bool wake, struct error *e) {
        const struct smart_opts o = { .wake = wake };
        return smart_check_disks(l, &o, e);
}
