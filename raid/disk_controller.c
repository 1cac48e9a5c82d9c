/* A disk's controller from sysfs (and udev's hwdb for its name), and an
 * NVMe namespace's identity: what tells a PERC's virtual disk from a disk,
 * and one NVMe namespace from another. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk_controller.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

/* A sysfs attribute's first line, or NULL. */
static char *attr_line(int dirfd, const char *rel) {
        _cleanup_close_ int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
        char buf[256];
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return NULL;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return *buf ? strdup(buf) : NULL;
}

static bool is_pci_slot(const char *name) {
        unsigned dom, bus, dev, fn;
        char end;
        return sscanf(name, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &end) == 4;
}

/* "0x1000" -> "1000" */
static const char *hex_id(const char *v) {
        return v && startswith(v, "0x") ? v + 2 : v;
}

int disk_read_controller(struct disk_controller *c, const char *syspath, struct udev *udev) {
        char real[PATH_MAX];
        if (!realpath(syspath, real))
                return 0;
        /* the PCI function nearest the disk: /sys/devices/pci0000:00/0000:00:04.0/host2/... */
        size_t slot_end = 0;
        for (const char *p = strchr(real, '/'); p; p = strchr(p + 1, '/')) {
                char name[16];
                size_t len = strcspn(p + 1, "/");
                snprintf(name, sizeof name, "%.*s", (int)(len < 15 ? len : 15), p + 1);
                if (len == 12 && is_pci_slot(name))
                        slot_end = (size_t)(p + 1 - real) + len;
        }
        if (!slot_end)
                return 0;
        real[slot_end] = '\0';
        const char *slot = real + slot_end - 12;
        _cleanup_close_ int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        _cleanup_free_ char *vendor = attr_line(fd, "vendor"), *device = attr_line(fd, "device");
        char link[PATH_MAX];
        ssize_t n = readlinkat(fd, "driver", link, sizeof link - 1);
        if (n > 0) {
                link[n] = '\0';
                c->driver = strdup(strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
        }
        c->pci_slot = strdup(slot);
        if (vendor && device)
                c->pci_id = strdup_printf("%s:%s", hex_id(vendor), hex_id(device));
        if (udev) {
                struct udev_device *pci = udev_device_new_from_syspath(udev, real);
                const char *model = pci ? udev_device_get_property_value(pci, "ID_MODEL_FROM_DATABASE") : NULL;
                if (model)
                        c->model = strdup(model);
                if (pci)
                        udev_device_unref(pci);
        }
        return c->pci_slot ? 0 : -ENOMEM;
}

int disk_read_nvme(struct disk_nvme *nv, int dirfd) {
        char link[PATH_MAX];
        ssize_t n = readlinkat(dirfd, "device", link, sizeof link - 1);
        if (n <= 0)
                return 0;
        link[n] = '\0';
        const char *ctrl = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
        if (!startswith(ctrl, "nvme"))
                return 0;
        _cleanup_free_ char *nsid = attr_line(dirfd, "nsid");
        nv->nsid = nsid ? strtoll(nsid, NULL, 10) : -1;
        nv->eui64 = attr_line(dirfd, "eui");
        /* sysfs prints the EUI-64 byte by byte, "00 25 38 8b ...": one word, as in the wwid */
        if (nv->eui64) {
                char *w = nv->eui64;
                for (const char *r = nv->eui64; *r; r++)
                        if (*r != ' ')
                                *w++ = *r;
                *w = '\0';
        }
        nv->nguid = attr_line(dirfd, "nguid");
        nv->uuid = attr_line(dirfd, "uuid");
        nv->controller = strdup(ctrl);
        return nv->controller ? 0 : -ENOMEM;
}
