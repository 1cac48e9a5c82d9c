#include "redfish_http.h"

#include "lib/lazy_curl.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/strutil.h"
#include "redfish_json.h"

#define RF_BODY_MAX (16 * 1024 * 1024)

struct rf_client {
        CURL *curl;
        const struct bmc_config *cfg;
        char *base;                   /* "https://host:port" */
        char *token, *session;        /* X-Auth-Token, its session's path */
        bool basic;                   /* Basic auth on every request */
        bool closing;                 /* the logout: its own few seconds, past the deadline */
        long long task_until_ms;      /* following a task monitor: its polls may run to here */
        char errbuf[CURL_ERROR_SIZE];
};

#define RF_LOGOUT_MS 5000

void rf_response_done(struct rf_response *r) {
        free(r->body);
        free(r->etag);
        free(r->location);
        if (r->token)
                explicit_bzero(r->token, strlen(r->token));
        free(r->token);
        *r = (struct rf_response){ 0 };
}

int rf_client_new(const struct bmc_config *cfg, struct rf_client **ret, struct error *e) {
        int r = lazy_curl_ready(e);
        if (r < 0)
                return r;
        _cleanup_free_ struct rf_client *c = calloc(1, sizeof *c);
        if (!c)
                return error_set(e, -ENOMEM, "out of memory");
        c->cfg = cfg;
        c->basic = cfg->auth == BMC_AUTH_BASIC;
        c->base = cfg->port ? strdup_printf("https://%s:%d", cfg->host, cfg->port) : strdup_printf("https://%s", cfg->host);
        c->curl = curl_easy_init();
        if (!c->base || !c->curl) {
                free(c->base);
                if (c->curl)
                        curl_easy_cleanup(c->curl);
                return error_set(e, -ENOMEM, "out of memory");
        }
        *ret = TAKE_PTR(c);
        return 0;
}

void rf_client_free(struct rf_client *c) {
        if (!c)
                return;
        struct error ignored = { 0 };
        c->closing = true;
        if (c->session && rf_logout(c, &ignored) < 0)
                log_debug("BMC %s: logout: %s", c->cfg->name, ignored.msg);
        if (c->token)
                explicit_bzero(c->token, strlen(c->token));
        free(c->token);
        free(c->session);
        free(c->base);
        curl_easy_cleanup(c->curl);
        free(c);
}

struct sink {
        char *buf;
        size_t len;
        bool overflow;
};

static size_t on_body(char *p, size_t size, size_t n, void *u) {
        struct sink *s = u;
        size_t add = size * n;
        if (s->len + add > RF_BODY_MAX) {
                s->overflow = true;
                return 0;
        }
        char *b = realloc(s->buf, s->len + add + 1);
        if (!b)
                return 0;
        memcpy(b + s->len, p, add);
        s->len += add;
        b[s->len] = '\0';
        s->buf = b;
        return add;
}

static void take_header(char **field, const char *value, size_t len) {
        free(*field);
        *field = strndup(value, len);
}

static size_t on_header(char *p, size_t size, size_t n, void *u) {
        struct rf_response *r = u;
        size_t len = size * n;
        static const struct { const char *name; size_t off; } want[] = {
                { "ETag:", offsetof(struct rf_response, etag) },
                { "Location:", offsetof(struct rf_response, location) },
                { "X-Auth-Token:", offsetof(struct rf_response, token) },
        };
        if (len >= 5 && strncasecmp(p, "HTTP/", 5) == 0) {   /* a new response (redirect): forget the old */
                free(r->etag);
                free(r->location);
                r->etag = r->location = NULL;
        }
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                size_t nl = strlen(want[i].name);
                if (len > nl && strncasecmp(p, want[i].name, nl) == 0) {
                        const char *v = p + nl;
                        size_t vl = len - nl;
                        while (vl && (*v == ' ' || *v == '\t'))
                                v++, vl--;
                        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
                                vl--;
                        take_header((char **)((char *)r + want[i].off), v, vl);
                }
        }
        return len;
}

static bool retryable_curl(CURLcode cc) {
        return cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_SEND_ERROR ||
               cc == CURLE_RECV_ERROR || cc == CURLE_GOT_NOTHING;
}

/* Sleep before another try; false when the command's time would run out first. */
static bool backoff(const struct bmc_config *cfg, int attempt) {
        long ms = (long)cfg->retry_delay_ms << (attempt < 6 ? attempt : 6);
        if (ms > 8000)
                ms = 8000;
        if (cfg->deadline_ms && bmc_now_ms() + ms >= cfg->deadline_ms)
                return false;
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        return true;
}

static const char *curl_hint(CURLcode cc) {
        switch (cc) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
                return " (the BMC's certificate is not trusted: give its CA with --ca-file / ca_file, "
                       "or --insecure / insecure: true to skip verification)";
        case CURLE_COULDNT_CONNECT:
                return " (is the address and port right, and the BMC reachable?)";
        default:
                return "";
        }
}

/* One HTTP exchange. A transport error is -EAGAIN when another try may
 * help; *ret_sent says whether the request went out (a POST that went out
 * must not be sent again). */
static int perform_once(struct rf_client *c, const char *method, const char *url, const char *body, const char *if_match,
                        struct rf_response *r, bool *ret_sent, struct error *e) {
        CURL *h = c->curl;
        const struct bmc_config *cfg = c->cfg;
        long long budget = c->closing ? (cfg->timeout_s * 1000LL < RF_LOGOUT_MS ? cfg->timeout_s * 1000LL : RF_LOGOUT_MS)
                                      : bmc_config_remaining_ms(cfg);
        if (!c->closing && c->task_until_ms) {      /* a task may take longer than --timeout; --wait bounds it */
                long long left = c->task_until_ms - bmc_now_ms(), cap = cfg->timeout_s * 1000LL;
                left = left < cap ? left : cap;
                budget = left > budget ? left : budget;
        }
        *ret_sent = false;
        if (budget <= 0)
                return error_set(e, -ETIMEDOUT, "%s %s: the command's time limit (--timeout %d s) ran out", method, url,
                                 cfg->timeout_s);
        struct sink s = { 0 };
        struct curl_slist *hdr = NULL;
        _cleanup_free_ char *tok = c->token ? strdup_printf("X-Auth-Token: %s", c->token) : NULL;
        _cleanup_free_ char *im = if_match ? strdup_printf("If-Match: %s", if_match) : NULL;
        hdr = curl_slist_append(hdr, "Accept: application/json");
        hdr = curl_slist_append(hdr, "OData-Version: 4.0");
        if (body)
                hdr = curl_slist_append(hdr, "Content-Type: application/json");
        if (tok)
                hdr = curl_slist_append(hdr, tok);
        if (im)
                hdr = curl_slist_append(hdr, im);
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(h, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(budget < 10000 ? budget : 10000));
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)budget);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
        if (cfg->ca_file)
                curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
        if (cfg->insecure) {
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (c->basic && cfg->user) {
                curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
                curl_easy_setopt(h, CURLOPT_USERNAME, cfg->user);
                curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
        }
        if (streq(method, "GET"))
                curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        else {
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
                if (body) {
                        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
                        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
                }
        }
        c->errbuf[0] = '\0';
        CURLcode cc = curl_easy_perform(h);
        curl_slist_free_all(hdr);
        if (c->basic)                          /* do not leave the password in the handle */
                curl_easy_setopt(h, CURLOPT_PASSWORD, "");
        long sent_bytes = 0;
        curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent_bytes);
        *ret_sent = sent_bytes > 0;
        if (cc != CURLE_OK) {
                free(s.buf);
                if (s.overflow)
                        return error_set(e, -EFBIG, "%s %s: the response is larger than %d bytes", method, url, RF_BODY_MAX);
                if (cc == CURLE_OPERATION_TIMEDOUT && !c->closing && cfg->deadline_ms && bmc_now_ms() >= cfg->deadline_ms)
                        return error_set(e, -ETIMEDOUT, "%s %s: the command's time limit (--timeout %d s) ran out: %s",
                                         method, url, cfg->timeout_s, c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
                return error_set(e, retryable_curl(cc) ? -EAGAIN : -EIO, "%s %s: %s%s", method, url,
                                 c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc), curl_hint(cc));
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
        r->body = s.buf;
        r->len = s.len;
        log_debug("BMC %s: %s %s -> %ld", cfg->name, method, url, r->status);
        return 0;
}

static char *make_url(struct rf_client *c, const char *path) {
        if (startswith(path, c->base) && (path[strlen(c->base)] == '/' || !path[strlen(c->base)]))
                return strdup(path);
        if (path[0] != '/')
                return NULL;
        return strdup_printf("%s%s", c->base, path);
}

void rf_use_basic(struct rf_client *c) {
        c->basic = true;
}

int rf_request(struct rf_client *c, const char *method, const char *path, json_object *body, const char *if_match,
               struct rf_response *r, struct error *e) {
        _cleanup_free_ char *url = make_url(c, path ? path : "");
        if (!url)
                return error_set(e, -EBADMSG, "BMC %s: the service linked to '%s', which is not a path on it",
                                 c->cfg->name, path ? path : "(null)");
        const char *text = body ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN) : NULL;
        /* GET and DELETE may be repeated; a POST or PATCH only when it never left */
        bool safe = streq(method, "GET") || streq(method, "DELETE");
        for (int i = 0;; i++) {
                rf_response_done(r);
                struct error e2 = { 0 };
                bool sent;
                int k = perform_once(c, method, url, text, if_match, r, &sent, &e2);
                bool again = safe ? (k == -EAGAIN || (k >= 0 && r->status >= 500)) : (k == -EAGAIN && !sent);
                if (again && i + 1 < c->cfg->retries && !c->closing) {
                        log_debug("BMC %s: %s %s: %s, retrying", c->cfg->name, method, path,
                                  k < 0 ? e2.msg : "server error");
                        if (backoff(c->cfg, i))
                                continue;
                }
                if (k == -EAGAIN && !safe && sent) {
                        *e = e2;
                        error_prefix(e, "BMC %s", c->cfg->name);
                        return error_set(e, BMC_UNCONFIRMED, "%s (the request was sent, its answer lost)", e->msg);
                }
                if (k < 0) {
                        *e = e2;
                        return error_prefix(e, "BMC %s", c->cfg->name);
                }
                return 0;
        }
}

static int http_error(struct rf_client *c, const char *method, const char *path, const struct rf_response *r,
                      struct error *e) {
        _cleanup_free_ char *msg = rf_error_message(r->body, r->len);
        const char *hint = r->status == 401 ? " (check the user and password)"
                           : r->status == 403 ? " (the user lacks the privilege)"
                                              : "";
        return error_set(e, r->status == 401 || r->status == 403 ? -EACCES : r->status == 404 ? -ENOENT : -EIO,
                         "BMC %s: %s %s: HTTP %ld%s%s%s", c->cfg->name, method, path, r->status, hint, msg ? ": " : "",
                         msg ? msg : "");
}

int rf_get(struct rf_client *c, const char *path, json_object **ret, char **ret_etag, struct error *e) {
        struct rf_response r = { 0 };
        int k = rf_request(c, "GET", path, NULL, NULL, &r, e);
        if (k >= 0 && r.status != 200)
                k = http_error(c, "GET", path, &r, e);
        json_object *o = NULL;
        if (k >= 0 && (k = json_parse(r.body ? r.body : "", r.len, &o, e)) < 0)
                error_prefix(e, "BMC %s: GET %s", c->cfg->name, path);
        if (k >= 0 && !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                k = error_set(e, -EBADMSG, "BMC %s: GET %s: not a JSON object", c->cfg->name, path);
        }
        if (k >= 0) {
                if (ret_etag) {
                        const char *t = r.etag ? r.etag : json_get_string(o, "@odata.etag");
                        *ret_etag = t ? strdup(t) : NULL;
                }
                *ret = o;
        }
        rf_response_done(&r);
        return k;
}

static int follow_task_polls(struct rf_client *c, const char *monitor, const struct timespec *start, struct error *e) {
        struct timespec t0 = *start;
        for (;;) {
                struct rf_response r = { 0 };
                int k = rf_request(c, "GET", monitor, NULL, NULL, &r, e);
                long status = r.status;
                if (k >= 0 && status != 202 && status != 200 && status != 204)
                        k = http_error(c, "GET", monitor, &r, e);
                if (k >= 0 && status == 200) {
                        json_object *o = NULL;
                        struct error ignore = { 0 };
                        if (json_parse(r.body, r.len, &o, &ignore) >= 0) {
                                const char *state = json_get_string(o, "TaskState");
                                if (streq(state, "Exception") || streq(state, "Killed") || streq(state, "Cancelled")) {
                                        _cleanup_free_ char *m = rf_error_message(r.body, r.len);
                                        k = error_set(e, -EIO, "BMC %s: task %s ended %s%s%s", c->cfg->name, monitor,
                                                      state, m ? ": " : "", m ? m : "");
                                } else if (state && !streq(state, "Completed"))
                                        status = 202;   /* a Task resource still running */
                        }
                        json_object_put(o);
                }
                rf_response_done(&r);
                if (k < 0 || status != 202)
                        return k;
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (now.tv_sec - t0.tv_sec > c->cfg->power_timeout_s)
                        return error_set(e, -ETIMEDOUT, "BMC %s: task %s still running after %d s", c->cfg->name,
                                         monitor, c->cfg->power_timeout_s);
                struct timespec ts = { .tv_sec = c->cfg->poll_ms / 1000, .tv_nsec = (c->cfg->poll_ms % 1000) * 1000000L };
                nanosleep(&ts, NULL);
        }
}

/* Poll a task monitor until the task ends (cfg->power_timeout_s). */
static int follow_task(struct rf_client *c, const char *monitor, struct error *e) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        c->task_until_ms = bmc_now_ms() + (c->cfg->power_timeout_s + c->cfg->timeout_s) * 1000LL;
        int k = follow_task_polls(c, monitor, &t0, e);
        c->task_until_ms = 0;
        return k;
}

/* A 5xx to a POST or PATCH: the BMC may have acted before it failed. */
static int unconfirmed(struct rf_client *c, const char *method, const char *path, const struct rf_response *r,
                       struct error *e) {
        http_error(c, method, path, r, e);
        return error_set(e, BMC_UNCONFIRMED, "%s", e->msg);
}

int rf_post_action(struct rf_client *c, const char *target, json_object *body, struct error *e) {
        struct rf_response r = { 0 };
        int k = rf_request(c, "POST", target, body, NULL, &r, e);
        if (k >= 0 && r.status >= 500)
                k = unconfirmed(c, "POST", target, &r, e);
        else if (k >= 0 && r.status != 200 && r.status != 201 && r.status != 202 && r.status != 204)
                k = http_error(c, "POST", target, &r, e);
        if (k >= 0 && r.status == 202 && r.location) {
                _cleanup_free_ char *monitor = TAKE_PTR(r.location);
                rf_response_done(&r);
                return follow_task(c, monitor, e);
        }
        rf_response_done(&r);
        return k;
}

int rf_patch(struct rf_client *c, const char *path, json_object *body, struct error *e) {
        for (int i = 0;; i++) {
                _cleanup_json_ json_object *cur = NULL;
                _cleanup_free_ char *etag = NULL;
                int k = rf_get(c, path, &cur, &etag, e);      /* a fresh ETag on every try */
                if (k < 0)
                        return k;
                struct rf_response r = { 0 };
                k = rf_request(c, "PATCH", path, body, etag, &r, e);
                bool again = k >= 0 && r.status == 412;        /* not applied: someone else wrote */
                if (!again || i + 1 >= c->cfg->retries || !backoff(c->cfg, i)) {
                        if (k >= 0 && r.status >= 500)
                                k = unconfirmed(c, "PATCH", path, &r, e);
                        else if (k >= 0 && r.status != 200 && r.status != 202 && r.status != 204)
                                k = http_error(c, "PATCH", path, &r, e);
                        else if (k >= 0 && r.status == 202 && r.location) {
                                _cleanup_free_ char *monitor = TAKE_PTR(r.location);
                                k = follow_task(c, monitor, e);
                        }
                        rf_response_done(&r);
                        return k;
                }
                rf_response_done(&r);
        }
}

int rf_login(struct rf_client *c, const char *sessions_path, struct error *e) {
        _cleanup_json_ json_object *body = json_object_new_object();
        json_add_string(body, "UserName", c->cfg->user ? c->cfg->user : "");
        json_add_string(body, "Password", c->cfg->password ? c->cfg->password : "");
        struct rf_response r = { 0 };
        int k = rf_request(c, "POST", sessions_path, body, NULL, &r, e);
        if (k >= 0 && r.status != 201 && r.status != 200) {
                k = http_error(c, "POST", sessions_path, &r, e);
                if (k != -EACCES)       /* an answer, but not about the credentials */
                        k = error_set(e, RF_NO_SESSION, "%s", e->msg);
        }
        if (k >= 0 && !r.token)
                k = error_set(e, RF_NO_SESSION, "BMC %s: POST %s: HTTP %ld, no X-Auth-Token in the answer", c->cfg->name,
                              sessions_path, r.status);
        if (k >= 0) {
                c->token = TAKE_PTR(r.token);
                c->session = TAKE_PTR(r.location);
                if (!c->session) {      /* the session's own @odata.id */
                        json_object *o = NULL;
                        struct error ignore = { 0 };
                        if (json_parse(r.body ? r.body : "", r.len, &o, &ignore) >= 0 && json_get_string(o, "@odata.id"))
                                c->session = strdup(json_get_string(o, "@odata.id"));
                        json_object_put(o);
                }
        }
        rf_response_done(&r);
        return k;
}

int rf_logout(struct rf_client *c, struct error *e) {
        if (!c->session)
                return 0;
        struct rf_response r = { 0 };
        _cleanup_free_ char *session = TAKE_PTR(c->session);
        int k = rf_request(c, "DELETE", session, NULL, NULL, &r, e);
        if (k >= 0 && r.status >= 300)
                k = http_error(c, "DELETE", session, &r, e);
        rf_response_done(&r);
        if (c->token)
                explicit_bzero(c->token, strlen(c->token));
        free(c->token);
        c->token = NULL;
        return k;
}

static size_t discard(char *p, size_t size, size_t n, void *u) {
        (void)p, (void)u;
        return size * n;
}

int rf_url_answers(const struct bmc_config *cfg, const char *url, struct error *e) {
        CURL *h = curl_easy_init();
        if (!h)
                return error_set(e, -ENOMEM, "out of memory");
        char errbuf[CURL_ERROR_SIZE] = "";
        long long budget = bmc_config_remaining_ms(cfg);
        long status = 0;
        CURLcode cc = CURLE_OK;
        for (int ranged = 0; ranged < 2; ranged++) {      /* HEAD; a GET of one byte if HEAD is refused */
                curl_easy_reset(h);
                curl_easy_setopt(h, CURLOPT_URL, url);
                curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
                curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
                curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
                curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
                curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
                curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
                curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(budget < 10000 ? budget : 10000));
                curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(budget > 0 ? budget : 1));
                curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
                curl_easy_setopt(h, CURLOPT_NOPROXY, "*");    /* the BMC fetches it directly, not through our proxy */
                if (cfg->insecure) {
                        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
                        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
                }
                if (ranged)
                        curl_easy_setopt(h, CURLOPT_RANGE, "0-0");
                else
                        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
                cc = curl_easy_perform(h);
                status = 0;
                if (cc == CURLE_OK)
                        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
                if (cc != CURLE_OK || (status != 405 && status != 501))
                        break;
        }
        curl_easy_cleanup(h);
        if (cc != CURLE_OK)
                return error_set(e, -EHOSTUNREACH, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
        if (status != 200 && status != 206)
                return error_set(e, -ENOENT, "%s: HTTP %ld", url, status);
        return 0;
}
