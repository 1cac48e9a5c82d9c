/* hostd in the installed system as Debian installs software: the package
 * given with `hostctl apply --package` goes into the target through the
 * target's own apt, so that the host is upgraded with apt like everything
 * else and dpkg knows every file hostd put there. apt runs offline when the
 * image already holds what hostd depends on (the lab's image does), and
 * fetches the rest from the image's apt sources otherwise; when it can do
 * neither it stops before unpacking anything and says which dependency is
 * missing. Without --package the configure step copies hostctl and hostd
 * instead (a developer's build). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deploy_steps.h"
#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/strutil.h"
#include "target.h"

#define APT_MS (20 * 60 * 1000)
/* where the package waits inside the target while apt installs it */
#define INCOMING "/var/cache/hostd/incoming.deb"
/* policy-rc.d's "forbidden": no maintainer script starts a service in the
 * target, whatever init the installer itself runs */
#define POLICY_RC_D "usr/sbin/policy-rc.d"
static const char policy_rc_d[] = "#!/bin/sh\n"
                                  "# written by hostctl apply while it installs hostd into this system\n"
                                  "exit 101\n";

struct deb {
        char package[64], version[64];
};

/* "Package: hostd\nVersion: 0.1.0\n..." (the control file, `dpkg-deb -f`) into d. */
static int deb_parse_fields(const char *text, struct deb *d, const char *path, struct error *e) {
        *d = (struct deb){ 0 };
        for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                if (startswith(line, "Package: "))
                        sscanf(line + 9, "%63[a-z0-9.+-]", d->package);
                else if (startswith(line, "Version: "))
                        sscanf(line + 9, "%63[A-Za-z0-9.+~:-]", d->version);
        }
        if (!*d->package || !*d->version)
                return error_set(e, -EINVAL, "%s is not a Debian package (no Package and Version fields)", path);
        if (!streq(d->package, "hostd"))
                return error_set(e, -EINVAL, "%s is the package '%s', not hostd", path, d->package);
        return 0;
}

/* The package's name and version, from its control file: `-f FILE` alone,
 * which busybox's dpkg-deb (an installer's) knows as well as dpkg's. The
 * step trusts only the target's dpkg-deb, on the copy there; a plan, which
 * writes nothing, asks this system's and may not know. */
static int deb_read(const struct os_target *t, bool in_target, struct deb *d, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *argv[] = { "dpkg-deb", "-f", in_target ? INCOMING : t->package_path, NULL };
        int k = in_target ? target_run(t->mnt, argv, 0, &r, e) : run_checked(argv, NULL, &r, e);
        if (k < 0)
                return k;
        return deb_parse_fields(r.out, d, t->package_path, e);
}

/* The version of hostd installed in the target ("" when none is). */
static int installed_version(const struct os_target *t, char *ver, size_t n, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *argv[] = { "dpkg-query", "--show", "--showformat=${db:Status-Abbrev}${Version}", "hostd", NULL };
        *ver = '\0';
        struct error quiet = { 0 };
        /* dpkg-query exits 1 for a package it never saw: that is "none" */
        if (target_run(t->mnt, argv, 0, &r, &quiet) < 0)
                return r.exit_code == 1 ? 0 : error_set(e, quiet.code, "%s", quiet.msg);
        if (startswith(r.out, "ii "))
                snprintf(ver, n, "%s", r.out + 3);
        return 0;
}

/* apt's own words on why it would not install: its "Depends:" lines. */
static char *apt_reason(const struct run_result *r) {
        _cleanup_strv_free_ char **why = NULL;
        _cleanup_free_ char *out = strdup(r->out ? r->out : "");
        char *save = NULL;
        for (char *line = out ? strtok_r(out, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
                if (strstr(line, "Depends:"))
                        strv_push(&why, str_trim(line));
        return why ? strv_join(why, "; ") : strdup(run_tail(r->err, 300));
}

static int apt_install(const struct os_target *t, const struct deb *d, struct error *e) {
        _cleanup_free_ char *policy = target_path(t->mnt, POLICY_RC_D);
        bool own_policy = access(policy, F_OK) != 0;
        if (own_policy && file_ensure_content(policy, policy_rc_d, 0755, e) < 0)
                return e->code;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *argv[] = { "apt-get", "install", "--yes", "--no-install-recommends",
                               "-o", "Dpkg::Options::=--force-confold", INCOMING, NULL };
        struct error apt = { 0 };
        int k = target_run(t->mnt, argv, APT_MS, &r, &apt);
        if (own_policy)
                unlink(policy);
        if (k >= 0)
                return 0;
        if (r.exit_code <= 0)   /* not run, killed, timed out: the runner's words */
                return error_set(e, apt.code, "%s", apt.msg);
        _cleanup_free_ char *why = apt_reason(&r);
        return error_set(e, -ENOPKG,
                         "apt in the target would not install hostd %s from %s: %s. The image lacks what hostd "
                         "depends on and the target could not fetch it: add those packages to the image or give it "
                         "an apt source it can reach",
                         d->version, t->package_path, why ? why : "no reason given");
}

/* Does the target hold a Debian system yet? Not before the unpack step (a plan on blank disks). */
static bool dpkg_in_target(const struct os_target *t) {
        _cleanup_free_ char *status = target_path(t->mnt, "var/lib/dpkg/status");
        return status && access(status, F_OK) == 0;
}

static int copy_in(const struct os_target *t, struct error *e) {
        _cleanup_free_ char *data = NULL, *dst = target_path(t->mnt, &INCOMING[1]);
        size_t len = 0;
        if (read_file(t->package_path, 512 << 20, &data, &len, e) < 0)
                return e->code;
        if (mkdir_parent(dst, e) < 0 || write_file_atomic(dst, data, len, 0644, e) < 0)
                return e->code;
        return 0;
}

int step_package(struct os_target *t, bool dry, char *msg, size_t n, struct error *e) {
        if (!t->package_path) {
                snprintf(msg, n, "no --package: %s", t->spec->firstboot ? "the configure step copies hostctl and hostd"
                                                                        : "hostd is not put into the target");
                return OUTCOME_SKIPPED;
        }
        struct stat st;
        if (stat(t->package_path, &st) < 0 || !S_ISREG(st.st_mode))
                return error_set(e, -ENOENT, "--package %s: no such file", t->package_path);
        struct deb d = { 0 };
        struct error host = { 0 };
        bool known = deb_read(t, false, &d, &host) >= 0;
        if (!known && *d.package)   /* read, and not hostd */
                return error_set(e, host.code, "%s", host.msg);
        char have[64] = "";
        if (dpkg_in_target(t) && installed_version(t, have, sizeof have, e) < 0)
                return e->code;
        if (known && streq(have, d.version)) {
                snprintf(msg, n, "hostd %s is installed in the target", have);
                return OUTCOME_UNCHANGED;
        }
        if (dry) {
                snprintf(msg, n, "install hostd%s%s from %s with apt in the target", known ? " " : "",
                         known ? d.version : "", t->package_path);
                return OUTCOME_CHANGED;
        }
        int k = copy_in(t, e);
        if (k >= 0 && (k = target_bind_system(t->mnt, e)) >= 0 && (k = deb_read(t, true, &d, e)) >= 0 &&
            !streq(have, d.version))
                k = apt_install(t, &d, e);
        _cleanup_free_ char *incoming = target_path(t->mnt, &INCOMING[1]);
        unlink(incoming);
        if (k < 0)
                return k;
        if (streq(have, d.version)) {
                snprintf(msg, n, "hostd %s is installed in the target", have);
                return OUTCOME_UNCHANGED;
        }
        snprintf(msg, n, "installed hostd %s from %s (apt in the target%s%s)", d.version, t->package_path,
                 *have ? ", over " : "", have);
        return OUTCOME_CHANGED;
}
