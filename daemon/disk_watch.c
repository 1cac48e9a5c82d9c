/* daemon/disk_watch.c: the periodic SMART check and its events. */
#include "disk_watch.h"

#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>

#include "events.h"
#include "lib/log.h"
#include "lib/strutil.h"
#include "raid/smart.h"
#include "state.h"

/* With the check off, how often to look whether a reload turned it on */
#define DISK_WATCH_IDLE_MS (60 * 1000)

struct disk_watch {
        struct hostd *h;
        pthread_t thread;
        int wake;                 /* eventfd: poke or stop */
        bool stop;
};

/* The disks to ask: name, path and serial of each disk of the inventory now
 * (a copy: the check takes seconds and the snapshot may be replaced). */
static struct disk_list *disks_to_check(void) {
        _cleanup_(disks_snap_putp) struct disks_snap *s = state_disks_get();
        _cleanup_(disk_list_freep) struct disk_list *l = calloc(1, sizeof *l);
        for (size_t i = 0; l && s->list && i < s->list->n; i++) {
                const struct disk *from = &s->list->disks[i];
                struct disk *d = disk_list_add(l);
                if (!d || !(d->name = strdup(from->name)) || (from->path && !(d->path = strdup(from->path))) ||
                    (from->serial && !(d->serial = strdup(from->serial))))
                        return NULL;
        }
        return TAKE_PTR(l);
}

static const char *severity_of(enum disk_health_state s) {
        return s == DISK_HEALTH_OK ? "OK" : s == DISK_HEALTH_FAILED ? "Critical" : "Warning";
}

/* The events of one disk, from its health before (NULL: never checked) and now */
static void announce(struct events *ev, const struct disk *d, const struct disk_health *before) {
        const struct disk_health *now = d->health;
        if (before && before->state == DISK_HEALTH_STANDBY)
                before = NULL;   /* waking up is no change of health */
        _cleanup_free_ char *origin = strdup_printf("/redfish/v1/Systems/host/Storage/md/Drives/%s", state_drive_id(d));
        _cleanup_free_ char *who = d->serial ? strdup_printf("%s (serial %s)", d->name, d->serial) : strdup(d->name);
        const char *why = now->reason ? now->reason : "";
        if (now->failure_predicted && !(before && before->failure_predicted))
                events_emit(ev, "DiskFailurePredicted", "Critical", origin, "disk %s: SMART predicts a failure: %s",
                            who ? who : d->name, why);
        /* the first check reports only what needs a person; later ones every change */
        bool changed = before ? before->state != now->state
                              : now->state == DISK_HEALTH_WARNING || now->state == DISK_HEALTH_FAILED;
        if (changed)
                events_emit(ev, "DiskHealthChanged", severity_of(now->state), origin, "disk %s: health %s -> %s%s%s",
                            who ? who : d->name, before ? disk_health_state_name(before->state) : "unchecked",
                            disk_health_state_name(now->state), *why ? ": " : "", why);
}

static void check_all(struct disk_watch *w) {
        _cleanup_(disk_list_freep) struct disk_list *l = disks_to_check();
        struct error e = { 0 };
        const struct smart_opts o = { .wake = false };
        if (!l || smart_check_disks(l, &o, &e) < 0) {
                log_warning("disk health: %s", l ? e.msg : "out of memory");
                return;
        }
        for (size_t i = 0; i < l->n; i++) {
                struct disk *d = &l->disks[i];
                _cleanup_(disk_health_freep) struct disk_health *before = state_disk_health(d);
                /* asleep: what it said when last awake still stands */
                if (d->health && d->health->state == DISK_HEALTH_STANDBY && before) {
                        disk_health_free(d->health);
                        d->health = TAKE_PTR(before);
                        continue;
                }
                if (d->health)
                        announce(w->h->events, d, before);
        }
        state_set_disk_health(TAKE_PTR(l));
        if (state_refresh_disks(&e) < 0)
                log_warning("inventory: %s", e.msg);
}

/* The bays of the BMC that hostd.conf names (bmc:), for the Drives and
 * `hostctl --host disks`; without one (or after a reload took it away),
 * none. A BMC that does not answer leaves the bays as they were and says so
 * in the log. */
static void read_bays(struct disk_watch *w) {
        struct daemon_config *c = hostd_config(w->h);
        _cleanup_free_ char *name = c->bmc ? strdup(c->bmc) : NULL;
        daemon_config_unref(c);
        struct error e = { 0 };
        _cleanup_free_ struct bmc_bays *bays = NULL;
        if (name) {
                _cleanup_(bmc_closep) struct bmc *b = NULL;
                struct bmc_config *cfg = NULL;
                bays = calloc(1, sizeof *bays);
                if (!bays || bmc_config_load(NULL, name, &cfg, &e) < 0 || bmc_open(cfg, &b, &e) < 0 ||
                    bmc_bays_read(b, bays, &e) < 0) {
                        log_warning("bays: %s", bays ? e.msg : "out of memory");
                        if (bays)
                                bmc_bays_done(bays);
                        return;
                }
        }
        state_set_bays(TAKE_PTR(bays));
        if (state_refresh_disks(&e) < 0)   /* the snapshot's disks take their bays */
                log_warning("inventory: %s", e.msg);
}

static int interval_s(struct disk_watch *w) {
        struct daemon_config *c = hostd_config(w->h);
        int s = c->disk_health_interval_s;
        daemon_config_unref(c);
        return s;
}

static void *disk_watch_main(void *userdata) {
        struct disk_watch *w = userdata;
        bool poked = true;   /* the first round, as after a poke */
        while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
                int s = interval_s(w);
                /* the bays at start, after a SIGHUP (a poke) and with each check */
                if (s > 0 || poked)
                        read_bays(w);
                if (s > 0)
                        check_all(w);
                struct pollfd p = { .fd = w->wake, .events = POLLIN };
                int r = poll(&p, 1, s > 0 ? (s > INT32_MAX / 1000 ? INT32_MAX : s * 1000) : DISK_WATCH_IDLE_MS);
                uint64_t v;
                if (r > 0 && read(w->wake, &v, sizeof v) < 0)
                        log_debug("disk health: wake: %s", strerror(errno));
                poked = r > 0;
        }
        return NULL;
}

int disk_watch_start(struct hostd *h, struct disk_watch **ret, struct error *e) {
        struct disk_watch *w = calloc(1, sizeof *w);
        if (!w)
                return error_set(e, -ENOMEM, "out of memory");
        w->h = h;
        w->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->wake < 0) {
                free(w);
                return error_set(e, -errno, "disk health: eventfd: %s", strerror(errno));
        }
        int r = pthread_create(&w->thread, NULL, disk_watch_main, w);
        if (r) {
                close(w->wake);
                free(w);
                return error_set(e, -r, "cannot start the disk health check: %s", strerror(r));
        }
        *ret = w;
        return 0;
}

void disk_watch_poke(struct disk_watch *w) {
        uint64_t one = 1;
        if (w && write(w->wake, &one, sizeof one) < 0)
                log_debug("disk health: poke: %s", strerror(errno));
}

void disk_watch_stop(struct disk_watch *w) {
        if (!w)
                return;
        __atomic_store_n(&w->stop, true, __ATOMIC_RELEASE);   /* read by the thread */
        disk_watch_poke(w);
        pthread_join(w->thread, NULL);
        close(w->wake);
        free(w);
}
