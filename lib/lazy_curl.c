/* libcurl's resolvers (lazy_curl.h). */
#define LAZY_DEFINING
#include "lazy_curl.h"

#include <pthread.h>

#ifndef SONAME_CURL
#define SONAME_CURL "libcurl.so.4"
#endif
LAZY_RECORD_SONAME(curl, SONAME_CURL);
LAZY_TABLE(lazy_libcurl, LAZY_CURL_FUNCS);
struct lazy_lib lazy_libcurl = LAZY_LIB_INIT(lazy_libcurl, SONAME_CURL, "libcurl4");

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void) {
        lazy_curl_global_init()(CURL_GLOBAL_DEFAULT);
}

int lazy_curl_ready(struct error *e) {
        int r = lazy_open(&lazy_libcurl, e);
        if (r < 0)
                return r;
        pthread_once(&global_once, global_init);
        return 0;
}

#define DEFINE_CURL(fn) LAZY_DEFINE(lazy_libcurl, fn)
LAZY_CURL_FUNCS(DEFINE_CURL)
