/* The transfer: one libcurl handle, Range requests to resume, retries with
 * backoff for what a later attempt may fix. */
#include "lib/lazy_curl.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "download_internal.h"
#include "log.h"
#include "strutil.h"

#ifndef HOSTD_VERSION
#define HOSTD_VERSION "0.0.0"
#endif

#define DEFAULT_CONNECT_TIMEOUT_S 30L
#define DEFAULT_LOW_SPEED_TIME_S 60L
#define DEFAULT_RETRIES 3
#define LOW_SPEED_BYTES_PER_S 1024L
#define PROGRESS_INTERVAL_S 0.25
#define MAX_BACKOFF_SHIFT 4   /* waits of 1, 2, 4, 8, 16 s */
#define ASK_AGAIN 1   /* attempt(): start over at once, no retry used */

static inline void curl_easy_cleanupp(CURL **h) {
        if (*h)
                curl_easy_cleanup(*h);
}
#define _cleanup_curl_ _cleanup_(curl_easy_cleanupp)

struct dl {
        const struct download_opts *o;
        struct dl_part *p;
        CURL *h;
        const char *url;          /* for messages: no password */
        struct error *e;
        char errbuf[CURL_ERROR_SIZE];
        /* the response of this attempt */
        char reason[96];
        int64_t range_start, range_total;   /* Content-Range; -1 when absent */
        bool begun;               /* status and range checked, body may be written */
        int fail;                 /* -errno: the body was refused, e says why */
        int werr;                 /* -errno of a failed write */
        /* across attempts */
        int64_t total;            /* size of the whole file, -1 unknown */
        int64_t fetched;          /* bytes that came over the network */
        double t0, last_report;
};

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(struct dl *d, double now) {
        if (!d->o->progress)
                return;
        d->last_report = now;
        double elapsed = now - d->t0;
        struct download_progress pr = {
                .done = d->p->size,
                .total = d->total,
                .bytes_per_s = elapsed > 0 ? (double)d->fetched / elapsed : 0,
        };
        d->o->progress(d->o->userdata, &pr);
}

static size_t on_header(char *b, size_t size, size_t n, void *u) {
        struct dl *d = u;
        size_t len = size * n;
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), b);
        line[strcspn(line, "\r\n")] = '\0';
        long long a, z, t;
        if (strncasecmp(line, "HTTP/", 5) == 0) {   /* a new response (after a redirect): forget the last */
                d->range_start = d->range_total = -1;
                const char *sp = strchr(line, ' ');
                sp = sp ? strchr(sp + 1, ' ') : NULL;
                snprintf(d->reason, sizeof d->reason, "%s", sp ? sp + 1 : "");
                for (char *c = d->reason; *c; c++)
                        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                                *c = '?';
        } else if (strncasecmp(line, "Content-Range:", 14) == 0) {
                const char *v = line + 14 + strspn(line + 14, " \t");
                if (sscanf(v, "bytes %lld-%lld/%lld", &a, &z, &t) == 3)
                        d->range_start = a, d->range_total = t;
                else if (sscanf(v, "bytes %lld-%lld/", &a, &z) == 2)
                        d->range_start = a;
                else if (sscanf(v, "bytes */%lld", &t) == 1)
                        d->range_total = t;
        }
        return len;
}

/* The first body byte is here: 206 must continue where the file ends; 200
 * is the whole file, so what we had goes. */
static int begin(struct dl *d) {
        long code = 0;
        curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &code);
        d->begun = true;
        if (code == 206) {
                if (d->range_start != d->p->size)
                        return error_set(d->e, -EPROTO, "%s: asked for the bytes from %lld on, the server sent %s %lld",
                                         d->url, (long long)d->p->size,
                                         d->range_start < 0 ? "no Content-Range" : "a range from", (long long)d->range_start);
                d->total = d->range_total;
                return 0;
        }
        if (code != 200)
                return error_set(d->e, -EPROTO, "%s: unexpected answer HTTP %ld %s", d->url, code, d->reason);
        if (d->p->size > 0) {
                log_debug("%s: the server sent the whole file instead of a range; starting over", d->url);
                int k = dl_part_restart(d->p);
                if (k < 0)
                        return dl_part_error(d->e, d->p, k);
        }
        curl_off_t len = -1;
        if (curl_easy_getinfo(d->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) != CURLE_OK || len < 0)
                len = -1;
        d->total = len;
        return 0;
}

static size_t on_body(char *b, size_t size, size_t n, void *u) {
        struct dl *d = u;
        size_t len = size * n;
        if (!d->begun && (d->fail = begin(d)) < 0)
                return 0;
        int k = dl_part_append(d->p, b, len);
        if (k < 0) {
                d->werr = k;
                return 0;
        }
        d->fetched += (int64_t)len;
        return len;
}

static int on_progress(void *u, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
        struct dl *d = u;
        double now = now_s();
        if (d->begun && now - d->last_report >= PROGRESS_INTERVAL_S)
                report(d, now);
        return 0;
}

static bool transient_curl(CURLcode cc) {
        switch (cc) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return true;
        default:
                return false;
        }
}

static bool transient_http(long code) {
        return code == 408 || code == 429 || code == 500 || code == 502 || code == 503 || code == 504;
}

static int errno_of_curl(CURLcode cc) {
        return cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT
             : cc == CURLE_COULDNT_CONNECT ? -ECONNREFUSED
             : cc == CURLE_COULDNT_RESOLVE_HOST ? -EHOSTUNREACH
             : cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_SSL_CACERT_BADFILE ? -EPROTO
             : cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_URL_MALFORMAT ? -EINVAL
             : -EIO;
}

static int errno_of_http(long code) {
        return code == 404 || code == 410 ? -ENOENT : code == 401 || code == 403 ? -EACCES : -EIO;
}

static const char *hint(CURLcode cc) {
        return cc == CURLE_PEER_FAILED_VERIFICATION ? " (the server's certificate is not trusted: give the CA that "
                                                      "signed it as the CA file)"
                                                    : "";
}

/* One request. 0: the file is complete; ASK_AGAIN; or -errno with e set
 * and *ret_transient saying whether a later attempt may do better. */
static int attempt(struct dl *d, bool *ret_transient) {
        char range[32];
        snprintf(range, sizeof range, "%lld-", (long long)d->p->size);
        d->begun = false;
        d->fail = d->werr = 0;
        d->range_start = d->range_total = -1;
        d->reason[0] = d->errbuf[0] = '\0';
        /* CURLOPT_RANGE, not RESUME_FROM: a 200 answer must reach begin(), not fail */
        curl_easy_setopt(d->h, CURLOPT_RANGE, d->p->size > 0 ? range : NULL);
        CURLcode cc = curl_easy_perform(d->h);
        long code = 0;
        curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &code);
        if (cc == CURLE_OK)   /* an empty body never passed through on_body() */
                return d->begun ? 0 : begin(d);
        if (d->fail)
                return d->fail;
        if (d->werr)
                return dl_part_error(d->e, d->p, d->werr);
        if (cc == CURLE_HTTP_RETURNED_ERROR && code == 416 && d->p->size > 0) {
                /* nothing after our end: complete (the digest will tell) or longer than the file */
                if (d->range_total == d->p->size)
                        return 0;
                log_debug("%s: %lld bytes here, the file has %lld; starting over", d->url, (long long)d->p->size,
                          (long long)d->range_total);
                int k = dl_part_restart(d->p);
                return k < 0 ? dl_part_error(d->e, d->p, k) : ASK_AGAIN;
        }
        if (cc == CURLE_HTTP_RETURNED_ERROR) {
                *ret_transient = transient_http(code);
                return error_set(d->e, errno_of_http(code), "%s: HTTP %ld%s%s", d->url, code, d->reason[0] ? " " : "",
                                 d->reason);
        }
        *ret_transient = transient_curl(cc);
        return error_set(d->e, errno_of_curl(cc), "%s: %s%s", d->url, d->errbuf[0] ? d->errbuf : curl_easy_strerror(cc),
                         hint(cc));
}

static void sleep_s(int s) {
        struct timespec ts = { .tv_sec = s };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int setup(struct dl *d) {
        const struct download_opts *o = d->o;
        CURL *h = d->h;
        long connect = o->connect_timeout_s > 0 ? o->connect_timeout_s : DEFAULT_CONNECT_TIMEOUT_S;
        long low = o->low_speed_time_s > 0 ? o->low_speed_time_s : DEFAULT_LOW_SPEED_TIME_S;
        if (curl_easy_setopt(h, CURLOPT_URL, o->url) != CURLE_OK ||
            curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            (o->ca_file && curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file) != CURLE_OK))
                return -ENOMEM;
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, d->errbuf);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, connect);
        /* no overall timeout: a large file on a slow link is fine while it moves */
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_BYTES_PER_S);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, low);
        curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "hostd/" HOSTD_VERSION);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, d);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, d);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, d);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        return 0;
}

int dl_http_fetch(const struct download_opts *o, const char *url, struct dl_part *p, struct error *e) {
        if (lazy_curl_ready(e) < 0)
                return e->code;
        _cleanup_curl_ CURL *h = curl_easy_init();
        struct error le = { 0 };
        struct dl d = { .o = o, .p = p, .h = h, .url = url, .e = &le, .total = -1, .t0 = now_s() };
        if (!h || setup(&d) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        int retries = o->retries == 0 ? DEFAULT_RETRIES : o->retries < 0 ? 0 : o->retries;
        int used = 0, restarts = 0, attempts = 0;
        int64_t furthest = p->size;
        for (;;) {
                bool transient = false;
                attempts++;
                int k = attempt(&d, &transient);
                if (k == 0) {
                        report(&d, now_s());
                        return 0;
                }
                if (k == ASK_AGAIN && restarts++ == 0)
                        continue;
                if (k == ASK_AGAIN)
                        return error_set(e, -EPROTO, "%s: the server keeps refusing the range it offered", url);
                bool further = p->size > furthest;
                if (further)
                        furthest = p->size;
                if (!transient || retries == 0 || (!further && used >= retries)) {
                        char tries[48] = "", kept[64] = "", sz[16];
                        if (attempts > 1)
                                snprintf(tries, sizeof tries, " (gave up after %d attempts)", attempts);
                        if (transient && p->size > 0)
                                snprintf(kept, sizeof kept, "; %s kept to resume from",
                                         format_size((uint64_t)p->size, sz, sizeof sz));
                        return error_set(e, le.code, "%s%s%s", le.msg, tries, kept);
                }
                int wait = further ? 1 : 1 << (used < MAX_BACKOFF_SHIFT ? used : MAX_BACKOFF_SHIFT);
                if (!further)
                        used++;
                log_debug("%s; trying again in %d s, from byte %lld", le.msg, wait, (long long)p->size);
                sleep_s(wait);
        }
}
