#include "fileio.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strutil.h"

int read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct error *e) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return error_set(e, -errno, "cannot open %s: %s", path, strerror(errno));
        size_t cap = 4096 < max ? 4096 : max, len = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        if (!buf)
                return error_set(e, -ENOMEM, "out of memory reading %s", path);
        for (;;) {
                if (len == cap) {
                        if (cap >= max)
                                break;
                        size_t ncap = cap * 2 < max ? cap * 2 : max;
                        char *nbuf = realloc(buf, ncap + 1);
                        if (!nbuf)
                                return error_set(e, -ENOMEM, "out of memory reading %s", path);
                        buf = nbuf;
                        cap = ncap;
                }
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_set(e, -errno, "cannot read %s: %s", path, strerror(errno));
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int read_one_line(const char *path, char **ret, struct error *e) {
        char *buf = NULL;
        int k = read_file(path, 64 * 1024, &buf, NULL, e);
        if (k < 0)
                return k;
        buf[strcspn(buf, "\n")] = '\0';
        *ret = str_trim(buf);
        return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct error *e) {
        _cleanup_free_ char *tmp = strdup_printf("%s.tmp.XXXXXX", path);
        if (!tmp)
                return error_set(e, -ENOMEM, "out of memory");
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return error_set(e, -errno, "cannot create a file beside %s: %s", path, strerror(errno));
        const char *p = data;
        size_t left = len;
        int k = 0;
        while (left > 0) {
                ssize_t n = write(fd, p, left);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        k = -errno;
                        break;
                }
                p += n;
                left -= (size_t)n;
        }
        if (k == 0 && fchmod(fd, mode) < 0)
                k = -errno;
        if (k == 0 && fsync(fd) < 0)
                k = -errno;
        if (k == 0 && rename(tmp, path) < 0)
                k = -errno;
        if (k < 0) {
                unlink(tmp);
                return error_set(e, k, "cannot write %s: %s", path, strerror(-k));
        }
        return 0;
}

int mkdir_p(const char *path, mode_t mode, struct error *e) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return error_set(e, -ENOMEM, "out of memory");
        for (char *p = copy + 1; ; p++) {
                bool end = *p == '\0';
                if (*p == '/' || end) {
                        *p = '\0';
                        if (mkdir(copy, mode) < 0 && errno != EEXIST)
                                return error_set(e, -errno, "cannot create directory %s: %s", copy, strerror(errno));
                        if (end)
                                break;
                        *p = '/';
                }
        }
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return error_set(e, -ENOTDIR, "%s exists and is not a directory", path);
        return 0;
}

int mkdir_private(const char *path, struct error *e) {
        int k = mkdir_p(path, 0700, e);
        if (k < 0)
                return k;
        struct stat st;
        if (stat(path, &st) < 0)
                return error_set(e, -errno, "%s: %s", path, strerror(errno));
        if ((st.st_mode & 077) && chmod(path, st.st_mode & 0700) < 0)
                return error_set(e, -errno, "cannot make %s private (mode 0700): %s", path, strerror(errno));
        return 0;
}

int file_check_private(const char *path, const char *what, struct error *e) {
        struct stat st;
        if (stat(path, &st) < 0)
                return error_set(e, -errno, "%s %s: %s", what, path, strerror(errno));
        if (st.st_mode & (S_IROTH | S_IWOTH))
                return error_set(e, ERROR_REFUSED, "%s %s is open to every local user (mode %04o): chmod o-rwx %s", what,
                                 path, (unsigned)(st.st_mode & 07777), path);
        return 0;
}

int file_ensure_line(const char *path, const char *key, const char *line, const char *header, struct error *e) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        struct error ignore = { 0 };
        if (read_file(path, 4 * 1024 * 1024, &text, &len, &ignore) < 0) {
                if (ignore.code != -ENOENT)
                        return error_set(e, ignore.code, "%s", ignore.msg);
        }
        if (text && strstr(text, key))
                return 0;
        if (mkdir_parent(path, e) < 0)
                return e->code;
        _cleanup_free_ char *out = strdup_printf("%s%s%s%s\n", text ? text : header,
                                                 text && len && text[len - 1] != '\n' ? "\n" : "", "", line);
        if (!out)
                return error_set(e, -ENOMEM, "out of memory");
        int k = write_file_atomic(path, out, strlen(out), 0644, e);
        return k < 0 ? k : 1;
}

int file_ensure_content(const char *path, const char *data, mode_t mode, struct error *e) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0, want = strlen(data);
        struct error ignore = { 0 };
        if (read_file(path, want + 2, &text, &len, &ignore) >= 0 && len == want && memcmp(text, data, len) == 0)
                return 0;
        if (mkdir_parent(path, e) < 0)
                return e->code;
        int k = write_file_atomic(path, data, want, mode, e);
        return k < 0 ? k : 1;
}

bool path_is_mounted(const char *mountpoint) {
        _cleanup_free_ char *text = NULL;
        struct error ignore = { 0 };
        if (read_file("/proc/self/mountinfo", 16 * 1024 * 1024, &text, NULL, &ignore) < 0)
                return false;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char mp[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
                        continue;
                /* a blank or a backslash in a mount point is \040, \134 there */
                _cleanup_free_ char *plain = unescape_octal(mp, strlen(mp));
                if (plain && streq(plain, mountpoint))
                        return true;
        }
        return false;
}

int file_remove_lines(const char *path, const char *needle, struct error *e) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        struct error ignore = { 0 };
        if (read_file(path, 4 * 1024 * 1024, &text, &len, &ignore) < 0)
                return ignore.code == -ENOENT ? 0 : error_set(e, ignore.code, "%s", ignore.msg);
        _cleanup_free_ char *out = malloc(len + 1);
        if (!out)
                return error_set(e, -ENOMEM, "out of memory");
        size_t o = 0;
        int removed = 0;
        for (char *line = text; *line;) {
                char *nl = strchr(line, '\n');
                size_t l = nl ? (size_t)(nl - line) + 1 : strlen(line);
                /* a comment that mentions it is not the line that uses it */
                if (line[0] != '#' && memmem(line, l, needle, strlen(needle)))
                        removed++;
                else {
                        memcpy(out + o, line, l);
                        o += l;
                }
                line += l;
        }
        if (!removed)
                return 0;
        struct stat st;
        int k = write_file_atomic(path, out, o, stat(path, &st) == 0 ? st.st_mode & 07777 : 0644, e);
        return k < 0 ? k : removed;
}

int mkdir_parent(const char *path, struct error *e) {
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return error_set(e, -ENOMEM, "out of memory");
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir)
                return 0;
        *slash = '\0';
        return mkdir_p(dir, 0755, e);
}
