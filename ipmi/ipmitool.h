/* The IPMI driver: `ipmitool -I lanplus` through the exec runner, the password
 * in the environment (-E) or on a file descriptor (-f /dev/fd/3), never in
 * argv. The parsers of ipmitool's output are pure and tested on their own. */
#pragma once

#include "bmc.h"

int ipmitool_open(struct bmc *b, struct error *e);

/* "Chassis Power is on" -> BMC_POWER_ON; -EBADMSG otherwise. */
int ipmitool_parse_power(const char *out, enum bmc_power *ret);
/* `fru print 0` and `mc info` into the inventory (fills what they know). */
int ipmitool_parse_fru(const char *out, struct bmc_inventory *inv);
int ipmitool_parse_mc_info(const char *out, struct bmc_inventory *inv);
/* `chassis bootparam get 5`: "BIOS EFI boot" or "BIOS PC Compatible (legacy) boot";
 * KEEP when it says neither. */
enum bmc_boot_mode ipmitool_parse_boot_mode(const char *out);
/* `sel elist` (TZ=UTC): "   1 | 03/01/2024 | 10:00:00 | Temperature ... | Asserted": created
 * "2024-03-01T10:00:00Z"; "Pre-Init | 0000003912" (the clock was not set):
 * created NULL, created_raw "Pre-Init 0000003912". */
int ipmitool_parse_sel(const char *out, struct bmc_sel *ret);
