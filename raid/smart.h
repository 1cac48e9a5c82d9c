/* SMART through smartctl (Debian smartmontools): the only files that know
 * smartctl's argv, its exit status bits and its JSON (raid/smart.c runs it,
 * raid/smart_parse.c reads it). ATA, SCSI/SAS and NVMe. A sleeping disk is
 * not woken (`-n standby`) unless asked; a disk without SMART (a virtual
 * disk) is "unknown", never "failed". */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "disk.h"
#include "disk_health.h"
#include "lib/error.h"

/* smartctl's exit status, bit by bit (smartctl(8), RETURN VALUES) */
enum {
        SMART_EXIT_USAGE = 1 << 0,         /* the command line did not parse */
        SMART_EXIT_OPEN = 1 << 1,          /* device open failed, no IDENTIFY, or in a low-power mode */
        SMART_EXIT_COMMAND = 1 << 2,       /* a SMART or other command to the disk failed */
        SMART_EXIT_FAILING = 1 << 3,       /* SMART status: "DISK FAILING" */
        SMART_EXIT_PREFAIL_NOW = 1 << 4,   /* pre-failure attributes <= threshold */
        SMART_EXIT_PREFAIL_PAST = 1 << 5,  /* some attributes were <= threshold in the past */
        SMART_EXIT_ERROR_LOG = 1 << 6,     /* the error log has records */
        SMART_EXIT_SELFTEST_LOG = 1 << 7,  /* the self-test log has errors */
};

#define SMART_DEFAULT_TIMEOUT_MS (30 * 1000)
#define SMART_DEFAULT_PARALLEL 8

struct smart_opts {
        bool wake;                /* ask a sleeping disk too (spins it up) */
        int timeout_ms;           /* per disk; 0: SMART_DEFAULT_TIMEOUT_MS */
        unsigned parallel;        /* smartctl runs at once; 0: SMART_DEFAULT_PARALLEL */
};

/* One `smartctl --json` document into *ret (initialised here; free with
 * disk_health_done). exit_status: smartctl's, or -1 to take the document's
 * smartctl.exit_status. Pure. -EBADMSG when the text is no smartctl JSON. */
int smart_health_parse(const char *text, size_t len, int exit_status, struct disk_health *ret, struct error *e);

/* Ask every disk of l, in parallel, each with a timeout, and give each its
 * health (replacing what it had). A disk that cannot be asked (no smartctl,
 * a timeout, a virtual device) gets "unknown" and the reason. 0 or -ENOMEM. */
int smart_check_disks(struct disk_list *l, const struct smart_opts *o, struct error *e);
