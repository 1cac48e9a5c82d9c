#include "pool.h"

#include "hypervisor/lazy_virt.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hypervisor/xml.h"
#include "lib/outcome.h"
#include "lib/strutil.h"

void hv_pool_info_done(struct hv_pool_info *p) {
        free(p->name);
        free(p->path);
        strv_free(p->volumes);
        *p = (struct hv_pool_info) { 0 };
}

char *hv_pool_target_path(virStoragePoolPtr pool) {
        _cleanup_free_ char *xml = virStoragePoolGetXMLDesc(pool, 0);
        char *path = NULL;
        struct error e = { 0 };
        if (xml)
                (void)hv_xml_xpath_string(xml, "/pool/target/path", &path, &e);
        return path;
}

static bool is_dir(const char *p) {
        struct stat st;
        return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The pool's parent (the RAID 5 mount) must exist: hostd never creates a
 * mount point's worth of directories on the root filesystem by mistake. */
static int check_mount(const struct hv_config *cfg, const char *dir, struct error *e) {
        if (cfg->pool_mount && !is_dir(cfg->pool_mount))
                return error_set(e, -ENOENT, "pool mount %s does not exist or is not a directory (is the RAID 5 array mounted?)",
                                 cfg->pool_mount);
        _cleanup_free_ char *parent = strdup(dir);
        char *slash = parent ? strrchr(parent, '/') : NULL;
        if (slash && slash != parent)
                *slash = 0;
        if (parent && slash && !is_dir(parent))
                return error_set(e, -ENOENT, "pool directory %s: its parent %s does not exist (is the RAID 5 array mounted?)",
                                 dir, parent);
        return 0;
}

int hv_pool_create(struct hv *h, struct error *e) {
        const struct hv_config *cfg = hv_cfg(h);
        _cleanup_free_ char *dir = hv_cfg_pool_dir(cfg);
        if (!dir)
                return error_set(e, -EINVAL, "no pool directory: give the RAID 5 mount (--pool-mount) or --pool-dir");
        if (dir[0] != '/')
                return error_set(e, -EINVAL, "pool directory %s: must be an absolute path", dir);
        _cleanup_(hv_pool_freep) virStoragePoolPtr pool = virStoragePoolLookupByName(hv_conn(h), cfg->pool);
        if (pool) {
                _cleanup_free_ char *path = hv_pool_target_path(pool);
                if (!streq(path, dir))
                        return error_set(e, -EEXIST, "storage pool '%s' already exists at %s, not at %s", cfg->pool,
                                         path ? path : "?", dir);
                if (!virStoragePoolIsActive(pool) && virStoragePoolCreate(pool, 0) < 0)
                        return hv_error(e, -EIO, "storage pool '%s' at %s does not start", cfg->pool, dir);
                if (virStoragePoolSetAutostart(pool, 1) < 0)
                        return hv_error(e, -EIO, "storage pool '%s': cannot set autostart", cfg->pool);
                return OUTCOME_UNCHANGED;
        }
        int k;
        if (!hv_is_test_driver(h) && (k = check_mount(cfg, dir, e)) < 0)
                return k;
        bool existed = is_dir(dir);
        _cleanup_free_ char *xml = NULL;
        if ((k = hv_pool_xml(cfg->pool, dir, &xml, e)) < 0)
                return k;
        pool = virStoragePoolDefineXML(hv_conn(h), xml, 0);
        if (!pool)
                return hv_error(e, -EIO, "cannot define storage pool '%s' at %s", cfg->pool, dir);
        if (virStoragePoolBuild(pool, 0) < 0)
                k = hv_error(e, -EIO, "cannot make the pool directory %s", dir);
        else if (virStoragePoolCreate(pool, 0) < 0)
                k = hv_error(e, -EIO, "storage pool '%s' at %s does not start", cfg->pool, dir);
        else if (virStoragePoolSetAutostart(pool, 1) < 0)
                k = hv_error(e, -EIO, "storage pool '%s': cannot set autostart", cfg->pool);
        if (k < 0) {
                if (virStoragePoolIsActive(pool) == 1)
                        virStoragePoolDestroy(pool);
                virStoragePoolUndefine(pool);
                if (!existed && !hv_is_test_driver(h))
                        rmdir(dir);
                return k;
        }
        return OUTCOME_CHANGED;
}

int hv_pool_open(struct hv *h, virStoragePoolPtr *ret, struct error *e) {
        const char *name = hv_cfg(h)->pool;
        _cleanup_(hv_pool_freep) virStoragePoolPtr pool = virStoragePoolLookupByName(hv_conn(h), name);
        if (!pool) {
                if (hv_last_error_code() == VIR_ERR_NO_STORAGE_POOL)
                        return error_set(e, -ENOENT, "storage pool '%s' does not exist: create it with 'hostctl pool create'", name);
                return hv_error(e, -EIO, "storage pool '%s'", name);
        }
        _cleanup_free_ char *path = hv_pool_target_path(pool);
        if (!hv_is_test_driver(h) && path && !is_dir(path))
                return error_set(e, -ENOENT, "storage pool '%s': its directory %s is missing (is the RAID 5 array mounted?)",
                                 name, path);
        if (virStoragePoolIsActive(pool) != 1 && virStoragePoolCreate(pool, 0) < 0)
                return hv_error(e, -EIO, "storage pool '%s' at %s does not start", name, path ? path : "?");
        if (virStoragePoolRefresh(pool, 0) < 0)
                return hv_error(e, -EIO, "storage pool '%s' at %s", name, path ? path : "?");
        *ret = TAKE_PTR(pool);
        return 0;
}

int hv_pool_show(struct hv *h, struct hv_pool_info *ret, struct error *e) {
        _cleanup_(hv_pool_freep) virStoragePoolPtr pool = NULL;
        int k = hv_pool_open(h, &pool, e);
        if (k < 0)
                return k;
        struct hv_pool_info p = { .name = strdup(hv_cfg(h)->pool), .path = hv_pool_target_path(pool) };
        virStoragePoolInfo info;
        int autostart = 0;
        if (virStoragePoolGetInfo(pool, &info) < 0 || virStoragePoolGetAutostart(pool, &autostart) < 0) {
                hv_pool_info_done(&p);
                return hv_error(e, -EIO, "storage pool '%s'", hv_cfg(h)->pool);
        }
        p.active = info.state == VIR_STORAGE_POOL_RUNNING;
        p.autostart = autostart;
        p.capacity = info.capacity;
        p.allocation = info.allocation;
        p.available = info.available;
        virStorageVolPtr *vols = NULL;
        int n = virStoragePoolListAllVolumes(pool, &vols, 0);
        for (int i = 0; i < n; i++) {
                if (k >= 0)
                        k = strv_push(&p.volumes, virStorageVolGetName(vols[i]));
                virStorageVolFree(vols[i]);
        }
        free(vols);
        if (n < 0 || k < 0 || !p.name) {
                hv_pool_info_done(&p);
                return n < 0 ? hv_error(e, -EIO, "storage pool '%s': cannot list volumes", hv_cfg(h)->pool)
                             : error_set(e, -ENOMEM, "out of memory");
        }
        *ret = p;
        return 0;
}

int hv_volume_create(virStoragePoolPtr pool, const char *name, uint64_t size, const char *backing, struct error *e) {
        _cleanup_(hv_vol_freep) virStorageVolPtr old = virStorageVolLookupByName(pool, name);
        if (old)
                return error_set(e, -EEXIST, "volume '%s' already exists in pool '%s' (left from another VM?)", name,
                                 virStoragePoolGetName(pool));
        _cleanup_free_ char *xml = NULL;
        int k = hv_volume_xml(name, "qcow2", size, backing, NULL, &xml, e);
        if (k < 0)
                return k;
        _cleanup_(hv_vol_freep) virStorageVolPtr vol = virStorageVolCreateXML(pool, xml, 0);
        if (!vol)
                return hv_error(e, -EIO, "cannot create volume '%s' in pool '%s'", name, virStoragePoolGetName(pool));
        return OUTCOME_CHANGED;
}

int hv_volume_delete(struct hv *h, const char *pool_name, const char *name, struct error *e) {
        _cleanup_(hv_pool_freep) virStoragePoolPtr pool = virStoragePoolLookupByName(hv_conn(h), pool_name);
        if (!pool)
                return OUTCOME_UNCHANGED;
        _cleanup_(hv_vol_freep) virStorageVolPtr vol = virStorageVolLookupByName(pool, name);
        if (vol && virStorageVolDelete(vol, 0) < 0)
                return hv_error(e, -EIO, "cannot delete volume '%s' in pool '%s'", name, pool_name);
        /* a file libvirt does not list (the test driver does not scan the directory) */
        _cleanup_free_ char *dir = hv_pool_target_path(pool);
        _cleanup_free_ char *path = dir ? strdup_printf("%s/%s", dir, name) : NULL;
        bool unlinked = path && unlink(path) == 0;
        if (path && !unlinked && errno != ENOENT)
                return error_set(e, -errno, "cannot delete %s: %m", path);
        return vol || unlinked ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}
