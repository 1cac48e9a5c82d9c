/* hostctl status: one screen for a person at the console, from a running
 * hostd (the local socket unless --host says otherwise): the arrays with a
 * progress bar while md syncs, the disks, the container runtime and the
 * last events. --watch redraws it; --json prints the parts as one document. */
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "lib/json.h"
#include "lib/strutil.h"

#define DEFAULT_HOST "unix:///run/hostd/hostd.sock"
#define ARRAYS "/redfish/v1/Systems/host/Storage/md/Oem/Hostd/Arrays"
#define INVENTORY "/redfish/v1/Systems/host/Storage/md/Oem/Hostd/Inventory"
#define CONTAINERS "/redfish/v1/Systems/host/Oem/Hostd/Containers"
#define EVENTS "/redfish/v1/EventService/Oem/Hostd/Events"
#define LAST_EVENTS 5
#define BAR_WIDTH 30

struct status_args {
        double watch_s; /* 0: once */
};

/* The document: what hostd said, part by part */
static int status_read(const char *host, json_object **ret, struct error *e) {
        static const struct {
                const char *key, *path;
        } parts[] = { { "arrays", ARRAYS }, { "inventory", INVENTORY }, { "containers", CONTAINERS }, { "events", EVENTS } };
        _cleanup_json_ json_object *doc = json_object_new_object();
        if (!doc)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
                json_object *o = NULL;
                int k = client_get_json(host, parts[i].path, &o, e);
                if (k < 0)
                        return k;
                json_object_object_add(doc, parts[i].key, o);
        }
        /* the last events only, newest last */
        json_object *ev = json_get(json_get(doc, "events"), "Events");
        size_t n = ev ? json_object_array_length(ev) : 0;
        json_object *last = json_object_new_array();
        for (size_t i = n > LAST_EVENTS ? n - LAST_EVENTS : 0; i < n; i++)
                json_object_array_add(last, json_object_get(json_object_array_get_idx(ev, i)));
        json_object_object_add(doc, "events", last);
        json_object *arrays = json_object_get(json_get(json_get(doc, "arrays"), "arrays"));
        json_object_object_add(doc, "arrays", arrays);
        json_object *disks = json_object_get(json_get(json_get(doc, "inventory"), "disks"));
        json_object_object_del(doc, "inventory");
        json_object_object_add(doc, "disks", disks);
        *ret = TAKE_PTR(doc);
        return 0;
}

static void print_bar(FILE *out, double percent) {
        int filled = (int)(percent / 100.0 * BAR_WIDTH + 0.5);
        fputc('[', out);
        for (int i = 0; i < BAR_WIDTH; i++)
                fputc(i < filled ? '#' : '.', out);
        fprintf(out, "] %5.1f%%", percent);
}

static void print_arrays(FILE *out, json_object *arrays) {
        size_t n = arrays ? json_object_array_length(arrays) : 0;
        fprintf(out, "Arrays (%zu)\n", n);
        for (size_t i = 0; i < n; i++) {
                json_object *a = json_object_array_get_idx(arrays, i);
                int required = (int)json_get_int_or(a, "raid_disks", 0);
                int missing = (int)json_get_int_or(a, "degraded", 0);
                /* hostd's judgement (md_health), not one made again here */
                const char *health = json_get_string_or(a, "health", "?");
                fprintf(out, "  %-10s %-7s %-6s %-9s %d/%d members%s", json_get_string_or(a, "name", "?"),
                        json_get_string_or(a, "kernel_name", "?"), json_get_string_or(a, "level", "?"),
                        json_get_string_or(a, "array_state", "?"), required - missing, required,
                        streq(health, "Critical") ? "  FAILED" : streq(health, "Warning") ? "  DEGRADED" : "");
                json_object *pct = json_get(a, "sync_percent");
                if (pct) {
                        fprintf(out, "\n             %-8s ", json_get_string_or(a, "sync_action", "sync"));
                        print_bar(out, json_object_get_double(pct));
                        json_object *speed = json_get(a, "sync_speed_kib");
                        if (speed)
                                fprintf(out, "  %.1f MiB/s", (double)json_object_get_int64(speed) / 1024.0);
                }
                fputc('\n', out);
        }
}

static void print_disks(FILE *out, json_object *disks) {
        size_t n = disks ? json_object_array_length(disks) : 0;
        fprintf(out, "Disks (%zu)\n", n);
        for (size_t i = 0; i < n; i++) {
                json_object *d = json_object_array_get_idx(disks, i);
                char size[16];
                int64_t bytes = json_get_int_or(d, "size_bytes", 0);
                fprintf(out, "  %-8s %8s  %-24s %s\n", json_get_string_or(d, "name", "?"),
                        format_size(bytes > 0 ? (uint64_t)bytes : 0, size, sizeof size), json_get_string_or(d, "model", "-"),
                        json_get_string_or(d, "serial", "-"));
        }
}

static void print_runtime(FILE *out, json_object *containers) {
        json_object *c = json_get(containers, "containerd");
        fprintf(out, "Runtime\n  containerd: %s, %s\n", json_object_get_boolean(json_get(c, "placed")) ? "on the pool" : "not placed",
                json_object_get_boolean(json_get(c, "running")) ? "running" : "not running");
}

static void print_events(FILE *out, json_object *events) {
        size_t n = json_object_array_length(events);
        fprintf(out, "Last events (%zu)\n", n);
        for (size_t i = 0; i < n; i++) {
                json_object *ev = json_object_array_get_idx(events, i);
                fprintf(out, "  %s %-8s %s\n", json_get_string_or(ev, "EventTimestamp", "?"), json_get_string_or(ev, "Severity", "?"),
                        json_get_string_or(ev, "Message", ""));
        }
}

static void status_print(FILE *out, const char *host, json_object *doc) {
        fprintf(out, "hostd at %s\n\n", host);
        print_arrays(out, json_get(doc, "arrays"));
        fputc('\n', out);
        print_disks(out, json_get(doc, "disks"));
        fputc('\n', out);
        print_runtime(out, json_get(doc, "containers"));
        fputc('\n', out);
        print_events(out, json_get(doc, "events"));
}

static int status_option(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct status_args *a = userdata;
        char *end = NULL;
        if (opt != 'w')
                return cli_usage_error(ctx, e, "unknown option");
        a->watch_s = arg ? strtod(arg, &end) : 2.0;
        if (arg && (end == arg || *end || a->watch_s < 0.2 || a->watch_s > 3600))
                return cli_usage_error(ctx, e, "--watch=%s: seconds from 0.2 to 3600", arg);
        return 0;
}

static int status_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        static const struct option longopts[] = {
                { "watch", optional_argument, NULL, 'w' },
                {},
        };
        struct status_args a = { 0 };
        int optind_ = 0;
        int k = cli_parse_options(ctx, argc, argv, "", longopts, status_option, &a, &optind_, e);
        if (k < 0)
                return k;
        if (optind_ < argc)
                return cli_usage_error(ctx, e, "'status' takes no arguments");
        if (a.watch_s > 0 && ctx->json)
                return cli_usage_error(ctx, e, "--watch redraws a screen: not with --json");
        const char *host = ctx->host ? ctx->host : DEFAULT_HOST;
        for (;;) {
                _cleanup_json_ json_object *doc = NULL;
                if ((k = status_read(host, &doc, e)) < 0)
                        return k;
                if (ctx->json) {
                        cli_print_json(ctx, doc);
                        return 0;
                }
                if (a.watch_s > 0)
                        fputs("\033[H\033[2J", ctx->out);
                status_print(ctx->out, host, doc);
                if (a.watch_s <= 0)
                        return 0;
                fflush(ctx->out);
                usleep((useconds_t)(a.watch_s * 1e6));
        }
}

const struct command cmd_host_status = {
        .name = "status",
        .summary = "One screen from hostd: arrays (with resync progress), disks, runtime, last events",
        .help = "Options:\n"
                "  --watch[=SECONDS]  redraw every SECONDS (default 2) until interrupted\n"
                "\n"
                "Asks the hostd of --host, or the local one on " DEFAULT_HOST ".\n",
        .run = status_run,
        .remote = true,
};
