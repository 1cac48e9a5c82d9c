/* One HTTP/1.1 request over hostd's Unix socket, without libcurl: opening
 * libcurl and the TLS, HTTP/2 and IDN libraries it pulls in cost hostctl more
 * than the whole local disk listing, for a request that needs none of them. */
#include "client_unix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/strutil.h"

#define MAX_ANSWER (64u << 20)

static int send_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return w < 0 ? -errno : -EIO;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

/* Everything hostd sends until it closes (we asked it to). */
static int read_all(int fd, char **ret, size_t *ret_n) {
        _cleanup_free_ char *b = NULL;
        size_t n = 0, cap = 0;
        for (;;) {
                if (cap - n < 65536) {
                        cap = cap ? cap * 2 : 131072;
                        if (cap > MAX_ANSWER + 65536)
                                return -EFBIG;
                        char *nb = realloc(b, cap + 1);
                        if (!nb)
                                return -ENOMEM;
                        b = nb;
                }
                ssize_t r = read(fd, b + n, cap - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        if (!b)
                return -EBADMSG;
        b[n] = '\0';
        *ret = TAKE_PTR(b);
        *ret_n = n;
        return 0;
}

/* A chunked body decoded in place; its new length, or -EBADMSG. */
static ssize_t unchunk(char *body, size_t n) {
        size_t in = 0, out = 0;
        for (;;) {
                char *end;
                unsigned long len = strtoul(body + in, &end, 16);
                char *eol = strstr(body + in, "\r\n");
                if (end == body + in || !eol || in + (size_t)(eol - (body + in)) + 2 + len > n)
                        return -EBADMSG;
                in = (size_t)(eol - body) + 2;
                if (len == 0)
                        break;
                memmove(body + out, body + in, len);
                out += len;
                in += len + 2;   /* the chunk's CRLF */
                if (in > n)
                        return -EBADMSG;
        }
        body[out] = '\0';
        return (ssize_t)out;
}

static bool has_header(const char *head, const char *name, const char *value) {
        for (const char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
                const char *h = l + 2;
                size_t nl = strlen(name);
                if (strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
                        const char *v = h + nl + 1;
                        v += strspn(v, " \t");
                        return strncasecmp(v, value, strlen(value)) == 0;
                }
        }
        return false;
}

int client_unix_request(const char *sock, const char *method, const char *path, const char *body, const char *confirm,
                        long *ret_status, char **ret_body, size_t *ret_n, struct error *e) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(sock) >= sizeof sa.sun_path)
                return error_set(e, -ENAMETOOLONG, "socket path too long: %s", sock);
        strcpy(sa.sun_path, sock);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_set(e, -errno, "socket: %s", strerror(errno));
        struct timeval tv = { .tv_sec = 60 };
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
                return error_set(e, -ECONNREFUSED, "cannot reach hostd at unix://%s: %s", sock, strerror(errno));
        _cleanup_free_ char *req = strdup_printf(
                "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept: application/json\r\n"
                "%s%s%s%sContent-Length: %zu\r\n\r\n",
                method, path, body ? "Content-Type: application/json\r\n" : "", confirm ? "X-Hostd-Confirm: " : "",
                confirm ? confirm : "", confirm ? "\r\n" : "", body ? strlen(body) : 0);
        if (!req)
                return error_set(e, -ENOMEM, "out of memory");
        int k = send_all(fd, req, strlen(req));
        if (k >= 0 && body)
                k = send_all(fd, body, strlen(body));
        _cleanup_free_ char *answer = NULL;
        size_t n = 0;
        if (k >= 0)
                k = read_all(fd, &answer, &n);
        if (k < 0)
                return error_set(e, k == -EFBIG ? k : -ECONNREFUSED, "cannot reach hostd at unix://%s: %s", sock,
                                 strerror(-k));
        int status = 0;
        char *head_end = strstr(answer, "\r\n\r\n");
        if (sscanf(answer, "HTTP/1.%*1[01] %3d", &status) != 1 || !head_end)
                return error_set(e, -EBADMSG, "hostd at unix://%s: not an HTTP answer", sock);
        *head_end = '\0';
        char *b = head_end + 4;
        ssize_t len = (ssize_t)(n - (size_t)(b - answer));
        if (has_header(answer, "Transfer-Encoding", "chunked") && (len = unchunk(b, (size_t)len)) < 0)
                return error_set(e, -EBADMSG, "hostd at unix://%s: a broken chunked answer", sock);
        memmove(answer, b, (size_t)len + 1);
        *ret_status = status;
        *ret_n = (size_t)len;
        *ret_body = TAKE_PTR(answer);
        return 0;
}
