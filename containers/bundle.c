#include "bundle.h"

#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"

static json_object *string_array(const char *const *v) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; a && v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

static json_object *process(const struct bundle_spec *s) {
        static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
        static const char *const default_env[] = { BUNDLE_DEFAULT_ENV, NULL };
        json_object *p = json_object_new_object(), *user = json_object_new_object(), *c = json_object_new_object(),
                    *rl = json_object_new_object(), *rls = json_object_new_array();
        json_add_bool(p, "terminal", false);
        json_add_int(user, "uid", 0);
        json_add_int(user, "gid", 0);
        json_object_object_add(p, "user", user);
        json_object_object_add(p, "args", string_array(s->args));
        json_object_object_add(p, "env", string_array(s->env ? s->env : default_env));
        json_add_string(p, "cwd", s->cwd ? s->cwd : "/");
        json_object_object_add(c, "bounding", string_array(caps));
        json_object_object_add(c, "effective", string_array(caps));
        json_object_object_add(c, "permitted", string_array(caps));
        json_object_object_add(p, "capabilities", c);
        json_add_string(rl, "type", "RLIMIT_NOFILE");
        json_add_int(rl, "hard", 1024);
        json_add_int(rl, "soft", 1024);
        json_object_array_add(rls, rl);
        json_object_object_add(p, "rlimits", rls);
        json_add_bool(p, "noNewPrivileges", true);
        return p;
}

static json_object *mount_entry(const char *dst, const char *type, const char *src, const char *const *options) {
        json_object *m = json_object_new_object();
        json_add_string(m, "destination", dst);
        json_add_string(m, "type", type);
        json_add_string(m, "source", src);
        if (options)
                json_object_object_add(m, "options", string_array(options));
        return m;
}

static json_object *mounts(const struct bundle_spec *s) {
        static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL },
                                 *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL },
                                 *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL },
                                 *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL },
                                 *const cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL },
                                 *const tmp[] = { "nosuid", "nodev", "mode=1777", "size=16m", NULL },
                                 *const rw[] = { "rbind", "rw", NULL }, *const ro[] = { "rbind", "ro", NULL };
        json_object *a = json_object_new_array();
        json_object_array_add(a, mount_entry("/proc", "proc", "proc", NULL));
        json_object_array_add(a, mount_entry("/dev", "tmpfs", "tmpfs", dev));
        json_object_array_add(a, mount_entry("/dev/pts", "devpts", "devpts", pts));
        json_object_array_add(a, mount_entry("/dev/shm", "tmpfs", "shm", shm));
        json_object_array_add(a, mount_entry("/sys", "sysfs", "sysfs", sys));
        json_object_array_add(a, mount_entry("/sys/fs/cgroup", "cgroup", "cgroup", cg));
        json_object_array_add(a, mount_entry("/tmp", "tmpfs", "tmpfs", tmp));
        for (size_t i = 0; i < s->n_binds; i++)
                json_object_array_add(a, mount_entry(s->binds[i].destination, "bind", s->binds[i].source,
                                               s->binds[i].readonly ? ro : rw));
        return a;
}

static json_object *resources(const struct bundle_spec *s) {
        json_object *r = json_object_new_object(), *devs = json_object_new_array(), *deny = json_object_new_object();
        json_add_bool(deny, "allow", false);
        json_add_string(deny, "access", "rwm");
        json_object_array_add(devs, deny);
        json_object_object_add(r, "devices", devs);
        if (s->memory) {
                json_object *m = json_object_new_object();
                json_add_int(m, "limit", (int64_t)s->memory);
                json_object_object_add(r, "memory", m);
        }
        if (s->cpus > 0) {
                json_object *c = json_object_new_object();
                json_add_int(c, "quota", (int64_t)(s->cpus * BUNDLE_CPU_PERIOD + 0.5));
                json_add_int(c, "period", BUNDLE_CPU_PERIOD);
                json_object_object_add(r, "cpu", c);
        }
        return r;
}

static json_object *linux_section(const struct bundle_spec *s) {
        static const char *const ns[] = { "pid", "ipc", "uts", "mount", "network" };
        static const char *const masked[] = { "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                              "/proc/timer_list", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                                              NULL },
                                 *const ro_paths[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                "/proc/sysrq-trigger", NULL };
        json_object *l = json_object_new_object(), *nsa = json_object_new_array();
        if (s->cgroups_path)
                json_add_string(l, "cgroupsPath", s->cgroups_path);
        json_object_object_add(l, "resources", resources(s));
        for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                json_object *n = json_object_new_object();
                json_add_string(n, "type", ns[i]);
                json_object_array_add(nsa, n);
        }
        json_object_object_add(l, "namespaces", nsa);
        json_object_object_add(l, "maskedPaths", string_array(masked));
        json_object_object_add(l, "readonlyPaths", string_array(ro_paths));
        return l;
}

json_object *bundle_config(const struct bundle_spec *s) {
        json_object *o = json_object_new_object(), *root = json_object_new_object();
        if (!o || !root) {
                json_object_put(o);
                json_object_put(root);
                return NULL;
        }
        json_add_string(o, "ociVersion", BUNDLE_OCI_VERSION);
        json_object_object_add(o, "process", process(s));
        json_add_string(root, "path", "rootfs");
        json_add_bool(root, "readonly", false);
        json_object_object_add(o, "root", root);
        json_add_string(o, "hostname", s->hostname);
        json_object_object_add(o, "mounts", mounts(s));
        json_object_object_add(o, "linux", linux_section(s));
        return o;
}

char *bundle_config_text(const struct bundle_spec *s) {
        _cleanup_json_ json_object *o = bundle_config(s);
        if (!o)
                return NULL;
        return strdup_printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
}
