/* daemon/server.c: libmicrohttpd daemons, body limits, authentication. */
#include "server.h"
#include "stats.h"

#include <arpa/inet.h>
#include <grp.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "api.h"
#include "auth.h"
#include "conn_guard.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/strutil.h"

struct listener {
        struct hostd *h;
        struct MHD_Daemon *d;
        bool tcp;
        gid_t group;              /* Unix socket: this group may connect; (gid_t)-1: none */
        struct conn_guard *guard; /* TCP: the deadline and the reserve */
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
        char user[80];            /* who is asking: decided on the headers, before any body */
        char client[INET6_ADDRSTRLEN];
        double started;           /* stats_now() when the headers arrived */
};

/* TLS 1.2 and 1.3 only, forward-secret key exchange (no static RSA) and AEAD
 * ciphers only (GnuTLS priority syntax). */
#define TLS_PRIORITIES                                                                                      \
        "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-RSA:-DHE-RSA:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:" \
        "+CHACHA20-POLY1305"

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
/* TCP: each connection enters the guard when accepted and leaves it when closed. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode code) {
        struct listener *l = cls;
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (l->tcp) {
                if (code == MHD_CONNECTION_NOTIFY_STARTED && ci)
                        *socket_context = conn_guard_started(l->guard, ci->connect_fd);
                else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
                        conn_guard_closed(l->guard, TAKE_PTR(*socket_context));
                return;
        }
        if (code != MHD_CONNECTION_NOTIFY_STARTED)
                return;
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

/* Answer, and count the request with its status and time (/metrics). */
static enum MHD_Result send_response(struct MHD_Connection *c, const struct request *rq, struct api_response *r) {
        stats_http_request(r->status, stats_now() - rq->started);
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
        if (r->link)
                MHD_add_response_header(resp, "Link", r->link);
        /* RFC 9110: a 401 names the scheme to authenticate with, whoever answered it */
        if (r->status == 401)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"hostd\"");
        char secs[16];
        if (r->retry_after) {
                snprintf(secs, sizeof secs, "%u", r->retry_after);
                MHD_add_response_header(resp, "Retry-After", secs);
        }
        enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
        MHD_destroy_response(resp);
        return ret;
}

/* 401 with the Basic challenge (send_response() adds it) and, as every
 * Redfish error, a body saying why; counted and with the headers of any other
 * answer. */
static enum MHD_Result unauthorized(struct MHD_Connection *c, const struct request *rq) {
        struct api_response r = { 0 };
        api_error(&r, 401, "NoValidSession", "this resource needs a session token (X-Auth-Token) or HTTP Basic "
                                            "credentials of a user in users_file");
        enum MHD_Result ret = send_response(c, rq, &r);
        api_response_done(&r);
        return ret;
}

/* "Basic <base64 of user:password>" (RFC 7617: the scheme in any case). The
 * password is kept with its length: one holding a NUL byte can match no
 * crypt(3) hash, so it is refused rather than cut at the NUL. */
static bool basic_credentials(struct MHD_Connection *c, char *user, size_t user_len, char **ret_password) {
        const char *v = NULL;
        size_t n = 0;
        if (MHD_lookup_connection_value_n(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION,
                                          strlen(MHD_HTTP_HEADER_AUTHORIZATION), &v, &n) != MHD_YES || !v)
                return false;
        if (n < 6 || strncasecmp(v, "basic", 5) != 0 || (v[5] != ' ' && v[5] != '\t'))
                return false;
        v += 6, n -= 6;
        while (n && (*v == ' ' || *v == '\t'))
                v++, n--;
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                n--;
        if (n == 0 || n % 4 || n > 4096)
                return false;
        unsigned char decoded[3 * 4096 / 4 + 1];
        int len = EVP_DecodeBlock(decoded, (const unsigned char *)v, (int)n);
        if (len < 0)
                return false;
        len -= (v[n - 1] == '=') + (v[n - 2] == '=');
        bool ok = false;
        const unsigned char *colon = memchr(decoded, ':', (size_t)len);
        if (colon && !memchr(decoded, '\0', (size_t)len) && (size_t)(colon - decoded) < user_len && colon > decoded) {
                memcpy(user, decoded, (size_t)(colon - decoded));
                user[colon - decoded] = '\0';
                *ret_password = strndup((const char *)colon + 1, (size_t)(len - (colon + 1 - decoded)));
                ok = *ret_password != NULL;
        }
        explicit_bzero(decoded, sizeof decoded);
        return ok;
}

/* The peer's address as text, for the log and the login throttle. */
static void client_address(struct MHD_Connection *c, char *out, size_t len) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;
        snprintf(out, len, "-");
        if (sa && sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
        else if (sa && sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

/* TCP: who is asking (AUTH_OK), or not. The ServiceRoot, the OData documents and the login are open, as
 * Redfish requires (the login also at /redfish/v1/Sessions, where Dell's clients post it: api_dell.c). */
static enum auth_result authenticate(struct listener *l, struct MHD_Connection *c, const char *url, const char *method,
                                     const char *client, char *user, size_t user_len, unsigned *ret_retry_after) {
        if (api_path_is_open(method, url))
                return snprintf(user, user_len, "anonymous"), AUTH_OK;
        if (!l->h->auth)
                return AUTH_DENIED;
        const char *token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Auth-Token");
        if (token)
                return auth_session_check(l->h->auth, token, user, user_len) ? AUTH_OK : AUTH_DENIED;
        /* a Basic header verified lately costs no crypt(3) (auth_basic_cache.h) */
        const char *header = NULL;
        size_t header_len = 0;
        if (MHD_lookup_connection_value_n(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION,
                                          strlen(MHD_HTTP_HEADER_AUTHORIZATION), &header, &header_len) == MHD_YES &&
            header && auth_basic_recall(l->h->auth, header, header_len, user, user_len))
                return AUTH_OK;
        char name[80];
        _cleanup_free_ char *pass = NULL;
        if (!basic_credentials(c, name, sizeof name, &pass))
                return AUTH_DENIED;
        uint64_t generation = 0;
        enum auth_result r = auth_login(l->h->auth, name, pass, client, ret_retry_after, &generation);
        if (r == AUTH_OK) {
                snprintf(user, user_len, "%s", name);
                auth_basic_remember(l->h->auth, header, header_len, name, generation);
        }
        explicit_bzero(pass, strlen(pass));
        return r;
}

/* A request that carries a body says it is JSON: the API reads nothing else,
 * and a form post from a browser on another site must not be taken for one. */
static bool json_body_declared(struct MHD_Connection *c) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
        if ((!cl || strtoull(cl, NULL, 10) == 0) && !te)
                return true;
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        size_t n = strlen("application/json");
        return ct && strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The Unix socket's users are the machine's administrators (its group);
 * anonymous TCP requests (the ServiceRoot, the login) are ReadOnly. */
static enum auth_role request_role(const struct listener *l, const char *user) {
        enum auth_role role = AUTH_ROLE_READONLY;
        if (!l->tcp)
                return AUTH_ROLE_ADMINISTRATOR;
        if (l->h->auth && !streq(user, "anonymous") && auth_user_role(l->h->auth, user, &role))
                return role;
        return AUTH_ROLE_READONLY;
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
                rq->started = stats_now();
                rq->cfg = hostd_config(l->h);
                /* who asks is decided on the headers: an unauthenticated client
                 * is answered before a byte of its body is read or kept */
                if (!l->tcp) {
                        const union MHD_ConnectionInfo *ci =
                                MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
                        if (!ci || (intptr_t)ci->socket_context != PEER_OK) {
                                struct api_response r = { 0 };
                                api_error(&r, 403, "InsufficientPrivilege",
                                          "this user may not use hostd's socket (group %s)",
                                          rq->cfg->socket_group ? rq->cfg->socket_group : "-");
                                return send_response(c, rq, &r);
                        }
                        snprintf(rq->user, sizeof rq->user, "local");
                        snprintf(rq->client, sizeof rq->client, "local");
                } else {
                        client_address(c, rq->client, sizeof rq->client);
                        unsigned wait = 0;
                        enum auth_result a = authenticate(l, c, url, method, rq->client, rq->user, sizeof rq->user, &wait);
                        if (a == AUTH_THROTTLED) {
                                struct api_response r = { .retry_after = wait };
                                api_error(&r, 429, "ServiceTemporarilyUnavailable", "too many failed logins: try again in %u s", wait);
                                return send_response(c, rq, &r);
                        }
                        if (a != AUTH_OK)
                                return unauthorized(c, rq);
                        if (!streq(rq->user, "anonymous")) {
                                const union MHD_ConnectionInfo *ci =
                                        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
                                conn_guard_authenticated(l->guard, ci ? ci->socket_context : NULL);
                        }
                }
                if (!json_body_declared(c)) {
                        struct api_response r = { 0 };
                        api_error(&r, 415, "HeaderInvalid",
                                  "Header 'Content-Type' is invalid: a request body must be application/json");
                        return send_response(c, rq, &r);
                }
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
        if (rq->too_big) {
                api_error(&r, 413, "PayloadTooLarge", "the request body is larger than %zu bytes", rq->cfg->max_body);
                return send_response(c, rq, &r);
        }
        struct api_request req = {
                .method = method,
                .path = url,
                .body = rq->body,
                .body_len = rq->len,
                .user = rq->user,
                .admin = !l->tcp,
                .role = request_role(l, rq->user),
                .client = rq->client,
                .confirm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Hostd-Confirm"),
                .if_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Match"),
                .odata_version = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "OData-Version"),
                .cfg = rq->cfg,
        };
        api_serve(l->h, &req, &r);
        enum MHD_Result ret = send_response(c, rq, &r);
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

static bool is_loopback(const struct sockaddr_storage *ss) {
        if (ss->ss_family == AF_INET)
                return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
        return ss->ss_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
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
                                k = file_check_private(h->cfg->tls_key, "TLS key", e);
                        if (k >= 0)
                                k = read_file(h->cfg->tls_key, 1 << 20, &s->key, &n, e);
                        flags |= MHD_USE_TLS;
                }
                if (k >= 0 && !h->cfg->tls && !is_loopback(&ss))
                        log_warning("listen %s without TLS: passwords and session tokens cross the network in clear "
                                    "text; set tls_cert and tls_key", h->cfg->listen);
                /* a quarter of the slots stays for clients that have authenticated */
                if (k >= 0)
                        k = conn_guard_new(h->cfg->header_timeout_s, h->cfg->max_connections - h->cfg->max_connections / 4,
                                           &s->tcp_l.guard, e);
                if (k >= 0) {
                        struct MHD_OptionItem tls[] = {
                                { MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert },
                                { MHD_OPTION_HTTPS_MEM_KEY, 0, s->key },
                                { MHD_OPTION_HTTPS_PRIORITIES, 0,
                                  (void *)(h->cfg->tls_priorities ? h->cfg->tls_priorities : TLS_PRIORITIES) },
                                { MHD_OPTION_END, 0, NULL },
                        };
                        struct MHD_OptionItem common[] = {
                                { MHD_OPTION_THREAD_POOL_SIZE, h->cfg->threads, NULL },
                                { MHD_OPTION_CONNECTION_LIMIT, h->cfg->max_connections, NULL },
                                { MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->cfg->max_connections_per_client, NULL },
                                { MHD_OPTION_CONNECTION_TIMEOUT, h->cfg->idle_timeout_s, NULL },
                                { MHD_OPTION_ARRAY, 0, h->cfg->tls ? tls : NULL },
                                { MHD_OPTION_END, 0, NULL },
                        };
                        if (!h->cfg->tls)
                                common[4].option = MHD_OPTION_END;
                        s->tcp_l.d = MHD_start_daemon(flags, 0, NULL, NULL, handle, &s->tcp_l, MHD_OPTION_SOCK_ADDR, &ss,
                                                      MHD_OPTION_NOTIFY_CONNECTION, on_connection, &s->tcp_l,
                                                      MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                                                      MHD_OPTION_ARRAY, common, MHD_OPTION_END);
                        if (!s->tcp_l.d)
                                k = error_set(e, -EIO, "cannot listen on %s%s", h->cfg->listen,
                                              h->cfg->tls ? " (is the certificate and key a valid PEM pair, and "
                                                           "tls_priorities a GnuTLS priority string?)" : "");
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
        conn_guard_free(s->tcp_l.guard);
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
