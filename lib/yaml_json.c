#include "yaml_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "fileio.h"
#include "strutil.h"

static json_object *plain_scalar(const char *s) {
        if (!*s || streq(s, "~") || streq(s, "null") || streq(s, "Null") || streq(s, "NULL"))
                return NULL;
        if (streq(s, "true") || streq(s, "True") || streq(s, "TRUE"))
                return json_object_new_boolean(1);
        if (streq(s, "false") || streq(s, "False") || streq(s, "FALSE"))
                return json_object_new_boolean(0);
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!*end && errno == 0 && (s[0] != '0' || s[1] == '\0'))
                return json_object_new_int64(v);
        double d = strtod(s, &end);
        if (!*end && errno == 0 && strspn(s, "0123456789.-+eE") == strlen(s))
                return json_object_new_double(d);
        return json_object_new_string(s);
}

/* Deeper than any spec needs. libyaml's scanner does work proportional to the
 * open levels for every token, so a file of 100 KB of '[' costs minutes: the
 * depth is counted on the event stream and refused before the document is
 * loaded. */
#define YAML_MAX_DEPTH 64

static int too_deep(size_t line, struct error *e) {
        return error_set(e, -ELOOP, "line %zu: YAML nested deeper than %d levels", line, YAML_MAX_DEPTH);
}

static int convert(yaml_document_t *doc, yaml_node_t *node, json_object **ret, struct error *e, int depth) {
        if (depth > YAML_MAX_DEPTH)
                return too_deep(node->start_mark.line + 1, e);
        switch (node->type) {
        case YAML_SCALAR_NODE: {
                const char *s = (const char *)node->data.scalar.value;
                if (strlen(s) != node->data.scalar.length)
                        return error_set(e, -EBADMSG, "line %zu: a NUL byte in a value", node->start_mark.line + 1);
                *ret = node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? plain_scalar(s) : json_object_new_string(s);
                return 0;
        }
        case YAML_SEQUENCE_NODE: {
                json_object *a = json_object_new_array();
                for (yaml_node_item_t *i = node->data.sequence.items.start; i < node->data.sequence.items.top; i++) {
                        json_object *v = NULL;
                        int k = convert(doc, yaml_document_get_node(doc, *i), &v, e, depth + 1);
                        if (k < 0) {
                                json_object_put(a);
                                return k;
                        }
                        json_object_array_add(a, v);
                }
                *ret = a;
                return 0;
        }
        case YAML_MAPPING_NODE: {
                json_object *o = json_object_new_object();
                for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
                        yaml_node_t *key = yaml_document_get_node(doc, p->key);
                        if (!key || key->type != YAML_SCALAR_NODE) {
                                json_object_put(o);
                                return error_set(e, -EBADMSG, "line %zu: a key must be a plain string",
                                                 node->start_mark.line + 1);
                        }
                        const char *name = (const char *)key->data.scalar.value;
                        if (json_object_object_get_ex(o, name, NULL)) {
                                json_object_put(o);
                                return error_set(e, -EBADMSG, "line %zu: key '%s' given twice",
                                                 key->start_mark.line + 1, name);
                        }
                        json_object *v = NULL;
                        int k = convert(doc, yaml_document_get_node(doc, p->value), &v, e, depth + 1);
                        if (k < 0) {
                                json_object_put(o);
                                return k;
                        }
                        json_object_object_add(o, name, v);
                }
                *ret = o;
                return 0;
        }
        default:
                return error_set(e, -EBADMSG, "line %zu: empty YAML node", node->start_mark.line + 1);
        }
}

int yaml_parse_to_json(const char *text, size_t len, json_object **ret, struct error *e) {
        /* aliases would let a small file expand without bound: refuse them */
        yaml_parser_t parser;
        yaml_event_t event;
        if (!yaml_parser_initialize(&parser))
                return error_set(e, -ENOMEM, "out of memory");
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        int k = 0, depth = 0;
        for (bool done = false; !done && k == 0;) {
                if (!yaml_parser_parse(&parser, &event)) {
                        k = error_set(e, -EBADMSG, "invalid YAML at line %zu, column %zu: %s",
                                      parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                                      parser.problem ? parser.problem : "syntax error");
                        break;
                }
                if (event.type == YAML_ALIAS_EVENT)
                        k = error_set(e, -EBADMSG, "line %zu: YAML aliases are not supported",
                                      event.start_mark.line + 1);
                if (event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT)
                        if (++depth > YAML_MAX_DEPTH)
                                k = too_deep(event.start_mark.line + 1, e);
                if (event.type == YAML_SEQUENCE_END_EVENT || event.type == YAML_MAPPING_END_EVENT)
                        depth--;
                done = event.type == YAML_STREAM_END_EVENT;
                yaml_event_delete(&event);
        }
        yaml_parser_delete(&parser);
        if (k < 0)
                return k;

        yaml_document_t doc;
        if (!yaml_parser_initialize(&parser))
                return error_set(e, -ENOMEM, "out of memory");
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        if (!yaml_parser_load(&parser, &doc)) {
                k = error_set(e, -EBADMSG, "invalid YAML at line %zu: %s", parser.problem_mark.line + 1,
                              parser.problem ? parser.problem : "syntax error");
                yaml_parser_delete(&parser);
                return k;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        json_object *o = NULL;
        k = root ? convert(&doc, root, &o, e, 0) : 0;
        yaml_document_delete(&doc);
        yaml_parser_delete(&parser);
        if (k < 0)
                return k;
        *ret = o;
        return 0;
}

int yaml_read_file_to_json(const char *path, json_object **ret, struct error *e) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int k = read_file(path, 16 * 1024 * 1024, &text, &len, e);
        if (k < 0)
                return k;
        k = yaml_parse_to_json(text, len, ret, e);
        return k < 0 ? error_prefix(e, "%s", path) : 0;
}
