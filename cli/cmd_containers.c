/* hostctl containers: the container runtime on the RAID 5 pool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "cmd_containers.h"
#include "commands.h"
#include "containers/containerd.h"
#include "containers/detect.h"
#include "containers/image.h"
#include "containers/migrate.h"
#include "containers/others.h"
#include "containers/place.h"
#include "containers/runc.h"
#include "containers/setup.h"
#include "containers/status.h"
#include "containers/verify.h"
#include "lib/json.h"
#include "lib/outcome.h"
#include "lib/strutil.h"

#define opts containers_opts

enum { OPT_POOL = 1000, OPT_CONFIG, OPT_RUN_DIR, OPT_RUNTIME, OPT_KEEP_OLD, OPT_MEMORY, OPT_CPUS, OPT_EXIT, OPT_OUTPUT };

#define COMMON_OPTS                                                                     \
        { "pool", required_argument, NULL, OPT_POOL },                                  \
        { "config", required_argument, NULL, OPT_CONFIG },                              \
        { "run-dir", required_argument, NULL, OPT_RUN_DIR },                            \
        { "runtime", required_argument, NULL, OPT_RUNTIME }

static const struct option common_opts[] = { COMMON_OPTS, { 0 } };
static const struct option verify_opts[] = { COMMON_OPTS,
                                             { "memory", required_argument, NULL, OPT_MEMORY },
                                             { "cpus", required_argument, NULL, OPT_CPUS },
                                             { "exit-code", required_argument, NULL, OPT_EXIT },
                                             { 0 } };
static const struct option bundle_opts[] = { { "pool", required_argument, NULL, OPT_POOL },
                                             { "run-dir", required_argument, NULL, OPT_RUN_DIR },
                                             { "memory", required_argument, NULL, OPT_MEMORY },
                                             { "cpus", required_argument, NULL, OPT_CPUS },
                                             { "exit-code", required_argument, NULL, OPT_EXIT },
                                             { 0 } };
static const struct option migrate_opts[] = { COMMON_OPTS, { "keep-old", no_argument, NULL, OPT_KEEP_OLD }, { 0 } };
static const struct option image_opts[] = { { "output", required_argument, NULL, OPT_OUTPUT }, { 0 } };

#define COMMON_HELP                                                                                     \
        "Options:\n"                                                                                    \
        "  --pool DIR          the RAID 5 mount (default " PLACE_DEFAULT_POOL "); data goes to DIR/containers/<runtime>\n" \
        "  --runtime NAME      containerd (default), docker or podman\n"                                \
        "  --config FILE       the runtime's config (default " PLACE_DEFAULT_CONTAINERD_CONFIG ",\n"    \
        "                      " DOCKER_DEFAULT_CONFIG ", " PODMAN_DEFAULT_CONFIG ")\n"                 \
        "  --run-dir DIR       where state, socket, pid file and log go (default " PLACE_DEFAULT_RUN_DIR ")\n"

#define REMOTE_HELP                                                                                     \
        "\nWith --host, hostd answers for its machine; its hostd.conf (containers: pool, config,\n"     \
        "run_dir) names the paths, so --pool, --config and --run-dir are refused there.\n"

static int handle(struct cli_ctx *ctx, int opt, const char *arg, void *userdata, struct error *e) {
        struct opts *o = userdata;
        char *end;
        switch (opt) {
        case OPT_POOL: o->pool = arg; break;
        case OPT_CONFIG: o->config = arg; break;
        case OPT_RUN_DIR: o->run_dir = arg; break;
        case OPT_RUNTIME:
                if (!streq(arg, "containerd") && !streq(arg, "docker") && !streq(arg, "podman"))
                        return cli_usage_error(ctx, e, "--runtime: '%s' is not containerd, docker or podman", arg);
                o->runtime = arg;
                o->runtime_set = true;
                break;
        case OPT_KEEP_OLD: o->keep_old = true; break;
        case OPT_OUTPUT: o->output = arg; break;
        case OPT_MEMORY:
                if (parse_size(arg, &o->v.memory) < 0 || o->v.memory < (4 << 20))
                        return cli_usage_error(ctx, e, "--memory: '%s' is not a size of at least 4M", arg);
                break;
        case OPT_CPUS:
                o->v.cpus = strtod(arg, &end);
                if (*end || o->v.cpus < 0.01 || o->v.cpus > 1024)
                        return cli_usage_error(ctx, e, "--cpus: '%s' is not a number of CPUs such as 0.5", arg);
                break;
        case OPT_EXIT:
                o->v.exit_code = (int)strtol(arg, &end, 10);
                if (*end || o->v.exit_code < 0 || o->v.exit_code > 125)
                        return cli_usage_error(ctx, e, "--exit-code: '%s' is not 0..125", arg);
                break;
        }
        return 0;
}

/* Options, no operands. */
static int parse(struct cli_ctx *ctx, int argc, char **argv, const struct option *lo, struct opts *o,
                 struct error *e) {
        *o = (struct opts){ .runtime = "containerd", .v = { .memory = 64 << 20, .cpus = 0.5, .exit_code = 7 } };
        int ind;
        int k = cli_parse_options(ctx, argc, argv, "", lo, handle, o, &ind, e);
        if (k < 0)
                return k;
        if (ind < argc)
                return cli_usage_error(ctx, e, "unexpected argument '%s'", argv[ind]);
        return 0;
}

int containers_report_checks(struct cli_ctx *ctx, const struct checks *c, json_object *o, const char *what,
                             const char *pool, struct error *e) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < c->n; i++) {
                const struct check *k = &c->item[i];
                json_object *j = json_object_new_object();
                json_add_string(j, "name", k->name);
                json_add_bool(j, "ok", k->ok);
                json_add_string(j, "detail", k->detail);
                json_object_array_add(a, j);
                if (!ctx->json)
                        fprintf(ctx->out, "%-5s %-17s %s\n", k->ok ? "ok" : "FAIL", k->name, k->detail);
        }
        json_object_object_add(o, "checks", a);
        json_add_bool(o, "ok", checks_ok(c));
        if (ctx->json)
                cli_print_json(ctx, o);
        return checks_ok(c) ? 0 : error_set(e, -EIO, "%s on %s: a check failed", what, pool);
}

void containers_print_migrate(struct cli_ctx *ctx, const char *runtime, const char *root,
                              const struct migrate_report *r) {
        if (ctx->json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_add_string(j, "runtime", runtime);
                json_add_bool(j, "moved", r->moved);
                json_add_string(j, "old_root", r->old_root);
                json_add_string(j, "root", root);
                json_add_strv(j, "images", r->images);
                json_add_strv(j, "containers", r->containers);
                json_add_bool(j, "old_removed", r->old_removed);
                json_add_int(j, "copy_ms", r->copy_ms);
                cli_print_json(ctx, j);
        } else if (!r->moved)
                fprintf(ctx->out, "%s already keeps its data on the pool (%s)\n", runtime, r->old_root);
        else
                fprintf(ctx->out, "moved %zu images and %zu containers from %s to %s in %ld ms; old data %s\n",
                        strv_length(r->images), strv_length(r->containers), r->old_root, root, r->copy_ms,
                        r->old_removed ? "removed" : "kept");
}

/* With --host, hostd's configuration (containers: in hostd.conf) names the
 * paths; options naming this machine's paths would be silently ignored. */
static int refuse_remote_paths(struct cli_ctx *ctx, const struct opts *o, struct error *e) {
        if (ctx->host && (o->pool || o->config || o->run_dir))
                return cli_usage_error(ctx, e, "--pool, --config and --run-dir name this machine's paths; with --host, "
                                                "hostd's configuration (containers: in hostd.conf) names them");
        return 0;
}

/* A member of hostd's Oem.Hostd.Containers resource: there it is the very
 * document (or list) the local command builds, so both print alike below. */
static int remote_part(struct cli_ctx *ctx, const char *key, json_type type, json_object **ret, struct error *e) {
        _cleanup_json_ json_object *o = NULL;
        json_object *x = NULL;
        int k = client_get_json(ctx->host, "/redfish/v1/Systems/host/Oem/Hostd/Containers", &o, e);
        if (k < 0)
                return k;
        if (!json_object_object_get_ex(o, key, &x) || !json_object_is_type(x, type))
                return error_set(e, -EBADMSG, "hostd at %s: the answer has no '%s'", ctx->host, key);
        *ret = json_object_get(x);
        return 0;
}

static const char *jstr(json_object *o, const char *key) {
        return json_get_string(o, key);
}

static bool jbool(json_object *o, const char *key) {
        json_object *v = NULL;
        return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static void print_detect(FILE *out, json_object *runtimes) {
        fprintf(out, "%-11s %-9s %-28s %-6s %s\n", "RUNTIME", "INSTALLED", "VERSION", "ACTIVE", "DATA");
        for (size_t i = 0; i < json_object_array_length(runtimes); i++) {
                json_object *r = json_object_array_get_idx(runtimes, i);
                const char *v = jstr(r, "version"), *runc = jstr(r, "runc_version"), *name = jstr(r, "name"),
                           *data = jstr(r, "data_root") ? jstr(r, "data_root") : jstr(r, "note");
                _cleanup_free_ char *ver = runc ? strdup_printf("%s (runc %s)", v ? v : "-", runc) : strdup(v ? v : "-");
                fprintf(out, "%-11s %-9s %-28s %-6s %s\n", name ? name : "?", jbool(r, "installed") ? "yes" : "no",
                        ver ? ver : "", jbool(r, "active") ? "yes" : "no", data ? data : "-");
        }
}

static int detect_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        struct opts o;
        int k = parse(ctx, argc, argv, common_opts, &o, e);
        if (k < 0 || (k = refuse_remote_paths(ctx, &o, e)) < 0)
                return k;
        _cleanup_json_ json_object *doc = NULL;
        json_object *all = NULL;
        if (ctx->host && (k = remote_part(ctx, "runtimes", json_type_array, &all, e)) >= 0) {
                doc = json_object_new_object();
                json_object_object_add(doc, "runtimes", all);
        } else if (!ctx->host && (k = containers_detect_json(&(struct detect_inputs){
                                                                    .containerd_config = streq(o.runtime, "containerd") ? o.config : NULL,
                                                                    .docker_config = streq(o.runtime, "docker") ? o.config : NULL,
                                                                    .podman_config = streq(o.runtime, "podman") ? o.config : NULL,
                                                                    .run_dir = o.run_dir },
                                                            &doc, e)) >= 0)
                json_object_object_get_ex(doc, "runtimes", &all);
        if (k < 0)
                return k;
        /* --runtime NAME: that one only, and an error when it is not installed */
        if (o.runtime_set) {
                json_object *keep = json_object_new_array();
                for (size_t i = 0; i < json_object_array_length(all); i++) {
                        json_object *r = json_object_array_get_idx(all, i);
                        if (streq(jstr(r, "name"), o.runtime))
                                json_object_array_add(keep, json_object_get(r));
                }
                json_object_object_add(doc, "runtimes", keep);
                all = keep;
                json_object *r = json_object_array_get_idx(all, 0);
                if (r && !jbool(r, "installed"))
                        return error_set(e, -ENOENT, "%s: %s", o.runtime,
                                         jstr(r, "note") ? jstr(r, "note") : "not installed");
        }
        if (ctx->json)
                cli_print_json(ctx, doc);
        else
                print_detect(ctx->out, all);
        return 0;
}

static int setup_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        struct opts o;
        int k = parse(ctx, argc, argv, common_opts, &o, e);
        if (k < 0)
                return k;
        if (!streq(o.runtime, "containerd"))
                return engine_setup_cmd(ctx, &o, e);
        _cleanup_(place_done) struct place p = { 0 };
        _cleanup_(setup_report_done) struct setup_report r = { 0 };
        if ((k = place_init(&p, o.pool, o.config, o.run_dir, e)) < 0 || (k = setup_containerd(&p, &r, e)) < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_add_string(j, "runtime", "containerd");
                json_add_string(j, "config", p.config);
                json_add_string(j, "dropin", p.dropin);
                json_add_string(j, "old_root", r.old_root);
                json_add_string(j, "root", p.root);
                json_add_string(j, "state", p.state);
                json_add_string(j, "address", p.address);
                json_add_string(j, "snapshotter", r.snapshotter);
                json_add_string(j, "overlayfs_error", r.overlay_error);
                json_add_bool(j, "config_changed", r.config_changed);
                json_add_bool(j, "restarted", r.restarted);
                cli_print_json(ctx, j);
        } else {
                fprintf(ctx->out, "containerd: root %s (was %s)\n", p.root, r.old_root);
                fprintf(ctx->out, "config: %s imports %s%s\n", p.config, p.dropin, r.config_changed ? "" : " (already)");
                fprintf(ctx->out, "socket: %s\n", p.address);
                fprintf(ctx->out, "snapshotter: %s%s%s\n", r.snapshotter, r.overlay_error ? " (overlayfs failed: " : "",
                        r.overlay_error ? r.overlay_error : "");
                if (r.overlay_error)
                        fprintf(ctx->out, ")\n");
        }
        return 0;
}

static int load_place(struct cli_ctx *ctx, int argc, char **argv, const struct option *lo, struct opts *o,
                      struct place *p, bool need_record, struct error *e) {
        int k = parse(ctx, argc, argv, lo, o, e);
        if (k < 0 || !streq(o->runtime, "containerd") || (k = place_init(p, o->pool, o->config, o->run_dir, e)) < 0)
                return k;
        return need_record ? place_load_record(p, e) : 0;
}

static int start_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        struct opts o;
        _cleanup_(place_done) struct place p = { 0 };
        int k = load_place(ctx, argc, argv, common_opts, &o, &p, true, e);
        if (k >= 0 && !streq(o.runtime, "containerd"))
                return engine_start_cmd(ctx, &o, e);
        if (k < 0 || (k = containerd_start(&p, e)) < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_add_bool(j, "running", true);
                json_add_int(j, "pid", containerd_pid(&p));
                json_add_string(j, "address", p.address);
                cli_print_json(ctx, j);
        } else
                fprintf(ctx->out, "containerd running (pid %d), socket %s\n", (int)containerd_pid(&p), p.address);
        return 0;
}

static int stop_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        struct opts o;
        _cleanup_(place_done) struct place p = { 0 };
        int k = load_place(ctx, argc, argv, common_opts, &o, &p, false, e);
        if (k >= 0 && !streq(o.runtime, "containerd"))
                return engine_stop_cmd(ctx, &o, e);
        if (k < 0 || (k = containerd_stop(&p, e)) < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_add_bool(j, "running", false);
                cli_print_json(ctx, j);
        } else
                fprintf(ctx->out, "containerd stopped\n");
        return 0;
}

static void print_status(FILE *out, json_object *st) {
        int64_t pid = json_object_get_int64(json_object_object_get(st, "pid"));
        const char *snap = jstr(st, "snapshotter"), *note = jstr(st, "note");
        fprintf(out, "containerd: %s", jbool(st, "running") ? "running" : "not running");
        if (pid > 0)
                fprintf(out, " (pid %lld)", (long long)pid);
        fprintf(out, ", socket %s\n", jstr(st, "address") ? jstr(st, "address") : "?");
        if (jbool(st, "placed"))
                fprintf(out, "root: %s (snapshotter %s)\n", jstr(st, "root") ? jstr(st, "root") : "?",
                        snap ? snap : "?");
        else
                fprintf(out, "%s\n", note ? note : "not placed on a pool");
}

static int status_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        struct opts o;
        int k = parse(ctx, argc, argv, common_opts, &o, e);
        if (k < 0 || (k = refuse_remote_paths(ctx, &o, e)) < 0)
                return k;
        _cleanup_json_ json_object *doc = NULL;
        bool containerd = streq(o.runtime, "containerd");
        if (ctx->host)
                k = remote_part(ctx, o.runtime, json_type_object, &doc, e);
        else if (containerd)
                k = containers_status_json(o.pool, o.config, o.run_dir, &doc, e);
        else
                k = containers_engine_status_json(o.runtime, o.pool, o.config, o.run_dir, &doc, e);
        if (k < 0)
                return k;
        if (ctx->json)
                cli_print_json(ctx, doc);
        else if (containerd)
                print_status(ctx->out, doc);
        else
                engine_print_status(ctx->out, o.runtime, doc);
        return 0;
}

static int verify_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        struct opts o;
        _cleanup_(place_done) struct place p = { 0 };
        struct checks c = { 0 };
        int k = load_place(ctx, argc, argv, verify_opts, &o, &p, true, e);
        if (k >= 0 && !streq(o.runtime, "containerd"))
                return engine_verify_cmd(ctx, &o, e);
        if (k < 0 || (k = verify_containerd(&p, &o.v, &c, e)) < 0)
                return k;
        _cleanup_json_ json_object *j = json_object_new_object();
        json_add_string(j, "runtime", "containerd");
        json_add_string(j, "snapshotter", p.snapshotter);
        return containers_report_checks(ctx, &c, j, "containerd", p.pool, e);
}

static int run_bundle_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        struct opts o;
        _cleanup_(place_done) struct place p = { 0 };
        struct checks c = { 0 };
        int k = parse(ctx, argc, argv, bundle_opts, &o, e);
        const char *run_dir = o.run_dir ? o.run_dir : PLACE_DEFAULT_RUN_DIR;
        if (k < 0 || (k = place_init(&p, o.pool, NULL, run_dir, e)) < 0 || (k = place_check_pool(p.pool, e)) < 0 ||
            (k = verify_runc(&p, run_dir, &o.v, &c, e)) < 0)
                return k;
        _cleanup_free_ char *bundle = strdup_printf("%s/containers/bundles/" VERIFY_BUNDLE, p.pool),
                            *runc_root = bundle_runc_root(run_dir);
        _cleanup_json_ json_object *j = json_object_new_object();
        json_add_string(j, "runtime", "runc");
        json_add_string(j, "bundle", bundle);
        json_add_string(j, "runc_root", runc_root);
        return containers_report_checks(ctx, &c, j, "runc bundle", p.pool, e);
}

static int migrate_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        struct opts o;
        _cleanup_(place_done) struct place p = { 0 };
        _cleanup_(migrate_report_done) struct migrate_report r = { 0 };
        int k = load_place(ctx, argc, argv, migrate_opts, &o, &p, false, e);
        if (k >= 0 && !streq(o.runtime, "containerd"))
                return engine_migrate_cmd(ctx, &o, e);
        if (k < 0 || (k = migrate_containerd(&p, o.keep_old, &r, e)) < 0)
                return k;
        containers_print_migrate(ctx, "containerd", p.root, &r);
        return 0;
}

static int image_run(struct cli_ctx *ctx, int argc, char **argv, struct error *e) {
        struct opts o = { 0 };
        int ind;
        int k = cli_parse_options(ctx, argc, argv, "", image_opts, handle, &o, &ind, e);
        if (k < 0)
                return k;
        if (ind < argc || !o.output)
                return cli_usage_error(ctx, e, "'image' takes --output DIR and no arguments");
        _cleanup_(image_done) struct image img = { 0 };
        if ((k = image_build(o.output, NULL, &img, e)) < 0)
                return k;
        if (ctx->json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_add_string(j, "ref", IMAGE_REF);
                json_add_string(j, "manifest", img.manifest);
                json_add_string(j, "tar", img.tar);
                json_add_string(j, "docker_tar", img.docker_tar);
                cli_print_json(ctx, j);
        } else
                fprintf(ctx->out, "%s %s %s\n%s docker-archive %s\n", IMAGE_REF, img.manifest, img.tar, IMAGE_REF,
                        img.docker_tar);
        return 0;
}

#define LEAF_(n, a, s, h, f, r) \
        static const struct command cmd_##n = { .name = #n, .args = a, .summary = s, .help = h, .run = f, .remote = r }
#define LEAF(n, a, s, h, f) LEAF_(n, a, s, h, f, false)
/* answers --host from hostd's Oem.Hostd.Containers */
#define REMOTE_LEAF(n, a, s, h, f) LEAF_(n, a, s, h, f, true)
REMOTE_LEAF(detect, "[--config FILE]", "Which runtimes are installed, their versions and data directories",
            COMMON_HELP REMOTE_HELP, detect_run);
LEAF(setup, "[--pool DIR] [--runtime NAME] [--config FILE] [--run-dir DIR]",
     "Put the runtime's data on the pool (containerd: and start it, pick the snapshotter)",
     COMMON_HELP "\nThe operator's containerd config keeps every setting: hostd adds one entry to its\n"
                 "`imports` and writes root, state and socket in the imported hostd-pool.toml beside it.\n"
                 "docker: data-root in daemon.json, dockerd (re)started and asked where its root is;\n"
                 "podman: graphroot in storage.conf, asked back through 'podman info'. Every other\n"
                 "setting of those files is kept. Only the runtime named is touched.\n"
                 "Refused (exit 3) when the old root holds images: use 'migrate'.\n",
     setup_run);
LEAF(start, "[--pool DIR] [--runtime NAME] [--config FILE] [--run-dir DIR]",
     "Start containerd or dockerd (systemd, else a pid file); podman has no daemon",
     COMMON_HELP "\ndockerd is started through systemd when PID 1 is systemd and the config and run dir are\n"
                 "the defaults; otherwise by start-stop-daemon, with its pid file, socket and exec-root in\n"
                 "the run dir unless daemon.json sets them, and its log in RUN_DIR/hostd/dockerd.log.\n",
     start_run);
LEAF(stop, "[--pool DIR] [--runtime NAME] [--config FILE] [--run-dir DIR]",
     "Stop the runtime: containerd (its tasks first), dockerd (it stops its containers), podman's containers",
     COMMON_HELP, stop_run);
REMOTE_LEAF(status, "[--pool DIR] [--runtime NAME] [--config FILE] [--run-dir DIR]",
            "Is the runtime running, and where is its data",
            COMMON_HELP REMOTE_HELP, status_run);
LEAF(verify, "[--pool DIR] [--runtime NAME] [--memory SIZE] [--cpus N] [--exit-code N]",
     "Run the project's image with limits and a bind mount from the pool; report each check",
     COMMON_HELP "  --memory SIZE       memory limit of the container (default 64M)\n"
                 "  --cpus N            CPU limit (default 0.5)\n"
                 "  --exit-code N       the exit code the container ends with (default 7)\n"
                 "\nDocker loads the project's image as a docker-archive, podman and containerd as an OCI\n"
                 "archive; both from DIR/containers/image. Docker and podman add the check 'cleanup':\n"
                 "no container of the run is left.\n",
     verify_run);
LEAF(migrate, "[--pool DIR] [--runtime NAME] [--keep-old]",
     "Move the runtime's images and containers from its old root to the pool",
     COMMON_HELP "  --keep-old          leave the old data in place after a good migration\n"
                 "\nA failure at any point leaves the runtime running on its old root with its data.\n"
                 "containerd and docker: the root is copied with its own layout. podman: its database\n"
                 "records the graphroot, so the images move by save and load (same IDs and tags) and\n"
                 "migrate is refused (exit 3) while containers are there.\n",
     migrate_run);
static const struct command cmd_run_bundle = {
        .name = "run-bundle",
        .args = "[--pool DIR] [--run-dir DIR] [--memory SIZE] [--cpus N] [--exit-code N]",
        .summary = "Run the project's image with runc directly (no daemon) from a bundle on the pool",
        .help = "Options:\n"
                "  --pool DIR          the RAID 5 mount (default " PLACE_DEFAULT_POOL "); the bundle is\n"
                "                      DIR/containers/bundles/" VERIFY_BUNDLE " (rootfs/ and config.json)\n"
                "  --run-dir DIR       runc keeps its state in DIR/runc (default " PLACE_DEFAULT_RUN_DIR ")\n"
                "  --memory SIZE       memory limit of the container (default 64M)\n"
                "  --cpus N            CPU limit (default 0.5)\n"
                "  --exit-code N       the exit code the container ends with (default 7)\n"
                "\nThe checks of 'verify', and that nothing is left after the run: the container is\n"
                "deleted (runc delete --force); the bundle stays for `runc run --bundle DIR ID`.\n",
        .run = run_bundle_run,
};
LEAF(image, "--output DIR", "Build the project's busybox image (reproducible) into DIR: OCI and docker-archive", NULL,
     image_run);

static const struct command *const verbs[] = { &cmd_detect, &cmd_setup, &cmd_start, &cmd_stop, &cmd_status,
                                               &cmd_verify, &cmd_run_bundle, &cmd_migrate, &cmd_image, NULL };

const struct command cmd_containers = {
        .name = "containers",
        .args = "COMMAND [OPTIONS]",
        .summary = "The container runtime on the RAID 5 pool: detect, setup, start, stop, verify, run-bundle, migrate",
        .subs = verbs,
};
