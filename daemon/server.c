/* daemon/server.c: libmicrohttpd daemons, body limits, authentication. */
#include "server.h"

#include <arpa/inet.h>
#include <grp.h>
#include <microhttpd.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "api.h"
#include "auth.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/strutil.h"

struct listener {
        struct hostd *h;
        struct MHD_Daemon *d;
        bool tcp;
        gid_t group;              /* Unix socket: this group may connect; (gid_t)-1: none */
};

struct server {
        struct listener unix_l, tcp_l;
        char *socket_path;
        char *cert, *key;
};

struct request {
        struct daemon_config *cfg;    /* the configuration the request started with */
        char *body;
        size_t len;
        bool too_big;
};

enum { PEER_UNKNOWN, PEER_OK, PEER_DENIED };

static bool uid_in_group(uid_t uid, gid_t gid, gid_t group) {
        if (group == (gid_t)-1)
                return false;
        if (gid == group)
                return true;
        char buf[4096];
        struct passwd pw, *res = NULL;
        if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) != 0 || !res)
                return false;
        gid_t groups[256];
        int n = ELEMENTSOF(groups);
        if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0)
                return false;
        for (int i = 0; i < n; i++)
                if (groups[i] == group)
                        return true;
        return false;
}

/* Unix socket: decide once per connection, from the peer's credentials. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode code) {
        struct listener *l = cls;
        if (code != MHD_CONNECTION_NOTIFY_STARTED || l->tcp)
                return;
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct ucred cred;
        socklen_t len = sizeof cred;
        intptr_t v = PEER_DENIED;
        if (ci && getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
                if (cred.uid == 0 || cred.uid == geteuid() || uid_in_group(cred.uid, cred.gid, l->group))
                        v = PEER_OK;
                else
                        log_info("refused a local client: uid %u is not in the socket's group", (unsigned)cred.uid);
        }
        *socket_context = (void *)v;
}

static enum MHD_Result send_response(struct MHD_Connection *c, struct api_response *r) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_FREE);
        if (!resp)
                return MHD_NO;
        r->body = NULL;
        if (r->content_type)
                MHD_add_response_header(resp, "Content-Type", r->content_type);
        MHD_add_response_header(resp, "OData-Version", "4.0");
        MHD_add_response_header(resp, "Cache-Control", "no-store");
        if (r->location)
                MHD_add_response_header(resp, "Location", r->location);
        if (r->auth_token)
                MHD_add_response_header(resp, "X-Auth-Token", r->auth_token);
        if (r->allow)
                MHD_add_response_header(resp, "Allow", r->allow);
        if (r->etag)
                MHD_add_response_header(resp, "ETag", r->etag);
        enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
        MHD_destroy_response(resp);
        return ret;
}

static enum MHD_Result unauthorized(struct MHD_Connection *c) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;
        enum MHD_Result ret = MHD_queue_basic_auth_fail_response(c, "hostd", resp);
        MHD_destroy_response(resp);
        return ret;
}

/* TCP: who is asking, or false. The ServiceRoot and the login are open, as Redfish requires. */
static bool authenticate(struct listener *l, struct MHD_Connection *c, const char *url, const char *method,
                         char *user, size_t user_len) {
        if (streq(method, "GET") && (streq(url, "/redfish/v1") || streq(url, "/redfish/v1/") || streq(url, "/redfish")))
                return snprintf(user, user_len, "anonymous"), true;
        if (streq(method, "POST") && (streq(url, "/redfish/v1/SessionService/Sessions") ||
                                      streq(url, "/redfish/v1/SessionService/Sessions/")))
                return snprintf(user, user_len, "anonymous"), true;
        if (!l->h->auth)
                return false;
        const char *token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Auth-Token");
        if (token)
                return auth_session_check(l->h->auth, token, user, user_len);
        char *pass = NULL;
        char *name = MHD_basic_auth_get_username_password(c, &pass);
        bool ok = name && pass && auth_check_password(l->h->auth, name, pass);
        if (ok)
                snprintf(user, user_len, "%s", name);
        if (pass) {
                explicit_bzero(pass, strlen(pass));
                MHD_free(pass);
        }
        MHD_free(name);
        return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls) {
        struct listener *l = cls;
        struct request *rq = *con_cls;
        if (!rq) {
                rq = calloc(1, sizeof *rq);
                if (!rq)
                        return MHD_NO;
                *con_cls = rq;
                rq->cfg = hostd_config(l->h);
                const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
                /* too big: the body is read and dropped, then 413 (an early answer would
                 * reset the connection while the client still sends); absurd sizes: 413 now */
                unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;
                rq->too_big = n > rq->cfg->max_body;
                if (n <= 64ull * rq->cfg->max_body)
                        return MHD_YES;
        }
        if (*upload_size) {
                if (!rq->too_big && rq->len + *upload_size <= rq->cfg->max_body) {
                        char *nb = realloc(rq->body, rq->len + *upload_size + 1);
                        if (!nb)
                                return MHD_NO;
                        rq->body = nb;
                        memcpy(rq->body + rq->len, upload, *upload_size);
                        rq->len += *upload_size;
                        rq->body[rq->len] = '\0';
                } else
                        rq->too_big = true;
                *upload_size = 0;
                return MHD_YES;
        }
        struct api_response r = { 0 };
        char user[80] = "";
        if (!l->tcp) {
                const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
                if (!ci || (intptr_t)ci->socket_context != PEER_OK) {
                        api_error(&r, 403, "InsufficientPrivilege", "this user may not use hostd's socket (group %s)",
                                  rq->cfg->socket_group ? rq->cfg->socket_group : "-");
                        return send_response(c, &r);
                }
                snprintf(user, sizeof user, "local");
        } else if (!authenticate(l, c, url, method, user, sizeof user))
                return unauthorized(c);
        if (rq->too_big) {
                api_error(&r, 413, "PayloadTooLarge", "the request body is larger than %zu bytes", rq->cfg->max_body);
                return send_response(c, &r);
        }
        struct api_request req = {
                .method = method,
                .path = url,
                .body = rq->body,
                .body_len = rq->len,
                .user = user,
                .confirm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Hostd-Confirm"),
                .if_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Match"),
                .cfg = rq->cfg,
        };
        api_handle(l->h, &req, &r);
        enum MHD_Result ret = send_response(c, &r);
        api_response_done(&r);
        return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
        struct request *rq = *con_cls;
        if (rq) {
                daemon_config_unref(rq->cfg);
                free(rq->body);
                free(rq);
                *con_cls = NULL;
        }
}

static int unix_listen(const char *path, const struct daemon_config *cfg, gid_t *ret_group, struct error *e) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return error_set(e, -ENAMETOOLONG, "socket path too long: %s", path);
        strcpy(sa.sun_path, path);
        _cleanup_free_ char *dir = strdup(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash && slash != dir) {
                *slash = '\0';
                int k = mkdir_p(dir, 0755, e);
                if (k < 0)
                        return k;
        }
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
                unlink(path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return error_set(e, -errno, "socket: %s", strerror(errno));
        mode_t old = umask(0177);
        int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
        umask(old);
        if (r < 0)
                return error_set(e, -errno, "cannot bind %s: %s", path, strerror(errno));
        *ret_group = (gid_t)-1;
        struct group gr, *res = NULL;
        char buf[4096];
        if (cfg->socket_group && getgrnam_r(cfg->socket_group, &gr, buf, sizeof buf, &res) == 0 && res) {
                *ret_group = gr.gr_gid;
                if (chown(path, (uid_t)-1, gr.gr_gid) < 0)
                        log_warning("cannot give %s to group %s: %s", path, cfg->socket_group, strerror(errno));
        } else
                log_warning("group %s does not exist: only root may use %s", cfg->socket_group ? cfg->socket_group : "-", path);
        if (chmod(path, cfg->socket_mode) < 0)
                return error_set(e, -errno, "chmod %s: %s", path, strerror(errno));
        if (listen(fd, SOMAXCONN) < 0)
                return error_set(e, -errno, "listen on %s: %s", path, strerror(errno));
        return TAKE_FD(fd);
}

static int parse_listen(const char *s, struct sockaddr_storage *ss, struct error *e) {
        _cleanup_free_ char *host = strdup(s);
        char *colon = host ? strrchr(host, ':') : NULL;
        if (!colon)
                return error_set(e, -EINVAL, "listen: '%s' is not ADDRESS:PORT", s);
        *colon = '\0';
        char *end = NULL;
        long port = strtol(colon + 1, &end, 10);
        if (!*(colon + 1) || *end || port <= 0 || port > 65535)
                return error_set(e, -EINVAL, "listen: bad port in '%s'", s);
        char *h = host;
        if (*h == '[' && h[strlen(h) - 1] == ']') {
                h[strlen(h) - 1] = '\0';
                h++;
        }
        memset(ss, 0, sizeof *ss);
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET, *h ? h : "0.0.0.0", &in->sin_addr) == 1) {
                in->sin_family = AF_INET;
                in->sin_port = htons((uint16_t)port);
        } else if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons((uint16_t)port);
        } else
                return error_set(e, -EINVAL, "listen: '%s' is not an IP address", h);
        return 0;
}

static const unsigned base_flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;

int server_start(struct hostd *h, const char *socket_path, struct server **ret, struct error *e) {
        struct server *s = calloc(1, sizeof *s);
        if (!s)
                return error_set(e, -ENOMEM, "out of memory");
        s->unix_l = (struct listener){ .h = h };
        s->tcp_l = (struct listener){ .h = h, .tcp = true };
        int k = 0;
        int fd = unix_listen(socket_path, h->cfg, &s->unix_l.group, e);
        if (fd < 0) {
                free(s);
                return fd;
        }
        s->socket_path = strdup(socket_path);
        s->unix_l.d = MHD_start_daemon(base_flags, 0, NULL, NULL, handle, &s->unix_l, MHD_OPTION_LISTEN_SOCKET, fd,
                                       MHD_OPTION_THREAD_POOL_SIZE, (unsigned)h->cfg->threads,
                                       MHD_OPTION_NOTIFY_CONNECTION, on_connection, &s->unix_l,
                                       MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                                       MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
        if (!s->unix_l.d) {
                close(fd);
                k = error_set(e, -EIO, "cannot serve %s (libmicrohttpd failed to start)", socket_path);
        }
        if (k >= 0 && h->cfg->listen) {
                struct sockaddr_storage ss;
                k = parse_listen(h->cfg->listen, &ss, e);
                unsigned flags = base_flags | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
                if (k >= 0 && h->cfg->tls) {
                        size_t n;
                        k = read_file(h->cfg->tls_cert, 1 << 20, &s->cert, &n, e);
                        if (k >= 0)
                                k = read_file(h->cfg->tls_key, 1 << 20, &s->key, &n, e);
                        flags |= MHD_USE_TLS;
                }
                if (k >= 0) {
                        s->tcp_l.d = h->cfg->tls
                                ? MHD_start_daemon(flags, 0, NULL, NULL, handle, &s->tcp_l, MHD_OPTION_SOCK_ADDR, &ss,
                                                   MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_HTTPS_MEM_KEY, s->key,
                                                   MHD_OPTION_THREAD_POOL_SIZE, (unsigned)h->cfg->threads,
                                                   MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                                                   MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END)
                                : MHD_start_daemon(flags, 0, NULL, NULL, handle, &s->tcp_l, MHD_OPTION_SOCK_ADDR, &ss,
                                                   MHD_OPTION_THREAD_POOL_SIZE, (unsigned)h->cfg->threads,
                                                   MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                                                   MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
                        if (!s->tcp_l.d)
                                k = error_set(e, -EIO, "cannot listen on %s%s", h->cfg->listen,
                                              h->cfg->tls ? " (is the certificate and key a valid PEM pair?)" : "");
                }
        }
        if (k < 0) {
                server_stop(s);
                return k;
        }
        *ret = s;
        return 0;
}

void server_stop(struct server *s) {
        if (!s)
                return;
        if (s->tcp_l.d)
                MHD_stop_daemon(s->tcp_l.d);
        if (s->unix_l.d)
                MHD_stop_daemon(s->unix_l.d);
        if (s->socket_path)
                unlink(s->socket_path);
        free(s->socket_path);
        if (s->key)
                explicit_bzero(s->key, strlen(s->key));
        free(s->key);
        free(s->cert);
        free(s);
}
