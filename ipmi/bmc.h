/* One interface to a server's BMC, two drivers below it: Redfish (libcurl,
 * redfish.c) and IPMI (ipmitool through the exec runner, ipmitool.c).
 * The power logic that every BMC needs (check the state first, then wait
 * until the requested state is reached) lives here, above both drivers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "bmc_config.h"
#include "lib/error.h"

enum bmc_power { BMC_POWER_UNKNOWN, BMC_POWER_OFF, BMC_POWER_ON };
enum bmc_power_action { BMC_ACTION_ON, BMC_ACTION_OFF, BMC_ACTION_SHUTDOWN, BMC_ACTION_CYCLE, BMC_ACTION_RESET };
enum bmc_boot_target { BMC_BOOT_NONE, BMC_BOOT_PXE, BMC_BOOT_CD, BMC_BOOT_HDD, BMC_BOOT_BIOS };
/* KEEP: leave the firmware mode as the system has it (a Legacy-BIOS server
 * switched to UEFI does not boot its disks); as a result: not known. */
enum bmc_boot_mode { BMC_BOOT_MODE_KEEP, BMC_BOOT_MODE_UEFI, BMC_BOOT_MODE_LEGACY };

struct bmc_boot {
        enum bmc_boot_target target;
        bool persistent;              /* false: the next boot only */
        enum bmc_boot_mode mode;      /* --uefi / --legacy, else KEEP */
};

/* A request that was sent but whose answer was lost or a server error: the
 * BMC may have acted. The caller reads the state instead of sending it
 * again (a second Reset would hit a booting machine); e says what came. */
#define BMC_UNCONFIRMED (-EINPROGRESS)

struct bmc_vmedia {
        char *id;                     /* "CD" */
        char *image;                  /* NULL when nothing is inserted */
        bool inserted;
};

struct bmc_cpu { char *socket, *model; int cores, threads; };
struct bmc_nic { char *id, *mac; };
struct bmc_drive { char *id, *model, *serial, *media; uint64_t bytes; };
struct bmc_controller { char *id, *model; };

struct bmc_inventory {
        char *manufacturer, *model, *bios_version, *bmc_firmware;
        char *serial;                 /* the board's serial number */
        char *service_tag;            /* the chassis asset / Dell service tag */
        int cpu_count;                /* -1: unknown */
        uint64_t memory_bytes;        /* 0: unknown */
        struct bmc_cpu *cpus; size_t n_cpus;
        struct bmc_nic *nics; size_t n_nics;
        struct bmc_controller *controllers; size_t n_controllers;
        struct bmc_drive *drives; size_t n_drives;
};

/* How a BMC blinks a drive's bay: Redfish's LocationIndicatorActive, the
 * IndicatorLED of older services (iDRAC 8), or not at all. */
enum bmc_drive_led { BMC_DRIVE_LED_NONE, BMC_DRIVE_LED_LOCATION_INDICATOR, BMC_DRIVE_LED_INDICATOR };

/* A drive where the BMC sees it: the front bay it sits in and its LED. */
struct bmc_bay {
        char *serial;                 /* the drive's SerialNumber: what joins it to the OS's disk */
        char *bay;                    /* "3": PhysicalLocation's ordinal, else the N of Dell's Disk.Bay.N */
        char *drive;                  /* the Drive's @odata.id */
        enum bmc_drive_led led;
        bool blinking;
};
struct bmc_bays {
        struct bmc_bay *v;
        size_t n;
};

/* A storage controller as the BMC shows it, and its drives: with Dell's
 * OEM data, the controller's mode and each drive's RAID status. */
struct bmc_storage_drive {
        char *id;                     /* "Disk.Bay.0:Enclosure.Internal.0-1:RAID.Integrated.1-1" (Dell's FQDD) */
        char *serial, *bay;           /* NULL when the BMC does not say */
        char *raid_status;            /* Dell's RaidStatus: "Ready", "NonRAID", "Online", ...; NULL: not told */
};
struct bmc_storage_controller {
        char *id, *model;
        char *mode;                   /* Dell's CurrentControllerMode: "RAID", "HBA", "EnhancedHBA"; NULL: not told */
        struct bmc_storage_drive *drives;
        size_t n_drives;
};
struct bmc_storage {
        struct bmc_storage_controller *v;
        size_t n;
};
/* A job of the BMC's own (Dell's job queue): what a configuration change waits on. */
struct bmc_job {
        char *id, *state, *message;   /* state: "Scheduled", "Running", "Completed", "Failed", ... */
        int percent;                  /* -1: not told */
};

struct bmc_sel_entry {
        char *id, *severity, *message;
        char *created;                /* ISO 8601; NULL when the BMC's clock was not set */
        char *created_raw;            /* what the BMC said, when created is NULL */
};
struct bmc_sel {
        struct bmc_sel_entry *entries; size_t n;
        char *cut;                    /* why the list is incomplete; NULL: complete */
};

struct bmc;
struct bmc_ops {
        int (*power_get)(struct bmc *b, enum bmc_power *ret, struct error *e);
        /* *ret_how: what was sent ("ForceRestart"), a static string */
        int (*power_do)(struct bmc *b, enum bmc_power_action a, const char **ret_how, struct error *e);
        /* *ret_mode: the firmware mode in effect after (KEEP: not known) */
        int (*boot_set)(struct bmc *b, const struct bmc_boot *boot, enum bmc_boot_mode *ret_mode, struct error *e);
        int (*vmedia_insert)(struct bmc *b, const char *url, struct error *e);
        int (*vmedia_eject)(struct bmc *b, struct error *e);
        int (*vmedia_status)(struct bmc *b, struct bmc_vmedia *ret, struct error *e);
        int (*inventory)(struct bmc *b, struct bmc_inventory *ret, struct error *e);
        int (*sel_read)(struct bmc *b, struct bmc_sel *ret, struct error *e);
        int (*sel_clear)(struct bmc *b, struct error *e);
        int (*identify)(struct bmc *b, bool on, struct error *e);
        int (*bays)(struct bmc *b, struct bmc_bays *ret, struct error *e);
        /* bay->led is not NONE here */
        int (*bay_blink)(struct bmc *b, const struct bmc_bay *bay, bool on, struct error *e);
        int (*storage_read)(struct bmc *b, struct bmc_storage *ret, struct error *e);
        /* Start turning these drives (ids) into non-RAID disks; *ret_job: the job to wait on. */
        int (*non_raid_start)(struct bmc *b, char *const *drive_ids, char **ret_job, struct error *e);
        int (*job_read)(struct bmc *b, const char *job, struct bmc_job *ret, struct error *e);
        void (*close)(struct bmc *b);     /* logs out (Redfish session) */
};

struct bmc {
        const struct bmc_ops *ops;
        struct bmc_config *cfg;           /* owned */
        void *driver;                     /* the driver's state */
};

/* Connect (Redfish: discover the service root, open a session). Takes
 * ownership of cfg, also on failure. */
int bmc_open(struct bmc_config *cfg, struct bmc **ret, struct error *e);
/* Close (the Redfish session is deleted here, whatever happened before). */
void bmc_close(struct bmc *b);
static inline void bmc_closep(struct bmc **b) {
        bmc_close(*b);
}

struct bmc_power_result {
        enum bmc_power before, after;
        bool changed;                     /* false: it already was as asked */
        const char *how;                  /* what was sent, e.g. "ForceRestart"; NULL when nothing */
        char unconfirmed[ERROR_MSG_MAX];  /* the BMC's failed answer to a request that acted anyway; "" */
};

int bmc_power_status(struct bmc *b, enum bmc_power *ret, struct error *e);
/* Check the state, act only when needed, wait until the state is reached
 * (cfg->power_timeout_s). cycle/reset of a machine that is off powers it on. */
int bmc_power(struct bmc *b, enum bmc_power_action a, struct bmc_power_result *ret, struct error *e);
/* Wait until the power is want (cfg->power_timeout_s; the drivers use it
 * between the two halves of "ForceOff, then On"). */
int bmc_power_wait(struct bmc *b, enum bmc_power want, enum bmc_power *ret_now, struct error *e);
int bmc_boot_set(struct bmc *b, const struct bmc_boot *boot, enum bmc_boot_mode *ret_mode, struct error *e);
int bmc_vmedia_insert(struct bmc *b, const char *url, struct error *e);
int bmc_vmedia_eject(struct bmc *b, struct error *e);
int bmc_vmedia_status(struct bmc *b, struct bmc_vmedia *ret, struct error *e);
int bmc_inventory(struct bmc *b, struct bmc_inventory *ret, struct error *e);
int bmc_sel_read(struct bmc *b, struct bmc_sel *ret, struct error *e);
int bmc_sel_clear(struct bmc *b, struct error *e);
int bmc_identify(struct bmc *b, bool on, struct error *e);

/* Every drive the BMC places in a bay (those without a serial or a bay are left out). */
int bmc_bays_read(struct bmc *b, struct bmc_bays *ret, struct error *e);
/* Blink (on) or stop blinking the LED of the bay that holds the drive with
 * this serial. -ENOENT: the BMC shows no such drive; -EOPNOTSUPP: the BMC
 * offers no drive LED control. *ret_bay (may be NULL): the bay, new. */
int bmc_drive_locate(struct bmc *b, const char *serial, bool on, char **ret_bay, struct error *e);
/* The bay of the drive with this serial, or NULL. */
const struct bmc_bay *bmc_bay_by_serial(const struct bmc_bays *bays, const char *serial);

/* The storage controllers and their drives. -EOPNOTSUPP: the BMC shows none (IPMI). */
int bmc_storage_read(struct bmc *b, struct bmc_storage *ret, struct error *e);
/* Turn the drives (ids) into non-RAID disks and wait for the BMC's job to
 * end, at most timeout_s; progress (may be NULL) after each look at it.
 * -EOPNOTSUPP: the BMC has no such service; -ETIMEDOUT: the job did not end
 * (a job the controller runs only at the server's next restart stays
 * Scheduled: the message says so). ret: the job as last seen. */
int bmc_drives_non_raid(struct bmc *b, char *const *drive_ids, int timeout_s,
                        void (*progress)(void *userdata, const struct bmc_job *job), void *userdata,
                        struct bmc_job *ret, struct error *e);
void bmc_storage_done(struct bmc_storage *st);
void bmc_job_done(struct bmc_job *j);

void bmc_vmedia_done(struct bmc_vmedia *v);
void bmc_bays_done(struct bmc_bays *bays);
void bmc_inventory_done(struct bmc_inventory *inv);
void bmc_sel_done(struct bmc_sel *s);

const char *bmc_power_to_string(enum bmc_power p);
const char *bmc_action_to_string(enum bmc_power_action a);
int bmc_action_from_string(const char *s, enum bmc_power_action *ret);
const char *bmc_boot_target_to_string(enum bmc_boot_target t);
const char *bmc_boot_mode_to_string(enum bmc_boot_mode m);      /* "UEFI", "Legacy", NULL for KEEP */
int bmc_boot_target_from_string(const char *s, enum bmc_boot_target *ret);

/* Growing arrays for the drivers: a zeroed new element, or NULL. */
void *bmc_array_add(void **array, size_t *n, size_t size);
