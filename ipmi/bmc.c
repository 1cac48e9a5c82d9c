#include "bmc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipmitool.h"
#include "lib/log.h"
#include "lib/strutil.h"
#include "redfish.h"

int bmc_open(struct bmc_config *cfg, struct bmc **ret, struct error *e) {
        _cleanup_(bmc_config_freep) struct bmc_config *c = cfg;
        _cleanup_free_ struct bmc *b = calloc(1, sizeof *b);
        if (!b)
                return error_set(e, -ENOMEM, "out of memory");
        if (!c->host)
                return error_set(e, -EINVAL, "BMC %s: no address", c->name ? c->name : "?");
        b->cfg = TAKE_PTR(c);
        b->cfg->deadline_ms = bmc_now_ms() + (long long)b->cfg->timeout_s * 1000LL;
        int k = b->cfg->driver == BMC_DRIVER_REDFISH ? redfish_open(b, e) : ipmitool_open(b, e);
        if (k < 0) {
                bmc_config_free(b->cfg);
                return k;
        }
        *ret = TAKE_PTR(b);
        return 0;
}

void bmc_close(struct bmc *b) {
        if (!b)
                return;
        if (b->ops && b->ops->close)
                b->ops->close(b);
        bmc_config_free(b->cfg);
        free(b);
}

static void sleep_ms(long ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int bmc_power_status(struct bmc *b, enum bmc_power *ret, struct error *e) {
        return b->ops->power_get(b, ret, e);
}

int bmc_power_wait(struct bmc *b, enum bmc_power want, enum bmc_power *ret_now, struct error *e) {
        long long deadline = bmc_now_ms() + b->cfg->power_timeout_s * 1000LL;
        /* the requests of the wait get their own --wait, plus --timeout for the last one */
        if (b->cfg->deadline_ms && b->cfg->deadline_ms < deadline + b->cfg->timeout_s * 1000LL)
                b->cfg->deadline_ms = deadline + b->cfg->timeout_s * 1000LL;
        enum bmc_power now;
        for (;;) {
                int k = b->ops->power_get(b, &now, e);
                if (k < 0)
                        return k;
                if (now == want || bmc_now_ms() >= deadline)
                        break;
                sleep_ms(b->cfg->poll_ms);
        }
        *ret_now = now;
        if (now != want)
                return error_set(e, -ETIMEDOUT, "the power is still %s after %d s", bmc_power_to_string(now),
                                 b->cfg->power_timeout_s);
        return 0;
}

int bmc_power(struct bmc *b, enum bmc_power_action a, struct bmc_power_result *ret, struct error *e) {
        enum bmc_power before, now;
        int k = b->ops->power_get(b, &before, e);
        if (k < 0)
                return k;
        enum bmc_power want = a == BMC_ACTION_OFF || a == BMC_ACTION_SHUTDOWN ? BMC_POWER_OFF : BMC_POWER_ON;
        struct bmc_power_result r = { .before = before, .after = before };
        if (before == want && (a == BMC_ACTION_ON || a == BMC_ACTION_OFF || a == BMC_ACTION_SHUTDOWN)) {
                *ret = r;                       /* a BMC refuses "off" when off: nothing to do */
                return 0;
        }
        if (before == BMC_POWER_OFF && (a == BMC_ACTION_CYCLE || a == BMC_ACTION_RESET))
                a = BMC_ACTION_ON;              /* a cold machine: cycling it means starting it */
        log_debug("bmc %s: power %s (was %s)", b->cfg->name, bmc_action_to_string(a), bmc_power_to_string(before));
        k = b->ops->power_do(b, a, &r.how, e);
        if (k == BMC_UNCONFIRMED)               /* it may have acted: read, do not send again */
                snprintf(r.unconfirmed, sizeof r.unconfirmed, "%s", e->msg);
        else if (k < 0)
                return k;
        r.changed = true;
        struct error wait_e = { 0 };
        if ((k = bmc_power_wait(b, want, &now, &wait_e)) < 0) {
                if (k != -ETIMEDOUT)
                        return *e = wait_e, k;
                if (r.unconfirmed[0])
                        return error_set(e, -EIO, "%s; it was not sent again (the BMC may act and then fail), "
                                                  "and %s", r.unconfirmed, wait_e.msg);
                return error_set(e, k, "BMC %s: power %s sent, but %s", b->cfg->name, bmc_action_to_string(a),
                                 wait_e.msg);
        }
        error_clear(e);
        r.after = now;
        *ret = r;
        return 0;
}

#define CALL(op, ...)                                                                                  \
        do {                                                                                           \
                if (!b->ops->op)                                                                       \
                        return error_set(e, -EOPNOTSUPP, "BMC %s: the %s driver has no %s", b->cfg->name, \
                                         b->cfg->driver == BMC_DRIVER_IPMI ? "IPMI" : "Redfish", what); \
                return b->ops->op(b, __VA_ARGS__);                                                     \
        } while (0)

int bmc_boot_set(struct bmc *b, const struct bmc_boot *boot, enum bmc_boot_mode *ret_mode, struct error *e) {
        const char *what = "boot override";
        CALL(boot_set, boot, ret_mode, e);
}
int bmc_vmedia_insert(struct bmc *b, const char *url, struct error *e) {
        const char *what = "virtual media (use the Redfish address of this BMC)";
        CALL(vmedia_insert, url, e);
}
int bmc_vmedia_eject(struct bmc *b, struct error *e) {
        const char *what = "virtual media (use the Redfish address of this BMC)";
        CALL(vmedia_eject, e);
}
int bmc_vmedia_status(struct bmc *b, struct bmc_vmedia *ret, struct error *e) {
        const char *what = "virtual media (use the Redfish address of this BMC)";
        CALL(vmedia_status, ret, e);
}
int bmc_inventory(struct bmc *b, struct bmc_inventory *ret, struct error *e) {
        const char *what = "inventory";
        CALL(inventory, ret, e);
}
int bmc_sel_read(struct bmc *b, struct bmc_sel *ret, struct error *e) {
        const char *what = "event log";
        CALL(sel_read, ret, e);
}
int bmc_sel_clear(struct bmc *b, struct error *e) {
        const char *what = "event log";
        CALL(sel_clear, e);
}
int bmc_identify(struct bmc *b, bool on, struct error *e) {
        const char *what = "identify LED";
        CALL(identify, on, e);
}

void bmc_vmedia_done(struct bmc_vmedia *v) {
        free(v->id);
        free(v->image);
        *v = (struct bmc_vmedia){ 0 };
}

void bmc_inventory_done(struct bmc_inventory *inv) {
        free(inv->manufacturer);
        free(inv->model);
        free(inv->serial);
        free(inv->service_tag);
        free(inv->bios_version);
        free(inv->bmc_firmware);
        for (size_t i = 0; i < inv->n_cpus; i++) {
                free(inv->cpus[i].socket);
                free(inv->cpus[i].model);
        }
        for (size_t i = 0; i < inv->n_nics; i++) {
                free(inv->nics[i].id);
                free(inv->nics[i].mac);
        }
        for (size_t i = 0; i < inv->n_controllers; i++) {
                free(inv->controllers[i].id);
                free(inv->controllers[i].model);
        }
        for (size_t i = 0; i < inv->n_drives; i++) {
                free(inv->drives[i].id);
                free(inv->drives[i].model);
                free(inv->drives[i].serial);
                free(inv->drives[i].media);
        }
        free(inv->cpus);
        free(inv->nics);
        free(inv->controllers);
        free(inv->drives);
        *inv = (struct bmc_inventory){ 0 };
}

void bmc_sel_done(struct bmc_sel *s) {
        for (size_t i = 0; i < s->n; i++) {
                free(s->entries[i].id);
                free(s->entries[i].created);
                free(s->entries[i].created_raw);
                free(s->entries[i].severity);
                free(s->entries[i].message);
        }
        free(s->entries);
        free(s->cut);
        *s = (struct bmc_sel){ 0 };
}

void *bmc_array_add(void **array, size_t *n, size_t size) {
        char *a = realloc(*array, (*n + 1) * size);
        if (!a)
                return NULL;
        *array = a;
        memset(a + *n * size, 0, size);
        return a + (*n)++ * size;
}

static const char *const power_names[] = { "unknown", "off", "on" };
static const char *const action_names[] = { "on", "off", "shutdown", "cycle", "reset" };
static const char *const boot_names[] = { "none", "pxe", "cd", "hdd", "bios" };

const char *bmc_power_to_string(enum bmc_power p) {
        return p < ELEMENTSOF(power_names) ? power_names[p] : "unknown";
}
const char *bmc_action_to_string(enum bmc_power_action a) {
        return a < ELEMENTSOF(action_names) ? action_names[a] : "?";
}
const char *bmc_boot_target_to_string(enum bmc_boot_target t) {
        return t < ELEMENTSOF(boot_names) ? boot_names[t] : "?";
}

const char *bmc_boot_mode_to_string(enum bmc_boot_mode m) {
        return m == BMC_BOOT_MODE_UEFI ? "UEFI" : m == BMC_BOOT_MODE_LEGACY ? "Legacy" : NULL;
}

int bmc_action_from_string(const char *s, enum bmc_power_action *ret) {
        for (size_t i = 0; i < ELEMENTSOF(action_names); i++)
                if (streq(s, action_names[i])) {
                        *ret = (enum bmc_power_action)i;
                        return 0;
                }
        return -EINVAL;
}

int bmc_boot_target_from_string(const char *s, enum bmc_boot_target *ret) {
        for (size_t i = 0; i < ELEMENTSOF(boot_names); i++)
                if (streq(s, boot_names[i])) {
                        *ret = (enum bmc_boot_target)i;
                        return 0;
                }
        if (streq(s, "setup") || streq(s, "bios-setup"))
                return *ret = BMC_BOOT_BIOS, 0;
        if (streq(s, "disk"))
                return *ret = BMC_BOOT_HDD, 0;
        return -EINVAL;
}
