/* What the daemon knows of the machine right now: the disk inventory and the
 * md arrays, as shared read-only snapshots. The monitor refreshes them when
 * udev or sysfs says something changed; requests read them without running
 * any program, so a GET costs microseconds. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ipmi/bmc.h"
#include "lib/error.h"
#include "raid/disk.h"
#include "raid/md.h"

struct disks_snap {
        int refs;
        struct disk_list *list;
};

struct arrays_snap {
        int refs;
        struct md_status **v;
        size_t n;
};

void state_set_disks_all(bool all);
/* Rescan and publish; the old snapshot lives on while someone holds it. */
int state_refresh_disks(struct error *e);
int state_refresh_arrays(struct error *e);
/* A reference to the current snapshot (never NULL); give it back with *_put. */
struct disks_snap *state_disks_get(void);
struct arrays_snap *state_arrays_get(void);
void disks_snap_put(struct disks_snap *s);
void arrays_snap_put(struct arrays_snap *s);
static inline void disks_snap_putp(struct disks_snap **s) {
        disks_snap_put(*s);
}
static inline void arrays_snap_putp(struct arrays_snap **s) {
        arrays_snap_put(*s);
}
/* The worst health of the arrays in the snapshot (OK without arrays): the
 * rollup of Storage and of Systems/host, and /metrics' hostd_health. hostd
 * rolls up the arrays only: a drive's SMART health is the Drive's own. */
enum md_health state_arrays_health(const struct arrays_snap *a);
/* A drive's id in the API (Drives/<id>): its serial when URL-safe, else its kernel name. */
const char *state_drive_id(const struct disk *d);
/* The SMART check's results (ownership taken): every snapshot published
 * from now on gives its disks their health from these, matched by kernel
 * name and serial. Publishes nothing itself: refresh the disks after. */
void state_set_disk_health(struct disk_list *checked);
/* The health the last check gave this disk (a new copy), or NULL. */
struct disk_health *state_disk_health(const struct disk *d);
/* The BMC's bay map (ownership taken; NULL: none): every snapshot published
 * from now on gives its disks their bays, joined by serial. Publishes
 * nothing itself: refresh the disks after. */
void state_set_bays(struct bmc_bays *bays);
/* Is the drive with this serial's bay LED blinking, as the BMC last said:
 * 1, 0, or -1 when the BMC does not place it or cannot blink it. */
int state_bay_blinking(const char *serial);
/* The BMC took a blink (or its end) of this drive's bay. */
void state_set_bay_blinking(const char *serial, bool on);
/* Test and fuzz seams: publish given lists (ownership taken). */
void state_publish_disks(struct disk_list *l);
void state_publish_arrays(struct md_status **v, size_t n);
