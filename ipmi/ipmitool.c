/* The IPMI driver: the only file that knows ipmitool's argv. */
#include "ipmitool.h"

#include <stdio.h>
#include <string.h>

#include "lib/exec.h"
#include "lib/strutil.h"

#define IPMI_SECRET_FD 3

/* Run `ipmitool -I lanplus -H host [-p port] [-U user] -C n -N 1 -R n -E|-f /dev/fd/3 ARGS...`,
 * within what is left of the command's --timeout: ipmitool's own retries are
 * fitted into it (it gives up with its own message before it is killed). */
static int ipmitool(struct bmc *b, const char *const *args, struct run_result *r, struct error *e) {
        const struct bmc_config *c = b->cfg;
        char port[16], cipher[16], retries[16];
        long long budget = bmc_config_remaining_ms(c);
        if (budget <= 0)
                return error_set(e, -ETIMEDOUT, "BMC %s: the command's time limit (--timeout %d s) ran out", c->name,
                                 c->timeout_s);
        /* -N 1 -R n against a silent address takes about n(n+1) s (2, 6, 12, 20: measured, ipmitool 1.8) */
        int n_retries = 1;
        while (n_retries < 4 && (n_retries + 1) * (n_retries + 2) * 1000LL + 500 < budget)
                n_retries++;
        snprintf(retries, sizeof retries, "%d", n_retries);
        const char *argv[32];
        size_t n = 0;
        argv[n++] = "ipmitool";
        argv[n++] = "-I";
        argv[n++] = "lanplus";
        argv[n++] = "-H";
        argv[n++] = c->host;
        if (c->port) {
                snprintf(port, sizeof port, "%d", c->port);
                argv[n++] = "-p";
                argv[n++] = port;
        }
        if (c->user) {
                argv[n++] = "-U";
                argv[n++] = c->user;
        }
        snprintf(cipher, sizeof cipher, "%d", c->cipher_suite);
        argv[n++] = "-C";
        argv[n++] = cipher;
        argv[n++] = "-N";
        argv[n++] = "1";
        argv[n++] = "-R";
        argv[n++] = retries;
        if (c->ipmi_secret == BMC_IPMI_SECRET_FILE) {
                argv[n++] = "-f";
                argv[n++] = "/dev/fd/3";
        } else
                argv[n++] = "-E";
        for (size_t i = 0; args[i] && n < ELEMENTSOF(argv) - 1; i++)
                argv[n++] = args[i];
        argv[n] = NULL;

        _cleanup_free_ char *env_pw = NULL;
        /* TZ=UTC: the SEL's times printed as they are stored, seconds since 1970 UTC */
        const char *env[3] = { "TZ=UTC", NULL, NULL };
        struct run_opts o = { .timeout_ms = (int)budget, .env = env };
        if (c->ipmi_secret == BMC_IPMI_SECRET_FILE) {
                o.secret_fd = IPMI_SECRET_FD;
                o.secret_data = c->password;
                o.secret_len = strlen(c->password);
        } else {
                env_pw = strdup_printf("IPMI_PASSWORD=%s", c->password);
                if (!env_pw)
                        return error_set(e, -ENOMEM, "out of memory");
                env[1] = env_pw;
        }
        int k = run_argv(argv, &o, r, e);
        if (env_pw)
                explicit_bzero(env_pw, strlen(env_pw));
        if (k == -ENOENT)
                return error_set(e, k, "BMC %s: ipmitool is not installed (Debian package ipmitool)", c->name);
        if (k == -ETIMEDOUT)
                return error_set(e, k, "BMC %s: ipmitool %s: no answer within the command's time limit (--timeout %d s)",
                                 c->name, args[0], c->timeout_s);
        if (k < 0)
                return error_prefix(e, "BMC %s", c->name);
        if (r->exit_code != 0) {
                const char *tail = r->err && r->err[0] ? run_tail(r->err, 300) : run_tail(r->out, 300);
                size_t len = strlen(tail);
                while (len && (tail[len - 1] == '\n' || tail[len - 1] == '\r' || tail[len - 1] == ' '))
                        len--;          /* one line, like every other error */
                return error_set(e, -EIO, "BMC %s: ipmitool %s failed: %.*s", c->name, args[0], (int)len, tail);
        }
        return 0;
}

static int ipmi_power_get(struct bmc *b, enum bmc_power *ret, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        int k = ipmitool(b, (const char *const[]){ "chassis", "power", "status", NULL }, &r, e);
        if (k < 0)
                return k;
        if (ipmitool_parse_power(r.out, ret) < 0)
                return error_set(e, -EBADMSG, "BMC %s: unexpected power status: %s", b->cfg->name, run_tail(r.out, 200));
        return 0;
}

static int ipmi_power_do(struct bmc *b, enum bmc_power_action a, const char **ret_how, struct error *e) {
        static const char *const verbs[] = {
                [BMC_ACTION_ON] = "on", [BMC_ACTION_OFF] = "off", [BMC_ACTION_SHUTDOWN] = "soft",
                [BMC_ACTION_CYCLE] = "cycle", [BMC_ACTION_RESET] = "reset",
        };
        static const char *const hows[] = {
                [BMC_ACTION_ON] = "chassis power on", [BMC_ACTION_OFF] = "chassis power off",
                [BMC_ACTION_SHUTDOWN] = "chassis power soft", [BMC_ACTION_CYCLE] = "chassis power cycle",
                [BMC_ACTION_RESET] = "chassis power reset",
        };
        _cleanup_(run_result_free) struct run_result r = { 0 };
        *ret_how = hows[a];
        return ipmitool(b, (const char *const[]){ "chassis", "power", verbs[a], NULL }, &r, e);
}

static int ipmi_boot_set(struct bmc *b, const struct bmc_boot *boot, enum bmc_boot_mode *ret_mode, struct error *e) {
        static const char *const devs[] = {
                [BMC_BOOT_NONE] = "none", [BMC_BOOT_PXE] = "pxe", [BMC_BOOT_CD] = "cdrom",
                [BMC_BOOT_HDD] = "disk", [BMC_BOOT_BIOS] = "bios",
        };
        enum bmc_boot_mode mode = boot->mode;
        int k;
        if (mode == BMC_BOOT_MODE_KEEP) {
                /* the boot flags are written whole: without efiboot the EFI bit is cleared, so keep what is there */
                _cleanup_(run_result_free) struct run_result flags = { 0 };
                if ((k = ipmitool(b, (const char *const[]){ "chassis", "bootparam", "get", "5", NULL }, &flags, e)) < 0)
                        return k;
                mode = ipmitool_parse_boot_mode(flags.out);
        }
        bool efi = mode == BMC_BOOT_MODE_UEFI;
        char opts[64] = "";
        if (boot->persistent || efi)
                snprintf(opts, sizeof opts, "options=%s%s%s", boot->persistent ? "persistent" : "",
                         boot->persistent && efi ? "," : "", efi ? "efiboot" : "");
        _cleanup_(run_result_free) struct run_result r = { 0 };
        k = ipmitool(b, (const char *const[]){ "chassis", "bootdev", devs[boot->target], opts[0] ? opts : NULL, NULL },
                     &r, e);
        if (k >= 0)
                *ret_mode = mode;
        return k;
}

static int ipmi_inventory(struct bmc *b, struct bmc_inventory *ret, struct error *e) {
        _cleanup_(run_result_free) struct run_result fru = { 0 }, mc = { 0 };
        struct bmc_inventory inv = { .cpu_count = -1 };
        int k = ipmitool(b, (const char *const[]){ "fru", "print", "0", NULL }, &fru, e);
        if (k < 0)
                return k;
        k = ipmitool(b, (const char *const[]){ "mc", "info", NULL }, &mc, e);
        if (k < 0)
                return k;
        if (ipmitool_parse_fru(fru.out, &inv) < 0 || ipmitool_parse_mc_info(mc.out, &inv) < 0) {
                bmc_inventory_done(&inv);
                return error_set(e, -EBADMSG, "BMC %s: no product data in the FRU", b->cfg->name);
        }
        *ret = inv;
        return 0;
}

static int ipmi_sel_read(struct bmc *b, struct bmc_sel *ret, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        int k = ipmitool(b, (const char *const[]){ "sel", "elist", NULL }, &r, e);
        if (k < 0)
                return k;
        if (ipmitool_parse_sel(r.out, ret) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        return 0;
}

static int ipmi_sel_clear(struct bmc *b, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        return ipmitool(b, (const char *const[]){ "sel", "clear", NULL }, &r, e);
}

static int ipmi_identify(struct bmc *b, bool on, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        return ipmitool(b, (const char *const[]){ "chassis", "identify", on ? "force" : "0", NULL }, &r, e);
}

static const struct bmc_ops ipmi_ops = {
        .power_get = ipmi_power_get,
        .power_do = ipmi_power_do,
        .boot_set = ipmi_boot_set,
        .inventory = ipmi_inventory,
        .sel_read = ipmi_sel_read,
        .sel_clear = ipmi_sel_clear,
        .identify = ipmi_identify,
};

int ipmitool_open(struct bmc *b, struct error *e) {
        if (!b->cfg->password)
                return error_set(e, -EINVAL, "BMC %s: no password (in its config, HOSTD_BMC_PASSWORD or --password-file)",
                                 b->cfg->name);
        b->ops = &ipmi_ops;
        return 0;
}
