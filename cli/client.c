/* cli/client.c: one request against hostd's API, errors as hostd wrote them. */
#include "client.h"

#include "lib/lazy_curl.h"
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"

struct buf {
        char *p;
        size_t n;
};

static size_t collect(char *data, size_t size, size_t n, void *userdata) {
        struct buf *b = userdata;
        size_t len = size * n;
        if (b->n + len > (64u << 20))
                return 0;
        char *np = realloc(b->p, b->n + len + 1);
        if (!np)
                return 0;
        memcpy(np + b->n, data, len);
        b->p = np;
        b->n += len;
        b->p[b->n] = '\0';
        return len;
}

static int status_error(long status, const char *message_id) {
        if (status == 400)
                return -EINVAL;
        if (status == 401 || status == 403)
                return -EACCES;
        if (status == 404)
                return -ENOENT;
        if (status == 428 || (status == 409 && message_id && endswith(message_id, ".ActionParameterValueConflict")))
                return ERROR_REFUSED;
        return status == 409 ? -EBUSY : -EIO;
}

int client_get_json(const char *host, const char *path, json_object **ret, struct error *e) {
        return client_request_json(host, "GET", path, NULL, NULL, ret, e);
}

/* peer names the other end in errors ("hostd", "the callback"); with ret
 * NULL the answer's body is not read, and a 2xx without one is success */
static int request(const char *peer, const char *host, const char *method, const char *path, const char *body_text,
                   const char *confirm, json_object **ret, struct error *e) {
        const char *sock = startswith(host, "unix://");
        if (!sock && !startswith(host, "https://") && !startswith(host, "http://"))
                return error_set(e, -EINVAL, ret ? "--host %s: use unix:///PATH or https://HOST:PORT"
                                                 : "%s: use http://HOST/PATH or https://HOST/PATH", host);
        if (lazy_curl_ready(e) < 0)
                return e->code;
        _cleanup_free_ char *url = sock ? strdup_printf("http://localhost%s", path) : strdup_printf("%s%s", host, path);
        CURL *c = curl_easy_init();
        if (!c || !url) {
                if (c)
                        curl_easy_cleanup(c);
                return error_set(e, -ENOMEM, "out of memory");
        }
        struct buf b = { 0 };
        curl_easy_setopt(c, CURLOPT_URL, url);
        if (sock)
                curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
        const char *user = getenv("HOSTCTL_USER"), *pw = getenv("HOSTCTL_PASSWORD"), *ca = getenv("HOSTCTL_CACERT");
        if (!sock && user && pw) {
                curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
                curl_easy_setopt(c, CURLOPT_USERNAME, user);
                curl_easy_setopt(c, CURLOPT_PASSWORD, pw);
        }
        if (ca)
                curl_easy_setopt(c, CURLOPT_CAINFO, ca);
        struct curl_slist *headers = NULL;
        _cleanup_free_ char *confirm_header = confirm ? strdup_printf("X-Hostd-Confirm: %s", confirm) : NULL;
        if (body_text)
                headers = curl_slist_append(headers, "Content-Type: application/json");
        if (confirm_header)
                headers = curl_slist_append(headers, confirm_header);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        if (body_text)
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, body_text);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        CURLcode r = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(c);
        curl_slist_free_all(headers);
        _cleanup_free_ char *body = b.p;
        if (r != CURLE_OK)
                return error_set(e, -ECONNREFUSED, "cannot reach %s at %s: %s", peer, host, curl_easy_strerror(r));
        if (!ret && status >= 200 && status <= 299)
                return 0;
        json_object *o = NULL;
        struct error pe = { 0 };
        int k = body ? json_parse(body, b.n, &o, &pe) : error_set(&pe, -EBADMSG, "empty answer");
        if (status < 200 || status > 299) {
                json_object *err = NULL;
                const char *msg = NULL, *id = NULL;
                if (k >= 0 && json_object_object_get_ex(o, "error", &err)) {
                        msg = json_get_string(err, "message");
                        id = json_get_string(err, "code");
                }
                k = error_set(e, status_error(status, id), "%s at %s: HTTP %ld%s%s", peer, host, status, msg ? ": " : "",
                              msg ? msg : "");
                if (o)
                        json_object_put(o);
                return k;
        }
        if (k < 0)
                return error_set(e, k, "%s at %s: %s", peer, host, pe.msg);
        *ret = o;
        return 0;
}

int client_request_json(const char *host, const char *method, const char *path, const char *body_text, const char *confirm,
                        json_object **ret, struct error *e) {
        return request("hostd", host, method, path, body_text, confirm, ret, e);
}

int client_post_callback(const char *url, const char *body_text, struct error *e) {
        return request("the callback", url, "POST", "", body_text, NULL, NULL, e);
}
