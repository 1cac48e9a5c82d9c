#include "bmc_config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "lib/yaml_json.h"

struct bmc_config *bmc_config_new(void) {
        struct bmc_config *c = calloc(1, sizeof *c);
        if (!c)
                return NULL;
        c->cipher_suite = 3;
        c->timeout_s = 20;
        c->power_timeout_s = 300;
        c->retries = 4;
        c->retry_delay_ms = 500;
        c->poll_ms = 1000;
        return c;
}

long long bmc_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L;
}

long long bmc_config_remaining_ms(const struct bmc_config *c) {
        long long per_request = (long long)c->timeout_s * 1000LL;
        if (!c->deadline_ms)
                return per_request;
        long long left = c->deadline_ms - bmc_now_ms();
        return left < 0 ? 0 : left < per_request ? left : per_request;
}

int bmc_auth_from_string(const char *s, enum bmc_auth *ret) {
        static const char *const names[] = { [BMC_AUTH_AUTO] = "auto", [BMC_AUTH_SESSION] = "session",
                                             [BMC_AUTH_BASIC] = "basic" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i])) {
                        *ret = (enum bmc_auth)i;
                        return 0;
                }
        return -EINVAL;
}

void bmc_config_free(struct bmc_config *c) {
        if (!c)
                return;
        if (c->password)
                explicit_bzero(c->password, strlen(c->password));
        free(c->password);
        free(c->name);
        free(c->host);
        free(c->user);
        free(c->ca_file);
        free(c->system);
        free(c);
}

int bmc_config_set_address(struct bmc_config *c, const char *address, struct error *e) {
        const char *rest;
        enum bmc_driver d;
        if ((rest = startswith(address, "https://")))
                d = BMC_DRIVER_REDFISH;
        else if ((rest = startswith(address, "ipmi://")))
                d = BMC_DRIVER_IPMI;
        else
                return error_set(e, -EINVAL, "BMC address '%s' must start with https:// (Redfish) or ipmi://", address);
        size_t n = strcspn(rest, "/?#");
        if (rest[n] && !(rest[n] == '/' && rest[n + 1] == '\0'))
                return error_set(e, -EINVAL, "BMC address: give only https://HOST[:PORT] or ipmi://HOST[:PORT], no path");
        _cleanup_free_ char *hostport = strndup(rest, n);
        if (!hostport)
                return error_set(e, -ENOMEM, "out of memory");
        if (strchr(hostport, '@'))
                return error_set(e, -EINVAL, "BMC address: credentials do not belong in the address; "
                                             "use --user and HOSTD_BMC_PASSWORD or --password-file");
        char *colon = hostport[0] == '[' ? strchr(hostport, ']') : hostport;
        if (!colon)
                return error_set(e, -EINVAL, "BMC address: unterminated '[' in '%s'", hostport);
        colon = strchr(colon, ':');
        int port = 0;
        if (colon) {
                char *end;
                long p = strtol(colon + 1, &end, 10);
                if (*end || p <= 0 || p > 65535)
                        return error_set(e, -EINVAL, "BMC address: bad port in '%s'", hostport);
                port = (int)p;
                *colon = '\0';
        }
        if (!hostport[0] || strspn(hostport, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_") !=
                                    strlen(hostport))
                return error_set(e, -EINVAL, "BMC address: bad host name '%s'", hostport);
        free(c->host);
        c->host = TAKE_PTR(hostport);
        c->port = port;
        c->driver = d;
        return 0;
}

static bool too_open(const struct stat *st) {
        return (st->st_mode & 077) != 0;
}

int bmc_read_password_file(const char *path, char **ret, struct error *e) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0)
                return error_set(e, -errno, "password file %s: %s", path, strerror(errno));
        if (fstat(fd, &st) < 0)
                return error_set(e, -errno, "password file %s: %s", path, strerror(errno));
        if (S_ISREG(st.st_mode) && too_open(&st))
                return error_set(e, ERROR_REFUSED, "password file %s is readable by others (mode %04o); chmod 600 it",
                                 path, (unsigned)(st.st_mode & 07777));
        char buf[1024];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n < 0)
                return error_set(e, -errno, "password file %s: %s", path, strerror(errno));
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
        char *p = strdup(buf);
        explicit_bzero(buf, sizeof buf);
        if (!p)
                return error_set(e, -ENOMEM, "out of memory");
        if (!*p) {
                free(p);
                return error_set(e, -EINVAL, "password file %s is empty", path);
        }
        *ret = p;
        return 0;
}

static int get_int(json_object *o, const char *key, int min, int max, int *ret, struct error *e) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_int) || json_object_get_int(v) < min || json_object_get_int(v) > max)
                return error_set(e, -EINVAL, "'%s' must be a number from %d to %d", key, min, max);
        *ret = json_object_get_int(v);
        return 0;
}

static int get_str(json_object *o, const char *key, char **ret, struct error *e) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return error_set(e, -EINVAL, "'%s' must be a (quoted) string", key);
        free(*ret);
        *ret = strdup(json_object_get_string(v));
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

static const char *const known_keys[] = {
        "address", "user", "password", "password_file", "ca_file", "insecure", "auth", "cipher_suite",
        "ipmi_password_via", "timeout", "power_timeout", "retries", "retry_delay_ms", "poll_ms", "system", NULL,
};

static int parse_doc(struct bmc_config *c, json_object *doc, struct error *e) {
        if (!json_object_is_type(doc, json_type_object))
                return error_set(e, -EINVAL, "expected a mapping of settings (address, user, ...)");
        json_object_object_foreach(doc, key, val) {
                (void)val;
                if (!strv_contains((char *const *)known_keys, key))
                        return error_set(e, -EINVAL, "unknown setting '%s'", key);
        }
        _cleanup_free_ char *address = NULL, *auth = NULL, *via = NULL, *pwfile = NULL;
        int k;
        if ((k = get_str(doc, "address", &address, e)) < 0 || (k = get_str(doc, "user", &c->user, e)) < 0 ||
            (k = get_str(doc, "password", &c->password, e)) < 0 || (k = get_str(doc, "password_file", &pwfile, e)) < 0 ||
            (k = get_str(doc, "ca_file", &c->ca_file, e)) < 0 || (k = get_str(doc, "system", &c->system, e)) < 0 || (k = get_str(doc, "auth", &auth, e)) < 0 ||
            (k = get_str(doc, "ipmi_password_via", &via, e)) < 0 ||
            (k = get_int(doc, "cipher_suite", 0, 17, &c->cipher_suite, e)) < 0 ||
            (k = get_int(doc, "timeout", 1, 3600, &c->timeout_s, e)) < 0 ||
            (k = get_int(doc, "power_timeout", 1, 3600, &c->power_timeout_s, e)) < 0 ||
            (k = get_int(doc, "retries", 1, 20, &c->retries, e)) < 0 ||
            (k = get_int(doc, "retry_delay_ms", 0, 60000, &c->retry_delay_ms, e)) < 0 ||
            (k = get_int(doc, "poll_ms", 10, 60000, &c->poll_ms, e)) < 0)
                return k;
        json_object *v;
        if (json_object_object_get_ex(doc, "insecure", &v)) {
                if (!json_object_is_type(v, json_type_boolean))
                        return error_set(e, -EINVAL, "'insecure' must be true or false");
                c->insecure = json_object_get_boolean(v);
        }
        if (!address)
                return error_set(e, -EINVAL, "'address' is missing (https://HOST[:PORT] or ipmi://HOST[:PORT])");
        if ((k = bmc_config_set_address(c, address, e)) < 0)
                return k;
        if (auth && bmc_auth_from_string(auth, &c->auth) < 0)
                return error_set(e, -EINVAL, "'auth' must be auto, session or basic");
        if (via && !streq(via, "env") && !streq(via, "file"))
                return error_set(e, -EINVAL, "'ipmi_password_via' must be env or file");
        c->ipmi_secret = streq(via, "file") ? BMC_IPMI_SECRET_FILE : BMC_IPMI_SECRET_ENV;
        if (pwfile && c->password)
                return error_set(e, -EINVAL, "give 'password' or 'password_file', not both");
        if (pwfile && (k = bmc_read_password_file(pwfile, &c->password, e)) < 0)
                return k;
        return 0;
}

int bmc_config_parse(const char *name, const char *text, size_t len, struct bmc_config **ret, struct error *e) {
        _cleanup_json_ json_object *doc = NULL;
        _cleanup_(bmc_config_freep) struct bmc_config *c = bmc_config_new();
        if (!c)
                return error_set(e, -ENOMEM, "out of memory");
        int k = yaml_parse_to_json(text, len, &doc, e);
        if (k >= 0)
                k = parse_doc(c, doc, e);
        if (k < 0)
                return error_prefix(e, "BMC %s", name);
        if (!(c->name = strdup(name)))
                return error_set(e, -ENOMEM, "out of memory");
        *ret = TAKE_PTR(c);
        return 0;
}

static bool valid_name(const char *name) {
        return name[0] && name[0] != '.' && strlen(name) < 128 &&
               strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == strlen(name);
}

int bmc_config_load(const char *dir, const char *name, struct bmc_config **ret, struct error *e) {
        if (!valid_name(name))
                return error_set(e, -EINVAL, "bad BMC name '%s' (letters, digits, '.', '_', '-')", name);
        if (!dir)
                dir = getenv("HOSTD_BMC_CONFIG_DIR");
        if (!dir || !*dir)
                dir = BMC_CONFIG_DIR;
        _cleanup_free_ char *path = strdup_printf("%s/%s.yaml", dir, name);
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0)
                return error_set(e, -errno, "BMC %s: %s: %s", name, path, strerror(errno));
        if (fstat(fd, &st) < 0)
                return error_set(e, -errno, "BMC %s: %s: %s", name, path, strerror(errno));
        if (too_open(&st))
                return error_set(e, ERROR_REFUSED, "BMC %s: %s holds credentials and is readable by others (mode %04o); "
                                 "chmod 600 it", name, path, (unsigned)(st.st_mode & 07777));
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        _cleanup_free_ char *fdpath = strdup_printf("/proc/self/fd/%d", fd);
        int k = read_file(fdpath ? fdpath : path, 64 * 1024, &text, &len, e);
        if (k < 0)
                return error_prefix(e, "BMC %s", name);
        k = bmc_config_parse(name, text, len, ret, e);
        explicit_bzero(text, len);
        return k;
}
