/* Where a BMC is and how to log in: /etc/hostd/bmc.d/<name>.yaml (mode 0600,
 * checked), or an address given on the command line plus the environment.
 * The password lives only here and in the driver that sends it: never in
 * argv, logs, --json output or error messages. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

#define BMC_CONFIG_DIR "/etc/hostd/bmc.d"

enum bmc_driver { BMC_DRIVER_REDFISH, BMC_DRIVER_IPMI };
/* auto: a session, or Basic when the service has no Sessions link or
 * refuses the login for a reason that is not the credentials. */
enum bmc_auth { BMC_AUTH_AUTO, BMC_AUTH_SESSION, BMC_AUTH_BASIC };
enum bmc_ipmi_secret { BMC_IPMI_SECRET_ENV, BMC_IPMI_SECRET_FILE };

struct bmc_config {
        char *name;                   /* the config's name, or the address */
        enum bmc_driver driver;
        char *host;                   /* "10.0.0.5", "[fe80::1]" */
        int port;                     /* 0: the scheme's default (443, 623) */
        char *user;
        char *password;               /* secret */
        char *ca_file;                /* NULL: the system's CAs */
        char *system;                 /* Redfish: the System's Id or @odata.id; NULL: the first */
        bool insecure;                /* no certificate verification */
        enum bmc_auth auth;           /* Redfish: auto (default), session or Basic */
        int cipher_suite;             /* IPMI: -C, default 3 */
        enum bmc_ipmi_secret ipmi_secret;   /* IPMI: -E (default) or -f /dev/fd/N */
        int timeout_s;                /* all the requests of one command together; default 20 */
        int power_timeout_s;          /* waiting for a power state; default 300 */
        int retries;                  /* Redfish: attempts on connection errors / 5xx; default 4 */
        int retry_delay_ms;           /* first backoff; doubles; default 500 */
        int poll_ms;                  /* power / task polling interval; default 1000 */
        /* not a setting: the CLOCK_MONOTONIC ms by which the command's
         * requests must be done (bmc_open: now + timeout_s; a power wait
         * moves it by power_timeout_s); 0: none */
        long long deadline_ms;
};

/* Parse "auto", "session", "basic". */
int bmc_auth_from_string(const char *s, enum bmc_auth *ret);
/* The milliseconds left before c->deadline_ms (at most timeout_s, at least 0). */
long long bmc_config_remaining_ms(const struct bmc_config *c);
long long bmc_now_ms(void);

void bmc_config_free(struct bmc_config *c);
static inline void bmc_config_freep(struct bmc_config **c) {
        bmc_config_free(*c);
}

struct bmc_config *bmc_config_new(void);   /* defaults filled in */

/* "https://HOST[:PORT]" (Redfish) or "ipmi://HOST[:PORT]"; sets driver,
 * host and port. Anything else (credentials in the URL included) is -EINVAL. */
int bmc_config_set_address(struct bmc_config *c, const char *address, struct error *e);

/* Read <dir>/<name>.yaml; dir NULL means $HOSTD_BMC_CONFIG_DIR or
 * /etc/hostd/bmc.d. A file that holds a password and is readable by group or
 * others is refused (ERROR_REFUSED). */
int bmc_config_load(const char *dir, const char *name, struct bmc_config **ret, struct error *e);
/* The same from YAML text (for tests and the fuzzer). */
int bmc_config_parse(const char *name, const char *text, size_t len, struct bmc_config **ret, struct error *e);

/* Read a password file: its first line. Refused when group/other can read it. */
int bmc_read_password_file(const char *path, char **ret, struct error *e);
