#include "others.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/fileio.h"
#include "lib/outcome.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "toml.h"

int docker_set_data_root(const char *text, const char *root, char **ret, struct error *e) {
        _cleanup_json_ json_object *o = NULL;
        if (text && strspn(text, " \t\r\n") < strlen(text)) {
                int k = json_parse(text, strlen(text), &o, e);
                if (k < 0)
                        return error_prefix(e, "daemon.json");
                if (!json_object_is_type(o, json_type_object))
                        return error_set(e, -EBADMSG, "daemon.json is not a JSON object");
        } else
                o = json_object_new_object();
        json_add_string(o, "data-root", root);
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE |
                                                                  JSON_C_TO_STRING_SPACED);
        *ret = strdup_printf("%s\n", s);
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

char *docker_data_root(const char *text) {
        _cleanup_json_ json_object *o = NULL;
        const char *v = text && json_parse(text, strlen(text), &o, NULL) == 0 ? json_get_string(o, "data-root") : NULL;
        return strdup(v ? v : DOCKER_DEFAULT_ROOT);
}

int podman_set_graphroot(const char *text, const char *root, char **ret, struct error *e) {
        if (!text)
                text = "[storage]\ndriver = \"overlay\"\n";
        return toml_set_string(text, "storage", "graphroot", root, ret, e);
}

char *podman_graphroot(const char *text) {
        char *v = NULL;
        if (text && toml_get_string(text, "storage", "graphroot", &v) == 0)
                return v;
        return strdup(PODMAN_DEFAULT_ROOT);
}

static int place_file(const char *config, const char *fallback, const char *root,
                      int (*edit)(const char *, const char *, char **, struct error *), struct error *e) {
        _cleanup_free_ char *orig = NULL, *text = NULL, *dir = strndup(config, strrchr(config, '/') - config);
        _cleanup_free_ char *backup = strdup_printf("%s.hostd-orig", config);
        if (!dir || !backup)
                return error_set(e, -ENOMEM, "out of memory");
        int k = read_file(config, 16 << 20, &orig, NULL, NULL);
        if (k < 0 && fallback)
                read_file(fallback, 16 << 20, &orig, NULL, NULL);
        if ((k = edit(orig, root, &text, e)) < 0)
                return error_prefix(e, "%s", config);
        if (orig && streq(orig, text))
                return OUTCOME_UNCHANGED;
        if ((k = mkdir_p(dir, 0755, e)) < 0 || (k = mkdir_p(root, 0711, e)) < 0)
                return k;
        if (access(config, F_OK) == 0 && access(backup, F_OK) < 0 &&
            (k = write_file_atomic(backup, orig, strlen(orig), 0644, e)) < 0)
                return k;
        return write_file_atomic(config, text, strlen(text), 0644, e) < 0 ? e->code : OUTCOME_CHANGED;
}

int docker_place(const char *config, const char *root, struct error *e) {
        return place_file(config, NULL, root, docker_set_data_root, e);
}

int podman_place(const char *config, const char *root, struct error *e) {
        return place_file(config, PODMAN_VENDOR_CONFIG, root, podman_set_graphroot, e);
}
