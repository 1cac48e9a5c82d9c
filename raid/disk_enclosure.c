/* The SCSI enclosures' slots: bays and locate LEDs in-band (disk_enclosure.h). */
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

/* The slot that holds the SCSI device at real path dev: its directory in
 * *ret_slot_dir and its number in *ret_bay. 0, or -ENOENT. */
static int find_slot(const char *root, const char *dev, char **ret_slot_dir, char **ret_bay) {
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
                        *ret_bay = TAKE_PTR(number);
                        *ret_slot_dir = TAKE_PTR(dir);
                        return 0;
                }
        }
        return -ENOENT;
}

/* The real path of disk kname's SCSI device, or NULL */
static char *disk_device(const char *root, const char *kname) {
        if (!kname || strchr(kname, '/') || streq(kname, "..") || streq(kname, "."))
                return NULL;
        _cleanup_free_ char *link = strdup_printf("%s/block/%s/device", root, kname);
        return link ? realpath(link, NULL) : NULL;
}

int disk_list_bays_from_enclosures(struct disk_list *l, const char *sysfs_root) {
        const char *root = sysfs_root ? sysfs_root : "/sys";
        int n = 0;
        for (size_t i = 0; l && i < l->n; i++) {
                struct disk *d = &l->disks[i];
                if (d->bay)
                        continue;
                _cleanup_free_ char *dev = disk_device(root, d->name), *dir = NULL;
                char *bay = NULL;
                if (dev && find_slot(root, dev, &dir, &bay) == 0) {
                        d->bay = bay;
                        n++;
                }
        }
        return n;
}

int disk_enclosure_locate(const char *sysfs_root, const char *kname, bool on, char **ret_bay, struct error *e) {
        const char *root = sysfs_root ? sysfs_root : "/sys";
        _cleanup_free_ char *dev = disk_device(root, kname), *dir = NULL, *bay = NULL;
        if (!dev || find_slot(root, dev, &dir, &bay) < 0)
                return error_set(e, -ENOENT, "no SCSI enclosure (SES) holds %s", kname);
        _cleanup_free_ char *path = strdup_printf("%s/locate", dir);
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set(e, errno == ENOENT ? -EOPNOTSUPP : -errno,
                                 "the enclosure slot %s of %s has no locate LED%s", bay, kname,
                                 errno == ENOENT ? "" : " that can be set");
        if (write(fd, on ? "1" : "0", 1) != 1)
                return error_set(e, -errno, "the enclosure refused the locate LED of slot %s (%s): %s", bay, kname,
                                 strerror(errno));
        if (ret_bay) {
                *ret_bay = bay;
                bay = NULL;
        }
        return 0;
}

int disk_enclosure_locate_state(const char *sysfs_root, const char *kname) {
        const char *root = sysfs_root ? sysfs_root : "/sys";
        _cleanup_free_ char *dev = disk_device(root, kname), *dir = NULL, *bay = NULL;
        if (!dev || find_slot(root, dev, &dir, &bay) < 0)
                return -1;
        _cleanup_free_ char *path = strdup_printf("%s/locate", dir), *v = NULL;
        struct error ignore = { 0 };
        if (!path || read_one_line(path, &v, &ignore) < 0)
                return -1;
        return streq(v, "0") ? 0 : streq(v, "1") ? 1 : -1;
}
