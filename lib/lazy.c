/* Shared libraries bound on first use: see lazy.h. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lazy.h"

static pthread_mutex_t lazy_lock = PTHREAD_MUTEX_INITIALIZER;

int lazy_open(struct lazy_lib *lib, struct error *e) {
        int r = 0;

        if (__atomic_load_n(&lib->handle, __ATOMIC_ACQUIRE))
                return 0;
        pthread_mutex_lock(&lazy_lock);
        if (!lib->handle) {
                void *h = dlopen(lib->soname, RTLD_NOW | RTLD_GLOBAL);
                if (h)
                        __atomic_store_n(&lib->handle, h, __ATOMIC_RELEASE);
                else
                        r = error_set(e, -ENOENT, "cannot load %s (%s): install the package %s",
                                      lib->soname, dlerror(), lib->package);
        }
        pthread_mutex_unlock(&lazy_lock);
        return r;
}

void *lazy_sym(struct lazy_lib *lib, const char *name) {
        struct error e = {0};
        void *f;

        if (lazy_open(lib, &e) < 0) {
                fprintf(stderr, "%s\n", e.msg);
                _exit(1);
        }
        f = dlsym(lib->handle, name);
        if (!f) {
                fprintf(stderr, "%s has no %s: install the version this program was built with (package %s)\n",
                        lib->soname, name, lib->package);
                _exit(1);
        }
        return f;
}
