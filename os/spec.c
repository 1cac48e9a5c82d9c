#include "spec.h"

#include <ctype.h>
#include <string.h>

#include "lib/spec_read.h"
#include "lib/strutil.h"

void os_spec_free(struct os_spec *s) {
        if (!s)
                return;
        free(s->image);
        free(s->sha256);
        free(s->root_password_hash);
        strv_free(s->ssh_authorized_keys);
        free(s->cache_dir);
        free(s->root_array);
        free(s->esp_array);
        free(s->ca_file);
        free(s);
}

enum os_image_format os_image_format(const char *url) {
        /* by name, as tar -a does; a query string would hide it, so it is cut first */
        size_t n = strcspn(url, "?#");
        _cleanup_free_ char *name = strndup(url, n);
        if (!name)
                return OS_IMAGE_UNKNOWN;
        if (endswith(name, ".tar"))
                return OS_IMAGE_TAR;
        if (endswith(name, ".tar.gz") || endswith(name, ".tgz"))
                return OS_IMAGE_TAR_GZ;
        if (endswith(name, ".tar.xz") || endswith(name, ".txz"))
                return OS_IMAGE_TAR_XZ;
        if (endswith(name, ".tar.zst") || endswith(name, ".tzst"))
                return OS_IMAGE_TAR_ZST;
        return OS_IMAGE_UNKNOWN;
}

static bool is_sha256(const char *s) {
        if (strlen(s) != 64)
                return false;
        for (const char *c = s; *c; c++)
                if (!isxdigit((unsigned char)*c))
                        return false;
        return true;
}

int os_spec_from_json(json_object *o, struct os_spec **ret, struct error *e) {
        static const char *const known[] = { "image", "sha256", "root_password_hash", "ssh_authorized_keys", "firstboot",
                                             "cache_dir", "root_array", "esp_array", "ca_file", NULL };
        if (!json_object_is_type(o, json_type_object))
                return error_set(e, -EINVAL, "os: must be a mapping such as {image: URL, sha256: HEX}");
        int k = spec_check_keys(o, "os", known, e);
        if (k < 0)
                return k;
        _cleanup_(os_spec_freep) struct os_spec *s = calloc(1, sizeof *s);
        if (!s)
                return error_set(e, -ENOMEM, "out of memory");
        s->firstboot = true;
        if ((k = spec_read_string(o, "image", "os", &s->image, e)) < 0 ||
            (k = spec_read_string(o, "sha256", "os", &s->sha256, e)) < 0 ||
            (k = spec_read_string(o, "root_password_hash", "os", &s->root_password_hash, e)) < 0 ||
            (k = spec_read_strv(o, "ssh_authorized_keys", "os", &s->ssh_authorized_keys, e)) < 0 ||
            (k = spec_read_bool(o, "firstboot", "os", &s->firstboot, e)) < 0 ||
            (k = spec_read_path(o, "cache_dir", "os", &s->cache_dir, e)) < 0 ||
            (k = spec_read_name(o, "root_array", "os", 32, &s->root_array, e)) < 0 ||
            (k = spec_read_name(o, "esp_array", "os", 32, &s->esp_array, e)) < 0 ||
            (k = spec_read_path(o, "ca_file", "os", &s->ca_file, e)) < 0)
                return k;
        if (!s->image)
                return error_set(e, -EINVAL, "os.image: missing (an https://, http:// or file:// URL of a root filesystem tarball)");
        if (!startswith(s->image, "https://") && !startswith(s->image, "http://") && !startswith(s->image, "file:///"))
                return error_set(e, -EINVAL, "os.image: '%s' is not an https://, http:// or file:/// URL", s->image);
        if (os_image_format(s->image) == OS_IMAGE_UNKNOWN)
                return error_set(e, -EINVAL, "os.image: '%s' is not a .tar, .tar.gz, .tar.xz or .tar.zst", s->image);
        if (!s->sha256)
                return error_set(e, -EINVAL, "os.sha256: missing; the image is checked against it before anything is written");
        if (!is_sha256(s->sha256))
                return error_set(e, -EINVAL, "os.sha256: '%s' is not 64 hex digits", s->sha256);
        for (char *c = s->sha256; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        if (s->root_password_hash && s->root_password_hash[0] != '$')
                return error_set(e, -EINVAL, "os.root_password_hash: expected a crypt(3) hash such as $y$... or $6$... "
                                             "(never a plain password)");
        if (!s->root_array && !(s->root_array = strdup("os")))
                return error_set(e, -ENOMEM, "out of memory");
        if (!s->cache_dir && !(s->cache_dir = strdup(OS_DEFAULT_CACHE_DIR)))
                return error_set(e, -ENOMEM, "out of memory");
        *ret = TAKE_PTR(s);
        return 0;
}
