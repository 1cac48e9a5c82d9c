/* The monitor: a thread that turns what the kernel says into events within
 * milliseconds: block uevents (disk added/removed; a removed disk that held
 * an array member is a failed member at once, without waiting for md), and
 * sysfs_notify on /sys/block/mdX/md/{degraded,sync_action,array_state} and
 * md/dev-X/state (member failed, array degraded, rebuild started, progress,
 * finished). It also keeps the state snapshots fresh. */
#pragma once

#include "lib/error.h"

struct events;
struct monitor;

int monitor_start(struct events *ev, struct monitor **ret, struct error *e);
void monitor_stop(struct monitor *m);
/* Ask for a refresh of disks and arrays (after a job changed the machine). */
void monitor_poke(struct monitor *m);
