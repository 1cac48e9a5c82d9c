/* daemon/api_containers.c: Systems/host/Oem/Hostd/Containers, the container
 * runtimes of this host (Redfish has no schema for them). Its members are
 * the documents `hostctl containers detect --json` ("runtimes") and `status
 * --json` ("containerd", and "docker" and "podman" with --runtime: their
 * default config files, hostd.conf's pool and run dir) print, from the same
 * builders: hostctl --host reads them back and prints them as the local
 * command does. */
#include "api.h"
#include "containers/detect.h"
#include "containers/status.h"
#include "daemon.h"
#include "lib/json.h"
#include "lib/strutil.h"

void api_containers(struct hostd *h, const struct api_request *req, const struct api_path *p, struct api_response *r) {
        if (p->n != 5)
                return api_not_found(r, req->path);
        if (!streq(req->method, "GET"))
                return api_method_not_allowed(r, "GET");
        /* asked afresh on each GET (a few --version runs): nothing watches the runtimes */
        const struct daemon_config *c = req->cfg;
        _cleanup_json_ json_object *detect = NULL, *status = NULL, *docker = NULL, *podman = NULL;
        struct error e = { 0 };
        /* the run dir as the CLI's detect has it (its default), so both agree */
        const struct detect_inputs in = { .containerd_config = c->containers_config };
        if (containers_detect_json(&in, &detect, &e) < 0 ||
            containers_status_json(c->containers_pool, c->containers_config, c->containers_run_dir, &status, &e) < 0 ||
            containers_engine_status_json("docker", c->containers_pool, NULL, c->containers_run_dir, &docker, &e) < 0 ||
            containers_engine_status_json("podman", c->containers_pool, NULL, c->containers_run_dir, &podman, &e) < 0)
                return api_error(r, 500, "InternalError", "%s", e.msg);
        json_object *o = json_object_new_object(), *runtimes = NULL;
        json_add_string(o, "@odata.id", API_CONTAINERS);
        json_add_string(o, "@odata.type", "#HostdContainers.v1_0_0.HostdContainers");
        json_add_string(o, "Id", "Containers");
        json_add_string(o, "Name", "Container runtimes");
        json_object_object_get_ex(detect, "runtimes", &runtimes);
        json_object_object_add(o, "runtimes", json_object_get(runtimes));
        json_object_object_add(o, "containerd", TAKE_PTR(status));
        json_object_object_add(o, "docker", TAKE_PTR(docker));
        json_object_object_add(o, "podman", TAKE_PTR(podman));
        api_json(r, 200, o);
}
