/* md's tuning for a parity array (RAID 4/5/6), as the kernel documents it
 * (Documentation/admin-guide/md.rst): the stripe cache, worker threads and
 * the floor of the sync speed. md's defaults (256 stripes, no worker
 * threads, 1000 KiB/s) suit a small machine; a server's pool wants more. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* The machine the array runs on: what the tuning is sized to. */
struct md_host {
        uint64_t mem_bytes;
        unsigned cpus;
};

struct md_tuning {
        unsigned stripe_cache_size;     /* stripes; each holds a page per device */
        unsigned group_thread_cnt;      /* raid5 worker threads; 0: md's own thread only */
        unsigned sync_speed_min;        /* KiB/s per device, md's floor for a sync or rebuild */
};

#define MD_STRIPE_CACHE_DEFAULT 256     /* md's, and the least hostd ever sets */
#define MD_STRIPE_CACHE_MAX 32768       /* md refuses more */
#define MD_SYNC_SPEED_MIN 50000         /* KiB/s: md's default is 1000, which other writes starve */

/* Pure. false for a level without parity (nothing to tune). The stripe
 * cache gets up to 1/64 of memory (4096 stripes at most: past that a
 * sequential write gains little), never less than md's default;
 * group_thread_cnt is a quarter of the CPUs up to 4, none below 4 CPUs
 * (there the threads compete with the work they serve). */
bool md_tuning_for(int level, size_t n_devices, const struct md_host *h, struct md_tuning *ret);

/* This machine's memory and online CPUs. */
int md_host_read(struct md_host *ret, struct error *e);

/* The udev rule that sets the tuning again at each start of the array
 * with this MD_UUID ("a:b:c:d", as mdadm --detail --export writes it). */
char *md_tuning_udev_rule(const char *uuid, const struct md_tuning *t);
#define MD_TUNING_RULES "etc/udev/rules.d/64-hostd-md-tuning.rules"

/* Write the tuning into the running array's sysfs (kernel name "md127").
 * *ret_changed: whether any value differed. */
int md_tuning_write(const char *md, const struct md_tuning *t, bool dry, bool *ret_changed, struct error *e);
