/* hostctl image fetch|sha256: the OS image, downloaded resumably and checked
 * by its sha256 before it is used. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "lib/download.h"
#include "lib/json.h"
#include "lib/strutil.h"

#define BAR_WIDTH 30

struct fetch_args {
        struct download_opts dl;
        const char *path;         /* "hostctl image fetch", for progress lines */
        bool tty;
        int last_tenth;           /* the last 10 % step printed without a tty */
        bool bar_shown;
};

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A bar redrawn in place on a terminal; in a log, one line per 10 %. */
static void on_progress(void *userdata, const struct download_progress *p) {
        struct fetch_args *a = userdata;
        char done[16], total[16], rate[16];
        format_size((uint64_t)p->done, done, sizeof done);
        format_size(p->total > 0 ? (uint64_t)p->total : 0, total, sizeof total);
        format_size((uint64_t)p->bytes_per_s, rate, sizeof rate);
        int pct = p->total > 0 ? (int)(p->done * 100 / p->total) : -1;
        if (a->tty) {
                char bar[BAR_WIDTH + 1];
                int fill = pct < 0 ? 0 : pct * BAR_WIDTH / 100;
                memset(bar, '#', (size_t)fill);
                memset(bar + fill, ' ', (size_t)(BAR_WIDTH - fill));
                bar[BAR_WIDTH] = '\0';
                if (pct >= 0)
                        fprintf(stderr, "\r\033[K%3d%% [%s] %s of %s, %s/s", pct, bar, done, total, rate);
                else
                        fprintf(stderr, "\r\033[K%s, %s/s", done, rate);
                a->bar_shown = true;
                return;
        }
        /* size unknown: a line every 64 MiB instead */
        int step = pct >= 0 ? pct / 10 : (int)(p->done >> 26);
        if (step <= a->last_tenth)
                return;
        a->last_tenth = step;
        if (pct >= 0)
                fprintf(stderr, "%s: %d%% (%s of %s, %s/s)\n", a->path, pct, done, total, rate);
        else
                fprintf(stderr, "%s: %s (%s/s)\n", a->path, done, rate);
}

static int fetch_option(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct fetch_args *a = userdata;
        char *end = NULL;
        switch (opt) {
        case 's':
                a->dl.sha256 = arg;
                return 0;
        case 'd':
                a->dl.dest = arg;
                return 0;
        case 'c':
                a->dl.ca_file = arg;
                return 0;
        case 'r': {
                long n = strtol(arg, &end, 10);
                if (!*arg || *end || n < 0 || n > 100)
                        return cli_usage_error(ctx, e, "--retries takes a number from 0 to 100, not '%s'", arg);
                a->dl.retries = n == 0 ? -1 : (int)n;   /* the library's 0 means its default */
                return 0;
        }
        }
        return cli_usage_error(ctx, e, "unknown option");
}

static int fetch_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        static const struct option longopts[] = {
                { "sha256", required_argument, NULL, 's' },
                { "dest", required_argument, NULL, 'd' },
                { "ca-file", required_argument, NULL, 'c' },
                { "retries", required_argument, NULL, 'r' },
                {},
        };
        struct fetch_args a = { .path = ctx->path, .last_tenth = -1 };
        int optind_ = 0;
        int k = cli_parse_options(ctx, argc, argv, "", longopts, fetch_option, &a, &optind_, e);
        if (k < 0)
                return k;
        if (argc - optind_ != 1)
                return cli_usage_error(ctx, e, "'image fetch' takes one URL");
        a.dl.url = argv[optind_];
        bool local = startswith(a.dl.url, "file:");
        if (!a.dl.sha256)
                return cli_usage_error(ctx, e, "--sha256 HEX is required: the image is only used when it matches");
        if (strlen(a.dl.sha256) != 64 || strspn(a.dl.sha256, "0123456789abcdefABCDEF") != 64)
                return cli_usage_error(ctx, e, "--sha256 takes 64 hex digits, not '%s'", a.dl.sha256);
        if (!a.dl.dest && !local)
                return cli_usage_error(ctx, e, "--dest PATH is required for an http(s) URL");
        a.tty = isatty(STDERR_FILENO);
        if (!ctx->json) {
                a.dl.progress = on_progress;
                a.dl.userdata = &a;
        }

        double t0 = now_s();
        _cleanup_free_ char *path = NULL;
        bool fetched = false;
        k = download_verified(&a.dl, &path, &fetched, e);
        if (a.bar_shown)
                fputc('\n', stderr);
        if (k < 0)
                return k;
        double seconds = now_s() - t0;
        struct stat st;
        int64_t bytes = stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
        char want[65];
        for (size_t i = 0; i < 64; i++)
                want[i] = (char)tolower((unsigned char)a.dl.sha256[i]);
        want[64] = '\0';
        if (ctx->json) {
                _cleanup_json_ json_object *o = json_object_new_object();
                json_add_string(o, "path", path);
                json_add_string(o, "sha256", want);
                json_add_bool(o, "fetched", fetched);
                json_add_int(o, "bytes", bytes);
                char secs[32];
                snprintf(secs, sizeof secs, "%.3f", seconds);
                json_object_object_add(o, "seconds", json_object_new_double_s(seconds, secs));
                cli_print_json(ctx, o);
                return 0;
        }
        char size[16];
        format_size(bytes > 0 ? (uint64_t)bytes : 0, size, sizeof size);
        if (fetched)
                fprintf(ctx->out, "%s: %s fetched and verified in %.1f s (sha256 %s)\n", path, size, seconds, want);
        else
                fprintf(ctx->out, "%s: %s %s (sha256 %s)\n", path, size,
                        local ? "verified in place" : "already there and verified, nothing fetched", want);
        return 0;
}

static int sha256_option(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        return cli_usage_error(ctx, e, "unknown option");
}

static int sha256_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        static const struct option longopts[] = { {} };
        int optind_ = 0;
        int k = cli_parse_options(ctx, argc, argv, "", longopts, sha256_option, NULL, &optind_, e);
        if (k < 0)
                return k;
        if (argc - optind_ != 1)
                return cli_usage_error(ctx, e, "'image sha256' takes one file");
        const char *file = argv[optind_];
        char hex[65];
        if ((k = sha256_file(file, hex, e)) < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *o = json_object_new_object();
                json_add_string(o, "path", file);
                json_add_string(o, "sha256", hex);
                cli_print_json(ctx, o);
        } else
                fprintf(ctx->out, "%s  %s\n", hex, file);
        return 0;
}

static const struct command image_fetch = {
        .name = "fetch",
        .args = "URL --sha256 HEX --dest PATH [--ca-file FILE] [--retries N] [--json]",
        .summary = "Download an image (https://, http://) resumably, or check a file:// one in place",
        .help = "Options:\n"
                "  --sha256 HEX    the image's sha256 (required): it gets its name only when it matches\n"
                "  --dest PATH     where the image goes; the download in progress is PATH.part\n"
                "                  (not needed for file:// URLs: the file is checked where it is)\n"
                "  --ca-file FILE  CA bundle for the server's certificate (TLS is always verified)\n"
                "  --retries N     tries again after timeouts, resets and 5xx, resuming (default 3,\n"
                "                  0 for none); a try that got further than the last is not counted\n"
                "\n"
                "A PATH that already has the digest is not fetched again; an interrupted download\n"
                "resumes from PATH.part on the next run (HTTP Range). A wrong digest removes\n"
                "PATH.part and fails with both digests. --json prints\n"
                "{\"path\", \"sha256\", \"fetched\", \"bytes\", \"seconds\"}.\n",
        .run = fetch_run,
};

static const struct command image_sha256 = {
        .name = "sha256",
        .args = "FILE [--json]",
        .summary = "Print the sha256 of a file (for --sha256 of fetch)",
        .run = sha256_run,
};

static const struct command *const image_verbs[] = { &image_fetch, &image_sha256, NULL };

const struct command cmd_os_image = {
        .name = "image",
        .summary = "OS images: fetch one verified by its sha256, or compute a digest",
        .subs = image_verbs,
};
