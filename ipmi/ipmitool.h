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
/* `sel elist`: "   1 | 03/01/2024 | 10:00:00 | Temperature ... | Asserted". */
int ipmitool_parse_sel(const char *out, struct bmc_sel *ret);
