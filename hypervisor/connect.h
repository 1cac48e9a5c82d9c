/* The libvirt connection hostd works through: the URI and domain type from
 * the config, libvirt's errors turned into one-line struct error messages,
 * and lifecycle events from libvirt's event loop as hostd events. */
#pragma once

#include "hypervisor/lazy_virt.h"
#include <json-c/json.h>
#include <stdbool.h>

#include "lib/error.h"

#define HV_DEFAULT_URI "qemu:///system"
#define HV_DEFAULT_POOL "hostd"
#define HV_DEFAULT_CONSOLE_DIR "/var/log/hostd/vms"
#define HV_DEFAULT_SHUTDOWN_TIMEOUT_S 60

enum hv_virt_type { HV_VIRT_AUTO, HV_VIRT_QEMU, HV_VIRT_KVM };

/* Borrowed strings; NULL means the default. */
struct hv_config {
        const char *uri;          /* qemu:///system; test:///default; hyperv://HOST */
        enum hv_virt_type type;   /* auto: kvm only when /dev/kvm really runs a guest */
        const char *pool;         /* storage pool name: "hostd" */
        const char *pool_mount;   /* the RAID 5 mount; the pool directory is <mount>/vms */
        const char *pool_dir;     /* the pool directory itself (overrides pool_mount) */
        const char *images_dir;   /* base images: <mount>/images, else <pool dir>/images */
        const char *console_dir;  /* serial console logs */
        int shutdown_timeout_s;   /* ACPI shutdown, then destroy */
};

struct hv_event {
        const char *vm;
        const char *uuid;
        const char *type;         /* "defined", "started", "stopped", "undefined", ... */
        const char *detail;       /* "booted", "shutdown", "destroyed", ... */
};
typedef void (*hv_event_fn)(const struct hv_event *ev, void *userdata);

struct hv;

/* Connect. Errors say which driver is missing or whether libvirtd is down. */
int hv_open(const struct hv_config *cfg, struct hv **ret, struct error *e);
void hv_close(struct hv *h);
static inline void hv_closep(struct hv **h) {
        hv_close(*h);
}

virConnectPtr hv_conn(const struct hv *h);
const struct hv_config *hv_cfg(const struct hv *h);
bool hv_is_test_driver(const struct hv *h);
/* "qemu" or "kvm", resolved on the first call (only defining a VM needs it). */
const char *hv_virt_type(struct hv *h);

/* Resolve the configured type: auto runs hv_kvm_works(). test: URIs never probe. */
const char *hv_virt_type_resolve(enum hv_virt_type t, const char *uri);
int hv_virt_type_from_string(const char *s, enum hv_virt_type *ret);
/* Does /dev/kvm run a guest? Boots the firmware under -accel kvm for a few
 * seconds and looks for it reaching the boot stage, once per boot: the answer
 * is kept in HV_KVM_PROBE_CACHE under the kernel's boot id (where root may
 * write it). /dev/kvm exists on hosts where KVM hangs, and libvirt then
 * still advertises kvm, so its domain capabilities cannot answer this. */
#define HV_KVM_PROBE_CACHE "/run/hostd/kvm-probe"
bool hv_kvm_works(void);

/* Effective pool directory and images directory (allocated); NULL when
 * neither pool_dir nor pool_mount is configured. */
char *hv_cfg_pool_dir(const struct hv_config *cfg);
char *hv_cfg_images_dir(const struct hv_config *cfg);

/* Deliver lifecycle events to fn (called on libvirt's event thread) until hv_close. */
int hv_events_subscribe(struct hv *h, hv_event_fn fn, void *userdata, struct error *e);

static inline void hv_domain_freep(virDomainPtr *d) {
        if (*d)
                virDomainFree(*d);
}
#define _cleanup_domain_ _cleanup_(hv_domain_freep)

/* The domain named name: -ENOENT "no VM named ..." when there is none. */
int hv_domain_lookup(struct hv *h, const char *name, virDomainPtr *ret, struct error *e);

/* error_set with libvirt's last error message appended. */
int hv_error(struct error *e, int code, const char *fmt, ...) _printf_(3, 4);
/* The libvirt error code of the last failed call (VIR_ERR_*), or 0. */
int hv_last_error_code(void);

/* Read the `hypervisor:` section of a spec (uri, type, pool, pool_dir,
 * pool_mount, images_dir, console_dir, shutdown_timeout); the strings stay
 * owned by o. Keys already set in cfg (e.g. from options) are kept. */
int hv_config_from_json(json_object *o, struct hv_config *cfg, struct error *e);
