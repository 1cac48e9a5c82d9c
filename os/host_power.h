/* The host's own reboot and power-off, through systemd: what a Redfish
 * ComputerSystem.Reset of the host carries out. (Power on and a forced
 * reset are the BMC's: an OS cannot do them to itself.) */
#pragma once

#include "lib/error.h"

enum host_reset { HOST_RESET_GRACEFUL_RESTART, HOST_RESET_GRACEFUL_SHUTDOWN, _HOST_RESET_MAX };

/* Redfish's ResetType names: "GracefulRestart", "GracefulShutdown". */
const char *host_reset_name(enum host_reset t);
int host_reset_from_name(const char *s, enum host_reset *ret);   /* -EINVAL when none */
/* The argv that asks systemd for it (pure): systemctl --no-block reboot|poweroff,
 * so the caller can answer before the shutdown stops it. */
const char *const *host_reset_argv(enum host_reset t);
/* Ask systemd for it, through the exec runner. */
int host_reset(enum host_reset t, struct error *e);
