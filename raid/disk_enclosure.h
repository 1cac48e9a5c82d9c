/* The in-band slots: a disk's front bay where no BMC tells it, and the
 * slot's locate LED, without the BMC. Two kinds:
 *  - the SCSI enclosures (SES, the kernel's enclosure class). The kernel's
 *    ses driver lists each enclosure as SYSFS/class/enclosure/<id>/, one
 *    directory per component, holding `slot` (the slot's number), `device`
 *    (a link to the SCSI device in the slot) and `locate` (0 or 1: the
 *    LED). A disk is in a slot when the slot's `device` and the disk's
 *    SYSFS/block/<name>/device are the same directory.
 *  - the PCIe hot-plug slots of NVMe drives (the kernel's pciehp):
 *    SYSFS/bus/pci/slots/<name>/ holds `address` (domain:bus:device of
 *    what sits in it) and `attention`, the slot's attention indicator (0
 *    off, 1 on, 2 blinking). An NVMe namespace is in the slot whose address
 *    is its controller's PCI function's; its bay is the slot's name, and
 *    locate blinks the indicator (the PCIe spec's identify; on means a
 *    fault).
 * An SES slot wins where a disk is in both. */
#pragma once

#include <stdbool.h>

#include "disk.h"
#include "lib/error.h"

/* Each disk of l that has no bay yet (a BMC's bay map wins) and sits in an
 * in-band slot gets the slot's number or name as its bay. sysfs_root NULL: /sys.
 * Returns how many disks got one; no enclosure is 0, not an error. */
int disk_list_bays_from_enclosures(struct disk_list *l, const char *sysfs_root);

/* Light (on) or clear the locate LED of the slot that holds disk kname
 * ("sdc", "nvme0n1"). *ret_bay (may be NULL): the slot's number or name.
 * -ENOENT: no slot holds the disk; -EOPNOTSUPP: its slot has no locate LED;
 * e says which. */
int disk_enclosure_locate(const char *sysfs_root, const char *kname, bool on, char **ret_bay, struct error *e);

/* The locate LED of the slot that holds disk kname: 1 lit (an attention
 * indicator on or blinking), 0 dark, -1 no slot, or one without an LED. */
int disk_enclosure_locate_state(const char *sysfs_root, const char *kname);
