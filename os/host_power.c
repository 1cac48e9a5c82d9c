/* os/host_power.c: the host's reboot and power-off through systemctl. */
#include "host_power.h"

#include <string.h>

#include "lib/exec.h"
#include "lib/strutil.h"

static const char *const names[_HOST_RESET_MAX] = {
        [HOST_RESET_GRACEFUL_RESTART] = "GracefulRestart",
        [HOST_RESET_GRACEFUL_SHUTDOWN] = "GracefulShutdown",
};

const char *host_reset_name(enum host_reset t) {
        return t < _HOST_RESET_MAX ? names[t] : NULL;
}

int host_reset_from_name(const char *s, enum host_reset *ret) {
        for (int i = 0; s && i < _HOST_RESET_MAX; i++)
                if (streq(s, names[i])) {
                        *ret = (enum host_reset)i;
                        return 0;
                }
        return -EINVAL;
}

const char *const *host_reset_argv(enum host_reset t) {
        static const char *const reboot[] = { "systemctl", "--no-block", "reboot", NULL };
        static const char *const poweroff[] = { "systemctl", "--no-block", "poweroff", NULL };
        return t == HOST_RESET_GRACEFUL_SHUTDOWN ? poweroff : reboot;
}

int host_reset(enum host_reset t, struct error *e) {
        struct run_result r = { 0 };
        int k = run_checked(host_reset_argv(t), &(struct run_opts){ .timeout_ms = 30000 }, &r, e);
        run_result_free(&r);
        return k < 0 ? error_prefix(e, "%s of the host", host_reset_name(t)) : 0;
}
