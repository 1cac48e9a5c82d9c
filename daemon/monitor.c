/* daemon/monitor.c: libudev monitors + poll(POLLPRI) on md sysfs attributes. */
#include "monitor.h"

#include <dirent.h>
#include <fcntl.h>
#include <libudev.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>

#include "events.h"
#include "lib/log.h"
#include "lib/strutil.h"
#include "raid/md.h"
#include "state.h"

#define MAX_WATCH 128

struct watch {
        int fd;
        char md[32];              /* "md127" */
        char attr[48];            /* "degraded", "dev-sdb1/state" */
        char val[64];
};

struct monitor {
        struct events *ev;
        pthread_t thread;
        int wake;                 /* eventfd: poke or stop */
        bool stop;
        struct udev *udev;
        struct udev_monitor *kmon, *umon;
        struct watch w[MAX_WATCH];
        size_t n;
        char **announced;         /* "md127/sdb1": failures already reported */
        int last_pct[32];         /* per watch slot of sync_action: last progress step */
        /* Reading the disks and arrays starts programs (mdadm --detail) and
         * takes long on a busy machine: a thread of its own does it, so that
         * the monitor reads every uevent and sysfs notification the moment it
         * comes. It pokes `refreshed` when new arrays are published. */
        pthread_t refresher;
        pthread_mutex_t rlock;
        pthread_cond_t rcond;
        bool want_disks, want_arrays, rstop;
        int refreshed;            /* eventfd */
};

static int64_t now_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int read_attr(int fd, char *buf, size_t len) {
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        ssize_t n = read(fd, buf, len - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        str_trim(buf);
        return 0;
}

static char *origin_of(const char *md) {
        _cleanup_(arrays_snap_putp) struct arrays_snap *a = state_arrays_get();
        for (size_t i = 0; i < a->n; i++)
                if (streq(a->v[i]->kernel_name, md))
                        return strdup_printf("/redfish/v1/Systems/host/Storage/md/Volumes/%s",
                                             a->v[i]->name ? a->v[i]->name : md);
        return strdup_printf("/redfish/v1/Systems/host/Storage/md/Volumes/%s", md);
}

/* Which disk to pull: "; disk WFK02ABC in bay 5" from the inventory's last
 * snapshot (which still holds a disk just pulled: the remove uevent comes
 * first) and the BMC's bay map; "" when the disk is not known. */
static char *member_whereabouts(const char *member) {
        _cleanup_(disks_snap_putp) struct disks_snap *s = state_disks_get();
        const struct disk *d = s->list ? disk_list_holder(s->list, member, NULL) : NULL;
        if (!d || !d->serial)
                return strdup("");
        _cleanup_free_ char *serial = disk_clean_string(d->serial, strlen(d->serial));
        return d->bay ? strdup_printf("; disk %s in bay %s", serial, d->bay) : strdup_printf("; disk %s", serial);
}

static void member_failed(struct monitor *m, const char *md, const char *member, const char *why) {
        _cleanup_free_ char *key = strdup_printf("%s/%s", md, member);
        if (!key || strv_contains(m->announced, key))
                return;
        (void)strv_push(&m->announced, key);
        _cleanup_free_ char *origin = origin_of(md), *where = member_whereabouts(member);
        events_emit(m->ev, "MemberFailed", "Critical", origin, "array %s: member %s failed (%s)%s", md, member, why,
                    where ? where : "");
}

static double sync_percent(const char *md) {
        char path[128], buf[64];
        snprintf(path, sizeof path, "/sys/block/%s/md/sync_completed", md);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        unsigned long long done = 0, total = 0;
        if (fd < 0 || read_attr(fd, buf, sizeof buf) < 0 || sscanf(buf, "%llu / %llu", &done, &total) != 2 || !total)
                return -1;
        return 100.0 * (double)done / (double)total;
}

static void reread(struct monitor *m, const char *md, const char *attr);

static void attr_changed(struct monitor *m, struct watch *w, const char *old) {
        _cleanup_free_ char *origin = origin_of(w->md);
        if (streq(w->attr, "degraded")) {
                int before = atoi(old), now = atoi(w->val);
                if (now > before)
                        events_emit(m->ev, "ArrayDegraded", "Warning", origin, "array %s is degraded: %d member(s) missing",
                                    w->md, now);
                else if (now == 0 && before > 0)
                        events_emit(m->ev, "ArrayRecovered", "OK", origin, "array %s is no longer degraded", w->md);
        } else if (streq(w->attr, "sync_action")) {
                /* idle -> frozen (mdadm --add) -> recover: the recovery is what started;
                 * recover -> frozen is a pause, not an end */
                if (!md_sync_action_runs(old) && md_sync_action_runs(w->val))
                        events_emit(m->ev, "RebuildStarted", "OK", origin, "array %s: %s started", w->md, w->val);
                else if (md_sync_action_runs(old) && streq(w->val, "idle"))
                        events_emit(m->ev, "RebuildFinished", "OK", origin, "array %s: %s finished", w->md, old);
        } else if (startswith(w->attr, "dev-") && strstr(w->val, "faulty") && !strstr(old, "faulty")) {
                char member[40];
                snprintf(member, sizeof member, "%.*s", (int)(strchr(w->attr, '/') - w->attr - 4), w->attr + 4);
                member_failed(m, w->md, member, "md marked it faulty");
                reread(m, w->md, "degraded");
        }
}

/* md counts a failed member at once but tells pollers of "degraded" only
 * when its own thread gets round to it (seconds, on a busy array): once a
 * member is known to have failed, read the count instead of waiting */
static void reread(struct monitor *m, const char *md, const char *attr) {
        for (size_t i = 0; i < m->n; i++) {
                struct watch *w = &m->w[i];
                if (!streq(w->md, md) || !streq(w->attr, attr))
                        continue;
                char old[sizeof w->val];
                snprintf(old, sizeof old, "%s", w->val);
                if (read_attr(w->fd, w->val, sizeof w->val) == 0 && !streq(old, w->val))
                        attr_changed(m, w, old);
                return;
        }
}

static void add_watch(struct monitor *m, const char *md, const char *attr, const struct watch *old, size_t n_old) {
        if (m->n >= MAX_WATCH)
                return;
        char path[160];
        snprintf(path, sizeof path, "/sys/block/%s/md/%s", md, attr);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        struct watch *w = &m->w[m->n++];
        *w = (struct watch){ .fd = fd };
        snprintf(w->md, sizeof w->md, "%s", md);
        snprintf(w->attr, sizeof w->attr, "%s", attr);
        if (read_attr(fd, w->val, sizeof w->val) < 0)
                w->val[0] = '\0';
        /* a change that happened while nothing watched it is still a change */
        for (size_t i = 0; i < n_old; i++)
                if (streq(old[i].md, md) && streq(old[i].attr, attr) && !streq(old[i].val, w->val))
                        attr_changed(m, w, old[i].val);
}

static void rewatch(struct monitor *m) {
        struct watch old[MAX_WATCH];
        size_t n_old = m->n;
        memcpy(old, m->w, n_old * sizeof old[0]);
        for (size_t i = 0; i < n_old; i++)
                close(old[i].fd);
        m->n = 0;
        _cleanup_(arrays_snap_putp) struct arrays_snap *a = state_arrays_get();
        for (size_t i = 0; i < a->n; i++) {
                const char *md = a->v[i]->kernel_name;
                add_watch(m, md, "degraded", old, n_old);
                add_watch(m, md, "sync_action", old, n_old);
                add_watch(m, md, "array_state", old, n_old);
                char dir[96];
                snprintf(dir, sizeof dir, "/sys/block/%s/md", md);
                DIR *d = opendir(dir);
                for (struct dirent *de; d && (de = readdir(d));)
                        if (startswith(de->d_name, "dev-")) {
                                char attr[48];
                                snprintf(attr, sizeof attr, "%.40s/state", de->d_name);
                                add_watch(m, md, attr, old, n_old);
                        }
                if (d)
                        closedir(d);
        }
}

/* A disk went away: if it held a member, that member failed now. md notices
 * a member whose device is gone only when it next does I/O to it (an idle
 * array: never); udev's mdadm rule tells it on "remove" where that rule is
 * installed, and hostd does not count on it. In the order an operator wants:
 * the event; md's own count of missing members (a sysfs write, at once: the
 * ArrayDegraded event follows from it); then mdadm's bookkeeping, which
 * starts a program (slow on a busy machine) and so comes last. */
static void disk_removed(struct monitor *m, const char *name) {
        _cleanup_(disks_snap_putp) struct disks_snap *ds = state_disks_get();
        _cleanup_(arrays_snap_putp) struct arrays_snap *as = state_arrays_get();
        const struct disk *d = ds->list ? disk_list_find(ds->list, name) : NULL;
        _cleanup_strv_free_ char **gone = NULL;   /* the members that were on it */
        for (size_t i = 0; i < as->n; i++)
                for (size_t j = 0; j < as->v[i]->n_members; j++) {
                        const char *md = as->v[i]->kernel_name, *dev = as->v[i]->members[j].dev;
                        bool mine = streq(dev, name);
                        for (size_t p = 0; d && !mine && p < d->n_partitions; p++)
                                mine = streq(d->partitions[p].name, dev);
                        if (!mine && !d && disk_name_is_partition_of(dev, name))
                                mine = true;   /* sdb1 on sdb, when the inventory did not list sdb */
                        if (!mine)
                                continue;
                        member_failed(m, md, dev, "its disk was removed");
                        struct error e = { 0 };
                        if (md_mark_member_faulty(md, dev, &e) < 0)
                                log_debug("%s", e.msg);   /* md or udev's rule was first */
                        else
                                log_warning("array %s: member %s is gone: md was told", md, dev);
                        reread(m, md, "degraded");
                        (void)strv_push(&gone, dev);
                }
        _cleanup_free_ char *origin = d ? strdup_printf("/redfish/v1/Systems/host/Storage/md/Drives/%s",
                                                         d->serial ? d->serial : d->name) : NULL;
        events_emit(m->ev, "DiskRemoved", gone ? "Critical" : "Warning", origin, "disk %s%s%s%s was removed", name,
                    d && d->serial ? " (serial " : "", d && d->serial ? d->serial : "", d && d->serial ? ")" : "");
        for (char **member = gone; member && *member; member++) {
                struct error e = { 0 };
                if (md_fail_gone_member(*member, &e) < 0)
                        log_debug("member %s: %s", *member, e.msg);   /* udev's rule was first */
                else
                        log_info("member %s: mdadm --incremental --fail took it out of its array", *member);
        }
}

static void refresh_state(bool disks, bool arrays) {
        struct error e = { 0 };
        if (disks && state_refresh_disks(&e) < 0)
                log_warning("inventory: %s", e.msg);
        if (arrays && state_refresh_arrays(&e) < 0)
                log_warning("arrays: %s", e.msg);
}

static void *refresher_main(void *userdata) {
        struct monitor *m = userdata;
        pthread_mutex_lock(&m->rlock);
        while (!m->rstop) {
                if (!m->want_disks && !m->want_arrays) {
                        pthread_cond_wait(&m->rcond, &m->rlock);
                        continue;
                }
                bool disks = m->want_disks, arrays = m->want_arrays;
                m->want_disks = m->want_arrays = false;
                pthread_mutex_unlock(&m->rlock);
                refresh_state(disks, arrays);
                uint64_t one = 1;
                if (arrays && write(m->refreshed, &one, sizeof one) < 0)
                        log_debug("monitor: %s", strerror(errno));
                pthread_mutex_lock(&m->rlock);
        }
        pthread_mutex_unlock(&m->rlock);
        return NULL;
}

/* what is asked while a refresh runs is done once, after it */
static void ask_refresh(struct monitor *m, bool disks, bool arrays) {
        pthread_mutex_lock(&m->rlock);
        m->want_disks |= disks;
        m->want_arrays |= arrays;
        pthread_cond_signal(&m->rcond);
        pthread_mutex_unlock(&m->rlock);
}

static void progress(struct monitor *m) {
        for (size_t i = 0; i < m->n && i < ELEMENTSOF(m->last_pct); i++) {
                struct watch *w = &m->w[i];
                if (!streq(w->attr, "sync_action") || !md_sync_action_runs(w->val)) {
                        m->last_pct[i] = -1;
                        continue;
                }
                double p = sync_percent(w->md);
                int step = p < 0 ? -1 : (int)(p / 10) * 10;
                if (step > m->last_pct[i] && step > 0) {
                        _cleanup_free_ char *origin = origin_of(w->md);
                        events_emit(m->ev, "RebuildProgress", "OK", origin, "array %s: %s %d%%", w->md, w->val, step);
                }
                m->last_pct[i] = step > m->last_pct[i] ? step : m->last_pct[i];
        }
}

/* An array that is written to goes clean -> write-pending -> active ->
 * clean many times a second: worth a refresh of what is shown, not one each */
static bool routine(const char *attr, const char *old, const char *now) {
        static const char *const busy[] = { "clean", "active", "write-pending", "active-idle", NULL };
        return streq(attr, "array_state") && strv_contains((char *const *)busy, old) && strv_contains((char *const *)busy, now);
}

static void *monitor_main(void *userdata) {
        struct monitor *m = userdata;
        int64_t due_disks = 0, due_arrays = 0, next_progress = 0;
        while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
                struct pollfd pfd[MAX_WATCH + 4];
                size_t n = 0;
                pfd[n++] = (struct pollfd){ .fd = m->wake, .events = POLLIN };
                pfd[n++] = (struct pollfd){ .fd = udev_monitor_get_fd(m->kmon), .events = POLLIN };
                pfd[n++] = (struct pollfd){ .fd = udev_monitor_get_fd(m->umon), .events = POLLIN };
                pfd[n++] = (struct pollfd){ .fd = m->refreshed, .events = POLLIN };
                for (size_t i = 0; i < m->n; i++)
                        pfd[n++] = (struct pollfd){ .fd = m->w[i].fd, .events = POLLPRI | POLLERR };
                bool syncing = false;
                for (size_t i = 0; i < m->n; i++)
                        syncing |= streq(m->w[i].attr, "sync_action") && md_sync_action_runs(m->w[i].val);
                int64_t t = now_ms(), due = syncing ? (next_progress ? next_progress : t) : 0;
                if (due_disks && (!due || due_disks < due))
                        due = due_disks;
                if (due_arrays && (!due || due_arrays < due))
                        due = due_arrays;
                int r = poll(pfd, n, due ? (int)(due > t ? due - t : 0) : -1);
                if (r < 0 && errno != EINTR)
                        break;
                if (r > 0 && pfd[0].revents) {
                        uint64_t v;
                        if (read(m->wake, &v, sizeof v) == sizeof v && !__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE))
                                due_disks = due_arrays = now_ms();
                }
                for (int src = 1; r > 0 && src <= 2; src++) {
                        if (!pfd[src].revents)
                                continue;
                        struct udev_monitor *mon = src == 1 ? m->kmon : m->umon;
                        struct udev_device *d;
                        while ((d = udev_monitor_receive_device(mon))) {
                                const char *action = udev_device_get_action(d), *name = udev_device_get_sysname(d);
                                const char *type = udev_device_get_devtype(d);
                                bool disk = streq(type, "disk") && name && !startswith(name, "md") &&
                                            !startswith(name, "loop") && !startswith(name, "ram");
                                if (src == 1 && disk && streq(action, "remove"))
                                        disk_removed(m, name);
                                if (src == 2 && disk && streq(action, "add"))
                                        events_emit(m->ev, "DiskAdded", "OK", NULL, "disk %s was added", name);
                                if (src == 2)
                                        due_disks = now_ms() + 200;
                                if (name && startswith(name, "md"))
                                        due_arrays = now_ms() + 50;
                                udev_device_unref(d);
                        }
                }
                bool rewatched = false;
                if (r > 0 && pfd[3].revents) {
                        uint64_t v;
                        if (read(m->refreshed, &v, sizeof v) == sizeof v) {
                                rewatch(m);   /* (compares too: what changed meanwhile is announced) */
                                rewatched = true;
                        }
                }
                for (size_t i = 4; r > 0 && !rewatched && i < n; i++) {
                        if (!pfd[i].revents)
                                continue;
                        struct watch *w = &m->w[i - 4];
                        char old[64];
                        snprintf(old, sizeof old, "%s", w->val);
                        if (read_attr(w->fd, w->val, sizeof w->val) < 0) {
                                due_arrays = now_ms();   /* the attribute went away: the member or the array did */
                                continue;
                        }
                        if (!streq(old, w->val)) {
                                attr_changed(m, w, old);
                                if (!routine(w->attr, old, w->val))
                                        due_arrays = now_ms() + 20;
                                else if (!due_arrays)
                                        due_arrays = now_ms() + 1000;
                        }
                }
                t = now_ms();
                if (syncing && (!next_progress || t >= next_progress)) {
                        progress(m);
                        next_progress = t + 1000;
                } else if (!syncing)
                        next_progress = 0;
                bool dd = due_disks && t >= due_disks, da = due_arrays && t >= due_arrays;
                if (dd || da) {
                        ask_refresh(m, dd, da || dd);
                        if (dd)
                                due_disks = 0;
                        due_arrays = 0;
                }
        }
        return NULL;
}

int monitor_start(struct events *ev, struct monitor **ret, struct error *e) {
        struct monitor *m = calloc(1, sizeof *m);
        if (!m)
                return error_set(e, -ENOMEM, "out of memory");
        m->ev = ev;
        for (size_t i = 0; i < ELEMENTSOF(m->last_pct); i++)
                m->last_pct[i] = -1;
        m->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        m->refreshed = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        pthread_mutex_init(&m->rlock, NULL);
        pthread_cond_init(&m->rcond, NULL);
        m->udev = udev_new();
        m->kmon = m->udev ? udev_monitor_new_from_netlink(m->udev, "kernel") : NULL;
        m->umon = m->udev ? udev_monitor_new_from_netlink(m->udev, "udev") : NULL;
        int k = 0;
        if (m->wake < 0 || m->refreshed < 0 || !m->kmon || !m->umon)
                k = error_set(e, -EIO, "cannot watch uevents (netlink)");
        if (k >= 0) {
                udev_monitor_filter_add_match_subsystem_devtype(m->kmon, "block", NULL);
                udev_monitor_filter_add_match_subsystem_devtype(m->umon, "block", NULL);
                udev_monitor_set_receive_buffer_size(m->kmon, 4 << 20);
                udev_monitor_set_receive_buffer_size(m->umon, 4 << 20);
                if (udev_monitor_enable_receiving(m->kmon) < 0 || udev_monitor_enable_receiving(m->umon) < 0)
                        k = error_set(e, -EIO, "cannot receive uevents");
        }
        if (k >= 0) {
                refresh_state(true, true);
                rewatch(m);
                int r = pthread_create(&m->refresher, NULL, refresher_main, m);
                if (r) {
                        m->refresher = 0;
                        k = error_set(e, -r, "cannot start the monitor: %s", strerror(r));
                }
                else if ((r = pthread_create(&m->thread, NULL, monitor_main, m)))
                        k = error_set(e, -r, "cannot start the monitor: %s", strerror(r));
        }
        if (k < 0) {
                m->thread = 0;
                m->stop = true;
                monitor_stop(m);
                return k;
        }
        *ret = m;
        return 0;
}

void monitor_poke(struct monitor *m) {
        uint64_t one = 1;
        if (m && write(m->wake, &one, sizeof one) < 0)
                log_debug("monitor: poke: %s", strerror(errno));
}

void monitor_stop(struct monitor *m) {
        if (!m)
                return;
        if (m->thread) {
                __atomic_store_n(&m->stop, true, __ATOMIC_RELEASE);   /* read by the monitor thread */
                monitor_poke(m);
                pthread_join(m->thread, NULL);
        }
        if (m->refresher) {
                pthread_mutex_lock(&m->rlock);
                m->rstop = true;
                pthread_cond_signal(&m->rcond);
                pthread_mutex_unlock(&m->rlock);
                pthread_join(m->refresher, NULL);
        }
        pthread_cond_destroy(&m->rcond);
        pthread_mutex_destroy(&m->rlock);
        if (m->refreshed >= 0)
                close(m->refreshed);
        for (size_t i = 0; i < m->n; i++)
                close(m->w[i].fd);
        udev_monitor_unref(m->kmon);
        udev_monitor_unref(m->umon);
        udev_unref(m->udev);
        if (m->wake >= 0)
                close(m->wake);
        strv_free(m->announced);
        free(m);
}
