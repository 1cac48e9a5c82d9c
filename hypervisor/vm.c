#include "vm.h"

#include "hypervisor/lazy_virt.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hypervisor/pool.h"
#include "hypervisor/seed.h"
#include "hypervisor/xml.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/strutil.h"

char *hv_console_log_path(const struct hv_config *cfg, const char *name) {
        return strdup_printf("%s/%s.log", cfg->console_dir ? cfg->console_dir : HV_DEFAULT_CONSOLE_DIR, name);
}

int hv_vm_xml(const struct hv_config *cfg, const char *virt_type, const struct vm_spec *v, char **ret, struct error *e) {
        _cleanup_free_ char *log = hv_console_log_path(cfg, v->name);
        if (!log)
                return error_set(e, -ENOMEM, "out of memory");
        struct vm_xml_params p = { .virt_type = virt_type, .pool = cfg->pool ? cfg->pool : HV_DEFAULT_POOL,
                                   .console_log = log };
        return vm_domain_xml(v, &p, ret, e);
}

/* Memory the host can give a new guest, in bytes: free + buffers + page cache. */
static uint64_t host_available_memory(virConnectPtr c) {
        int n = 0;
        if (virNodeGetMemoryStats(c, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &n, 0) == 0 && n > 0) {
                virNodeMemoryStatsPtr st = calloc((size_t)n, sizeof *st);
                uint64_t kib = 0;
                if (st && virNodeGetMemoryStats(c, VIR_NODE_MEMORY_STATS_ALL_CELLS, st, &n, 0) == 0)
                        for (int i = 0; i < n; i++)
                                if (streq(st[i].field, VIR_NODE_MEMORY_STATS_FREE) ||
                                    streq(st[i].field, VIR_NODE_MEMORY_STATS_BUFFERS) ||
                                    streq(st[i].field, VIR_NODE_MEMORY_STATS_CACHED))
                                        kib += st[i].value;
                free(st);
                if (kib)
                        return kib * 1024;
        }
        virNodeInfo info;
        return virNodeGetInfo(c, &info) == 0 ? (uint64_t)info.memory * 1024 : UINT64_MAX;
}

static bool file_exists(const char *p) {
        struct stat st;
        return stat(p, &st) == 0;
}

/* Checks that need no change: name free, memory, files, networks. */
static int create_checks(struct hv *h, const struct vm_spec *v, const char *images, struct error *e) {
        _cleanup_domain_ virDomainPtr old = virDomainLookupByName(hv_conn(h), v->name);
        if (old)
                return error_set(e, -EEXIST, "a VM named '%s' already exists", v->name);
        uint64_t avail = host_available_memory(hv_conn(h));
        if (v->memory > avail) {
                char need[16], have[16];
                return error_set(e, -ENOMEM, "VM '%s' needs %s of memory; the host has %s available", v->name,
                                 format_size(v->memory, need, sizeof need), format_size(avail, have, sizeof have));
        }
        if (hv_is_test_driver(h))
                return 0;
        const char *files[] = { v->kernel, v->initrd, v->user_data, v->meta_data, v->network_config };
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (files[i] && !file_exists(files[i]))
                        return error_set(e, -ENOENT, "VM '%s': %s does not exist", v->name, files[i]);
        for (size_t i = 0; i < v->n_disks; i++) {
                const char *img = v->disks[i].image;
                _cleanup_free_ char *p = img && img[0] != '/' && images ? strdup_printf("%s/%s", images, img) : NULL;
                if (img && !file_exists(p ? p : img))
                        return error_set(e, -ENOENT, "VM '%s': disk %zu: base image %s does not exist", v->name, i,
                                         p ? p : img);
        }
        if (v->net == VM_NET_BRIDGE) {
                _cleanup_free_ char *br = strdup_printf("/sys/class/net/%s/bridge", v->net_source);
                if (!br || !file_exists(br))
                        return error_set(e, -ENOENT, "VM '%s': host bridge '%s' does not exist", v->name, v->net_source);
        }
        return 0;
}

static int ensure_network(struct hv *h, const char *name, struct error *e) {
        virNetworkPtr n = virNetworkLookupByName(hv_conn(h), name);
        if (!n)
                return error_set(e, -ENOENT, "libvirt network '%s' does not exist: define it in libvirt "
                                 "(virsh net-define) or name an existing one (network: {type: nat, network: NAME})", name);
        int k = 0;
        if (virNetworkIsActive(n) != 1 && virNetworkCreate(n) < 0)
                k = hv_error(e, -EIO, "libvirt network '%s' does not start", name);
        virNetworkFree(n);
        return k;
}

struct created {
        char **vols;              /* volumes made so far */
        virDomainPtr dom;
};

static void rollback(struct hv *h, struct created *c) {
        struct error ignore = { 0 };
        if (c->dom) {
                if (virDomainIsActive(c->dom) == 1)
                        virDomainDestroy(c->dom);
                if (virDomainUndefineFlags(c->dom, VIR_DOMAIN_UNDEFINE_NVRAM) < 0)
                        virDomainUndefine(c->dom);
                virDomainFree(c->dom);
        }
        for (char **v = c->vols; v && *v; v++)
                (void)hv_volume_delete(h, hv_cfg(h)->pool, *v, &ignore);
        strv_free(c->vols);
}

static int create_storage(struct hv *h, virStoragePoolPtr pool, const struct vm_spec *v, const char *images,
                          struct created *c, struct error *e) {
        int k;
        for (size_t i = 0; i < v->n_disks; i++) {
                _cleanup_free_ char *vol = vm_disk_volume_name(v->name, i);
                const char *img = v->disks[i].image;
                _cleanup_free_ char *backing = img && img[0] != '/' && images ? strdup_printf("%s/%s", images, img) : NULL;
                if (!vol)
                        return error_set(e, -ENOMEM, "out of memory");
                if ((k = hv_volume_create(pool, vol, v->disks[i].size, backing ? backing : img, e)) < 0)
                        return k;
                if (strv_push(&c->vols, vol) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        if (!v->cloud_init)
                return 0;
        _cleanup_free_ char *seed = vm_seed_volume_name(v->name);
        _cleanup_free_ char *dir = hv_pool_target_path(pool);
        _cleanup_free_ char *path = dir && seed ? strdup_printf("%s/%s", dir, seed) : NULL;
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        if (file_exists(path))
                return error_set(e, -EEXIST, "volume '%s' already exists in pool '%s' (left from another VM?)", seed,
                                 hv_cfg(h)->pool);
        if (strv_push(&c->vols, seed) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        if ((k = seed_iso_write(v, path, e)) < 0)
                return k;
        if (virStoragePoolRefresh(pool, 0) < 0)
                return hv_error(e, -EIO, "storage pool '%s': refresh after writing the seed", hv_cfg(h)->pool);
        return 0;
}

int hv_vm_create(struct hv *h, const struct vm_spec *v, struct error *e) {
        const struct hv_config *cfg = hv_cfg(h);
        _cleanup_free_ char *images = hv_cfg_images_dir(cfg);
        _cleanup_(hv_pool_freep) virStoragePoolPtr pool = NULL;
        int k = create_checks(h, v, images, e);
        if (k >= 0)
                k = hv_pool_open(h, &pool, e);
        if (k >= 0 && !images) {
                _cleanup_free_ char *dir = hv_pool_target_path(pool);
                images = dir ? strdup_printf("%s/images", dir) : NULL;
        }
        if (k >= 0 && v->net == VM_NET_NAT)
                k = ensure_network(h, v->net_source, e);
        if (k >= 0 && !hv_is_test_driver(h))
                k = mkdir_p(cfg->console_dir, 0750, e);
        if (k < 0)
                return error_prefix(e, "create VM '%s'", v->name);

        struct created c = { 0 };
        _cleanup_free_ char *xml = NULL;
        k = create_storage(h, pool, v, images, &c, e);
        if (k >= 0)
                k = hv_vm_xml(cfg, hv_virt_type(h), v, &xml, e);
        if (k >= 0 && !(c.dom = virDomainDefineXML(hv_conn(h), xml)))
                k = hv_error(e, -EIO, "libvirt refused the definition");
        if (k >= 0 && virDomainSetAutostart(c.dom, v->autostart) < 0)
                k = hv_error(e, -EIO, "cannot set autostart");
        if (k >= 0 && virDomainCreate(c.dom) < 0)
                k = hv_error(e, -EIO, "does not start");
        if (k < 0) {
                rollback(h, &c);
                return error_prefix(e, "create VM '%s'", v->name);
        }
        virDomainFree(c.dom);
        strv_free(c.vols);
        return OUTCOME_CHANGED;
}

int hv_vm_start(struct hv *h, const char *name, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k < 0)
                return k;
        if (virDomainIsActive(d) == 1)
                return OUTCOME_UNCHANGED;
        if (virDomainCreate(d) < 0)
                return hv_error(e, -EIO, "VM '%s' does not start", name);
        return OUTCOME_CHANGED;
}

static long long now_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

int hv_vm_shutdown(struct hv *h, const char *name, int timeout_s, bool *ret_destroyed, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k < 0)
                return k;
        *ret_destroyed = false;
        if (virDomainIsActive(d) != 1)
                return OUTCOME_UNCHANGED;
        if (timeout_s <= 0)
                timeout_s = hv_cfg(h)->shutdown_timeout_s;
        long long deadline = now_ms() + timeout_s * 1000LL;
        if (virDomainShutdown(d) < 0 && virDomainIsActive(d) == 1)
                return hv_error(e, -EIO, "VM '%s': ACPI shutdown request failed", name);
        while (virDomainIsActive(d) == 1 && now_ms() < deadline) {
                struct timespec ts = { 0, 100 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
        if (virDomainIsActive(d) != 1)
                return OUTCOME_CHANGED;
        if (virDomainDestroy(d) < 0 && virDomainIsActive(d) == 1)
                return hv_error(e, -EIO, "VM '%s' ignored the ACPI shutdown for %d s and cannot be destroyed", name, timeout_s);
        *ret_destroyed = true;
        return OUTCOME_CHANGED;
}

int hv_vm_reboot(struct hv *h, const char *name, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k < 0)
                return k;
        if (virDomainIsActive(d) != 1)
                return error_set(e, -EINVAL, "VM '%s' is not running: start it instead", name);
        if (virDomainReboot(d, 0) < 0)
                return hv_error(e, -EIO, "VM '%s': reboot failed", name);
        return OUTCOME_CHANGED;
}

int hv_vm_destroy(struct hv *h, const char *name, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k < 0)
                return k;
        if (virDomainIsActive(d) != 1)
                return OUTCOME_UNCHANGED;
        if (virDomainDestroy(d) < 0)
                return hv_error(e, -EIO, "VM '%s' cannot be destroyed", name);
        return OUTCOME_CHANGED;
}

int hv_vm_delete(struct hv *h, const char *name, bool keep_disks, struct error *e) {
        _cleanup_domain_ virDomainPtr d = NULL;
        int k = hv_domain_lookup(h, name, &d, e);
        if (k < 0)
                return k;
        _cleanup_free_ char *xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
        if (!xml)
                return hv_error(e, -EIO, "VM '%s'", name);
        _cleanup_(vm_xml_info_done) struct vm_xml_info info = { 0 };
        if ((k = vm_xml_parse(xml, &info, e)) < 0)
                return k;
        if (virDomainIsActive(d) == 1 && virDomainDestroy(d) < 0)
                return hv_error(e, -EIO, "VM '%s' cannot be stopped for deletion", name);
        unsigned flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                         (info.uefi ? VIR_DOMAIN_UNDEFINE_NVRAM : 0);
        if (virDomainUndefineFlags(d, flags) < 0 && virDomainUndefine(d) < 0)
                return hv_error(e, -EIO, "VM '%s' cannot be undefined", name);
        if (keep_disks)
                return OUTCOME_CHANGED;
        for (size_t i = 0; info.vol_names && info.vol_names[i]; i++)
                if ((k = hv_volume_delete(h, info.vol_pools[i], info.vol_names[i], e)) < 0)
                        return error_prefix(e, "VM '%s' is undefined, but", name);
        if (info.console_log)
                unlink(info.console_log);
        return OUTCOME_CHANGED;
}
