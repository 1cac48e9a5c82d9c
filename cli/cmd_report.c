/* hostctl report URL: one JSON progress report POSTed to a provisioning
 * controller (the installer's hostd.callback=URL): the phase, its state, a
 * message, and optionally a document such as `apply --json`'s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"

#define MESSAGE_MAX 4096
#define PRINTABLE " -.0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

struct report_args {
        const char *phase, *state, *message, *host_name, *document;
};

static int report_option(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct report_args *a = userdata;
        switch (opt) {
        case 'p':
                a->phase = arg;
                return 0;
        case 's':
                a->state = arg;
                return 0;
        case 'm':
                a->message = arg;
                return 0;
        case 'n':
                a->host_name = arg;
                return 0;
        case 'd':
                a->document = arg;
                return 0;
        }
        return cli_usage_error(ctx, e, "unknown option");
}

static bool is_name(const char *s, size_t max) {
        size_t n = strlen(s);
        return n > 0 && n <= max && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-._") == n;
}

/* The server itself, before any spec names it: DMI's serial number (a Dell's
 * service tag) and UUID, when the firmware gives them. */
static void add_system_identity(json_object *body) {
        static const char *const keys[][2] = { { "serial", "product_serial" }, { "uuid", "product_uuid" } };
        const char *root = getenv("HOSTCTL_DMI_DIR");
        json_object *sys = json_object_new_object();
        for (size_t i = 0; i < 2; i++) {
                _cleanup_free_ char *path = strdup_printf("%s/%s", root ? root : "/sys/class/dmi/id", keys[i][1]);
                _cleanup_free_ char *text = NULL;
                struct error ignore = { 0 };
                if (!path || read_one_line(path, &text, &ignore) < 0)
                        continue;
                if (*text && strlen(text) <= 64 && strspn(text, PRINTABLE) == strlen(text))
                        json_add_string(sys, keys[i][0], text);
        }
        json_object_object_add(body, "system", sys);
}

static int report_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        static const struct option longopts[] = {
                { "phase", required_argument, NULL, 'p' },
                { "state", required_argument, NULL, 's' },
                { "message", required_argument, NULL, 'm' },
                { "host-name", required_argument, NULL, 'n' },
                { "document", required_argument, NULL, 'd' },
                {},
        };
        struct report_args a = { 0 };
        int optind_ = 0;
        int k = cli_parse_options(ctx, argc, argv, "", longopts, report_option, &a, &optind_, e);
        if (k < 0)
                return k;
        if (argc - optind_ != 1)
                return cli_usage_error(ctx, e, "'report' takes one URL");
        const char *url = argv[optind_];
        if (!startswith(url, "http://") && !startswith(url, "https://"))
                return cli_usage_error(ctx, e, "the URL must be http:// or https://, not '%s'", url);
        if (!a.phase || !is_name(a.phase, 32))
                return cli_usage_error(ctx, e, "--phase NAME is required: lower-case letters, digits, '-', '.', '_'");
        if (!a.state || (!streq(a.state, "running") && !streq(a.state, "ok") && !streq(a.state, "failed")))
                return cli_usage_error(ctx, e, "--state is running, ok or failed");
        if (a.message && strlen(a.message) > MESSAGE_MAX)
                return cli_usage_error(ctx, e, "--message is longer than %d bytes", MESSAGE_MAX);
        if (a.host_name && !is_name(a.host_name, 63))
                return cli_usage_error(ctx, e, "--host-name '%s' is not a host name", a.host_name);

        _cleanup_json_ json_object *body = json_object_new_object();
        json_add_string(body, "phase", a.phase);
        json_add_string(body, "state", a.state);
        if (a.message)
                json_add_string(body, "message", a.message);
        if (a.host_name)
                json_add_string(body, "host", a.host_name);
        char when[32];
        time_t now = time(NULL);
        struct tm tm;
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
        json_add_string(body, "time", when);
        add_system_identity(body);
        if (a.document) {
                /* a document that is not JSON (an apply that died midway) is
                 * reported as such rather than dropping the report */
                json_object *doc = NULL;
                struct error pe = { 0 };
                if (json_read_file(a.document, &doc, &pe) >= 0)
                        json_object_object_add(body, "result", doc);
                else
                        json_add_string(body, "result_error", pe.msg);
        }
        const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
        if ((k = client_post_callback(url, text, e)) < 0)
                return k;
        if (ctx->json)
                cli_print_json(ctx, json_object_get(body));
        else
                fprintf(ctx->out, "reported %s %s to %s\n", a.phase, a.state, url);
        return 0;
}

const struct command cmd_report = {
        .name = "report",
        .args = "URL --phase NAME --state running|ok|failed [--message TEXT] [--host-name NAME] [--document FILE]",
        .summary = "POST one progress report (JSON) to a provisioning controller",
        .help = "Options:\n"
                "  --phase NAME      what the report is about (booted, network, spec, apply, finished, ...)\n"
                "  --state STATE     running, ok or failed\n"
                "  --message TEXT    a line for a person (at most 4096 bytes)\n"
                "  --host-name NAME  the host the report is about\n"
                "  --document FILE   a JSON document sent as \"result\" (e.g. apply --json's output)\n"
                "\n"
                "The body is {\"phase\", \"state\", \"message\", \"host\", \"time\", \"system\",\n"
                "\"result\"}; system holds DMI's serial number (a Dell's service tag) and UUID. Any 2xx\n"
                "answer is success; TLS is verified (HOSTCTL_CACERT names a CA file). The\n"
                "installer image reports each phase to its hostd.callback=URL this way.\n",
        .run = report_run,
};
