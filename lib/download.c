/* download_verified(): file:// checked in place; http(s) into <dest>.part,
 * resumed, verified, fsynced, then renamed to dest. */
#include "download.h"

#include <ctype.h>
#include "lib/lazy_curl.h"
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "download_internal.h"
#include "log.h"
#include "strutil.h"

static inline void curl_url_cleanupp(CURLU **u) {
        curl_url_cleanup(*u);
}

static inline void curl_freep(char **s) {
        curl_free(*s);
}
#define _cleanup_curl_free_ _cleanup_(curl_freep)

/* The URL with its password masked, for messages and logs. */
static char *display_url(const char *url) {
        _cleanup_(curl_url_cleanupp) CURLU *u = curl_url();
        _cleanup_curl_free_ char *pw = NULL, *shown = NULL;
        if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK &&
            curl_url_set(u, CURLUPART_PASSWORD, "***", 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_URL, &shown, 0) == CURLUE_OK)
                return strdup(shown);
        return strdup(url);
}

static int parse_digest(const char *s, char out[static 65], struct error *e) {
        if (!s)
                return error_set(e, -EINVAL, "a sha256 digest is required to download a file");
        size_t n = strlen(s);
        if (n != 64 || strspn(s, "0123456789abcdefABCDEF") != 64)
                return error_set(e, -EINVAL, "'%s' is not a sha256 digest (64 hex characters)", s);
        for (size_t i = 0; i < 64; i++)
                out[i] = (char)tolower((unsigned char)s[i]);
        out[64] = '\0';
        return 0;
}

static int mismatch(struct error *e, const char *what, const char *want, const char *have, int64_t size, const char *after) {
        return error_set(e, -EBADMSG, "sha256 mismatch for %s (%lld bytes): expected %s, got %s%s", what,
                         (long long)size, want, have, after);
}

/* file:// names a local file: checked where it is, never copied. */
static int verify_local(const char *url, const char *want, char **ret_path, struct error *e) {
        _cleanup_(curl_url_cleanupp) CURLU *u = curl_url();
        _cleanup_curl_free_ char *p = NULL;
        if (!u)
                return error_set(e, -ENOMEM, "out of memory");
        if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PATH, &p, CURLU_URLDECODE) != CURLUE_OK || p[0] != '/')
                return error_set(e, -EINVAL, "%s: a file URL needs an absolute local path, as in file:///srv/images/os.img",
                                 url);
        _cleanup_free_ char *path = strdup(p);
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_close_ int fd = dl_open_checked(path, O_RDONLY, false, e);
        if (fd < 0)
                return fd;
        char have[65];
        int64_t size = 0;
        int k = dl_sha256_fd(fd, path, have, &size, e);
        if (k < 0)
                return k;
        if (!streq(have, want))
                return mismatch(e, path, want, have, size, "");
        if (ret_path)
                *ret_path = TAKE_PTR(path);
        return 0;
}

/* 1: dest is there already with the wanted digest; 0: absent or different. */
static int dest_matches(const char *dest, const char *want, struct error *e) {
        _cleanup_close_ int fd = dl_open_checked(dest, O_RDONLY | O_NOFOLLOW, false, e);
        if (fd == -ENOENT) {
                error_clear(e);
                return 0;
        }
        if (fd < 0)
                return fd;
        char have[65];
        int k = dl_sha256_fd(fd, dest, have, NULL, e);
        if (k < 0)
                return k;
        log_debug("%s: sha256 %s, want %s", dest, have, want);
        return streq(have, want);
}

static int fsync_parent(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        _cleanup_close_ int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

static int fetch(const struct download_opts *o, const char *want, char **ret_path, struct error *e) {
        _cleanup_free_ char *part_path = strdup_printf("%s.part", o->dest);
        _cleanup_free_ char *dest = strdup(o->dest);
        _cleanup_free_ char *url = display_url(o->url);
        if (!part_path || !dest || !url)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_close_ int fd = dl_open_checked(part_path, O_RDWR | O_CREAT | O_NOFOLLOW, false, e);
        if (fd < 0)
                return fd;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return error_set(e, errno == EWOULDBLOCK ? -EBUSY : -errno, "%s: %s", part_path,
                                 errno == EWOULDBLOCK ? "another download into it is running" : strerror(errno));
        if (fchmod(fd, 0600) < 0)
                return error_set(e, -errno, "cannot chmod %s: %s", part_path, strerror(errno));
        _cleanup_md_ EVP_MD_CTX *md = NULL;
        int k = dl_md_new(&md, e);
        if (k < 0)
                return k;
        struct dl_part p = { .fd = fd, .path = part_path, .md = md };
        /* a leftover from an earlier run: its digest so far, then resume after it */
        if ((k = dl_hash_fd(fd, part_path, md, &p.size, e)) < 0)
                return k;
        if (p.size > 0)
                log_debug("%s: resuming after %lld bytes", part_path, (long long)p.size);
        if ((k = dl_http_fetch(o, url, &p, e)) < 0) {
                if (p.size == 0)   /* nothing to resume from: leave no litter */
                        (void)unlink(part_path);
                return k;
        }
        char have[65];
        if (dl_md_final_hex(md, have) < 0)
                return error_set(e, -EIO, "sha256 of %s failed", part_path);
        if (!streq(have, want)) {
                (void)unlink(part_path);
                return mismatch(e, url, want, have, p.size, "; the download was removed");
        }
        if (fsync(fd) < 0)
                return dl_part_error(e, &p, -errno);
        if (rename(part_path, dest) < 0)
                return error_set(e, -errno, "cannot rename %s to %s: %s", part_path, dest, strerror(errno));
        if ((k = fsync_parent(dest)) < 0)
                return error_set(e, k, "cannot sync the directory of %s: %s", dest, strerror(-k));
        if (ret_path)
                *ret_path = TAKE_PTR(dest);
        return 0;
}

int download_verified(const struct download_opts *o, char **ret_path, bool *ret_fetched, struct error *e) {
        char want[65];
        if (!o || !o->url || !o->url[0])
                return error_set(e, -EINVAL, "no URL to download");
        int k = parse_digest(o->sha256, want, e);
        if (k < 0)
                return k;
        if (ret_fetched)
                *ret_fetched = false;
        if (startswith(o->url, "file:"))
                return verify_local(o->url, want, ret_path, e);
        if (!startswith(o->url, "https://") && !startswith(o->url, "http://"))
                return error_set(e, -EINVAL, "%s: unsupported URL (https://, http:// or file://)", o->url);
        if (!o->dest || !o->dest[0])
                return error_set(e, -EINVAL, "no destination path to download into");
        if ((k = dest_matches(o->dest, want, e)) < 0)
                return k;
        if (k > 0) {
                if (ret_path && !(*ret_path = strdup(o->dest)))
                        return error_set(e, -ENOMEM, "out of memory");
                return 0;
        }
        if ((k = fetch(o, want, ret_path, e)) < 0)
                return k;
        if (ret_fetched)
                *ret_fetched = true;
        return 0;
}
