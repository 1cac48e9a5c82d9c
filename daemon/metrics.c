/* GET /metrics: Prometheus' text format. The names follow Prometheus'
 * conventions (base units in the name, _total on counters) and the md
 * families mirror node_exporter's md collector: docs/METRICS.md maps them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/statvfs.h>

#include "api.h"
#include "auth.h"
#include "containers/place.h"
#include "daemon.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "metrics_disks.h"
#include "state.h"
#include "stats.h"

#ifndef HOSTD_VERSION
#define HOSTD_VERSION "0.0.0"
#endif

static void family(FILE *f, const char *name, const char *type, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels of one array, escaped: its name (from /dev/md/<name>) and kernel device */
#define ARRAY_LABELS_MAX 512
static void array_labels(char out[static ARRAY_LABELS_MAX], const struct md_status *s) {
        char name[ARRAY_LABELS_MAX / 2 - 32], dev[64];
        stats_escape_label(name, sizeof name, s->name);
        stats_escape_label(dev, sizeof dev, s->kernel_name);
        snprintf(out, ARRAY_LABELS_MAX, "array=\"%s\",device=\"%s\"", name, dev);
}

/* node_exporter's node_md_state words: the array's one state */
static const char *array_state_word(const struct md_status *s) {
        if (streq(s->array_state, "inactive"))
                return "inactive";
        if (streq(s->sync_action, "recover"))
                return "recovering";
        if (streq(s->sync_action, "resync"))
                return "resync";
        if (streq(s->sync_action, "check") || streq(s->sync_action, "repair"))
                return "check";
        if (streq(s->sync_action, "reshape"))
                return "reshape";
        return "active";
}

static void write_arrays(FILE *f, const struct arrays_snap *a, char (*lab)[ARRAY_LABELS_MAX]) {
        for (size_t i = 0; i < a->n; i++)
                array_labels(lab[i], a->v[i]);
        family(f, "hostd_arrays", "gauge", "md arrays running.");
        fprintf(f, "hostd_arrays %zu\n", a->n);
        family(f, "hostd_health", "gauge",
               "This host's health as the API's Systems/host Status.Health: the worst array; 0 OK, 1 Warning, 2 Critical.");
        fprintf(f, "hostd_health %d\n", (int)state_arrays_health(a));

        family(f, "hostd_array_health", "gauge",
               "The array's health as its Volume's Status.Health: 0 OK, 1 Warning (degraded), 2 Critical (failed or inactive).");
        for (size_t i = 0; i < a->n; i++)
                fprintf(f, "hostd_array_health{%s} %d\n", lab[i], (int)md_health(a->v[i]));
        family(f, "hostd_array_state", "gauge",
               "1 for the array's state (active, inactive, recovering, resync, check, reshape), 0 for the others.");
        static const char *const words[] = { "active", "inactive", "recovering", "resync", "check", "reshape" };
        for (size_t i = 0; i < a->n; i++)
                for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
                        fprintf(f, "hostd_array_state{%s,state=\"%s\"} %d\n", lab[i], words[w],
                                streq(array_state_word(a->v[i]), words[w]));
        family(f, "hostd_array_degraded", "gauge", "Members missing from the array (md/degraded).");
        for (size_t i = 0; i < a->n; i++)
                fprintf(f, "hostd_array_degraded{%s} %d\n", lab[i], a->v[i]->degraded);
        family(f, "hostd_array_disks_required", "gauge", "Members the array is made of (md/raid_disks).");
        for (size_t i = 0; i < a->n; i++)
                fprintf(f, "hostd_array_disks_required{%s} %d\n", lab[i], a->v[i]->raid_disks);
        family(f, "hostd_array_disks", "gauge",
               "Member devices by state: active (in sync), failed (faulty or gone), spare (no slot); a member being rebuilt is in none.");
        for (size_t i = 0; i < a->n; i++) {
                int active = 0, failed = 0, spare = 0;
                for (size_t m = 0; m < a->v[i]->n_members; m++) {
                        /* as node_exporter's node_md_disks reads mdstat: active is the
                         * members in sync ([3/2]: raid_disks - degraded), failed is (F),
                         * spare is (S), a member without a slot; the spare md is
                         * rebuilding into a slot (state "spare" with a slot) is a "_"
                         * of [UU_] and counted in none until it is in sync */
                        const struct md_member *mm = &a->v[i]->members[m];
                        const char *st = mm->state ? mm->state : "";
                        if (mm->missing || strstr(st, "faulty"))
                                failed++;
                        else if (strstr(st, "in_sync"))
                                active++;
                        else if (mm->slot < 0)
                                spare++;
                }
                fprintf(f, "hostd_array_disks{%s,state=\"active\"} %d\n", lab[i], active);
                fprintf(f, "hostd_array_disks{%s,state=\"failed\"} %d\n", lab[i], failed);
                fprintf(f, "hostd_array_disks{%s,state=\"spare\"} %d\n", lab[i], spare);
        }
        family(f, "hostd_array_size_bytes", "gauge", "The array's size.");
        for (size_t i = 0; i < a->n; i++)
                fprintf(f, "hostd_array_size_bytes{%s} %lld\n", lab[i], (long long)a->v[i]->size_bytes);
        family(f, "hostd_array_sync_ratio", "gauge", "Resync, recovery or check progress from 0 to 1; 1 when idle.");
        for (size_t i = 0; i < a->n; i++)
                fprintf(f, "hostd_array_sync_ratio{%s} %.4f\n", lab[i],
                        a->v[i]->sync_percent < 0 ? 1.0 : a->v[i]->sync_percent / 100.0);
        family(f, "hostd_array_sync_speed_bytes_per_second", "gauge", "md's current sync speed; 0 when idle.");
        for (size_t i = 0; i < a->n; i++)
                fprintf(f, "hostd_array_sync_speed_bytes_per_second{%s} %lld\n", lab[i],
                        (long long)(a->v[i]->sync_speed_kib < 0 ? 0 : a->v[i]->sync_speed_kib * 1024));
        family(f, "hostd_array_mismatch_sectors", "gauge", "Sectors found inconsistent by the last check (md/mismatch_cnt).");
        for (size_t i = 0; i < a->n; i++)
                fprintf(f, "hostd_array_mismatch_sectors{%s} %lld\n", lab[i],
                        (long long)a->v[i]->mismatch_cnt);
}

/* The pool's filesystem, as node_exporter's node_filesystem_{size,avail}_bytes:
 * containers.pool, or the containers' default pool when unset. Only when a
 * filesystem is mounted right there: an unmounted pool is a directory of the
 * filesystem beneath it (the root's), whose size is not the pool's. */
static void write_pool(FILE *f, const char *path) {
        char real[PATH_MAX];
        struct statvfs st;
        if (!realpath(path, real) || !path_is_mounted(real) || statvfs(real, &st) < 0)
                return;
        char p[2 * PATH_MAX];
        stats_escape_label(p, sizeof p, path);
        family(f, "hostd_pool_size_bytes", "gauge", "Size of the filesystem of the container pool (containers.pool).");
        fprintf(f, "hostd_pool_size_bytes{path=\"%s\"} %llu\n", p, (unsigned long long)st.f_blocks * st.f_frsize);
        family(f, "hostd_pool_avail_bytes", "gauge", "Bytes of the pool's filesystem that unprivileged writers may still use.");
        fprintf(f, "hostd_pool_avail_bytes{path=\"%s\"} %llu\n", p, (unsigned long long)st.f_bavail * st.f_frsize);
}

void api_metrics(struct hostd *h, const struct api_request *req, struct api_response *r) {
        _cleanup_(arrays_snap_putp) struct arrays_snap *a = state_arrays_get();
        _cleanup_(disks_snap_putp) struct disks_snap *d = state_disks_get();
        _cleanup_free_ char (*lab)[ARRAY_LABELS_MAX] = calloc(a->n ? a->n : 1, sizeof *lab);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f || !lab) {
                if (f)
                        fclose(f);
                free(buf);
                return api_error(r, 500, "InternalError", "out of memory");
        }
        char version[64];
        stats_escape_label(version, sizeof version, HOSTD_VERSION);
        family(f, "hostd_build_info", "gauge", "Always 1; the version of this hostd in its label.");
        fprintf(f, "hostd_build_info{version=\"%s\"} 1\n", version);
        family(f, "hostd_disks", "gauge", "Block disks in the inventory.");
        fprintf(f, "hostd_disks %zu\n", d->list ? d->list->n : 0);
        metrics_write_disks(f, d->list);
        write_arrays(f, a, lab);
        write_pool(f, req && req->cfg && req->cfg->containers_pool ? req->cfg->containers_pool : PLACE_DEFAULT_POOL);
        uint64_t failures = 0, throttled = 0;
        if (h->auth)
                auth_login_counts(h->auth, &failures, &throttled);
        family(f, "hostd_login_failures_total", "counter", "Logins refused for a wrong user name or password.");
        fprintf(f, "hostd_login_failures_total %llu\n", (unsigned long long)failures);
        family(f, "hostd_login_throttled_total", "counter", "Logins refused unchecked during a backoff after failures (429).");
        fprintf(f, "hostd_login_throttled_total %llu\n", (unsigned long long)throttled);
        stats_write(f);
        if (fclose(f) != 0) {
                free(buf);
                return api_error(r, 500, "InternalError", "out of memory");
        }
        r->status = 200;
        r->content_type = "text/plain; version=0.0.4";
        r->body = buf;
        r->body_len = len;
}
