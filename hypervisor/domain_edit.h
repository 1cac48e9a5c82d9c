/* Edits of an existing domain's XML that Redfish asks for: the boot order
 * (BootSourceOverrideTarget) and the ISO in the CD drive (VirtualMedia).
 * Pure: libxml2 in, libxml2 out; no libvirt calls, no files. */
#pragma once

#include "lib/error.h"

enum hv_boot_dev { HV_BOOT_NONE, HV_BOOT_HD, HV_BOOT_CDROM, HV_BOOT_NETWORK };

/* "hd", "cdrom", "network" (libvirt's names), "" for NONE. */
const char *hv_boot_dev_to_string(enum hv_boot_dev d);

/* The first <os><boot dev=.../>; HV_BOOT_NONE when there is none. */
int hv_domain_boot_first(const char *xml, enum hv_boot_dev *ret, struct error *e);
/* xml with <os>'s <boot> elements replaced by first then hd (hd alone for
 * HD and NONE). Refused (-EINVAL) when the domain boots a kernel directly. */
int hv_domain_set_boot(const char *xml, enum hv_boot_dev first, char **ret, struct error *e);

/* The file in the first CD drive; *ret NULL when it is empty or there is none. */
int hv_domain_cdrom(const char *xml, char **ret, struct error *e);
/* xml with iso in the first CD drive (NULL: ejected). Without a CD drive one
 * is added on SATA with the first free sdX name (only when iso is given). */
int hv_domain_set_cdrom(const char *xml, const char *iso, char **ret, struct error *e);
/* The <disk> element alone of the first CD drive holding iso (NULL: empty),
 * for a live device update; -ENOENT when the domain has no CD drive. */
int hv_domain_cdrom_device(const char *xml, const char *iso, char **ret, struct error *e);
