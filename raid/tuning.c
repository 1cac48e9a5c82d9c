/* md's tuning for parity arrays (tuning.h). */
#include "tuning.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/strutil.h"
#include "md.h"
#include "plan.h"

bool md_tuning_for(int level, size_t n_devices, const struct md_host *h, struct md_tuning *ret) {
        if ((level != 4 && level != 5 && level != 6) || n_devices < 2 || !h)
                return false;
        /* a stripe holds one page for each device */
        uint64_t per_stripe = 4096ull * n_devices, budget = h->mem_bytes / 64;
        uint64_t stripes = per_stripe ? budget / per_stripe : 0;
        unsigned cache = 4096;
        while (cache > MD_STRIPE_CACHE_DEFAULT && cache > stripes)
                cache /= 2;
        unsigned threads = h->cpus >= 4 ? h->cpus / 4 : 0;
        *ret = (struct md_tuning){
                .stripe_cache_size = cache,
                .group_thread_cnt = threads > 4 ? 4 : threads,
                .sync_speed_min = MD_SYNC_SPEED_MIN,
        };
        return true;
}

int md_host_read(struct md_host *ret, struct error *e) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE), cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (pages <= 0 || page <= 0 || cpus <= 0)
                return error_set(e, -EIO, "cannot read this machine's memory and CPUs");
        *ret = (struct md_host){ .mem_bytes = (uint64_t)pages * (uint64_t)page, .cpus = (unsigned)cpus };
        return 0;
}

int plan_tune_here(struct plan *p, struct error *e) {
        struct md_host h;
        int k = md_host_read(&h, e);
        if (k < 0)
                return k;
        return plan_tune(p, &h) < 0 ? error_set(e, -ENOMEM, "out of memory while planning") : 0;
}

char *md_tuning_udev_rule(const char *uuid, const struct md_tuning *t) {
        /* TEST: the attributes exist only once the array runs (its "change"
         * event), not when its device appears. No comment at the end: udev
         * takes a "#" there for a key and drops the whole rule. */
        return strdup_printf("SUBSYSTEM==\"block\", ACTION==\"add|change\", KERNEL==\"md*\", ENV{MD_UUID}==\"%s\", "
                             "TEST==\"md/stripe_cache_size\", ATTR{md/stripe_cache_size}=\"%u\", "
                             "ATTR{md/group_thread_cnt}=\"%u\", ATTR{md/sync_speed_min}=\"%u\"",
                             uuid, t->stripe_cache_size, t->group_thread_cnt, t->sync_speed_min);
}

/* One attribute: read it, and write it when it differs. */
static int set_attr(const char *md, const char *attr, unsigned want, bool dry, bool *changed, struct error *e) {
        _cleanup_free_ char *path = strdup_printf("%s/block/%s/md/%s", md_sysfs_root(), md, attr);
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        char buf[32] = "";
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return error_set(e, -errno, "array %s has no %s (%s)", md, attr, strerror(errno));
        ssize_t n = read(fd, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        /* sync_speed_min reads "1000 (system)" while the system's limit applies */
        if (n > 0 && strtoul(buf, NULL, 10) == want && !strstr(buf, "system"))
                return 0;
        *changed = true;
        if (dry)
                return 0;
        char val[16];
        int len = snprintf(val, sizeof val, "%u", want);
        if (pwrite(fd, val, (size_t)len, 0) != len)
                return error_set(e, -errno, "array %s: md refused %s=%u: %s", md, attr, want, strerror(errno));
        return 0;
}

int md_tuning_write(const char *md, const struct md_tuning *t, bool dry, bool *ret_changed, struct error *e) {
        bool changed = false;
        int k = set_attr(md, "stripe_cache_size", t->stripe_cache_size, dry, &changed, e);
        if (k >= 0)
                k = set_attr(md, "group_thread_cnt", t->group_thread_cnt, dry, &changed, e);
        if (k >= 0)
                k = set_attr(md, "sync_speed_min", t->sync_speed_min, dry, &changed, e);
        *ret_changed = changed;
        return k;
}
