/* libcurl, bound on first use (lazy.h). Include this instead of <curl/curl.h>.
 * curl's gcc type check of curl_easy_setopt/getinfo is a macro that calls the
 * real symbol, so those two lose it here: clang never had it either. */
#pragma once

#include <curl/curl.h>

#include "lazy.h"

extern struct lazy_lib lazy_libcurl;

/* Load libcurl and run its global init, once per process. Call before
 * the first curl_easy_init(). 0 or -ENOENT (not installed). */
int lazy_curl_ready(struct error *e);

#define LAZY_CURL_FUNCS(X)                                                         \
        X(curl_easy_cleanup) X(curl_easy_getinfo) X(curl_easy_init)              \
        X(curl_easy_perform) X(curl_easy_reset) X(curl_easy_setopt)              \
        X(curl_easy_strerror) X(curl_free) X(curl_global_init)                   \
        X(curl_slist_append) X(curl_slist_free_all) X(curl_url)                  \
        X(curl_url_cleanup) X(curl_url_get) X(curl_url_set)
LAZY_CURL_FUNCS(LAZY_DECLARE)

#ifndef LAZY_DEFINING
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_cleanup (lazy_curl_easy_cleanup())
#define curl_easy_getinfo (lazy_curl_easy_getinfo())
#define curl_easy_init (lazy_curl_easy_init())
#define curl_easy_perform (lazy_curl_easy_perform())
#define curl_easy_reset (lazy_curl_easy_reset())
#define curl_easy_setopt (lazy_curl_easy_setopt())
#define curl_easy_strerror (lazy_curl_easy_strerror())
#define curl_free (lazy_curl_free())
#define curl_global_init (lazy_curl_global_init())
#define curl_slist_append (lazy_curl_slist_append())
#define curl_slist_free_all (lazy_curl_slist_free_all())
#define curl_url (lazy_curl_url())
#define curl_url_cleanup (lazy_curl_url_cleanup())
#define curl_url_get (lazy_curl_url_get())
#define curl_url_set (lazy_curl_url_set())
#endif
