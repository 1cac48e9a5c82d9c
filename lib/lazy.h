/* Shared libraries bound on first use.
 *
 * hostctl starts for every command, and libvirt or libcurl with their own
 * dependencies (some 50 libraries) cost 20 ms of dynamic linking before
 * main() on every start, for commands that never touch them (`disks`,
 * `raid`). A lazily bound library is opened with dlopen() the first time
 * one of its functions is called.
 *
 * A binding header (lib/lazy_curl.h, hypervisor/lazy_virt.h) includes the
 * library's own header, declares one resolver per function used, and
 * redefines the function's name as a call through it:
 *     #define curl_easy_init (lazy_curl_easy_init())
 * so call sites read as ordinary calls, with the library's own prototypes.
 * Entry points call lazy_open() first to turn a missing library into an
 * error for the user; a function resolved without it exits with a message,
 * since nothing sensible can run on.
 */
#pragma once

#include "error.h"

struct lazy_lib {
        const char *soname;   /* "libvirt.so.0", from the build */
        const char *package;  /* the Debian package that ships it, for the message */
        void *handle;         /* set once loaded */
};

/* Open the library if it is not yet open. 0, or -ENOENT with a message
 * naming the library and the package to install. Thread-safe. */
int lazy_open(struct lazy_lib *lib, struct error *e);

/* The address of NAME in LIB (opening it first). Exits the process with a
 * message on stderr when the library or the symbol is missing. */
void *lazy_sym(struct lazy_lib *lib, const char *name);

/* Define the resolver lazy_<fn>() for a function of LIB; the header that
 * declares fn must be included. Used by the binding's .c file. */
#define LAZY_DEFINE(lib, fn)                                                       \
        __typeof__(&fn) lazy_##fn(void) {                                          \
                static __typeof__(&fn) p;                                          \
                __typeof__(&fn) f = __atomic_load_n(&p, __ATOMIC_ACQUIRE);         \
                if (!f) {                                                          \
                        f = (__typeof__(&fn))lazy_sym(&(lib), #fn);                \
                        __atomic_store_n(&p, f, __ATOMIC_RELEASE);                 \
                }                                                                  \
                return f;                                                          \
        }
#define LAZY_DECLARE(fn) __typeof__(&fn) lazy_##fn(void);

/* The sonames a binary may open, in its section .hostd_dlopen (NUL
 * separated), so that whoever copies the binary somewhere (the lab's
 * initramfs) can copy them along: `readelf -p .hostd_dlopen hostctl`. */
#define LAZY_RECORD_SONAME(id, soname)                                             \
        __attribute__((used, section(".hostd_dlopen"), aligned(1)))               \
        static const char lazy_soname_##id[] = soname
