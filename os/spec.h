/* The `os` section of a host spec: which image goes onto the OS array and
 * how the installed system starts. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/error.h"

struct os_spec {
        char *image;                  /* https://, http:// or file:// URL of a root filesystem tarball */
        char *sha256;                 /* required: nothing is written before the image matches it */
        char *root_password_hash;     /* crypt(3) hash for root, or NULL: root stays locked */
        char **ssh_authorized_keys;   /* for root */
        bool firstboot;               /* install hostd-firstboot.service (default true) */
        char *cache_dir;              /* where downloads are kept; default OS_DEFAULT_CACHE_DIR */
        char *root_array;             /* the md array that becomes "/" (default "os") */
        char *esp_array;              /* the ESP array (default "<root_array>-esp" when the layout has one) */
        char *ca_file;                /* CA for https images; system CAs otherwise */
};

#define OS_DEFAULT_CACHE_DIR "/var/cache/hostd/images"
#define OS_TARGET "/target"

void os_spec_free(struct os_spec *s);
static inline void os_spec_freep(struct os_spec **s) {
        os_spec_free(*s);
}

/* Read the value of the `os` key; errors name the key ("os.sha256: ..."). */
int os_spec_from_json(json_object *o, struct os_spec **ret, struct error *e);
/* The image's file name ("debian-12-rootfs.tar") and its unpack format. */
enum os_image_format { OS_IMAGE_TAR, OS_IMAGE_TAR_GZ, OS_IMAGE_TAR_XZ, OS_IMAGE_TAR_ZST, OS_IMAGE_UNKNOWN };
enum os_image_format os_image_format(const char *url);
