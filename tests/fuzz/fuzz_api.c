/* libFuzzer target: the API's request handling (routing, path splitting, JSON
 * bodies of Volumes, Sessions and Subscriptions) with the disks of a fixture.
 * Input: byte 0 picks the method ('A' GET, 'B' POST, 'C' DELETE, 'D' PATCH,
 * 'E' PUT, 'F' HEAD, 'G' OPTIONS, then again), then the path up to '\n',
 * then the body. Requests go through api_serve(), as the server sends them.
 * Build: make fuzz (clang -fsanitize=fuzzer,address,undefined). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "daemon/api.h"
#include "daemon/auth.h"
#include "daemon/daemon.h"
#include "daemon/state.h"
#include "lib/json.h"
#include "raid/disk.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hostd h;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        struct disk_list *l = NULL;
        struct error e = { 0 };
        /* hostd's defaults: no file */
        if (daemon_config_load(NULL, &h.cfg, &e) < 0)
                __builtin_trap();
        /* a fuzzed Reset of the host is recorded, never run */
        h.cfg->host_reset_record = strdup("/dev/null");
        if (disk_list_read_json_file("tests/fixtures/inventory/r630-2ssd-6hdd.json", &l, &e) >= 0)
                state_publish_disks(l);
        /* sessions with no users: every login fails, the code path runs */
        auth_new(NULL, 60, &h.auth, &e);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const methods[] = { "GET", "POST", "DELETE", "PATCH", "PUT", "HEAD", "OPTIONS" };
        if (size < 2)
                return 0;
        const char *method = methods[(uint8_t)(data[0] - 'A') % ELEMENTSOF(methods)];
        const uint8_t *nl = memchr(data + 1, '\n', size - 1);
        size_t plen = nl ? (size_t)(nl - data - 1) : size - 1;
        char *path = strndup((const char *)data + 1, plen);
        size_t blen = nl ? size - plen - 2 : 0;
        char *body = malloc(blen + 1);
        if (!path || !body) {
                free(path);
                free(body);
                return 0;
        }
        memcpy(body, nl ? nl + 1 : data, blen);
        body[blen] = '\0';
        /* an Administrator reaches every handler */
        struct api_request req = { .method = method, .path = path, .body = body, .body_len = blen, .user = "fuzz",
                                   .role = AUTH_ROLE_ADMINISTRATOR, .client = "127.0.0.1", .confirm = "data",
                                   .cfg = h.cfg };
        struct api_response r;
        api_serve(&h, &req, &r);
        if (r.status < 200 || r.status > 599)
                __builtin_trap();
        api_response_done(&r);
        free(path);
        free(body);
        return 0;
}
