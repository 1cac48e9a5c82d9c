/* Shared libraries bound on first use: see lazy.h. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "lazy.h"

static pthread_mutex_t lazy_lock = PTHREAD_MUTEX_INITIALIZER;

/* Every symbol of LIB from the handle H into lib->addrs, or an error naming
 * the first one missing: an older or newer library than the build's. */
static int resolve_all(struct lazy_lib *lib, void *h, struct error *e) {
        for (size_t i = 0; i < lib->n_symbols; i++) {
                lib->addrs[i] = dlsym(h, lib->symbols[i]);
                if (!lib->addrs[i])
                        return error_set(e, -ELIBBAD,
                                         "%s has no symbol %s: install the version this program was built with "
                                         "(package %s)", lib->soname, lib->symbols[i], lib->package);
        }
        return 0;
}

int lazy_open(struct lazy_lib *lib, struct error *e) {
        int r = 0;

        if (__atomic_load_n(&lib->handle, __ATOMIC_ACQUIRE))
                return 0;
        pthread_mutex_lock(&lazy_lock);
        if (!lib->handle) {
                void *h = dlopen(lib->soname, RTLD_NOW | RTLD_GLOBAL);
                if (!h)
                        r = error_set(e, -ENOENT, "cannot load %s (%s): install the package %s",
                                      lib->soname, dlerror(), lib->package);
                else if ((r = resolve_all(lib, h, e)) < 0)
                        dlclose(h);
                else    /* published last: whoever sees the handle sees every address */
                        __atomic_store_n(&lib->handle, h, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&lazy_lock);
        return r;
}

void *lazy_sym(struct lazy_lib *lib, size_t index) {
        struct error e = {0};

        if (lazy_open(lib, &e) < 0) {
                /* a call site without its entry point's lazy_open(): a bug, not a state */
                fprintf(stderr, "%s (a call to %s before its library was opened)\n", e.msg, lib->symbols[index]);
                abort();
        }
        return lib->addrs[index];
}
