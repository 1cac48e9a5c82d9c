#include "connect.h"

#include "hypervisor/lazy_virt.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/strutil.h"

struct hv {
        virConnectPtr conn;
        struct hv_config cfg;
        char *uri;
        const char *virt_type;    /* resolved on first use (hv_virt_type): most commands never need it */
        bool test_driver;
        /* events */
        hv_event_fn event_fn;
        void *event_data;
        int event_cb;
        bool loop_user;
};

static void quiet_errors(void *ud, virErrorPtr err) {
        (void)ud;
        (void)err;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int event_impl_ok = -1;
static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;
static int loop_users;            /* connections with subscribed events; under loop_lock */
static volatile int loop_quit;
static pthread_t loop_thread;

static void noop_tick(int timer, void *opaque) {
        (void)timer;
        (void)opaque;
}

static void init_libvirt(void) {
        virSetErrorFunc(NULL, quiet_errors);   /* library code does not print */
        event_impl_ok = virEventRegisterDefaultImpl();
        if (event_impl_ok == 0)
                virEventAddTimeout(100, noop_tick, NULL, NULL);   /* wakes the loop to see hv_close */
}

int hv_last_error_code(void) {
        virErrorPtr err = virGetLastError();
        return err ? err->code : 0;
}

int hv_error(struct error *e, int code, const char *fmt, ...) {
        char msg[ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        const char *lv = virGetLastErrorMessage();
        if (lv && *lv && !streq(lv, "no error"))
                return error_set(e, code, "%s: %s", msg, lv);
        return error_set(e, code, "%s", msg);
}

int hv_virt_type_from_string(const char *s, enum hv_virt_type *ret) {
        if (streq(s, "auto"))
                *ret = HV_VIRT_AUTO;
        else if (streq(s, "qemu") || streq(s, "tcg"))
                *ret = HV_VIRT_QEMU;
        else if (streq(s, "kvm"))
                *ret = HV_VIRT_KVM;
        else
                return -EINVAL;
        return 0;
}

/* Boots the firmware under -accel kvm and watches it reach the boot stage. */
static bool kvm_probe(void) {
        /* SeaBIOS writes its log to the debug console; under a working KVM it
         * reaches "Booting from ..." in well under a second. Where KVM hangs,
         * it stops early (seen: PCI init) and never gets there. */
        static const char *const argv[] = { "qemu-system-x86_64", "-accel", "kvm", "-machine", "pc",
                                             "-m", "16", "-nodefaults", "-display", "none", "-no-reboot",
                                             "-chardev", "stdio,id=dbg", "-device",
                                             "isa-debugcon,iobase=0x402,chardev=dbg", NULL };
        struct run_opts o = { .timeout_ms = 3000, .kill_grace_ms = 300 };
        _cleanup_(run_result_free) struct run_result r = { 0 };
        struct error e = { 0 };
        (void)run_argv(argv, &o, &r, &e);
        bool ok = r.out && (strstr(r.out, "Booting from") || strstr(r.out, "No bootable device"));
        log_debug("kvm probe: %s", ok ? "guest reached the boot stage" : "guest did not run: using qemu (TCG)");
        return ok;
}

/* The probe's answer for this boot, in HV_KVM_PROBE_CACHE as "BOOT_ID kvm|qemu":
 * 1 kvm, 0 qemu, -1 not known for this boot. */
static int kvm_cached(const char *boot_id) {
        _cleanup_free_ char *line = NULL;
        struct error e = { 0 };
        if (!boot_id || read_one_line(HV_KVM_PROBE_CACHE, &line, &e) < 0)
                return -1;
        const char *answer = startswith(line, boot_id);
        if (!answer || *answer != ' ')
                return -1;
        return streq(answer + 1, "kvm") ? 1 : streq(answer + 1, "qemu") ? 0 : -1;
}

static void kvm_cache(const char *boot_id, bool works) {
        struct error e = { 0 };
        _cleanup_free_ char *line = boot_id ? strdup_printf("%s %s\n", boot_id, works ? "kvm" : "qemu") : NULL;
        /* best effort: without the cache (not root) the next command probes again */
        if (!line || mkdir_parent(HV_KVM_PROBE_CACHE, &e) < 0 ||
            write_file_atomic(HV_KVM_PROBE_CACHE, line, strlen(line), 0644, &e) < 0)
                log_debug("kvm probe: not cached: %s", e.msg[0] ? e.msg : "out of memory");
}

bool hv_kvm_works(void) {
        if (access("/dev/kvm", R_OK | W_OK) < 0)
                return false;
        /* whether KVM runs a guest does not change until the next boot, and a
         * probe where KVM hangs costs its whole timeout: ask once per boot */
        _cleanup_free_ char *boot_id = NULL;
        struct error e = { 0 };
        if (read_one_line("/proc/sys/kernel/random/boot_id", &boot_id, &e) < 0)
                log_debug("kvm probe: no boot id (%s): not cached", e.msg);
        int cached = kvm_cached(boot_id);
        if (cached >= 0) {
                log_debug("kvm probe: this boot's answer from %s: %s", HV_KVM_PROBE_CACHE, cached ? "kvm" : "qemu");
                return cached;
        }
        bool works = kvm_probe();
        kvm_cache(boot_id, works);
        return works;
}

const char *hv_virt_type_resolve(enum hv_virt_type t, const char *uri) {
        switch (t) {
        case HV_VIRT_KVM: return "kvm";
        case HV_VIRT_QEMU: return "qemu";
        default:
                if (!uri || !startswith(uri, "qemu"))
                        return "qemu";
                return hv_kvm_works() ? "kvm" : "qemu";
        }
}

char *hv_cfg_pool_dir(const struct hv_config *cfg) {
        if (cfg->pool_dir)
                return strdup(cfg->pool_dir);
        return cfg->pool_mount ? strdup_printf("%s/vms", cfg->pool_mount) : NULL;
}

char *hv_cfg_images_dir(const struct hv_config *cfg) {
        if (cfg->images_dir)
                return strdup(cfg->images_dir);
        if (cfg->pool_mount)
                return strdup_printf("%s/images", cfg->pool_mount);
        return cfg->pool_dir ? strdup_printf("%s/images", cfg->pool_dir) : NULL;
}

static int open_error(const char *uri, struct error *e) {
        virErrorPtr err = virGetLastError();
        const char *msg = err && err->message ? err->message : "unknown error";
        _cleanup_free_ char *scheme = strndup(uri, strcspn(uri, ":+"));
        if (err && ((err->code == VIR_ERR_NO_CONNECT && strstr(msg, "no connection driver")) ||
                    (err->code == VIR_ERR_CONFIG_UNSUPPORTED && strstr(msg, "built without"))))
                return error_set(e, -EPROTONOSUPPORT,
                                 "cannot connect to %s: this host's libvirt has no '%s' driver (it was built without it)",
                                 uri, scheme ? scheme : uri);
        if (err && (err->code == VIR_ERR_SYSTEM_ERROR || err->code == VIR_ERR_NO_CONNECT) &&
            (strstr(msg, "Failed to connect socket") || strstr(msg, "Connection refused")))
                return error_set(e, -ECONNREFUSED, "cannot connect to %s: libvirtd is not running (%s)", uri, msg);
        return error_set(e, -EIO, "cannot connect to %s: %s", uri, msg);
}

int hv_open(const struct hv_config *cfg, struct hv **ret, struct error *e) {
        if (lazy_open(&lazy_libvirt, e) < 0)
                return e->code;
        pthread_once(&init_once, init_libvirt);
        _cleanup_(hv_closep) struct hv *h = calloc(1, sizeof *h);
        if (!h)
                return error_set(e, -ENOMEM, "out of memory");
        h->cfg = *cfg;
        h->event_cb = -1;
        h->uri = strdup(cfg->uri ? cfg->uri : HV_DEFAULT_URI);
        if (!h->uri)
                return error_set(e, -ENOMEM, "out of memory");
        h->cfg.uri = h->uri;
        if (!h->cfg.pool)
                h->cfg.pool = HV_DEFAULT_POOL;
        if (!h->cfg.console_dir)
                h->cfg.console_dir = HV_DEFAULT_CONSOLE_DIR;
        if (h->cfg.shutdown_timeout_s <= 0)
                h->cfg.shutdown_timeout_s = HV_DEFAULT_SHUTDOWN_TIMEOUT_S;
        h->test_driver = startswith(h->uri, "test:") != NULL;
        h->conn = virConnectOpen(h->uri);
        if (!h->conn)
                return open_error(h->uri, e);
        log_debug("connected to %s", h->uri);
        *ret = TAKE_PTR(h);
        return 0;
}

static void *event_loop(void *arg) {
        (void)arg;
        while (!loop_quit)
                if (virEventRunDefaultImpl() < 0)
                        break;
        return NULL;
}

static const char *event_type(int ev) {
        static const char *const names[] = { "defined", "undefined", "started", "suspended", "resumed",
                                             "stopped", "shutdown", "pmsuspended", "crashed" };
        return ev >= 0 && ev < (int)ELEMENTSOF(names) ? names[ev] : "unknown";
}

static const char *event_detail(int ev, int detail) {
        switch (ev) {
        case VIR_DOMAIN_EVENT_DEFINED:
                return detail == VIR_DOMAIN_EVENT_DEFINED_UPDATED ? "updated" : "added";
        case VIR_DOMAIN_EVENT_STARTED:
                return detail == VIR_DOMAIN_EVENT_STARTED_BOOTED ? "booted" : "restored";
        case VIR_DOMAIN_EVENT_STOPPED:
                switch (detail) {
                case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN: return "shutdown";
                case VIR_DOMAIN_EVENT_STOPPED_DESTROYED: return "destroyed";
                case VIR_DOMAIN_EVENT_STOPPED_CRASHED: return "crashed";
                case VIR_DOMAIN_EVENT_STOPPED_FAILED: return "failed";
                default: return "other";
                }
        case VIR_DOMAIN_EVENT_SHUTDOWN:
                return "guest";
        default:
                return "";
        }
}

static int lifecycle_cb(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque) {
        (void)c;
        struct hv *h = opaque;
        char uuid[VIR_UUID_STRING_BUFLEN] = "";
        virDomainGetUUIDString(d, uuid);
        struct hv_event ev = { .vm = virDomainGetName(d), .uuid = uuid, .type = event_type(event),
                               .detail = event_detail(event, detail) };
        if (h->event_fn)
                h->event_fn(&ev, h->event_data);
        return 0;
}

int hv_events_subscribe(struct hv *h, hv_event_fn fn, void *userdata, struct error *e) {
        if (event_impl_ok < 0)
                return error_set(e, -EIO, "libvirt's event loop could not be set up");
        if (h->event_cb >= 0)
                return error_set(e, -EBUSY, "events are already subscribed on this connection");
        h->event_fn = fn;
        h->event_data = userdata;
        h->event_cb = virConnectDomainEventRegisterAny(h->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                       VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb), h, NULL);
        if (h->event_cb < 0)
                return hv_error(e, -EIO, "cannot subscribe to lifecycle events on %s", h->uri);
        int k = 0;
        pthread_mutex_lock(&loop_lock);
        if (loop_users == 0) {
                loop_quit = 0;
                k = pthread_create(&loop_thread, NULL, event_loop, NULL);
        }
        if (k == 0)
                loop_users++;
        pthread_mutex_unlock(&loop_lock);
        if (k != 0)
                return error_set(e, -EAGAIN, "cannot start the event thread");
        h->loop_user = true;
        return 0;
}

void hv_close(struct hv *h) {
        if (!h)
                return;
        if (h->conn && h->event_cb >= 0)
                virConnectDomainEventDeregisterAny(h->conn, h->event_cb);
        if (h->conn)
                virConnectClose(h->conn);
        if (h->loop_user) {
                pthread_mutex_lock(&loop_lock);
                if (--loop_users == 0) {
                        loop_quit = 1;
                        pthread_join(loop_thread, NULL);   /* the 100 ms tick wakes it */
                }
                pthread_mutex_unlock(&loop_lock);
        }
        free(h->uri);
        free(h);
}

virConnectPtr hv_conn(const struct hv *h) {
        return h->conn;
}
const struct hv_config *hv_cfg(const struct hv *h) {
        return &h->cfg;
}
bool hv_is_test_driver(const struct hv *h) {
        return h->test_driver;
}
const char *hv_virt_type(struct hv *h) {
        const char *t = __atomic_load_n(&h->virt_type, __ATOMIC_ACQUIRE);
        if (!t) {       /* two threads may both resolve: the same answer, from the cache the second time */
                t = hv_virt_type_resolve(h->cfg.type, h->uri);
                __atomic_store_n(&h->virt_type, t, __ATOMIC_RELEASE);
        }
        return t;
}

int hv_config_from_json(json_object *o, struct hv_config *cfg, struct error *e) {
        static const char *const keys[] = { "uri", "type", "pool", "pool_dir", "pool_mount", "images_dir",
                                            "console_dir", "shutdown_timeout", NULL };
        const char **fields[] = { &cfg->uri, NULL, &cfg->pool, &cfg->pool_dir, &cfg->pool_mount,
                                  &cfg->images_dir, &cfg->console_dir, NULL };
        if (!o)
                return 0;
        if (!json_object_is_type(o, json_type_object))
                return error_set(e, -EINVAL, "hypervisor: must be a mapping such as {uri: qemu:///system}");
        json_object_object_foreach(o, key, val) {
                size_t i = 0;
                while (keys[i] && !streq(keys[i], key))
                        i++;
                if (!keys[i])
                        return error_set(e, -EINVAL, "hypervisor.%s: unknown key", key);
                if (streq(key, "shutdown_timeout")) {
                        if (!json_object_is_type(val, json_type_int) || json_object_get_int(val) < 1)
                                return error_set(e, -EINVAL, "hypervisor.shutdown_timeout: must be seconds (1 or more)");
                        if (!cfg->shutdown_timeout_s)
                                cfg->shutdown_timeout_s = json_object_get_int(val);
                        continue;
                }
                if (!json_object_is_type(val, json_type_string) || !*json_object_get_string(val))
                        return error_set(e, -EINVAL, "hypervisor.%s: must be a non-empty string", key);
                if (streq(key, "type")) {
                        enum hv_virt_type t;
                        if (hv_virt_type_from_string(json_object_get_string(val), &t) < 0)
                                return error_set(e, -EINVAL, "hypervisor.type: '%s' is not kvm, qemu or auto",
                                                 json_object_get_string(val));
                        if (cfg->type == HV_VIRT_AUTO)
                                cfg->type = t;
                } else if (!*fields[i])
                        *fields[i] = json_object_get_string(val);
        }
        return 0;
}

int hv_domain_lookup(struct hv *h, const char *name, virDomainPtr *ret, struct error *e) {
        *ret = virDomainLookupByName(hv_conn(h), name);
        if (*ret)
                return 0;
        if (hv_last_error_code() == VIR_ERR_NO_DOMAIN)
                return error_set(e, -ENOENT, "no VM named '%s'", name);
        return hv_error(e, -EIO, "VM '%s'", name);
}
