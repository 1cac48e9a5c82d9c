/* The host spec: one YAML document, one section per domain. */
#include <string.h>

#include "apply.h"
#include "lib/json.h"
#include "lib/spec_read.h"
#include "lib/strutil.h"
#include "lib/yaml_json.h"

void host_spec_free(struct host_spec *s) {
        if (!s)
                return;
        free(s->path);
        free(s->name);
        storage_spec_free(s->storage);
        os_spec_free(s->os);
        json_object_put(s->doc);
        free(s);
}

int host_spec_load(const char *path, struct host_spec **ret, struct error *e) {
        static const char *const known[] = { "host", "storage", "os", "hypervisor", "vms", "containers", "bmc", NULL };
        static const char *const host_known[] = { "name", NULL };
        _cleanup_(host_spec_freep) struct host_spec *s = calloc(1, sizeof *s);
        if (!s || !(s->path = strdup(path)))
                return error_set(e, -ENOMEM, "out of memory");
        int k = yaml_read_file_to_json(path, &s->doc, e);
        if (k < 0)
                return k;
        if (!s->doc || !json_object_is_type(s->doc, json_type_object))
                return error_set(e, -EINVAL, "%s: a host spec is a mapping with host, storage, os, ... sections", path);
        if ((k = spec_check_keys(s->doc, "", known, e)) < 0)
                return error_prefix(e, "%s", path);
        json_object *host = spec_get(s->doc, "host");
        if (host && !json_object_is_type(host, json_type_object))
                return error_set(e, -EINVAL, "%s: host: must be a mapping such as {name: r630-01}", path);
        if (host && ((k = spec_check_keys(host, "host", host_known, e)) < 0 ||
                     (k = spec_read_name(host, "name", "host", 63, &s->name, e)) < 0))
                return error_prefix(e, "%s", path);
        json_object *storage = spec_get(s->doc, "storage"), *os = spec_get(s->doc, "os");
        if (storage && (k = storage_spec_from_json(storage, &s->storage, e)) < 0)
                return error_prefix(e, "%s", path);
        if (os && (k = os_spec_from_json(os, &s->os, e)) < 0)
                return error_prefix(e, "%s", path);
        if (s->os && !s->name)
                return error_set(e, -EINVAL, "%s: host.name: missing; the installed system needs its hostname", path);
        if (s->os && !s->storage)
                return error_set(e, -EINVAL, "%s: os needs a storage section with the array it goes on (os.root_array: %s)",
                                 path, s->os->root_array);
        /* the arrays' names must be "local" in the installed system: plain /dev/md/os, not /dev/md/<installer>:os */
        if (s->os && !s->storage->homehost && !(s->storage->homehost = strdup(s->name)))
                return error_set(e, -ENOMEM, "out of memory");
        s->hypervisor = spec_get(s->doc, "hypervisor");
        s->vms = spec_get(s->doc, "vms");
        s->containers = spec_get(s->doc, "containers");
        s->bmc = spec_get(s->doc, "bmc");
        *ret = TAKE_PTR(s);
        return 0;
}
