/* The in-band slots (SCSI enclosures, PCIe hot-plug slots): bays and locate LEDs (disk_enclosure.h). */
#include "disk_enclosure.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/strutil.h"

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

/* An in-band slot with a locate LED: an SES enclosure's slot, whose `locate`
 * is 0 or 1, or the PCIe hot-plug slot of an NVMe drive, whose `attention`
 * (the slot's attention indicator, driven by the kernel's pciehp) is 0 off,
 * 1 on or 2 blinking: blinking is what the PCIe spec calls identify, on is
 * a fault. */
struct inband_slot {
        char *dir;
        char *bay;
        bool pcie;
};

static void inband_slot_clear(struct inband_slot *s) {
        free(s->dir);
        free(s->bay);
}

/* The path of the slot's LED file, or NULL */
static char *led_path(const struct inband_slot *s) {
        return strdup_printf("%s/%s", s->dir, s->pcie ? "attention" : "locate");
}

/* The SES enclosure slot that holds the SCSI device at real path dev.
 * 0, or -ENOENT. */
static int find_ses_slot(const char *root, const char *dev, struct inband_slot *ret) {
        _cleanup_free_ char *class = strdup_printf("%s/class/enclosure", root);
        _cleanup_(closedirp) DIR *encls = class ? opendir(class) : NULL;
        struct dirent *e;
        while (encls && (e = readdir(encls))) {
                if (e->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *encl = strdup_printf("%s/%s", class, e->d_name);
                _cleanup_(closedirp) DIR *slots = encl ? opendir(encl) : NULL;
                struct dirent *s;
                while (slots && (s = readdir(slots))) {
                        if (s->d_name[0] == '.')
                                continue;
                        _cleanup_free_ char *dir = strdup_printf("%s/%s", encl, s->d_name);
                        _cleanup_free_ char *link = dir ? strdup_printf("%s/device", dir) : NULL;
                        _cleanup_free_ char *real = link ? realpath(link, NULL) : NULL;
                        if (!real || !streq(real, dev))
                                continue;
                        /* the slot's number, else the component's own name
                         * ("Slot 03"): a bay is a short name, not free text */
                        _cleanup_free_ char *slot_path = strdup_printf("%s/slot", dir), *number = NULL;
                        struct error ignore = { 0 };
                        if (!slot_path || read_one_line(slot_path, &number, &ignore) < 0 || !disk_bay_valid(number)) {
                                free(number);
                                number = strdup(s->d_name);
                                for (char *p = number; p && *p; p++)
                                        if (*p == ' ')
                                                *p = '_';
                        }
                        if (!number || !disk_bay_valid(number))
                                continue;
                        *ret = (struct inband_slot){ .dir = TAKE_PTR(dir), .bay = TAKE_PTR(number) };
                        return 0;
                }
        }
        return -ENOENT;
}

/* The PCIe hot-plug slot that holds the NVMe controller at real path dev
 * (SYSFS/devices/.../0000:01:00.0/nvme/nvme0): the slot whose `address`
 * (domain:bus:device) is the controller's PCI function's. A namespace of
 * several controllers (native multipath: its device is the subsystem) has
 * no one slot. 0, or -ENOENT. */
static int find_pcie_slot(const char *root, const char *dev, struct inband_slot *ret) {
        const char *nvme = strstr(dev, "/nvme/nvme");
        if (!nvme || strchr(nvme + strlen("/nvme/"), '/'))
                return -ENOENT;
        const char *function = nvme;
        while (function > dev && function[-1] != '/')
                function--;
        const char *dot = memchr(function, '.', (size_t)(nvme - function));
        if (!dot)
                return -ENOENT;
        _cleanup_free_ char *address = strndup(function, (size_t)(dot - function));
        _cleanup_free_ char *slots_dir = strdup_printf("%s/bus/pci/slots", root);
        _cleanup_(closedirp) DIR *slots = address && slots_dir ? opendir(slots_dir) : NULL;
        struct dirent *s;
        while (slots && (s = readdir(slots))) {
                if (s->d_name[0] == '.' || !disk_bay_valid(s->d_name))
                        continue;
                _cleanup_free_ char *dir = strdup_printf("%s/%s", slots_dir, s->d_name);
                _cleanup_free_ char *path = dir ? strdup_printf("%s/address", dir) : NULL, *value = NULL;
                struct error ignore = { 0 };
                if (!path || read_one_line(path, &value, &ignore) < 0 || !streq(value, address))
                        continue;
                char *bay = strdup(s->d_name);
                if (!bay)
                        return -ENOMEM;
                *ret = (struct inband_slot){ .dir = TAKE_PTR(dir), .bay = bay, .pcie = true };
                return 0;
        }
        return -ENOENT;
}

/* The real path of disk kname's device (SCSI device, NVMe controller), or NULL */
static char *disk_device(const char *root, const char *kname) {
        if (!kname || strchr(kname, '/') || streq(kname, "..") || streq(kname, "."))
                return NULL;
        _cleanup_free_ char *link = strdup_printf("%s/block/%s/device", root, kname);
        return link ? realpath(link, NULL) : NULL;
}

/* The in-band slot that holds disk kname: an SES slot, else a PCIe one.
 * 0, or -ENOENT. */
static int find_inband_slot(const char *root, const char *kname, struct inband_slot *ret) {
        _cleanup_free_ char *dev = disk_device(root, kname);
        if (!dev)
                return -ENOENT;
        return find_ses_slot(root, dev, ret) == 0 ? 0 : find_pcie_slot(root, dev, ret);
}

int disk_list_bays_from_enclosures(struct disk_list *l, const char *sysfs_root) {
        const char *root = sysfs_root ? sysfs_root : "/sys";
        int n = 0;
        for (size_t i = 0; l && i < l->n; i++) {
                struct disk *d = &l->disks[i];
                if (d->bay)
                        continue;
                _cleanup_(inband_slot_clear) struct inband_slot s = { 0 };
                if (find_inband_slot(root, d->name, &s) == 0) {
                        d->bay = TAKE_PTR(s.bay);
                        n++;
                }
        }
        return n;
}

int disk_enclosure_locate(const char *sysfs_root, const char *kname, bool on, char **ret_bay, struct error *e) {
        const char *root = sysfs_root ? sysfs_root : "/sys";
        _cleanup_(inband_slot_clear) struct inband_slot s = { 0 };
        if (find_inband_slot(root, kname, &s) < 0)
                return error_set(e, -ENOENT, "no SCSI enclosure (SES) slot or PCIe hot-plug slot holds %s", kname);
        const char *what = s.pcie ? "the PCIe slot" : "the enclosure slot";
        _cleanup_free_ char *path = led_path(&s);
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set(e, errno == ENOENT ? -EOPNOTSUPP : -errno, "%s %s of %s has no locate LED%s", what,
                                 s.bay, kname, errno == ENOENT ? "" : " that can be set");
        const char *value = !on ? "0" : s.pcie ? "2" : "1";
        if (write(fd, value, 1) != 1)
                return error_set(e, -errno, "%s %s refused the locate LED of %s: %s", what, s.bay, kname,
                                 strerror(errno));
        if (ret_bay)
                *ret_bay = TAKE_PTR(s.bay);
        return 0;
}

int disk_enclosure_locate_state(const char *sysfs_root, const char *kname) {
        const char *root = sysfs_root ? sysfs_root : "/sys";
        _cleanup_(inband_slot_clear) struct inband_slot s = { 0 };
        if (find_inband_slot(root, kname, &s) < 0)
                return -1;
        _cleanup_free_ char *path = led_path(&s), *v = NULL;
        struct error ignore = { 0 };
        if (!path || read_one_line(path, &v, &ignore) < 0)
                return -1;
        if (streq(v, "0"))
                return 0;
        return streq(v, "1") || (s.pcie && streq(v, "2")) ? 1 : -1;
}
