/* os/host_facts.c: read the host's facts from sysfs and /proc under a root. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host_facts.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/strutil.h"

static char *path_under(const char *root, const char *rel) {
        return strdup_printf("%s%s", root && !streq(root, "/") ? root : "", rel);
}

/* The first line of root/rel, or NULL when absent or blank. */
static char *line_under(const char *root, const char *rel) {
        _cleanup_free_ char *path = path_under(root, rel);
        char *v = NULL;
        struct error e = { 0 };
        if (!path || read_one_line(path, &v, &e) < 0)
                return NULL;
        if (!*v) {
                free(v);
                return NULL;
        }
        return v;
}

static char *text_under(const char *root, const char *rel, size_t max, size_t *ret_len) {
        _cleanup_free_ char *path = path_under(root, rel);
        char *v = NULL;
        struct error e = { 0 };
        return path && read_file(path, max, &v, ret_len, &e) >= 0 ? v : NULL;
}

void host_facts_free(struct host_facts *f) {
        if (!f)
                return;
        char **strings[] = { &f->sys_vendor,     &f->product_name,   &f->product_serial,
                             &f->product_uuid,   &f->product_sku,    &f->chassis_vendor,
                             &f->chassis_serial, &f->chassis_asset_tag, &f->bios_version };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                free(*strings[i]);
        host_cpus_free(f->cpus, f->n_cpus);
        for (size_t i = 0; i < f->n_dimms; i++)
                host_dimm_done(&f->dimms[i]);
        free(f->dimms);
        free(f);
}

static int cmp_dimm(const void *a, const void *b) {
        return ((const struct host_dimm *)a)->slot - ((const struct host_dimm *)b)->slot;
}

/* The populated memory devices; none when SMBIOS is not readable (not root). */
static int read_dimms(const char *root, struct host_facts *f) {
        _cleanup_free_ char *dir = path_under(root, "/sys/firmware/dmi/entries");
        DIR *d = dir ? opendir(dir) : NULL;
        if (!d)
                return dir ? 0 : -ENOMEM;
        int k = 0;
        for (struct dirent *de; k >= 0 && (de = readdir(d));) {
                int slot = 0;
                char tail = 0;
                if (sscanf(de->d_name, "17-%d%c", &slot, &tail) != 1)
                        continue;
                _cleanup_free_ char *rel = strdup_printf("/sys/firmware/dmi/entries/%s/raw", de->d_name);
                size_t len = 0;
                _cleanup_free_ char *raw = rel ? text_under(root, rel, 4096, &len) : NULL;
                struct host_dimm dimm = { 0 };
                struct error e = { 0 };
                if (!raw || host_smbios_dimm_parse((const unsigned char *)raw, len, &dimm, &e) < 0)
                        continue;
                dimm.slot = slot;
                if (dimm.size_mib == 0) {
                        host_dimm_done(&dimm);
                        continue;
                }
                struct host_dimm *nv = realloc(f->dimms, (f->n_dimms + 1) * sizeof *nv);
                if (!nv) {
                        host_dimm_done(&dimm);
                        k = -ENOMEM;
                        break;
                }
                f->dimms = nv;
                f->dimms[f->n_dimms++] = dimm;
        }
        closedir(d);
        if (f->n_dimms > 1)
                qsort(f->dimms, f->n_dimms, sizeof *f->dimms, cmp_dimm);
        return k;
}

int host_facts_read(const char *root, struct host_facts **ret, struct error *e) {
        _cleanup_(host_facts_freep) struct host_facts *f = calloc(1, sizeof *f);
        if (!f)
                return error_set(e, -ENOMEM, "out of memory");
        struct {
                char **field;
                const char *file;
        } dmi[] = {
                { &f->sys_vendor, "sys_vendor" },         { &f->product_name, "product_name" },
                { &f->product_serial, "product_serial" }, { &f->product_uuid, "product_uuid" },
                { &f->product_sku, "product_sku" },       { &f->chassis_vendor, "chassis_vendor" },
                { &f->chassis_serial, "chassis_serial" }, { &f->chassis_asset_tag, "chassis_asset_tag" },
                { &f->bios_version, "bios_version" },
        };
        for (size_t i = 0; i < ELEMENTSOF(dmi); i++) {
                _cleanup_free_ char *rel = strdup_printf("/sys/class/dmi/id/%s", dmi[i].file);
                *dmi[i].field = rel ? line_under(root, rel) : NULL;
        }
        _cleanup_free_ char *type = line_under(root, "/sys/class/dmi/id/chassis_type");
        f->chassis_type = type ? atoi(type) : 0;
        struct error ignored = { 0 };
        _cleanup_free_ char *cpuinfo = text_under(root, "/proc/cpuinfo", 1 << 24, NULL);
        if (cpuinfo && host_cpuinfo_parse(cpuinfo, &f->cpus, &f->n_cpus, &f->logical_cpus, &ignored) == -ENOMEM)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_free_ char *meminfo = text_under(root, "/proc/meminfo", 1 << 16, NULL);
        if (meminfo)
                (void)host_meminfo_parse(meminfo, &f->mem_total_kib, &ignored);
        if (read_dimms(root, f) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        *ret = TAKE_PTR(f);
        return 0;
}

void host_nics_free(struct host_nic *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(v[i].name);
                free(v[i].mac);
        }
        free(v);
}

static int cmp_nic(const void *a, const void *b) {
        return strcmp(((const struct host_nic *)a)->name, ((const struct host_nic *)b)->name);
}

static int nic_read(const char *root, const char *name, struct host_nic *ret) {
        _cleanup_free_ char *base = strdup_printf("/sys/class/net/%s", name);
        _cleanup_free_ char *dev = base ? strdup_printf("%s/device", base) : NULL;
        _cleanup_free_ char *dev_path = dev ? path_under(root, dev) : NULL;
        if (!dev_path)
                return -ENOMEM;
        if (access(dev_path, F_OK) < 0)
                return 0;   /* virtual: lo, a bridge, a veth ... */
        _cleanup_free_ char *mac_rel = strdup_printf("%s/address", base);
        _cleanup_free_ char *mtu_rel = strdup_printf("%s/mtu", base);
        _cleanup_free_ char *speed_rel = strdup_printf("%s/speed", base);
        _cleanup_free_ char *oper_rel = strdup_printf("%s/operstate", base);
        if (!mac_rel || !mtu_rel || !speed_rel || !oper_rel)
                return -ENOMEM;
        _cleanup_free_ char *mtu = line_under(root, mtu_rel), *speed = line_under(root, speed_rel),
                            *oper = line_under(root, oper_rel);
        *ret = (struct host_nic){
                .name = strdup(name),
                .mac = line_under(root, mac_rel),
                .mtu = mtu ? atoi(mtu) : 0,
                .speed_mbps = speed && atoi(speed) > 0 ? atoi(speed) : -1,
                .link_up = streq_ptr(oper, "up"),
        };
        return ret->name ? 1 : -ENOMEM;
}

int host_nics_read(const char *root, struct host_nic **ret, size_t *ret_n, struct error *e) {
        _cleanup_free_ char *dir = path_under(root, "/sys/class/net");
        DIR *d = dir ? opendir(dir) : NULL;
        if (!d)
                return dir ? error_set(e, -errno, "cannot read %s: %s", dir, strerror(errno))
                           : error_set(e, -ENOMEM, "out of memory");
        struct host_nic *v = NULL;
        size_t n = 0;
        int k = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                struct host_nic nic;
                struct host_nic *nv = realloc(v, (n + 1) * sizeof *v);
                if (!nv || (k = nic_read(root, de->d_name, &nic)) < 0) {
                        if (nv)
                                v = nv;
                        k = -ENOMEM;
                        break;
                }
                v = nv;
                if (k > 0)
                        v[n++] = nic;
        }
        closedir(d);
        if (k < 0) {
                host_nics_free(v, n);
                return error_set(e, -ENOMEM, "out of memory");
        }
        if (n > 1)
                qsort(v, n, sizeof *v, cmp_nic);
        *ret = v;
        *ret_n = n;
        return 0;
}
