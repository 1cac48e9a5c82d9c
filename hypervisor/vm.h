/* VM lifecycle through libvirt: create (volumes, seed, define, start, with
 * everything undone when a step fails), start, shutdown, reboot, destroy,
 * delete, list, show. The daemon calls these as they are. */
#pragma once

#include <stdint.h>

#include "hypervisor/connect.h"
#include "hypervisor/spec.h"

struct hv_vm_info {
        char *name, *uuid;
        const char *state;        /* "running", "shutoff", "paused", ... (static) */
        int id;                   /* -1 when not running */
        int vcpus;
        uint64_t memory;          /* bytes */
        bool autostart, persistent;
        char *virt_type;
        char *console_log;
        char **volumes;           /* "pool/volume" */
};
void hv_vm_info_done(struct hv_vm_info *i);
void hv_vm_info_array_free(struct hv_vm_info *a, size_t n);

/* The console log path hostd gives a VM: <console dir>/<name>.log. */
char *hv_console_log_path(const struct hv_config *cfg, const char *name);

/* The domain XML create would define, without connecting (for --print-xml). */
int hv_vm_xml(const struct hv_config *cfg, const char *virt_type, const struct vm_spec *v, char **ret, struct error *e);

/* The actions return a negative errno or an enum outcome (lib/outcome.h). */

/* Everything or nothing: on failure no domain, volume or seed is left.
 * OUTCOME_CHANGED; -EEXIST when a VM of that name exists. */
int hv_vm_create(struct hv *h, const struct vm_spec *v, struct error *e);
/* OUTCOME_CHANGED when started, OUTCOME_UNCHANGED when it was already running. */
int hv_vm_start(struct hv *h, const char *name, struct error *e);
/* ACPI shutdown, destroy after timeout_s (<=0: the config's). OUTCOME_CHANGED
 * (*ret_destroyed when it was destroyed at the timeout), OUTCOME_UNCHANGED
 * when it was not running. */
int hv_vm_shutdown(struct hv *h, const char *name, int timeout_s, bool *ret_destroyed, struct error *e);
/* OUTCOME_CHANGED; -EINVAL when it is not running. */
int hv_vm_reboot(struct hv *h, const char *name, struct error *e);
/* Power off at once. OUTCOME_CHANGED, or OUTCOME_UNCHANGED when it was not running. */
int hv_vm_destroy(struct hv *h, const char *name, struct error *e);
/* Destroy when running, undefine, delete its pool volumes unless keep_disks.
 * OUTCOME_CHANGED; -ENOENT when there is no such VM. */
int hv_vm_delete(struct hv *h, const char *name, bool keep_disks, struct error *e);
int hv_vm_list(struct hv *h, struct hv_vm_info **ret, size_t *ret_n, struct error *e);
int hv_vm_show(struct hv *h, const char *name, struct hv_vm_info *ret, struct error *e);

/* Create n VMs at once (a thread each, at most 8 in flight, one shared
 * connection); each is all or nothing. ret_codes[i] and errs[i] (arrays of
 * n) report each VM (an outcome or a negative errno). Returns 0 when all
 * were created, else the first error. */
int hv_vm_create_many(struct hv *h, const struct vm_spec *vms, size_t n, int *ret_codes, struct error *errs);
