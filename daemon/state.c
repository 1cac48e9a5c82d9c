/* daemon/state.c: reference-counted snapshots of disks and arrays. */
#include "state.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/strutil.h"
#include "raid/disk_enclosure.h"
#include "raid/disk_health.h"
#include "raid/inventory.h"
#include "raid/md.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct disks_snap *cur_disks;
static struct arrays_snap *cur_arrays;
static bool disks_all;     /* set by SIGHUP on the main thread, read by the monitor and requests */
/* The last SMART check (daemon/disk_watch.c): a list of the disks it asked,
 * with their health; each new inventory snapshot takes its disks' health
 * from here, by kernel name and serial, so a rescan keeps it and a disk
 * swapped into the same bay does not inherit it. Under lock. */
static struct disk_list *health_checked;
/* The BMC's drives (daemon/disk_watch.c reads them): each snapshot's disks
 * take their bays from here, by serial. Under lock. */
static struct bmc_bays *bay_map;

const char *state_drive_id(const struct disk *d) {
        const char *s = d->serial;
        if (!s || !*s || strlen(s) > 64)
                return d->name;
        for (const char *c = s; *c; c++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
                        return d->name;
        return s;
}

static const struct disk *checked_disk(const struct disk_list *checked, const struct disk *d) {
        for (size_t i = 0; checked && i < checked->n; i++)
                if (streq(checked->disks[i].name, d->name) && streq_ptr(checked->disks[i].serial, d->serial))
                        return &checked->disks[i];
        return NULL;
}

struct disk_health *state_disk_health(const struct disk *d) {
        pthread_mutex_lock(&lock);
        const struct disk *c = checked_disk(health_checked, d);
        struct disk_health *h = c && c->health ? disk_health_dup(c->health) : NULL;
        pthread_mutex_unlock(&lock);
        return h;
}

void state_set_disk_health(struct disk_list *checked) {
        pthread_mutex_lock(&lock);
        struct disk_list *old = health_checked;
        health_checked = checked;
        pthread_mutex_unlock(&lock);
        disk_list_free(old);
}

/* Each disk's health from the last check; a disk it did not ask has none. */
static void attach_health(struct disk_list *l) {
        pthread_mutex_lock(&lock);
        for (size_t i = 0; i < l->n; i++) {
                const struct disk *c = checked_disk(health_checked, &l->disks[i]);
                if (c && c->health && !l->disks[i].health)
                        l->disks[i].health = disk_health_dup(c->health);
        }
        pthread_mutex_unlock(&lock);
}

void state_set_bays(struct bmc_bays *bays) {
        pthread_mutex_lock(&lock);
        struct bmc_bays *old = bay_map;
        bay_map = bays;
        pthread_mutex_unlock(&lock);
        if (old)
                bmc_bays_done(old);
        free(old);
}

int state_bay_blinking(const char *serial) {
        pthread_mutex_lock(&lock);
        const struct bmc_bay *b = bay_map ? bmc_bay_by_serial(bay_map, serial) : NULL;
        int r = !b || b->led == BMC_DRIVE_LED_NONE ? -1 : b->blinking;
        pthread_mutex_unlock(&lock);
        return r;
}

void state_set_bay_blinking(const char *serial, bool on) {
        pthread_mutex_lock(&lock);
        struct bmc_bay *b = bay_map ? (struct bmc_bay *)bmc_bay_by_serial(bay_map, serial) : NULL;
        if (b)
                b->blinking = on;
        pthread_mutex_unlock(&lock);
}

/* Each disk's bay from the bay map; a drive no disk here has is left out.
 * Where the BMC places no disk (or hostd has no BMC), the disk's SCSI
 * enclosure slot may. */
static void attach_bays(struct disk_list *l) {
        pthread_mutex_lock(&lock);
        for (size_t i = 0; bay_map && i < bay_map->n; i++)
                if (disk_list_set_bay(l, bay_map->v[i].serial, bay_map->v[i].bay) == -ENOMEM)
                        log_warning("bays: out of memory");
        pthread_mutex_unlock(&lock);
        disk_list_bays_from_enclosures(l, md_sysfs_root());
}

void state_set_disks_all(bool all) {
        __atomic_store_n(&disks_all, all, __ATOMIC_RELAXED);
}

void disks_snap_put(struct disks_snap *s) {
        if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
                disk_list_free(s->list);
                free(s);
        }
}

void arrays_snap_put(struct arrays_snap *s) {
        if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
                for (size_t i = 0; i < s->n; i++)
                        md_status_free(s->v[i]);
                free(s->v);
                free(s);
        }
}

void state_publish_disks(struct disk_list *l) {
        struct disks_snap *s = calloc(1, sizeof *s);
        if (!s) {
                disk_list_free(l);
                return;
        }
        s->refs = 1;
        s->list = l;
        pthread_mutex_lock(&lock);
        struct disks_snap *old = cur_disks;
        cur_disks = s;
        pthread_mutex_unlock(&lock);
        disks_snap_put(old);
}

void state_publish_arrays(struct md_status **v, size_t n) {
        struct arrays_snap *s = calloc(1, sizeof *s);
        if (!s) {
                for (size_t i = 0; i < n; i++)
                        md_status_free(v[i]);
                free(v);
                return;
        }
        s->refs = 1;
        s->v = v;
        s->n = n;
        pthread_mutex_lock(&lock);
        struct arrays_snap *old = cur_arrays;
        cur_arrays = s;
        pthread_mutex_unlock(&lock);
        arrays_snap_put(old);
}

int state_refresh_disks(struct error *e) {
        struct inventory_opts o = { .all = __atomic_load_n(&disks_all, __ATOMIC_RELAXED) };
        struct disk_list *l = NULL;
        int k = inventory_scan(&o, &l, e);
        if (k < 0)
                return k;
        attach_health(l);
        attach_bays(l);
        state_publish_disks(l);
        return 0;
}

int state_refresh_arrays(struct error *e) {
        _cleanup_strv_free_ char **names = NULL;
        int k = md_list(&names, e);
        if (k < 0)
                return k;
        size_t n = 0, cap = strv_length(names);
        struct md_status **v = calloc(cap ? cap : 1, sizeof *v);
        if (!v)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < cap; i++) {
                struct error ignore = { 0 };
                /* an array that stops between the listing and the read is simply gone */
                if (md_status_read(names[i], &v[n], &ignore) >= 0)
                        n++;
        }
        state_publish_arrays(v, n);
        return 0;
}

struct disks_snap *state_disks_get(void) {
        pthread_mutex_lock(&lock);
        if (!cur_disks) {
                cur_disks = calloc(1, sizeof *cur_disks);
                if (cur_disks) {
                        cur_disks->refs = 1;
                        cur_disks->list = calloc(1, sizeof *cur_disks->list);
                }
        }
        struct disks_snap *s = cur_disks;
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
        pthread_mutex_unlock(&lock);
        return s;
}

struct arrays_snap *state_arrays_get(void) {
        pthread_mutex_lock(&lock);
        if (!cur_arrays) {
                cur_arrays = calloc(1, sizeof *cur_arrays);
                if (cur_arrays)
                        cur_arrays->refs = 1;
        }
        struct arrays_snap *s = cur_arrays;
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
        pthread_mutex_unlock(&lock);
        return s;
}

enum md_health state_arrays_health(const struct arrays_snap *a) {
        enum md_health worst = MD_HEALTH_OK;
        for (size_t i = 0; a && i < a->n; i++)
                worst = md_health_worst(worst, md_health(a->v[i]));
        return worst;
}
