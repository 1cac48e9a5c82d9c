/* The periodic SMART check: every disk_health_interval seconds (hostd.conf)
 * a thread asks every disk of the inventory (raid/smart.h: in parallel,
 * never waking a sleeping disk), keeps the results for the inventory
 * snapshots (the Drives' health, /metrics, `hostctl --host disks`) and
 * sends DiskFailurePredicted and DiskHealthChanged events. The same thread
 * reads the bays of the BMC that hostd.conf names (bmc:) at start, after a
 * SIGHUP and with each check (the Drives' PhysicalLocation). */
#pragma once

#include "daemon.h"
#include "lib/error.h"

struct disk_watch;

int disk_watch_start(struct hostd *h, struct disk_watch **ret, struct error *e);
void disk_watch_stop(struct disk_watch *w);
/* Check again now (SIGHUP: a new interval takes effect at once). */
void disk_watch_poke(struct disk_watch *w);
