/* The Redfish driver: everything found from /redfish/v1 by following
 * @odata.id links and Actions targets; no vendor path is written here. */
#pragma once

#include "bmc.h"

int redfish_open(struct bmc *b, struct error *e);
