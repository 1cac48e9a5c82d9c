#include "mdstat.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strutil.h"

void mdstat_free(struct mdstat *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n_arrays; i++) {
                struct mdstat_array *a = &m->arrays[i];
                for (size_t j = 0; j < a->n_members; j++)
                        free(a->members[j].name);
                free(a->members);
                free(a->name);
                free(a->level);
                free(a->status);
                free(a->sync_action);
        }
        free(m->arrays);
        strv_free(m->personalities);
        free(m);
}

const struct mdstat_array *mdstat_find(const struct mdstat *m, const char *name) {
        for (size_t i = 0; m && i < m->n_arrays; i++)
                if (streq(m->arrays[i].name, name))
                        return &m->arrays[i];
        return NULL;
}

/* Split a line into words in place; returns how many (at most max). */
static size_t split_words(char *line, char **words, size_t max) {
        size_t n = 0;
        char *save = NULL;
        for (char *w = strtok_r(line, " \t", &save); w && n < max; w = strtok_r(NULL, " \t", &save))
                words[n++] = w;
        return n;
}

static int parse_member(const char *word, struct mdstat_member *m) {
        /* sdb1[0](F) */
        const char *br = strchr(word, '[');
        if (!br || br == word)
                return -EBADMSG;
        m->name = strndup(word, (size_t)(br - word));
        if (!m->name)
                return -ENOMEM;
        char *end;
        long slot = strtol(br + 1, &end, 10);
        if (end == br + 1 || *end != ']' || slot < 0 || slot > 100000)
                return -EBADMSG;
        m->slot = (int)slot;
        for (const char *f = end + 1; *f; f++) {
                if (*f == '(' && f[1] && f[2] == ')') {
                        m->faulty = m->faulty || f[1] == 'F';
                        m->spare = m->spare || f[1] == 'S';
                        m->write_mostly = m->write_mostly || f[1] == 'W';
                        m->replacement = m->replacement || f[1] == 'R';
                        f += 2;
                } else
                        return -EBADMSG;
        }
        return 0;
}

/* "md127 : active raid5 sdh1[5](S) sdg1[4] ..." */
static int parse_array_line(char *line, struct mdstat_array *a) {
        char *words[512];
        size_t n = split_words(line, words, ELEMENTSOF(words));
        if (n < 3 || !streq(words[1], ":"))
                return -EBADMSG;
        a->name = strdup(words[0]);
        a->blocks = -1;
        a->raid_disks = a->working_disks = -1;
        a->sync_percent = a->finish_minutes = -1;
        a->speed_kib = -1;
        if (!a->name)
                return -ENOMEM;
        size_t i = 2;
        if (streq(words[i], "active"))
                a->active = true;
        else if (!streq(words[i], "inactive"))
                return -EBADMSG;
        for (i++; i < n && words[i][0] == '('; i++)
                a->read_only = a->read_only || strstr(words[i], "read-only");
        if (a->active && i < n && !strchr(words[i], '[')) {
                a->level = strdup(words[i++]);
                if (!a->level)
                        return -ENOMEM;
        }
        a->members = calloc(n - i + 1, sizeof *a->members);
        if (!a->members)
                return -ENOMEM;
        for (; i < n; i++) {
                int k = parse_member(words[i], &a->members[a->n_members]);
                a->n_members++;
                if (k < 0)
                        return k;
        }
        return 0;
}

/* "      15727616 blocks super 1.2 level 5, 512k chunk, algorithm 2 [6/5] [UUUUU_]" */
static int parse_blocks_line(const char *line, struct mdstat_array *a) {
        long long blocks;
        if (sscanf(line, " %lld blocks", &blocks) == 1)
                a->blocks = blocks;
        const char *p = line;
        while ((p = strchr(p, '['))) {
                int n, m;
                char status[257];
                if (sscanf(p, "[%d/%d]", &n, &m) == 2 && n >= 0 && m >= 0) {
                        a->raid_disks = n;
                        a->working_disks = m;
                } else if (sscanf(p, "[%256[U_]]", status) == 1) {
                        free(a->status);
                        a->status = strdup(status);
                        if (!a->status)
                                return -ENOMEM;
                }
                p++;
        }
        return 0;
}

/* "      [==>.........]  recovery = 12.6% (33024/261120) finish=0.9min speed=4128K/sec"
 * "      resync=DELAYED" */
static int parse_progress_line(const char *line, struct mdstat_array *a) {
        static const char *const actions[] = { "resync", "recovery", "check", "repair", "reshape" };
        for (size_t i = 0; i < ELEMENTSOF(actions); i++) {
                const char *p = strstr(line, actions[i]);
                if (!p)
                        continue;
                const char *after = p + strlen(actions[i]);
                while (*after == ' ')
                        after++;
                if (*after != '=')
                        continue;
                free(a->sync_action);
                a->sync_action = strdup(actions[i]);
                if (!a->sync_action)
                        return -ENOMEM;
                after++;
                if (strstr(after, "DELAYED") || strstr(after, "PENDING")) {
                        a->sync_delayed = true;
                        return 0;
                }
                double pct;
                if (sscanf(after, " %lf%%", &pct) == 1 && pct >= 0 && pct <= 100)
                        a->sync_percent = pct;
                const char *f = strstr(after, "finish=");
                double min;
                if (f && sscanf(f, "finish=%lfmin", &min) == 1)
                        a->finish_minutes = min;
                const char *s = strstr(after, "speed=");
                long long speed;
                if (s && sscanf(s, "speed=%lldK/sec", &speed) == 1)
                        a->speed_kib = speed;
                return 0;
        }
        return 0;
}

int mdstat_parse(const char *text, struct mdstat **ret, struct error *e) {
        _cleanup_(mdstat_freep) struct mdstat *m = calloc(1, sizeof *m);
        _cleanup_free_ char *copy = strdup(text);
        if (!m || !copy)
                return error_set(e, -ENOMEM, "out of memory");
        struct mdstat_array *cur = NULL;
        unsigned lineno = 0;
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                lineno++;
                int k = 0;
                const char *rest;
                if ((rest = startswith(line, "Personalities :"))) {
                        _cleanup_free_ char *p = strdup(rest);
                        char *words[64];
                        size_t n = p ? split_words(p, words, ELEMENTSOF(words)) : 0;
                        for (size_t i = 0; i < n; i++) {
                                size_t len = strlen(words[i]);
                                if (len > 2 && words[i][0] == '[' && words[i][len - 1] == ']') {
                                        words[i][len - 1] = '\0';
                                        if (strv_push(&m->personalities, words[i] + 1) < 0)
                                                return error_set(e, -ENOMEM, "out of memory");
                                }
                        }
                } else if (startswith(line, "unused devices:")) {
                        cur = NULL;
                } else if (startswith(line, "md") && strstr(line, " : ")) {
                        struct mdstat_array *v = realloc(m->arrays, (m->n_arrays + 1) * sizeof *v);
                        if (!v)
                                return error_set(e, -ENOMEM, "out of memory");
                        m->arrays = v;
                        cur = &v[m->n_arrays++];
                        *cur = (struct mdstat_array){ 0 };
                        k = parse_array_line(line, cur);
                } else if (cur && isspace((unsigned char)line[0])) {
                        if (strstr(line, " blocks"))
                                k = parse_blocks_line(line, cur);
                        else
                                k = parse_progress_line(line, cur);
                }
                if (k == -ENOMEM)
                        return error_set(e, k, "out of memory");
                if (k < 0)
                        return error_set(e, k, "/proc/mdstat line %u: cannot read '%.80s'", lineno, line);
        }
        *ret = TAKE_PTR(m);
        return 0;
}

void md_detail_free(struct md_detail *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n_members; i++) {
                free(d->members[i].dev);
                free(d->members[i].role);
        }
        free(d->members);
        free(d->level);
        free(d->metadata);
        free(d->uuid);
        free(d->name);
        free(d->devname);
        free(d);
}

/* MD_DEVICE_<key>_ROLE and _DEV share the key: find or add its member. */
static struct md_detail_member *member_for(struct md_detail *d, char **keys, const char *key) {
        for (size_t i = 0; i < d->n_members; i++)
                if (streq(keys[i], key))
                        return &d->members[i];
        struct md_detail_member *v = realloc(d->members, (d->n_members + 1) * sizeof *v);
        if (!v)
                return NULL;
        d->members = v;
        v[d->n_members] = (struct md_detail_member){ 0 };
        return &v[d->n_members++];
}

int md_detail_parse(const char *text, struct md_detail **ret, struct error *e) {
        _cleanup_(md_detail_freep) struct md_detail *d = calloc(1, sizeof *d);
        _cleanup_free_ char *copy = strdup(text);
        _cleanup_strv_free_ char **keys = NULL;
        if (!d || !copy)
                return error_set(e, -ENOMEM, "out of memory");
        d->devices = -1;
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *eq = strchr(line, '=');
                if (!eq)
                        continue;
                *eq = '\0';
                const char *key = line, *value = eq + 1;
                char **field = NULL;
                if (streq(key, "MD_LEVEL"))
                        field = &d->level;
                else if (streq(key, "MD_METADATA"))
                        field = &d->metadata;
                else if (streq(key, "MD_UUID"))
                        field = &d->uuid;
                else if (streq(key, "MD_NAME"))
                        field = &d->name;
                else if (streq(key, "MD_DEVNAME"))
                        field = &d->devname;
                else if (streq(key, "MD_DEVICES"))
                        d->devices = atoi(value);
                const char *dev = startswith(key, "MD_DEVICE_");
                if (dev && (endswith(dev, "_ROLE") || endswith(dev, "_DEV"))) {
                        _cleanup_free_ char *id = strndup(dev, strlen(dev) - (endswith(dev, "_ROLE") ? 5 : 4));
                        size_t before = d->n_members;
                        struct md_detail_member *m = id ? member_for(d, keys, id) : NULL;
                        if (!m || (d->n_members > before && strv_push(&keys, id) < 0))
                                return error_set(e, -ENOMEM, "out of memory");
                        field = endswith(dev, "_ROLE") ? &m->role : &m->dev;
                }
                if (field) {
                        free(*field);
                        if (!(*field = strdup(value)))
                                return error_set(e, -ENOMEM, "out of memory");
                }
        }
        if (!d->level && !d->uuid)
                return error_set(e, -EBADMSG, "not the output of mdadm --detail --export: no MD_LEVEL or MD_UUID");
        *ret = TAKE_PTR(d);
        return 0;
}
