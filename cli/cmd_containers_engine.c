/* hostctl containers VERB --runtime docker|podman: parse is done by
 * cmd_containers.c; here the engine's operation runs and prints. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd_containers.h"
#include "containers/detect.h"
#include "containers/engine.h"
#include "containers/engine_setup.h"
#include "containers/migrate.h"
#include "containers/place.h"
#include "containers/verify.h"
#include "lib/json.h"
#include "lib/outcome.h"
#include "lib/strutil.h"

/* The engine of the options; -ENOENT with detect's note when the runtime
 * is not installed (every verb but status needs it). */
static int engine_from(const struct containers_opts *o, struct engine *en, struct error *e) {
        _cleanup_(runtime_info_done) struct runtime_info r = { 0 };
        detect_runtime(o->runtime, NULL, &r);   /* installed or not: no config needed */
        if (!r.installed)
                return error_set(e, -ENOENT, "%s: %s; 'setup --runtime %s' needs it installed", o->runtime,
                                 r.note ? r.note : "not installed", o->runtime);
        return engine_init(en, o->runtime, o->pool, o->config, o->run_dir, e);
}

int engine_setup_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e) {
        _cleanup_(engine_done) struct engine en = { 0 };
        _cleanup_(engine_setup_report_done) struct engine_setup_report r = { 0 };
        int k = engine_from(o, &en, e);
        if (k < 0 || (k = setup_engine(&en, &r, e)) < 0)
                return k;
        const char *key = en.docker ? "data-root" : "graphroot";
        if (ctx->json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_add_string(j, "runtime", en.name);
                json_add_string(j, "config", en.config);
                json_add_string(j, "old_root", r.old_root);
                json_add_string(j, "root", en.root);
                json_add_string(j, en.docker ? "data_root" : "graphroot", en.root);
                if (en.docker)
                        json_add_string(j, "socket", en.socket);
                json_add_bool(j, "config_changed", r.config_changed);
                json_add_bool(j, "restarted", r.restarted);
                json_add_bool(j, "started", r.started);
                cli_print_json(ctx, j);
                return 0;
        }
        fprintf(ctx->out, "%s: %s %s in %s%s (was %s)\n", en.name, key, en.root, en.config,
                r.config_changed ? "" : " (already)", r.old_root);
        if (en.docker)
                fprintf(ctx->out, "dockerd: %s, socket %s%s\n",
                        r.restarted ? "restarted" : r.started ? "started" : "running", en.socket,
                        engine_uses_systemd(&en) ? " (systemd)" : "");
        else
                fprintf(ctx->out, "podman: no daemon; 'podman info' reports graphroot %s\n", en.root);
        return 0;
}

static void print_running(struct cli_ctx *ctx, const struct engine *en, bool running) {
        if (ctx->json) {
                _cleanup_json_ json_object *j = json_object_new_object();
                json_add_string(j, "runtime", en->name);
                json_add_bool(j, "running", running);
                json_add_int(j, "pid", engine_pid(en));
                if (en->docker)
                        json_add_string(j, "socket", en->socket);
                cli_print_json(ctx, j);
        } else if (!en->docker)
                fprintf(ctx->out, "podman has no daemon: each podman command runs its containers itself%s\n",
                        running ? "" : "; its running containers are stopped");
        else if (running)
                fprintf(ctx->out, "dockerd running (pid %d), socket %s\n", (int)engine_pid(en), en->socket);
        else
                fprintf(ctx->out, "dockerd stopped\n");
}

int engine_start_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e) {
        _cleanup_(engine_done) struct engine en = { 0 };
        int k = engine_from(o, &en, e);
        if (k < 0 || (k = engine_start(&en, e)) < 0)
                return k;
        print_running(ctx, &en, true);
        return 0;
}

int engine_stop_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e) {
        _cleanup_(engine_done) struct engine en = { 0 };
        int k = engine_from(o, &en, e);
        if (k < 0 || (k = engine_stop(&en, e)) < 0)
                return k;
        print_running(ctx, &en, false);
        return 0;
}

int engine_verify_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e) {
        _cleanup_(engine_done) struct engine en = { 0 };
        struct checks c = { 0 };
        int k = engine_from(o, &en, e);
        if (k < 0 || (k = place_check_pool(en.pool, e)) < 0 || (k = verify_engine(&en, &o->v, &c, e)) < 0)
                return k;
        _cleanup_json_ json_object *j = json_object_new_object();
        json_add_string(j, "runtime", en.name);
        json_add_string(j, "root", en.root);
        return containers_report_checks(ctx, &c, j, en.name, en.pool, e);
}

int engine_migrate_cmd(struct cli_ctx *ctx, const struct containers_opts *o, struct error *e) {
        _cleanup_(engine_done) struct engine en = { 0 };
        _cleanup_(migrate_report_done) struct migrate_report r = { 0 };
        int k = engine_from(o, &en, e);
        if (k < 0 || (k = migrate_engine(&en, o->keep_old, &r, e)) < 0)
                return k;
        containers_print_migrate(ctx, en.name, en.root, &r);
        return 0;
}

void engine_print_status(FILE *out, const char *name, json_object *st) {
        json_object *v = NULL;
        bool running = json_object_object_get_ex(st, "running", &v) && json_object_get_boolean(v);
        bool placed = json_object_object_get_ex(st, "placed", &v) && json_object_get_boolean(v);
        int64_t pid = json_object_object_get_ex(st, "pid", &v) ? json_object_get_int64(v) : 0;
        const char *root = json_get_string(st, "root"), *socket = json_get_string(st, "socket");
        if (streq(name, "docker")) {
                fprintf(out, "docker: %s", running ? "running" : "not running");
                if (pid > 0)
                        fprintf(out, " (pid %lld)", (long long)pid);
                fprintf(out, ", socket %s\n", socket ? socket : "?");
        } else
                fprintf(out, "podman: %s (no daemon)\n", running ? "installed" : "not installed");
        fprintf(out, "root: %s%s\n", root ? root : "?", placed ? " (on the pool)" : " (not on the pool)");
}
