/* Changes to an existing VM that a Redfish client asks for: find it by
 * UUID, its boot order and CD media (in the persistent definition, so they
 * hold from the next start; the CD also at once where the driver can), and
 * power requests that do not wait (reset, ACPI shutdown). */
#pragma once

#include "hypervisor/connect.h"
#include "hypervisor/domain_edit.h"

/* The name of the VM with this UUID (-ENOENT when there is none). */
int hv_vm_name_by_uuid(struct hv *h, const char *uuid, char **ret, struct error *e);

int hv_vm_boot_get(struct hv *h, const char *name, enum hv_boot_dev *ret, struct error *e);
/* The actions below return a negative errno or an enum outcome (lib/outcome.h). */
/* OUTCOME_CHANGED: the persistent definition boots from first. */
int hv_vm_boot_set(struct hv *h, const char *name, enum hv_boot_dev first, struct error *e);

/* The ISO in the CD drive of the persistent definition; *ret NULL: empty. */
int hv_vm_cdrom_get(struct hv *h, const char *name, char **ret, struct error *e);
/* iso NULL ejects. OUTCOME_CHANGED, also live unless *ret_at_next_start:
 * the running guest sees it at its next start. */
int hv_vm_cdrom_set(struct hv *h, const char *name, const char *iso, bool *ret_at_next_start, struct error *e);

/* Hard reset of a running VM: OUTCOME_CHANGED (-EINVAL when it is off). */
int hv_vm_reset(struct hv *h, const char *name, struct error *e);
/* Ask for an ACPI shutdown and return: OUTCOME_CHANGED, or OUTCOME_UNCHANGED
 * when it was not running. */
int hv_vm_shutdown_request(struct hv *h, const char *name, struct error *e);
