/* hostctl apply: one host spec, converged in the only order that works:
 * image checked -> RAID -> filesystems -> OS onto the RAID 1 -> bootloader
 * (phase "install", from the provisioning system), then after the reboot,
 * in the installed system (phase "firstboot"): pool -> container runtime ->
 * VMs. The plan is a pure function of (spec, inventory, phase); every step
 * looks at the machine before it changes it, so a second run changes
 * nothing and a killed run, run again, finishes. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/error.h"
#include "os/spec.h"
#include "raid/disk.h"
#include "raid/plan.h"
#include "raid/spec.h"

struct host_spec {
        char *path;
        json_object *doc;             /* the whole spec; sections below point into it */
        char *name;                   /* host.name: hostname of the installed system */
        struct storage_spec *storage; /* NULL: no storage section */
        struct os_spec *os;           /* NULL: no OS to install */
        json_object *hypervisor, *vms, *containers, *bmc;
};
void host_spec_free(struct host_spec *s);
static inline void host_spec_freep(struct host_spec **s) {
        host_spec_free(*s);
}
/* Read and check a host spec (YAML or JSON); errors name the key. */
int host_spec_load(const char *path, struct host_spec **ret, struct error *e);

enum apply_phase { APPLY_PHASE_INSTALL, APPLY_PHASE_FIRSTBOOT };
const char *apply_phase_name(enum apply_phase p);
int apply_phase_from_string(const char *s, enum apply_phase *ret);

enum apply_action {
        ACT_OS,                       /* os_step_run(os_kind) */
        ACT_RAID,                     /* raid plan step raid_index (the raid steps run as one block) */
        ACT_RAID_RECORD,              /* mdadm.conf and fstab lines of the arrays, into the target */
        ACT_POOL,                     /* the libvirt storage pool on the RAID 5 mount */
        ACT_CONTAINERS_SETUP,         /* containerd's root on the pool */
        ACT_CONTAINERS_VERIFY,        /* run a container there */
        ACT_VMS,                      /* define and start the spec's VMs */
        ACT_FIRSTBOOT_DONE,           /* record that the first boot's part is done */
};

struct apply_step {
        enum apply_action act;
        int os_kind;                  /* enum os_step_kind for ACT_OS */
        size_t raid_index;            /* for ACT_RAID */
        char *id;                     /* "os:unpack", "raid:create-array:data", ... stable across runs */
        char *domain;                 /* "os", "raid", "containers", "hypervisor", "host" */
        char *description;
        char *disk;                   /* OS_GRUB_BIOS: the member disk */
        bool transient;               /* mounts for the work itself: never counted as a change */
};

struct apply_plan {
        enum apply_phase phase;
        struct apply_step *steps;
        size_t n_steps;
        struct plan *raid;            /* owned; NULL without a storage section */
        char **errors;                /* why this cannot be applied (from the raid plan and the spec) */
        const char *next;             /* "reboot" after the install phase, else NULL */
};
void apply_plan_free(struct apply_plan *p);
static inline void apply_plan_freep(struct apply_plan **p) {
        apply_plan_free(*p);
}

/* Pure: no I/O. wipe: disks the command line allows to be wiped. host: the
 * machine the plan is for (its arrays' tuning), or NULL when not known (a
 * captured inventory): then no tuning is planned. */
int apply_plan_make(const struct host_spec *spec, const struct disk_list *inv, const struct md_host *host,
                    enum apply_phase phase,
                    char *const *wipe, bool assume_clean, struct apply_plan **ret, struct error *e);

/* The os array's member disks (stable paths) and its ESP array, from the raid plan. */
char **apply_plan_boot_disks(const struct apply_plan *p, const char *root_array);
/* The mount points of the plan's data filesystems (/srv/pool), or NULL. */
char **apply_plan_data_mounts(const struct apply_plan *p);
const struct plan_array *apply_plan_array(const struct apply_plan *p, const char *name);
