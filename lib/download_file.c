/* Files and digests for download.c: sha256 through libcrypto's EVP API, and
 * the partial file that is hashed as it grows. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "download_internal.h"
#include "strutil.h"

#define HASH_BUF (1024 * 1024)

int dl_md_new(EVP_MD_CTX **ret, struct error *e) {
        int k = lazy_open(&lazy_libcrypto, e);
        if (k < 0)
                return error_prefix(e, "cannot set up sha256");
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        if (!md)
                return error_set(e, -ENOMEM, "cannot set up sha256: out of memory");
        if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
                EVP_MD_CTX_free(md);
                return error_set(e, -EIO, "cannot set up sha256: libcrypto refused");
        }
        *ret = md;
        return 0;
}

int dl_md_final_hex(EVP_MD_CTX *md, char out[static 65]) {
        static const char digits[] = "0123456789abcdef";
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        if (EVP_DigestFinal_ex(md, d, &n) != 1 || n != 32)
                return -EIO;
        for (unsigned i = 0; i < 32; i++) {
                out[2 * i] = digits[d[i] >> 4];
                out[2 * i + 1] = digits[d[i] & 15];
        }
        out[64] = '\0';
        return 0;
}

int dl_hash_fd(int fd, const char *path, EVP_MD_CTX *md, int64_t *ret_size, struct error *e) {
        _cleanup_free_ unsigned char *buf = malloc(HASH_BUF);
        if (!buf)
                return error_set(e, -ENOMEM, "out of memory");
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        int64_t size = 0;
        for (;;) {
                ssize_t n = pread(fd, buf, HASH_BUF, size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set(e, -errno, "cannot read %s: %s", path, strerror(errno));
                if (n == 0)
                        break;
                if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
                        return error_set(e, -EIO, "sha256 of %s failed", path);
                size += n;
        }
        if (ret_size)
                *ret_size = size;
        return 0;
}

int dl_sha256_fd(int fd, const char *path, char out[static 65], int64_t *ret_size, struct error *e) {
        _cleanup_md_ EVP_MD_CTX *md = NULL;
        int k = dl_md_new(&md, e);
        if (k < 0)
                return k;
        if ((k = dl_hash_fd(fd, path, md, ret_size, e)) < 0)
                return k;
        if (dl_md_final_hex(md, out) < 0)
                return error_set(e, -EIO, "sha256 of %s failed", path);
        return 0;
}

/* O_NONBLOCK: a FIFO planted at the path must not hang us in open(). */
int dl_open_checked(const char *path, int flags, bool allow_blk, struct error *e) {
        _cleanup_close_ int fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
        if (fd < 0 && errno == ELOOP && (flags & O_NOFOLLOW))
                return error_set(e, -ELOOP, "%s is a symbolic link; refusing to use it", path);
        if (fd < 0)
                return error_set(e, -errno, "cannot open %s: %s", path, strerror(errno));
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_set(e, -errno, "cannot stat %s: %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode) && !(allow_blk && S_ISBLK(st.st_mode)))
                return error_set(e, -EINVAL, "%s is not a regular file", path);
        return TAKE_FD(fd);
}

int sha256_file(const char *path, char out[static 65], struct error *e) {
        _cleanup_close_ int fd = dl_open_checked(path, O_RDONLY, true, e);
        if (fd < 0)
                return fd;
        return dl_sha256_fd(fd, path, out, NULL, e);
}

int dl_part_append(struct dl_part *p, const void *buf, size_t len) {
        const char *b = buf;
        while (len > 0) {
                ssize_t n = pwrite(p->fd, b, len, p->size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EIO;
                /* hash what reached the file, so that file and digest never disagree */
                if (EVP_DigestUpdate(p->md, b, (size_t)n) != 1)
                        return -EIO;
                p->size += n;
                b += n;
                len -= (size_t)n;
        }
        return 0;
}

int dl_part_restart(struct dl_part *p) {
        if (ftruncate(p->fd, 0) < 0)
                return -errno;
        if (EVP_DigestInit_ex(p->md, EVP_sha256(), NULL) != 1)
                return -EIO;
        p->size = 0;
        return 0;
}

int dl_part_error(struct error *e, const struct dl_part *p, int err) {
        char sz[16];
        format_size((uint64_t)p->size, sz, sizeof sz);
        if (err == -ENOSPC || err == -EDQUOT)
                return error_set(e, err, "disk full writing %s after %s: free space and run again to resume", p->path, sz);
        return error_set(e, err, "cannot write %s after %s: %s", p->path, sz, strerror(-err));
}
