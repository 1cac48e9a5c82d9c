/* hostd-webhook: the lab's event receiver, and the probe that times it.
 *   hostd-webhook listen PORT OUTFILE [REFUSE]   receive POSTs on 127.0.0.1:PORT;
 *       also watch the kernel's block uevents; write, each with CLOCK_MONOTONIC ms:
 *         REMOVE <ms> <disk>        a disk's kernel "remove" uevent
 *         POST <ms> <body>          a webhook POST from hostd
 *         REFUSED <ms> <body>       one of the first REFUSE POSTs, answered 503
 *                                   (a receiver that is restarting)
 *   hostd-webhook stamp OUTFILE WORD...  append "WORD <ms> REST..." to OUTFILE:
 *       an action's moment on the same clock (before `mdadm --fail`; as
 *       `mdadm --monitor --program`, which passes EVENT MD [MEMBER]).
 *   hostd-webhook watch OUTFILE ATTR  wait (POLLPRI) for a sysfs attribute to
 *       change, as hostd does; append "CHANGE <ms> ATTR VALUE rt=<s.ms>" at each
 *       change (rt: the wall clock, as in hostd's EventTimestamp).
 *   hostd-webhook subscribe SOCKET URL  POST an EventService subscription to
 *       hostd's Unix socket (the guest has no curl).
 *   hostd-webhook request SOCKET METHOD PATH [BODY]  any request; prints
 *       "HTTP <status>" and the body; exit 0 for 2xx. $HOSTD_CONFIRM, when
 *       set, goes as the X-Hostd-Confirm header (DELETE of a Volume).
 * Build: cc -o hostd-webhook hostd-webhook.c -lmicrohttpd -ludev -lcurl */
#include <curl/curl.h>
#include <fcntl.h>
#include <libudev.h>
#include <microhttpd.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static FILE *out;
static int refuse;               /* POSTs still to answer with 503 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double now_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

struct req { char buf[65536]; size_t n; double t0; };

static enum MHD_Result on_req(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **ctx) {
        struct req *r = *ctx;
        if (!r) {
                r = calloc(1, sizeof *r);
                r->t0 = now_ms();
                *ctx = r;
                return MHD_YES;
        }
        if (*size) {
                size_t k = *size < sizeof r->buf - 1 - r->n ? *size : sizeof r->buf - 1 - r->n;
                memcpy(r->buf + r->n, data, k);
                r->n += k;
                *size = 0;
                return MHD_YES;
        }
        for (size_t i = 0; i < r->n; i++)
                if (r->buf[i] == '\n')
                        r->buf[i] = ' ';
        pthread_mutex_lock(&lock);
        bool refused = refuse > 0;
        refuse -= refused;
        fprintf(out, "%s %.1f %s\n", refused ? "REFUSED" : "POST", r->t0, r->buf);
        fflush(out);
        pthread_mutex_unlock(&lock);
        free(r);
        *ctx = NULL;
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        enum MHD_Result ret = MHD_queue_response(c, refused ? 503 : 204, resp);
        MHD_destroy_response(resp);
        return ret;
}

static int listen_main(int port, const char *path) {
        out = fopen(path, "a");
        if (!out)
                return perror(path), 1;
        struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, on_req, NULL,
                                                MHD_OPTION_END);
        struct udev *u = udev_new();
        struct udev_monitor *m = udev_monitor_new_from_netlink(u, "kernel");
        udev_monitor_filter_add_match_subsystem_devtype(m, "block", "disk");
        if (!d || !m || udev_monitor_enable_receiving(m) < 0)
                return fprintf(stderr, "cannot listen\n"), 1;
        fprintf(stderr, "listening on %d\n", port);
        for (;;) {
                struct pollfd p = { .fd = udev_monitor_get_fd(m), .events = POLLIN };
                if (poll(&p, 1, -1) <= 0)
                        continue;
                double t = now_ms();
                struct udev_device *dev;
                while ((dev = udev_monitor_receive_device(m))) {
                        const char *a = udev_device_get_action(dev);
                        if (a && !strcmp(a, "remove")) {
                                pthread_mutex_lock(&lock);
                                fprintf(out, "REMOVE %.1f %s\n", t, udev_device_get_sysname(dev));
                                fflush(out);
                                pthread_mutex_unlock(&lock);
                        }
                        udev_device_unref(dev);
                }
        }
}

static int subscribe(const char *sock, const char *url) {
        char body[512];
        snprintf(body, sizeof body, "{\"Destination\": \"%s\", \"Context\": \"lab\", \"Protocol\": \"Redfish\"}", url);
        CURL *c = curl_easy_init();
        struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
        curl_easy_setopt(c, CURLOPT_URL, "http://localhost/redfish/v1/EventService/Subscriptions");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        CURLcode r = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
        printf("\nsubscribe: %s HTTP %ld\n", curl_easy_strerror(r), status);
        return r == CURLE_OK && status == 201 ? 0 : 1;
}

static size_t print_body(char *p, size_t size, size_t n, void *u) {
        return fwrite(p, size, n, stdout);
}

static int request(const char *sock, const char *method, const char *path, const char *body) {
        char url[1024];
        snprintf(url, sizeof url, "http://localhost%s", path);
        CURL *c = curl_easy_init();
        struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
        char confirm[256];
        if (getenv("HOSTD_CONFIRM")) {
                snprintf(confirm, sizeof confirm, "X-Hostd-Confirm: %s", getenv("HOSTD_CONFIRM"));
                h = curl_slist_append(h, confirm);
        }
        curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        if (body)
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, print_body);
        CURLcode r = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
        printf("\nHTTP %ld %s\n", status, r == CURLE_OK ? "" : curl_easy_strerror(r));
        return r == CURLE_OK && status >= 200 && status < 300 ? 0 : 1;
}

static int stamp(const char *path, int argc, char **argv) {
        double t = now_ms();
        FILE *f = fopen(path, "a");
        if (!f)
                return perror(path), 1;
        fprintf(f, "%s %.1f", argv[0], t);
        for (int i = 1; i < argc; i++)
                fprintf(f, " %s", argv[i]);
        fputc('\n', f);
        return fclose(f) == 0 ? 0 : 1;
}

static int watch(const char *path, const char *attr) {
        int fd = open(attr, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return perror(attr), 1;
        char buf[128];
        for (;;) {
                ssize_t n = pread(fd, buf, sizeof buf - 1, 0);   /* (re)arms the notification */
                if (n < 0)
                        return perror(attr), 1;
                struct pollfd p = { .fd = fd, .events = POLLPRI | POLLERR };
                if (poll(&p, 1, -1) <= 0)
                        continue;
                double t = now_ms();
                n = pread(fd, buf, sizeof buf - 1, 0);
                buf[n > 0 ? n - (buf[n - 1] == '\n') : 0] = '\0';
                FILE *f = fopen(path, "a");
                if (!f)
                        return perror(path), 1;
                struct timespec rt; clock_gettime(CLOCK_REALTIME, &rt); fprintf(f, "CHANGE %.1f %s %s rt=%ld.%03ld\n", t, attr, buf, (long)rt.tv_sec, rt.tv_nsec / 1000000);
                fclose(f);
        }
}

int main(int argc, char **argv) {
        if (argc == 4 && !strcmp(argv[1], "watch"))
                return watch(argv[2], argv[3]);
        if (argc >= 4 && !strcmp(argv[1], "stamp"))
                return stamp(argv[2], argc - 3, argv + 3);
        if ((argc == 4 || argc == 5) && !strcmp(argv[1], "listen")) {
                refuse = argc == 5 ? atoi(argv[4]) : 0;
                return listen_main(atoi(argv[2]), argv[3]);
        }
        if (argc == 4 && !strcmp(argv[1], "subscribe"))
                return subscribe(argv[2], argv[3]);
        if ((argc == 5 || argc == 6) && !strcmp(argv[1], "request"))
                return request(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL);
        fprintf(stderr, "usage: hostd-webhook listen PORT OUTFILE [REFUSE] | subscribe SOCKET URL | "
                        "request SOCKET METHOD PATH [BODY]\n");
        return 2;
}
