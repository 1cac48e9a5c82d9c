/* daemon/facts.c: the host's static facts, read once per facts root. */
#include "facts.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/strutil.h"

/* One entry per root ever configured (this machine's, and a test's): the
 * facts are kept for the life of the process, as requests hold pointers
 * into them across a SIGHUP that changes the root. */
struct facts_entry {
        struct facts_entry *next;
        char *root;
        struct host_facts *facts;
};
static struct facts_entry *entries;
static pthread_mutex_t entries_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct host_facts unknown;

const char *daemon_facts_root(const struct daemon_config *cfg) {
        return cfg && cfg->facts_root ? cfg->facts_root : "";
}

const struct host_facts *daemon_host_facts(const struct daemon_config *cfg) {
        const char *root = daemon_facts_root(cfg);
        const struct host_facts *found = NULL;
        pthread_mutex_lock(&entries_lock);
        for (struct facts_entry *x = entries; x && !found; x = x->next)
                if (streq(x->root, root))
                        found = x->facts;
        if (!found) {
                struct facts_entry *x = calloc(1, sizeof *x);
                struct error e = { 0 };
                if (x && (x->root = strdup(root)) && host_facts_read(root, &x->facts, &e) >= 0) {
                        x->next = entries;
                        entries = x;
                        found = x->facts;
                } else {
                        log_warning("host facts: %s", e.msg[0] ? e.msg : "out of memory");
                        if (x)
                                free(x->root);
                        free(x);
                }
        }
        pthread_mutex_unlock(&entries_lock);
        return found ? found : &unknown;
}
