#include "md.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/probe.h"
#include "lib/strutil.h"

#define MDADM_TIMEOUT_MS (120 * 1000)
#define MD_MAP_FILE "/run/mdadm/map"   /* Debian's mdadm: MAP_DIR=/run/mdadm */

/* where the md state is read: the kernel's sysfs, or a test's copy of it */
static const char *sysfs_root = "/sys";

void md_set_sysfs_root(const char *root) {
        sysfs_root = root && *root ? root : "/sys";
}

const char *md_sysfs_root(void) {
        return sysfs_root;
}

void md_status_free(struct md_status *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_members; i++) {
                free(s->members[i].dev);
                free(s->members[i].state);
        }
        free(s->members);
        free(s->kernel_name);
        free(s->name);
        free(s->level);
        free(s->array_state);
        free(s->sync_action);
        free(s->uuid);
        free(s->metadata);
        free(s);
}

bool md_sync_action_runs(const char *action) {
        /* "frozen": nothing progresses until someone thaws it; mdadm --add
         * freezes md while it adds a disk, before the recovery starts */
        return action && *action && !streq(action, "idle") && !streq(action, "frozen");
}

bool md_sync_idle(const struct md_status *s) {
        return !md_sync_action_runs(s->sync_action);
}

bool md_recovery_pending(const struct md_status *s) {
        if (!md_sync_idle(s) || s->degraded <= 0)
                return false;
        for (size_t i = 0; i < s->n_members; i++)
                if (!s->members[i].missing && s->members[i].state && strstr(s->members[i].state, "spare") &&
                    !strstr(s->members[i].state, "faulty"))
                        return true;
        return false;
}

/* The running array whose superblock carries this name: where no udev made
 * /dev/md/<name> (an initramfs, a container, the host tests' sysfs copy). */
static char *kernel_name_of(const char *name) {
        _cleanup_strv_free_ char **knames = NULL;
        struct error ignore = { 0 };
        if (md_list(&knames, &ignore) < 0)
                return NULL;
        for (char **k = knames; k && *k; k++) {
                _cleanup_(md_status_freep) struct md_status *s = NULL;
                if (md_status_read(*k, &s, &ignore) == 0 && streq_ptr(s->name, name))
                        return strdup(*k);
        }
        return NULL;
}

int md_resolve(const char *id, char **ret, struct error *e) {
        const char *base = startswith(id, "/dev/") ? id + 5 : id;
        _cleanup_free_ char *link = NULL, *by_name = NULL;
        if (startswith(base, "md/"))
                link = strdup_printf("/dev/%s", base);
        else if (!startswith(base, "md") || strspn(base + 2, "0123456789") != strlen(base + 2))
                link = strdup_printf("/dev/md/%s", base);
        char resolved[PATH_MAX];
        const char *kname = base;
        if (link) {
                if (realpath(link, resolved))
                        kname = strrchr(resolved, '/') + 1;
                else if ((by_name = kernel_name_of(strrchr(link, '/') + 1)))
                        kname = by_name;
                else
                        return error_set(e, -ENOENT, "array %s: no such array is running (%s does not exist)", id, link);
        }
        _cleanup_free_ char *sys = strdup_printf("%s/block/%s/md", sysfs_root, kname);
        struct stat st;
        if (!sys || stat(sys, &st) < 0)
                return error_set(e, -ENOENT, "array %s: no such array is running", id);
        *ret = strdup(kname);
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

static char *md_attr(const char *kname, const char *attr) {
        _cleanup_free_ char *path = strdup_printf("%s/block/%s/md/%s", sysfs_root, kname, attr);
        char *v = NULL;
        struct error ignore = { 0 };
        return path && read_one_line(path, &v, &ignore) >= 0 ? v : NULL;
}

static int64_t md_attr_int(const char *kname, const char *attr) {
        _cleanup_free_ char *v = md_attr(kname, attr);
        return v && *v >= '0' && *v <= '9' ? strtoll(v, NULL, 10) : -1;
}

static int read_members(const char *kname, struct md_status *s) {
        _cleanup_free_ char *dir = strdup_printf("%s/block/%s/md", sysfs_root, kname);
        DIR *d = dir ? opendir(dir) : NULL;
        if (!d)
                return -errno;
        struct dirent *de;
        int k = 0;
        while (k == 0 && (de = readdir(d))) {
                const char *dev = startswith(de->d_name, "dev-");
                if (!dev)
                        continue;
                struct md_member *v = realloc(s->members, (s->n_members + 1) * sizeof *v);
                if (!v) {
                        k = -ENOMEM;
                        break;
                }
                s->members = v;
                struct md_member *m = &v[s->n_members++];
                *m = (struct md_member){ .dev = strdup(dev), .slot = -1 };
                _cleanup_free_ char *state = strdup_printf("dev-%s/state", dev), *slot = strdup_printf("dev-%s/slot", dev),
                                    *block = strdup_printf("%s/block/%s/md/dev-%s/block", sysfs_root, kname, dev);
                m->state = state ? md_attr(kname, state) : NULL;
                int64_t sl = slot ? md_attr_int(kname, slot) : -1;
                m->slot = (int)sl;
                struct stat st;
                /* a vanished disk leaves its dev-X behind with a dangling block link */
                m->missing = block && stat(block, &st) < 0;
                if (!m->dev)
                        k = -ENOMEM;
        }
        closedir(d);
        return k;
}

int md_status_read(const char *id, struct md_status **ret, struct error *e) {
        _cleanup_free_ char *kname = NULL;
        int k = md_resolve(id, &kname, e);
        if (k < 0)
                return k;
        _cleanup_(md_status_freep) struct md_status *s = calloc(1, sizeof *s);
        if (!s)
                return error_set(e, -ENOMEM, "out of memory");
        s->kernel_name = strdup(kname);
        s->level = md_attr(kname, "level");
        s->array_state = md_attr(kname, "array_state");
        s->sync_action = md_attr(kname, "sync_action");
        s->raid_disks = (int)md_attr_int(kname, "raid_disks");
        s->degraded = (int)md_attr_int(kname, "degraded");
        s->mismatch_cnt = md_attr_int(kname, "mismatch_cnt");
        s->stripe_cache_size = md_attr_int(kname, "stripe_cache_size");
        s->sync_speed_kib = -1;
        s->sync_left_bytes = -1;
        s->sync_percent = -1;
        _cleanup_free_ char *completed = md_attr(kname, "sync_completed");
        long long done, total;
        if (completed && sscanf(completed, "%lld / %lld", &done, &total) == 2 && total > 0) {
                s->sync_percent = 100.0 * (double)done / (double)total;
                s->sync_left_bytes = (total - done) * 512;
                s->sync_speed_kib = md_attr_int(kname, "sync_speed");
        }
        _cleanup_free_ char *size_path = strdup_printf("%s/block/%s/size", sysfs_root, kname);
        _cleanup_free_ char *sectors = NULL;
        struct error ignore = { 0 };
        s->size_bytes = size_path && read_one_line(size_path, &sectors, &ignore) >= 0 ? strtoll(sectors, NULL, 10) * 512 : -1;
        if (read_members(kname, s) < 0)
                return error_set(e, -EIO, "array %s: cannot read its members in /sys/block/%s/md", id, kname);

        _cleanup_free_ char *dev = strdup_printf("/dev/%s", kname);
        const char *argv[] = { "mdadm", "--detail", "--export", dev, NULL };
        _cleanup_(run_result_free) struct run_result r = { 0 };
        _cleanup_(md_detail_freep) struct md_detail *d = NULL;
        if (run_checked(argv, &(struct run_opts){ .timeout_ms = 30000 }, &r, e) < 0)
                return e->code;
        if (md_detail_parse(r.out, &d, e) < 0)
                return error_prefix(e, "mdadm --detail --export %s", dev);
        const char *name = d->devname ? d->devname : d->name;
        const char *colon = name ? strchr(name, ':') : NULL;
        s->name = name ? strdup(colon ? colon + 1 : name) : NULL;
        s->uuid = d->uuid ? strdup(d->uuid) : NULL;
        s->metadata = d->metadata ? strdup(d->metadata) : NULL;
        *ret = TAKE_PTR(s);
        return 0;
}

int md_list(char ***ret, struct error *e) {
        _cleanup_free_ char *block = strdup_printf("%s/block", sysfs_root);
        DIR *d = block ? opendir(block) : NULL;
        if (!d)
                return error_set(e, -errno, "cannot read %s: %s", block ? block : "/sys/block", strerror(errno));
        char **v = NULL;
        struct dirent *de;
        int k = 0;
        while (k == 0 && (de = readdir(d))) {
                _cleanup_free_ char *md = strdup_printf("%s/block/%s/md", sysfs_root, de->d_name);
                struct stat st;
                if (startswith(de->d_name, "md") && md && stat(md, &st) == 0)
                        k = strv_push(&v, de->d_name);
        }
        closedir(d);
        if (k < 0) {
                strv_free(v);
                return error_set(e, k, "out of memory");
        }
        *ret = v;
        return 0;
}

static int mdadm(const char *const *argv, struct run_result *r, struct error *e) {
        return run_checked(argv, &(struct run_opts){ .timeout_ms = MDADM_TIMEOUT_MS }, r, e);
}

static int mdadm_simple(const char *const *argv, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        return mdadm(argv, &r, e);
}

int md_create(char *const *plan_argv, struct error *e) {
        /* on /dev/md/<name>, not /dev/mdN: mdadm records the name's path in
         * its map, which is where udev's /dev/md/<name> link comes from */
        if (strv_length(plan_argv) < 3 || !streq(plan_argv[0], "mdadm") || !streq(plan_argv[1], "--create"))
                return error_set(e, -EINVAL, "not an mdadm --create command");
        return mdadm_simple((const char *const *)plan_argv, e);
}

int md_assemble(const char *name, char *const *members, struct error *e) {
        /* on /dev/md/<name>, like create: so that udev makes that link */
        _cleanup_free_ char *dev = strdup_printf("/dev/md/%s", name);
        size_t n = strv_length(members);
        _cleanup_free_ const char **argv = calloc(n + 5, sizeof *argv);
        if (!argv || !dev)
                return error_set(e, -ENOMEM, "out of memory");
        size_t i = 0;
        argv[i++] = "mdadm";
        argv[i++] = "--assemble";
        argv[i++] = dev;
        argv[i++] = "--run";
        for (size_t j = 0; j < n; j++)
                argv[i++] = members[j];
        return mdadm_simple(argv, e);
}

int md_stop(const char *dev, struct error *e) {
        return mdadm_simple((const char *[]){ "mdadm", "--stop", dev, NULL }, e);
}

int md_fail_member(const char *dev, const char *member, struct error *e) {
        return mdadm_simple((const char *[]){ "mdadm", dev, "--fail", member, NULL }, e);
}

/* names from a uevent: a kernel name only, so that one can only name a
 * device of /dev or a file of the array's sysfs directory, and never reads
 * as one of mdadm's options */
static int check_kernel_name(const char *name, struct error *e) {
        if (!name || !name[0] || name[0] == '-' || name[0] == '.' ||
            strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:!") != strlen(name))
                return error_set(e, -EINVAL, "'%s' is not a block device's kernel name", name ? name : "");
        return 0;
}

int md_mark_member_faulty(const char *md, const char *member, struct error *e) {
        int k = check_kernel_name(md, e);
        if (k < 0 || (k = check_kernel_name(member, e)) < 0)
                return k;
        _cleanup_free_ char *path = strdup_printf("%s/block/%s/md/dev-%s/state", sysfs_root, md, member);
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set(e, -errno, "array %s has no member %s any more", md, member);
        if (write(fd, "faulty", 6) != 6)
                return error_set(e, -errno, "array %s: md refused to mark %s faulty: %s", md, member, strerror(errno));
        return 0;
}

int md_fail_gone_member(const char *member, struct error *e) {
        int k = check_kernel_name(member, e);
        if (k < 0)
                return k;
        return mdadm_simple((const char *[]){ "mdadm", "--incremental", "--fail", member, NULL }, e);
}

int md_remove_member(const char *dev, const char *member, struct error *e) {
        return mdadm_simple((const char *[]){ "mdadm", dev, "--remove", member, NULL }, e);
}

int md_add_member(const char *dev, const char *member, struct error *e) {
        return mdadm_simple((const char *[]){ "mdadm", dev, "--add", member, NULL }, e);
}

int md_grow_devices(const char *dev, int raid_devices, struct error *e) {
        char opt[32];
        snprintf(opt, sizeof opt, "--raid-devices=%d", raid_devices);
        return mdadm_simple((const char *[]){ "mdadm", "--grow", dev, opt, NULL }, e);
}

int md_zero_superblock(const char *member, struct error *e) {
        return mdadm_simple((const char *[]){ "mdadm", "--zero-superblock", member, NULL }, e);
}

int md_sync_action(const char *id, const char *action, struct error *e) {
        _cleanup_free_ char *kname = NULL;
        int k = md_resolve(id, &kname, e);
        if (k < 0)
                return k;
        _cleanup_free_ char *path = strdup_printf("%s/block/%s/md/sync_action", sysfs_root, kname);
        FILE *f = path ? fopen(path, "we") : NULL;
        if (!f)
                return error_set(e, -errno, "array %s: cannot open %s: %s", id, path ? path : "", strerror(errno));
        int w = fprintf(f, "%s\n", action);
        if (fclose(f) != 0 || w < 0)
                return error_set(e, -EBUSY, "array %s: the kernel refused sync_action '%s' (busy with another sync?)", id, action);
        return 0;
}

int md_detail_brief(const char *dev, char **ret_line, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        int k = mdadm((const char *[]){ "mdadm", "--detail", "--brief", dev, NULL }, &r, e);
        if (k < 0)
                return k;
        char *line = str_trim(r.out);
        char *nl = strchr(line, '\n');
        if (nl)
                *nl = '\0';
        if (!startswith(line, "ARRAY "))
                return error_set(e, -EBADMSG, "mdadm --detail --brief %s printed no ARRAY line", dev);
        *ret_line = strdup(line);
        return *ret_line ? 0 : error_set(e, -ENOMEM, "out of memory");
}

int md_map_read(char ***ret_pairs, struct error *e) {
        _cleanup_free_ char *text = NULL;
        _cleanup_strv_free_ char **v = NULL;
        struct error ignore = { 0 };
        *ret_pairs = NULL;
        if (read_file(MD_MAP_FILE, 1024 * 1024, &text, NULL, &ignore) < 0)
                return 0;   /* mdadm started nothing yet */
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                /* "md127 1.2 a1b2c3d4:...:...:... /dev/md/os" */
                char kname[64], metadata[64], uuid[64], path[PATH_MAX];
                if (sscanf(line, "%63s %63s %63s %4095s", kname, metadata, uuid, path) != 4)
                        continue;
                const char *name = startswith(path, "/dev/md/");
                if (name && (strv_push(&v, kname) < 0 || strv_push(&v, name) < 0))
                        return error_set(e, -ENOMEM, "out of memory");
        }
        *ret_pairs = TAKE_PTR(v);
        return 0;
}

int md_examine_name(const char *partition, char **ret_name, struct error *e) {
        /* libblkid reads the superblock in this process: an mdadm --examine
         * costs a fork and an exec, a tenth of a second on a slow machine.
         * A RAID signature ends libblkid's probe (never ambivalent), and its
         * LABEL is the superblock's "homehost:name". */
        char *v[2] = { NULL, NULL };
        *ret_name = NULL;
        if (probe_values(partition, (const char *const[]){ "TYPE", "LABEL", NULL }, v) < 0)
                return 0;   /* nothing readable there: no superblock */
        _cleanup_free_ char *type = v[0], *label = v[1];
        if (!type || !streq(type, "linux_raid_member") || !label)
                return 0;
        const char *colon = strchr(label, ':');
        if (!(*ret_name = strdup(colon ? colon + 1 : label)))
                return error_set(e, -ENOMEM, "out of memory");
        return 0;
}
