#include "look.h"

#include <blkid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/probe.h"
#include "disk_props.h"
#include "inventory.h"
#include "lib/strutil.h"
#include "md.h"

static void sleep_ms(long ms) {
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
}

int wait_for_path(const char *path, int timeout_s) {
        for (long waited = 0; waited <= timeout_s * 1000L; waited += 100) {
                if (access(path, F_OK) == 0)
                        return 0;
                sleep_ms(100);
        }
        return -ETIMEDOUT;
}

bool udev_running(void) {
        return access("/run/udev/control", F_OK) == 0;
}

void udev_settle(void) {
        if (!udev_running())
                return;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        struct error ignore = { 0 };
        run_argv((const char *[]){ "udevadm", "settle", "--timeout=60", NULL }, &(struct run_opts){ .timeout_ms = 70000 },
                 &r, &ignore);
}

bool has_partition(const char *dev, int n, const char *label) {
        blkid_probe pr = blkid_new_probe_from_filename(dev);
        if (!pr)
                return false;
        bool found = false;
        blkid_probe_enable_partitions(pr, 1);
        blkid_partlist pl = blkid_probe_get_partitions(pr);
        blkid_parttable t = pl ? blkid_partlist_get_table(pl) : NULL;
        if (t && streq(blkid_parttable_get_type(t), "gpt"))
                for (int i = 0; i < blkid_partlist_numof_partitions(pl); i++) {
                        blkid_partition part = blkid_partlist_get_partition(pl, i);
                        if (blkid_partition_get_partno(part) == n && streq(blkid_partition_get_name(part), label))
                                found = true;
                }
        blkid_free_probe(pr);
        return found;
}

bool has_any_signature(const char *dev) {
        _cleanup_free_ char *type = probe_value(dev, "TYPE"), *pt = probe_value(dev, "PTTYPE");
        return type || pt;
}

int disk_still_as_planned(const char *path, const char *id, const char *seen, struct error *e) {
        _cleanup_(disk_done) struct disk now = { 0 };
        int k = inventory_probe_contents(path, &now, e);
        if (k < 0)
                return error_prefix(e, "disk %s", id);
        _cleanup_free_ char *key = disk_contents_key(&now);
        if (!key)
                return error_set(e, -ENOMEM, "out of memory");
        if (streq(key, seen))
                return 0;
        return error_set(e, ERROR_REFUSED,
                         "disk %s (%s) changed since the plan was made: the plan saw %s, it now carries %s; "
                         "nothing was written to it (look at it, then plan again)",
                         id, path, seen ? seen : "?", key);
}

bool file_contains(const char *path, const char *needle) {
        _cleanup_free_ char *text = NULL;
        struct error ignore = { 0 };
        return path && read_file(path, 4 * 1024 * 1024, &text, NULL, &ignore) >= 0 && strstr(text, needle);
}

/* By its /dev/md link, else by mdadm's map, else by asking mdadm about each
 * running array the map does not name (udev may be slow or absent; an mdadm
 * --detail is a fork and an exec). */
int find_array(const char *name, char **ret_kname) {
        struct error ignore = { 0 };
        if (md_resolve(name, ret_kname, &ignore) == 0)
                return 1;
        _cleanup_strv_free_ char **arrays = NULL, **map = NULL;
        if (md_list(&arrays, &ignore) < 0 || md_map_read(&map, &ignore) < 0)
                return 0;
        for (char **a = arrays; a && *a; a++) {
                const char *mapped = NULL;
                for (char **m = map; m && m[0] && m[1] && !mapped; m += 2)
                        if (streq(m[0], *a))
                                mapped = m[1];
                _cleanup_(md_status_freep) struct md_status *st = NULL;
                if (mapped ? streq(mapped, name)
                           : md_status_read(*a, &st, &ignore) == 0 && streq(st->name, name)) {
                        *ret_kname = strdup(*a);
                        return *ret_kname ? 1 : 0;
                }
        }
        return 0;
}

char *root_path(const char *root, const char *rel) {
        root = root ? root : "/";
        return strdup_printf("%s%s%s", root, endswith(root, "/") ? "" : "/", rel);
}

/* (the options' reasons are in look.h) */
char *fstab_data_line(const char *fs_uuid, const char *mountpoint, const char *fs_type) {
        return strdup_printf("UUID=%s %s %s defaults,nofail,x-systemd.device-timeout=90s 0 2", fs_uuid, mountpoint,
                             fs_type);
}

char *fstab_key(const char *fs_uuid) {
        return strdup_printf("UUID=%s ", fs_uuid);
}

int initramfs_refresh(const char *root, bool dry, char *msg, size_t n, struct error *e) {
        if (root && !streq(root, "/"))
                return snprintf(msg, n, "the files are under %s, not this system's: its initramfs stays", root),
                       OUTCOME_SKIPPED;
        if (dry)
                return OUTCOME_CHANGED;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        int k = run_checked((const char *[]){ "update-initramfs", "-u", NULL },
                            &(struct run_opts){ .timeout_ms = 30 * 60 * 1000 }, &r, e);
        if (k == -ENOENT)
                return snprintf(msg, n, "this system has no update-initramfs"), OUTCOME_SKIPPED;
        return k < 0 ? k : OUTCOME_CHANGED;
}
