/* raid/md_health.c: how an md array is, in three words, from its status
 * alone (no I/O): the one judgement behind the API's Status.Health, its
 * rollups and the health gauges of /metrics. */
#include "md.h"

#include "lib/strutil.h"

/* Members an array of this level can lose and still serve all its data;
 * -1 when the level is unknown (then only "inactive"/"broken" say failed). */
static int members_it_can_lose(const char *level, int raid_disks) {
        if (!level || raid_disks <= 0)
                return -1;
        if (streq(level, "raid0") || streq(level, "linear"))
                return 0;
        if (streq(level, "raid1"))
                return raid_disks - 1;
        if (streq(level, "raid4") || streq(level, "raid5"))
                return 1;
        if (streq(level, "raid6"))
                return 2;
        if (streq(level, "raid10"))
                return raid_disks / 2;   /* at best one of each mirrored pair: beyond that, surely lost */
        return -1;
}

enum md_health md_health(const struct md_status *s) {
        if (!s || !s->array_state || streq(s->array_state, "inactive") || streq(s->array_state, "broken") ||
            streq(s->array_state, "clear"))
                return MD_HEALTH_CRITICAL;
        int can_lose = members_it_can_lose(s->level, s->raid_disks);
        if (s->degraded > 0 && can_lose >= 0 && s->degraded > can_lose)
                return MD_HEALTH_CRITICAL;
        if (s->raid_disks > 0 && s->degraded >= s->raid_disks)
                return MD_HEALTH_CRITICAL;
        if (s->degraded > 0)
                return MD_HEALTH_WARNING;
        for (size_t i = 0; i < s->n_members; i++)
                if (s->members[i].missing || (s->members[i].state && strstr(s->members[i].state, "faulty")))
                        return MD_HEALTH_WARNING;   /* a member md still counts, but whose disk is gone or failed */
        return MD_HEALTH_OK;
}

enum md_health md_health_worst(enum md_health a, enum md_health b) {
        return a > b ? a : b;
}

const char *md_health_name(enum md_health h) {
        switch (h) {
        case MD_HEALTH_OK: return "OK";
        case MD_HEALTH_WARNING: return "Warning";
        case MD_HEALTH_CRITICAL: return "Critical";
        }
        return "Critical";
}
