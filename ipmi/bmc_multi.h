/* Many BMCs at once: run fn(i) for i in [0, n) with at most max_in_flight
 * running at a time, each on its own thread (a Redfish call is a few HTTPS
 * round trips, an IPMI call one ipmitool run: both mostly wait). */
#pragma once

#include <stddef.h>

#define BMC_MULTI_DEFAULT 16

/* Returns 0, or -errno when no thread could be started (then nothing ran). */
int bmc_multi_run(size_t n, size_t max_in_flight, void (*fn)(size_t i, void *userdata), void *userdata);
