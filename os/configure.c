/* The installed system's own files: who it is, what it mounts, who may log
 * in, and the unit that finishes the job after the first boot. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "deploy_steps.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/probe.h"
#include "lib/strutil.h"
#include "target.h"

/* the package's hostctl, or the one the configure step copies */
#define HOSTCTL_PACKAGED "/usr/bin/hostctl"
#define HOSTCTL_COPIED "/usr/local/sbin/hostctl"

/* systemd's name of the mount unit of a normalized absolute path (what
 * systemd-escape --path --suffix=mount gives): "/srv/my-pool" is
 * "srv-my\x2dpool.mount". The spec's paths hold letters, digits and
 * . _ - + @ : only. */
char *os_mount_unit_name(const char *path) {
        while (*path == '/')
                path++;
        size_t len = strlen(path);
        char *out = malloc(len * 4 + sizeof "-.mount"), *o = out;
        if (!out)
                return NULL;
        if (len == 0)
                o = stpcpy(o, "-");
        for (size_t i = 0; i < len; i++) {
                char c = path[i];
                bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                             c == ':' || (c == '.' && i > 0);
                if (c == '/' && i + 1 < len)
                        *o++ = '-';
                else if (plain)
                        *o++ = c;
                else if (c != '/')
                        o += sprintf(o, "\\x%02x", (unsigned char)c);
        }
        strcpy(o, ".mount");
        return out;
}

char *os_firstboot_unit(const char *hostctl_path, char *const *data_mounts) {
        /* The pool's fstab line has nofail, and a nofail mount is not ordered
         * before local-fs.target: without its own ordering the apply would
         * race systemd to mount the pool, and one of the two would fail. */
        _cleanup_free_ char *mounts = strdup("");
        for (size_t i = 0; mounts && data_mounts && data_mounts[i]; i++) {
                _cleanup_free_ char *unit = os_mount_unit_name(data_mounts[i]), *prev = TAKE_PTR(mounts);
                mounts = unit ? strdup_printf("%s %s", prev, unit) : NULL;
        }
        if (!mounts)
                return NULL;
        return strdup_printf(
                "# Installed by hostctl apply: the part of the host spec that needs the\n"
                "# installed system (pool, container runtime, VMs), once.\n"
                "[Unit]\n"
                "Description=hostd first boot: finish the host spec\n"
                "Wants=network-online.target containerd.service%s\n"
                "After=network-online.target local-fs.target containerd.service libvirtd.service%s\n"
                /* the spec is finished (pool, runtime) before the daemon starts watching */
                "Before=hostd.service\n"
                "ConditionPathExists=!" OS_FIRSTBOOT_DONE "\n"
                "\n"
                "[Service]\n"
                "Type=oneshot\n"
                "RemainAfterExit=yes\n"
                "ExecStart=%s apply /etc/hostd/host.yaml --phase firstboot --yes\n"
                "StandardOutput=append:/var/lib/hostd/firstboot.log\n"
                "StandardError=append:/var/lib/hostd/firstboot.log\n"
                "TimeoutStartSec=3600\n"
                "\n"
                "[Install]\n"
                "WantedBy=multi-user.target\n", mounts, mounts, hostctl_path);
}

struct edits {
        const char *mnt;
        bool dry;
        int changed;
        struct error *e;
};

/* Each helper: 0 ok (changed counted), <0 error. */
static int want_content(struct edits *x, const char *rel, const char *data, mode_t mode) {
        _cleanup_free_ char *path = target_path(x->mnt, rel), *have = NULL;
        if (!path)
                return error_set(x->e, -ENOMEM, "out of memory");
        if (x->dry) {
                struct error ignore = { 0 };
                if (read_file(path, strlen(data) + 2, &have, NULL, &ignore) < 0 || !streq(have, data))
                        x->changed = 1;
                return 0;
        }
        int k = file_ensure_content(path, data, mode, x->e);
        if (k > 0)
                x->changed = 1;
        return k < 0 ? k : 0;
}

static int want_line(struct edits *x, const char *rel, const char *key, const char *line) {
        _cleanup_free_ char *path = target_path(x->mnt, rel), *have = NULL;
        if (!path)
                return error_set(x->e, -ENOMEM, "out of memory");
        struct error ignore = { 0 };
        if (read_file(path, 4 << 20, &have, NULL, &ignore) >= 0 && strstr(have, key))
                return 0;
        x->changed = 1;
        return x->dry ? 0 : file_ensure_line(path, key, line, "", x->e) < 0 ? x->e->code : 0;
}

static int want_copy(struct edits *x, const char *src, const char *rel, mode_t mode) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        if (read_file(src, 256 << 20, &data, &len, x->e) < 0)
                return x->e->code;
        _cleanup_free_ char *path = target_path(x->mnt, rel), *have = NULL;
        size_t have_len = 0;
        struct error ignore = { 0 };
        if (read_file(path, len + 1, &have, &have_len, &ignore) >= 0 && have_len == len && memcmp(have, data, len) == 0)
                return 0;
        x->changed = 1;
        if (x->dry)
                return 0;
        if (mkdir_parent(path, x->e) < 0)
                return x->e->code;
        return write_file_atomic(path, data, len, mode, x->e) < 0 ? x->e->code : 0;
}

/* root's password field in the target's /etc/shadow. */
static int want_root_hash(struct edits *x, const char *hash) {
        _cleanup_free_ char *path = target_path(x->mnt, "etc/shadow"), *text = NULL;
        if (read_file(path, 1 << 20, &text, NULL, x->e) < 0)
                return x->e->code;
        if (!startswith(text, "root:"))
                return error_set(x->e, -EINVAL, "%s does not start with root's entry", path);
        char *field = text + 5, *end = strchr(field, ':');
        if (!end)
                return error_set(x->e, -EINVAL, "%s: root's entry is malformed", path);
        if ((size_t)(end - field) == strlen(hash) && strncmp(field, hash, strlen(hash)) == 0)
                return 0;
        x->changed = 1;
        if (x->dry)
                return 0;
        _cleanup_free_ char *out = strdup_printf("root:%s%s", hash, end);
        return !out ? error_set(x->e, -ENOMEM, "out of memory")
                    : write_file_atomic(path, out, strlen(out), 0640, x->e) < 0 ? x->e->code : 0;
}

static int fstab_lines(struct edits *x, const struct os_target *t) {
        _cleanup_free_ char *uuid = probe_value(t->root_dev, "UUID"), *type = probe_value(t->root_dev, "TYPE");
        if (!uuid || !type)
                return error_set(x->e, -ENOENT, "%s has no filesystem yet", t->root_dev);
        _cleanup_free_ char *key = strdup_printf("UUID=%s ", uuid),
                            *line = strdup_printf("UUID=%s / %s errors=remount-ro 0 1", uuid, type);
        int k = want_line(x, "etc/fstab", key, line);
        if (k < 0 || !t->esp_dev)
                return k;
        _cleanup_free_ char *esp = probe_value(t->esp_dev, "UUID");
        if (!esp)
                return error_set(x->e, -ENOENT, "%s has no filesystem yet", t->esp_dev);
        _cleanup_free_ char *ekey = strdup_printf("UUID=%s ", esp),
                            /* nofail: a broken ESP must not stop a BIOS boot of the mirror */
                            *eline = strdup_printf("UUID=%s /boot/efi vfat umask=0077,nofail 0 0", esp);
        return want_line(x, "etc/fstab", ekey, eline);
}

/* hostctl and hostd copied from where this hostctl runs: a build without a
 * package (the package step installs them otherwise). */
static int copy_binaries(struct edits *x, const struct os_target *t) {
        _cleanup_free_ char *ctl = strdup_printf("%s/hostctl", t->self_dir), *d = strdup_printf("%s/hostd", t->self_dir);
        int k = want_copy(x, ctl, &HOSTCTL_COPIED[1], 0755);
        if (k >= 0 && access(d, X_OK) == 0)
                k = want_copy(x, d, "usr/local/sbin/hostd", 0755);
        return k;
}

static int firstboot_files(struct edits *x, const struct os_target *t) {
        _cleanup_free_ char *unit = os_firstboot_unit(t->package_path ? HOSTCTL_PACKAGED : HOSTCTL_COPIED, t->data_mounts);
        if (!unit)
                return error_set(x->e, -ENOMEM, "out of memory");
        int k;
        if ((!t->package_path && (k = copy_binaries(x, t)) < 0) ||
            (k = want_copy(x, t->spec_path, "etc/hostd/host.yaml", 0600)) < 0 ||
            (k = want_content(x, "etc/systemd/system/" OS_FIRSTBOOT_UNIT, unit, 0644)) < 0)
                return k;
        _cleanup_free_ char *link = target_path(t->mnt, "etc/systemd/system/multi-user.target.wants/" OS_FIRSTBOOT_UNIT);
        char have[256] = "";
        ssize_t l = readlink(link, have, sizeof have - 1);
        if (l > 0 && streq(have, "/etc/systemd/system/" OS_FIRSTBOOT_UNIT))
                return 0;
        x->changed = 1;
        if (x->dry)
                return 0;
        if (mkdir_parent(link, x->e) < 0)
                return x->e->code;
        unlink(link);
        if (symlink("/etc/systemd/system/" OS_FIRSTBOOT_UNIT, link) < 0)
                return error_set(x->e, -errno, "%s: %m", link);
        return 0;
}

int step_configure(struct os_target *t, bool dry, char *msg, size_t n, struct error *e) {
        struct edits x = { .mnt = t->mnt, .dry = dry, .e = e };
        _cleanup_free_ char *hostname = strdup_printf("%s\n", t->hostname),
                            *hosts = strdup_printf("127.0.1.1\t%s", t->hostname);
        int k;
        if ((k = want_content(&x, "etc/hostname", hostname, 0644)) < 0 ||
            (k = want_line(&x, "etc/hosts", hosts, hosts)) < 0 || (k = fstab_lines(&x, t)) < 0)
                return k;
        if (t->spec->root_password_hash && (k = want_root_hash(&x, t->spec->root_password_hash)) < 0)
                return k;
        for (char *const *key = t->spec->ssh_authorized_keys; key && *key; key++) {
                _cleanup_free_ char *dir = target_path(t->mnt, "root/.ssh");
                if (!dry && (mkdir_p(dir, 0700, e) < 0 || chmod(dir, 0700) < 0))
                        return e->code ? e->code : error_set(e, -errno, "%s: %m", dir);
                if ((k = want_line(&x, "root/.ssh/authorized_keys", *key, *key)) < 0)
                        return k;
        }
        if (t->spec->firstboot && (k = firstboot_files(&x, t)) < 0)
                return k;
        snprintf(msg, n, x.changed ? "hostname %s, fstab by UUID%s%s" : "hostname, fstab, logins and the first-boot "
                                                                        "unit are as specified",
                 t->hostname, t->spec->root_password_hash || t->spec->ssh_authorized_keys ? ", root login" : "",
                 !t->spec->firstboot ? "" : t->package_path ? ", " OS_FIRSTBOOT_UNIT : ", hostctl and " OS_FIRSTBOOT_UNIT);
        return x.changed ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}
