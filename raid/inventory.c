/* The disk inventory: libudev + sysfs for identity and geometry, libblkid's
 * low-level probe for contents, holders/mountinfo/swaps for use. */
#include "inventory.h"

#include <blkid.h>
#include <dirent.h>
#include <fcntl.h>
#include <libudev.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strutil.h"
#include "disk_controller.h"
#include "disk_props.h"
#include "inventory_udev.h"

static void udev_unrefp(struct udev **p) {
        if (*p)
                udev_unref(*p);
}
static void udev_enumerate_unrefp(struct udev_enumerate **p) {
        if (*p)
                udev_enumerate_unref(*p);
}
static void udev_device_unrefp(struct udev_device **p) {
        if (*p)
                udev_device_unref(*p);
}
static void blkid_free_probep(blkid_probe *p) {
        if (*p)
                blkid_free_probe(*p);
}
static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

/* ---- sysfs attributes ---------------------------------------------------------- */

/* Raw bytes of the attribute rel under dirfd; length or -errno. */
static ssize_t attr_read(int dirfd, const char *rel, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return n;
}

/* The attribute as a clean string; NULL when missing or empty. */
static char *attr_string(int dirfd, const char *rel) {
        char buf[512];
        ssize_t n = attr_read(dirfd, rel, buf, sizeof buf);
        if (n <= 0)
                return NULL;
        char *s = disk_clean_string(buf, (size_t)n);
        if (s && !*s) {
                free(s);
                return NULL;
        }
        return s;
}

static int64_t attr_int(int dirfd, const char *rel) {
        char buf[64];
        if (attr_read(dirfd, rel, buf, sizeof buf) <= 0)
                return -1;
        char *end;
        long long v = strtoll(buf, &end, 10);
        return end == buf || v < 0 ? -1 : v;
}

/* VPD page 0x80: a 4-byte header, then the unit serial number. */
static char *attr_vpd_serial(int dirfd) {
        char buf[256];
        ssize_t n = attr_read(dirfd, "device/vpd_pg80", buf, sizeof buf);
        if (n <= 4 || (unsigned char)buf[1] != 0x80)
                return NULL;
        size_t len = ((size_t)(unsigned char)buf[2] << 8) | (unsigned char)buf[3];
        if (len > (size_t)n - 4)
                len = (size_t)n - 4;
        char *s = disk_clean_string(buf + 4, len);
        if (s && !*s) {
                free(s);
                return NULL;
        }
        return s;
}

/* Names in a directory such as holders/, sorted; missing dir: none. */
static int dir_names(int dirfd, const char *rel, char ***ret) {
        _cleanup_close_ int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        _cleanup_(closedirp) DIR *dir = fdopendir(fd);
        if (!dir)
                return -errno;
        fd = -1;
        for (struct dirent *de; (de = readdir(dir));)
                if (de->d_name[0] != '.' && strv_push(ret, de->d_name) < 0)
                        return -ENOMEM;
        return 0;
}

/* ---- identity --------------------------------------------------------------------- */

struct probe_ctx {
        struct udev_device *dev;
        bool udev;                 /* the udev database knows the device */
        int dirfd;                 /* /sys/.../block/NAME */
        struct disk *d;
};

/* Set an identity field once, remembering where it came from. */
static int take(struct disk *d, char **field, enum disk_source src, char *value, const char *origin) {
        if (!value || *field) {
                free(value);
                return 0;
        }
        *field = value;
        d->sources[src] = strdup(origin);
        return d->sources[src] ? 0 : -ENOMEM;
}

static int from_udev(struct probe_ctx *c, char **field, enum disk_source src, const char *prop, bool encoded) {
        if (!c->udev || *field)
                return 0;
        const char *v = udev_device_get_property_value(c->dev, prop);
        if (!v || !*v)
                return 0;
        _cleanup_free_ char *origin = strdup_printf("udev:%s", prop);
        if (!origin)
                return -ENOMEM;
        char *value = encoded ? disk_udev_decode(v) : disk_clean_string(v, strlen(v));
        return take(c->d, field, src, value, origin);
}

static int from_sysfs(struct probe_ctx *c, char **field, enum disk_source src, const char *attr) {
        if (*field)
                return 0;
        _cleanup_free_ char *origin = strdup_printf("sysfs:%s", attr);
        if (!origin)
                return -ENOMEM;
        return take(c->d, field, src, attr_string(c->dirfd, attr), origin);
}

static int read_identity(struct probe_ctx *c, const char *syspath) {
        struct disk *d = c->d;
        const char *bus = c->udev ? udev_device_get_property_value(c->dev, "ID_BUS") : NULL;
        int k = 0;
        /* H:C:T:L is the name of the SCSI device the disk hangs from */
        char link[PATH_MAX];
        ssize_t n = readlinkat(c->dirfd, "device", link, sizeof link - 1);
        _cleanup_free_ char *driver = NULL;
        if (n > 0) {
                link[n] = '\0';
                const char *base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
                unsigned h, ch, t, l;
                char end;
                if (sscanf(base, "%u:%u:%u:%u%c", &h, &ch, &t, &l, &end) == 4) {
                        if (take(d, &d->hctl, DISK_SRC_HCTL, strdup(base), "sysfs:device") < 0)
                                return -ENOMEM;
                        char rel[64];
                        snprintf(rel, sizeof rel, "/sys/class/scsi_host/host%u/proc_name", h);
                        driver = attr_string(AT_FDCWD, rel);
                }
        }
        /* vendor, model, firmware: sysfs holds the exact INQUIRY strings; for
         * libata disks udev's ata_id knows the untruncated ATA model */
        if (streq(bus, "ata"))
                k |= from_udev(c, &d->model, DISK_SRC_MODEL, "ID_MODEL_ENC", true);
        if (d->hctl)   /* elsewhere device/vendor is a PCI vendor id (virtio) */
                k |= from_sysfs(c, &d->vendor, DISK_SRC_VENDOR, "device/vendor");
        k |= from_udev(c, &d->vendor, DISK_SRC_VENDOR, "ID_VENDOR_ENC", true);
        k |= from_sysfs(c, &d->model, DISK_SRC_MODEL, "device/model");
        k |= from_udev(c, &d->model, DISK_SRC_MODEL, "ID_MODEL_ENC", true);
        k |= from_sysfs(c, &d->firmware, DISK_SRC_FIRMWARE, "device/rev");
        k |= from_sysfs(c, &d->firmware, DISK_SRC_FIRMWARE, "device/firmware_rev");
        k |= from_udev(c, &d->firmware, DISK_SRC_FIRMWARE, "ID_REVISION", false);
        /* serial, WWN: udev first (scsi_id, ata_id, nvme), then sysfs */
        k |= from_udev(c, &d->serial, DISK_SRC_SERIAL, "ID_SCSI_SERIAL", false);
        if (!streq(bus, "scsi"))   /* for SCSI it is the VPD 0x83 name, no serial */
                k |= from_udev(c, &d->serial, DISK_SRC_SERIAL, "ID_SERIAL_SHORT", false);
        k |= from_sysfs(c, &d->serial, DISK_SRC_SERIAL, "device/serial");
        k |= from_sysfs(c, &d->serial, DISK_SRC_SERIAL, "serial");
        if (!d->serial)
                k |= take(d, &d->serial, DISK_SRC_SERIAL, attr_vpd_serial(c->dirfd), "sysfs:device/vpd_pg80");
        k |= from_udev(c, &d->wwn, DISK_SRC_WWN, "ID_WWN_WITH_EXTENSION", false);
        k |= from_udev(c, &d->wwn, DISK_SRC_WWN, "ID_WWN", false);
        static const char *const wwids[] = { "device/wwid", "wwid" };
        for (size_t i = 0; i < ELEMENTSOF(wwids) && !d->wwn; i++) {
                _cleanup_free_ char *wwid = attr_string(c->dirfd, wwids[i]);
                _cleanup_free_ char *origin = strdup_printf("sysfs:%s", wwids[i]);
                k |= take(d, &d->wwn, DISK_SRC_WWN, disk_wwn_from_wwid(wwid), origin ? origin : "sysfs");
        }
        if (k < 0)
                return -ENOMEM;

        /* the controller (PCI), and whether the disk is a RAID controller's virtual disk */
        if (disk_read_controller(&d->controller, syspath, c->udev ? udev_device_get_udev(c->dev) : NULL) < 0 ||
            disk_read_nvme(&d->nvme, c->dirfd) < 0)
                return -ENOMEM;
        d->controller_volume = disk_controller_volume(d->controller.driver ? d->controller.driver : driver, d->hctl,
                                                      d->vendor, d->model);

        const char *tran = disk_transport(syspath, driver);
        if (take(d, &d->transport, DISK_SRC_TRANSPORT, tran ? strdup(tran) : NULL,
                 driver ? "sysfs:devpath+scsi_host/proc_name" : "sysfs:devpath") < 0)
                return -ENOMEM;

        /* by-id and by-path exist only where udev made the links */
        if (c->udev) {
                struct udev_list_entry *le;
                udev_list_entry_foreach(le, udev_device_get_devlinks_list_entry(c->dev)) {
                        const char *link_name = udev_list_entry_get_name(le);
                        if (startswith(link_name, "/dev/disk/by-id/") && strv_push(&d->by_id, link_name) < 0)
                                return -ENOMEM;
                        if (startswith(link_name, "/dev/disk/by-path/") && !d->by_path &&
                            take(d, &d->by_path, DISK_SRC_BY_PATH, strdup(link_name), "udev:DEVLINKS") < 0)
                                return -ENOMEM;
                }
                if (d->by_id && !(d->sources[DISK_SRC_BY_ID] = strdup("udev:DEVLINKS")))
                        return -ENOMEM;
        }
        return 0;
}

static void read_geometry(struct probe_ctx *c) {
        struct disk *d = c->d;
        int64_t sectors = attr_int(c->dirfd, "size");
        d->size_bytes = sectors < 0 ? -1 : sectors * 512;
        d->logical_sector_size = attr_int(c->dirfd, "queue/logical_block_size");
        d->physical_sector_size = attr_int(c->dirfd, "queue/physical_block_size");
        int64_t v = attr_int(c->dirfd, "queue/rotational");
        d->rotational = v < 0 ? -1 : v > 0;
        v = attr_int(c->dirfd, "removable");
        d->removable = v < 0 ? -1 : v > 0;
        v = attr_int(c->dirfd, "ro");
        d->read_only = v < 0 ? -1 : v > 0;
}

/* The partitions the kernel knows: sysfs children with a "partition" file. */
static int read_kernel_partitions(struct probe_ctx *c) {
        struct disk *d = c->d;
        _cleanup_close_ int fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        _cleanup_(closedirp) DIR *dir = fdopendir(fd);
        if (!dir)
                return -errno;
        fd = -1;
        for (struct dirent *de; (de = readdir(dir));) {
                if (!startswith(de->d_name, d->name))
                        continue;
                char rel[300];
                snprintf(rel, sizeof rel, "%s/partition", de->d_name);
                int64_t number = attr_int(c->dirfd, rel);
                if (number < 0)
                        continue;
                struct disk_partition *p = disk_add_partition(d);
                if (!p || !(p->name = strdup(de->d_name)))
                        return -ENOMEM;
                p->number = (int)number;
                snprintf(rel, sizeof rel, "%s/start", de->d_name);
                int64_t v = attr_int(c->dirfd, rel);
                p->start = v < 0 ? -1 : v * 512;
                snprintf(rel, sizeof rel, "%s/size", de->d_name);
                v = attr_int(c->dirfd, rel);
                p->size = v < 0 ? -1 : v * 512;
                snprintf(rel, sizeof rel, "%s/dev", de->d_name);
                p->maj_min = attr_string(c->dirfd, rel);
                snprintf(rel, sizeof rel, "%s/holders", de->d_name);
                if (dir_names(c->dirfd, rel, &p->holders) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* ---- contents: libblkid, low-level probe ------------------------------------------ */

static char *probe_value(blkid_probe pr, const char *name) {
        const char *v;
        size_t len;
        if (blkid_probe_lookup_value(pr, name, &v, &len) < 0 || !v)
                return NULL;
        return disk_clean_string(v, strnlen(v, len));
}

static int take_signature(blkid_probe pr, struct disk_signature **v, size_t *n) {
        _cleanup_free_ char *type = probe_value(pr, "TYPE");
        if (!type)
                return 0;
        struct disk_signature *s = disk_signatures_add(v, n);
        if (!s)
                return -ENOMEM;
        s->type = TAKE_PTR(type);
        s->usage = probe_value(pr, "USAGE");
        s->uuid = probe_value(pr, "UUID");
        s->label = probe_value(pr, "LABEL");
        s->version = probe_value(pr, "VERSION");
        if (streq(s->type, "linux_raid_member")) {
                s->array_uuid = disk_md_uuid(s->uuid);
                s->array_name = disk_md_name(s->label);
        }
        return 0;
}

/* blkid_do_safeprobe, with its "could not read" (-1) as -EIO: unread is
 * not blank. Else 0 found, 1 nothing, -2 ambivalent. */
static int safeprobe(blkid_probe pr) {
        int r = blkid_do_safeprobe(pr);
        return r == -1 ? -EIO : r;
}

/* Superblocks (filesystems, swap, md, LVM) in [offset, offset+size) of fd. */
static int probe_signatures(int fd, int64_t offset, int64_t size, struct disk_signature **v, size_t *n) {
        _cleanup_(blkid_free_probep) blkid_probe pr = blkid_new_probe();
        if (!pr || blkid_probe_set_device(pr, fd, offset, size) < 0)
                return -EIO;
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE | BLKID_SUBLKS_UUID |
                                                  BLKID_SUBLKS_LABEL | BLKID_SUBLKS_VERSION);
        blkid_probe_enable_partitions(pr, 0);
        int r = safeprobe(pr);
        if (r == 0)
                return take_signature(pr, v, n);
        if (r != -2)
                return r < 0 ? r : 0;
        /* ambivalent: more than one signature; list each, as wipefs does */
        blkid_reset_probe(pr);
        while (blkid_do_probe(pr) == 0)
                if (take_signature(pr, v, n) < 0)
                        return -ENOMEM;
        return 0;
}

static struct disk_partition *partition_by_number(struct disk *d, int number) {
        for (size_t i = 0; i < d->n_partitions; i++)
                if (d->partitions[i].number == number)
                        return &d->partitions[i];
        return NULL;
}

static int partition_from_blkid(struct disk *d, blkid_partition bp) {
        int number = blkid_partition_get_partno(bp);
        struct disk_partition *p = partition_by_number(d, number);
        if (!p) {   /* on disk, not (yet) in the kernel */
                if (!(p = disk_add_partition(d)))
                        return -ENOMEM;
                p->number = number;
        }
        p->start = (int64_t)blkid_partition_get_start(bp) * 512;
        p->size = (int64_t)blkid_partition_get_size(bp) * 512;
        const char *type = blkid_partition_get_type_string(bp);
        p->type = type ? strdup(type) : strdup_printf("0x%02x", blkid_partition_get_type(bp));
        const char *name = disk_part_type_name(p->type);
        p->type_name = name ? strdup(name) : NULL;
        const char *s = blkid_partition_get_uuid(bp);
        p->uuid = s ? disk_clean_string(s, strlen(s)) : NULL;
        s = blkid_partition_get_name(bp);
        p->label = s ? disk_clean_string(s, strlen(s)) : NULL;
        return p->type ? 0 : -ENOMEM;
}

static int read_contents_fd(int fd, struct disk *d) {
        /* libblkid reads many small pieces, each a synchronous I/O once the
         * last close dropped the device's page cache: ask for the regions
         * most signatures live in (the first 256K, the last 512K) up front,
         * as a few large reads */
        if (d->size_bytes > 0) {
                int64_t tail = d->size_bytes > 512 * 1024 ? d->size_bytes - 512 * 1024 : 0;
                (void)posix_fadvise(fd, 0, 256 * 1024, POSIX_FADV_WILLNEED);
                (void)posix_fadvise(fd, tail, d->size_bytes - tail, POSIX_FADV_WILLNEED);
        }
        /* one probe, both chains: the partition table and a whole-disk signature */
        _cleanup_(blkid_free_probep) blkid_probe pr = blkid_new_probe();
        if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0)
                return -EIO;
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE | BLKID_SUBLKS_UUID |
                                                  BLKID_SUBLKS_LABEL | BLKID_SUBLKS_VERSION);
        blkid_probe_enable_partitions(pr, 1);
        blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
        int r = safeprobe(pr);
        if (r == -EIO)
                return r;
        blkid_partlist pl = r == 0 ? blkid_probe_get_partitions(pr) : NULL;
        blkid_parttable tab = pl ? blkid_partlist_get_table(pl) : NULL;
        if (tab && !(d->partition_table = strdup(blkid_parttable_get_type(tab))))
                return -ENOMEM;
        for (int i = 0; pl && i < blkid_partlist_numof_partitions(pl); i++)
                if (partition_from_blkid(d, blkid_partlist_get_partition(pl, i)) < 0)
                        return -ENOMEM;
        if (r == 0 && take_signature(pr, &d->signatures, &d->n_signatures) < 0)
                return -ENOMEM;
        if (r == -2 && (r = probe_signatures(fd, 0, 0, &d->signatures, &d->n_signatures)) < 0)
                return r;   /* ambivalent: list every signature */
        for (size_t i = 0; i < d->n_partitions; i++) {
                struct disk_partition *p = &d->partitions[i];
                if (p->start >= 0 && p->size > 0 &&
                    (r = probe_signatures(fd, p->start, p->size, &p->signatures, &p->n_signatures)) < 0)
                        return r;
        }
        return (d->sources[DISK_SRC_CONTENTS] = strdup("libblkid")) ? 0 : -ENOMEM;
}

static int read_contents(struct disk *d) {
        _cleanup_close_ int fd = open(d->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        int r = fd < 0 ? -errno : read_contents_fd(fd, d);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {   /* no medium, no node, I/O errors: one disk's contents unknown, not the inventory's */
                log_debug("%s: cannot read it to probe its contents: %s", d->path, strerror(-r));
                d->contents_unreadable = true;
        }
        return 0;
}

static int partition_cmp(const void *a, const void *b) {
        return ((const struct disk_partition *)a)->number - ((const struct disk_partition *)b)->number;
}

int inventory_probe_contents(const char *path, struct disk *ret, struct error *e) {
        _cleanup_(disk_done) struct disk d = { .size_bytes = -1 };
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return error_set(e, -errno, "cannot open %s to look at it: %s", path, strerror(errno));
        if (!(d.path = strdup(path)))
                return error_set(e, -ENOMEM, "out of memory");
        int r = read_contents_fd(fd, &d);
        if (r < 0)
                return error_set(e, r, "%s: cannot probe its contents: %s", path, strerror(-r));
        if (d.n_partitions > 1)
                qsort(d.partitions, d.n_partitions, sizeof *d.partitions, partition_cmp);
        *ret = d;
        d = (struct disk){ 0 };
        return 0;
}

/* ---- one disk, all disks ---------------------------------------------------------- */

/* Identity: what needs the udev device (one thread: libudev is not thread-safe). */
static int read_disk_identity(struct udev_device *dev, bool use_udev, struct disk *d, struct error *e) {
        const char *syspath = udev_device_get_syspath(dev);
        _cleanup_close_ int dirfd = open(syspath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return error_set(e, -errno, "cannot open %s: %s", syspath, strerror(errno));
        struct probe_ctx c = {
                .dev = dev,
                .udev = use_udev && udev_device_get_is_initialized(dev) > 0,
                .dirfd = dirfd,
                .d = d,
        };
        const char *node = udev_device_get_devnode(dev);
        dev_t devnum = udev_device_get_devnum(dev);
        d->name = strdup(udev_device_get_sysname(dev));
        d->path = node ? strdup(node) : strdup_printf("/dev/%s", udev_device_get_sysname(dev));
        d->maj_min = strdup_printf("%u:%u", major(devnum), minor(devnum));
        if (!d->name || !d->path || !d->maj_min || read_identity(&c, syspath) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        log_debug("%s: identity from %s", d->name, c.udev ? "the udev database and sysfs" : "sysfs only");
        return 0;
}

/* Geometry, partitions, holders, contents: sysfs and libblkid only. */
static int read_disk_rest(struct disk *d, const char *syspath, bool probe, struct error *e) {
        _cleanup_close_ int dirfd = open(syspath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return error_set(e, -errno, "cannot open %s: %s", syspath, strerror(errno));
        struct probe_ctx c = { .dirfd = dirfd, .d = d };
        read_geometry(&c);
        if (dir_names(dirfd, "holders", &d->holders) < 0 || read_kernel_partitions(&c) < 0)
                return error_set(e, -ENOMEM, "%s: cannot read its partitions and holders", d->name);
        if (probe && d->size_bytes > 0 && read_contents(d) < 0)
                return error_set(e, -ENOMEM, "%s: cannot probe its contents", d->name);
        if (d->n_partitions > 1)
                qsort(d->partitions, d->n_partitions, sizeof *d->partitions, partition_cmp);
        return 0;
}

/* The probing of many disks waits mostly on reads: a few threads, each
 * taking the next disk. */
struct rest_job {
        struct disk_list *l;
        char **syspaths;
        const bool *probe;        /* per disk: contents from the disk itself, not udev */
        atomic_size_t next;
        pthread_mutex_t lock;
        struct error e;           /* the first failure */
};

static void *rest_worker(void *userdata) {
        struct rest_job *job = userdata;
        for (size_t i; (i = atomic_fetch_add(&job->next, 1)) < job->l->n;) {
                struct error e = { 0 };
                if (read_disk_rest(&job->l->disks[i], job->syspaths[i], job->probe[i], &e) < 0) {
                        pthread_mutex_lock(&job->lock);
                        if (!job->e.code)
                                job->e = e;
                        pthread_mutex_unlock(&job->lock);
                }
        }
        return NULL;
}

static int read_disks_rest(struct disk_list *l, char **syspaths, const bool *probe, struct error *e) {
        struct rest_job job = { .l = l, .syspaths = syspaths, .probe = probe, .lock = PTHREAD_MUTEX_INITIALIZER };
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        size_t n = cpus < 1 ? 1 : cpus > 8 ? 8 : (size_t)cpus;
        if (n > l->n)
                n = l->n;
        pthread_t threads[8];
        size_t started = 0;
        for (; started + 1 < n; started++)   /* this thread is one of them */
                if (pthread_create(&threads[started], NULL, rest_worker, &job) != 0)
                        break;
        rest_worker(&job);
        for (size_t i = 0; i < started; i++)
                pthread_join(threads[i], NULL);
        if (job.e.code) {
                *e = job.e;
                return e->code;
        }
        return 0;
}

/* Mounts and active swap devices, by maj:min. */
static int read_mount_table(struct mount_table *t, struct error *e) {
        _cleanup_free_ char *mountinfo = NULL, *swaps = NULL;
        int k = read_file("/proc/self/mountinfo", 16 * 1024 * 1024, &mountinfo, NULL, e);
        if (k < 0)
                return k;
        k = mount_table_parse_mountinfo(t, mountinfo, e);
        if (k < 0)
                return k;
        if (read_file("/proc/swaps", 1024 * 1024, &swaps, NULL, NULL) < 0)
                return 0;   /* no swap support */
        char *save = NULL;
        bool header = true;
        for (char *line = strtok_r(swaps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (header) {
                        header = false;
                        continue;
                }
                line[strcspn(line, " \t")] = '\0';
                struct stat st;
                if (stat(line, &st) < 0 || !S_ISBLK(st.st_mode))
                        continue;   /* a swap file lives on a mounted filesystem */
                if (strv_push_take(&t->swap_maj_min,
                                   strdup_printf("%u:%u", major(st.st_rdev), minor(st.st_rdev))) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        return 0;
}

static const char *test_file;

void inventory_set_test_file(const char *path) {
        test_file = path && *path ? path : NULL;
}

static int read_test_file(struct disk_list **ret, struct error *e) {
        int k = disk_list_read_json_file(test_file, ret, e);
        return k < 0 ? error_prefix(e, "test inventory") : 0;
}

/* The udev devices of the disks whose contents come from udev's database,
 * beside l->disks (NULL: probe the disk). */
struct udev_devs {
        struct udev_device **v;
        bool *probe;
        size_t n;
};

static void udev_devs_done(struct udev_devs *u) {
        for (size_t i = 0; i < u->n; i++)
                udev_device_unrefp(&u->v[i]);
        free(u->v);
        free(u->probe);
}

static int udev_devs_push(struct udev_devs *u, struct udev_device *dev_or_null) {
        struct udev_device **v = realloc(u->v, (u->n + 1) * sizeof *v);
        if (v)
                u->v = v;
        bool *p = v ? realloc(u->probe, (u->n + 1) * sizeof *p) : NULL;
        if (!p)
                return -ENOMEM;
        u->probe = p;
        u->v[u->n] = dev_or_null ? udev_device_ref(dev_or_null) : NULL;
        u->probe[u->n++] = !dev_or_null;
        return 0;
}

/* udev's record of what the disk carries, as lsblk reads it, unless asked to
 * probe (--probe, --no-udev) or udev has not processed the disk; loop, md
 * and dm devices are probed: udev's rules run blkid on them only sometimes,
 * and they cost no seek. */
static bool contents_from_udev(const struct inventory_opts *o, struct udev_device *dev) {
        return !o->probe && !o->no_udev && !disk_name_is_virtual(udev_device_get_sysname(dev)) &&
               udev_device_get_is_initialized(dev) > 0;
}

/* After the threads: contents from udev's record, or from the disk when
 * udev lacks a partition. One thread: libudev is not thread-safe. */
static int read_contents_from_udev(struct udev *u, struct disk_list *l, const struct udev_devs *devs, struct error *e) {
        for (size_t i = 0; i < l->n; i++) {
                struct disk *d = &l->disks[i];
                int k = devs->v[i] ? inventory_contents_from_udev(u, devs->v[i], d) : 1;
                if (k == 0 && d->size_bytes > 0)
                        k = read_contents(d);
                if (k < 0)
                        return error_set(e, -ENOMEM, "%s: cannot read its contents", d->name);
                if (d->n_partitions > 1)
                        qsort(d->partitions, d->n_partitions, sizeof *d->partitions, partition_cmp);
        }
        return 0;
}

int inventory_scan(const struct inventory_opts *opts, struct disk_list **ret, struct error *e) {
        if (test_file)
                return read_test_file(ret, e);
        _cleanup_(udev_unrefp) struct udev *u = udev_new();
        _cleanup_(udev_enumerate_unrefp) struct udev_enumerate *en = u ? udev_enumerate_new(u) : NULL;
        if (!en)
                return error_set(e, -ENOMEM, "cannot start libudev");
        if (udev_enumerate_add_match_subsystem(en, "block") < 0 ||
            udev_enumerate_add_match_property(en, "DEVTYPE", "disk") < 0 || udev_enumerate_scan_devices(en) < 0)
                return error_set(e, -EIO, "cannot list block devices (is /sys mounted?)");
        _cleanup_(disk_list_freep) struct disk_list *l = calloc(1, sizeof *l);
        _cleanup_strv_free_ char **syspaths = NULL;   /* beside l->disks, same order */
        _cleanup_(udev_devs_done) struct udev_devs devs = { 0 };
        if (!l)
                return error_set(e, -ENOMEM, "out of memory");
        struct udev_list_entry *le;
        udev_list_entry_foreach(le, udev_enumerate_get_list_entry(en)) {
                _cleanup_(udev_device_unrefp) struct udev_device *dev =
                        udev_device_new_from_syspath(u, udev_list_entry_get_name(le));
                if (!dev)
                        continue;   /* gone while we looked */
                if (!opts->all && disk_name_is_virtual(udev_device_get_sysname(dev)))
                        continue;
                struct disk *d = disk_list_add(l);
                if (!d || strv_push(&syspaths, udev_device_get_syspath(dev)) < 0 ||
                    udev_devs_push(&devs, contents_from_udev(opts, dev) ? dev : NULL) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
                int k = read_disk_identity(dev, !opts->no_udev, d, e);
                if (k < 0)
                        return k;
        }
        int k = l->n > 0 ? read_disks_rest(l, syspaths, devs.probe, e) : 0;
        if (k < 0 || (k = read_contents_from_udev(u, l, &devs, e)) < 0)
                return k;
        disk_list_sort(l);
        _cleanup_(mount_table_done) struct mount_table t = { 0 };
        k = read_mount_table(&t, e);
        if (k < 0)
                return k;
        if (disk_list_compute_use(l, &t) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        *ret = TAKE_PTR(l);
        return 0;
}
