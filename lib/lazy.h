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
 * lazy_open() resolves every function the binding lists at once, so a
 * missing library or a library without one of them (another version than the
 * build's) is an error for the user at the entry point, which calls
 * lazy_open() first; a call site never meets an unresolved symbol, and a
 * daemon lives on when a library is unusable.
 */
#pragma once

#include "error.h"

struct lazy_lib {
        const char *soname;           /* "libvirt.so.0", from the build */
        const char *package;          /* the Debian package that ships it, for the message */
        const char *const *symbols;   /* every function the binding uses */
        void **addrs;                 /* their addresses, n_symbols of them, set by lazy_open() */
        size_t n_symbols;
        void *handle;                 /* set once loaded and every symbol resolved */
};

/* Open the library if it is not yet open and resolve every symbol it lists.
 * 0; -ENOENT with a message naming the library and the package to install;
 * -ELIBBAD with a message naming the library and the missing symbol (the
 * library stays closed). Thread-safe. */
int lazy_open(struct lazy_lib *lib, struct error *e);

/* The address of symbol number INDEX of LIB. Opens LIB when no entry point
 * did, and aborts when that fails: a call site reached without its entry
 * point's lazy_open() is a bug. */
void *lazy_sym(struct lazy_lib *lib, size_t index);

/* A binding's .c file: the symbol table of LIB from the X-macro list FUNCS,
 *     LAZY_TABLE(lazy_libcurl, LAZY_CURL_FUNCS)
 * an index per function, then the resolver lazy_<fn>() of each with
 *     FUNCS(DEFINE) where #define DEFINE(fn) LAZY_DEFINE(lib, fn)
 * The headers that declare the functions must be included. */
#define LAZY_INDEX(fn) lazy_index_##fn,
#define LAZY_NAME(fn) #fn,
#define LAZY_TABLE(lib, FUNCS)                                                     \
        enum { FUNCS(LAZY_INDEX) lib##_count };                                    \
        static const char *const lib##_symbols[] = { FUNCS(LAZY_NAME) };           \
        static void *lib##_addrs[lib##_count]
#define LAZY_LIB_INIT(lib, so, pkg)                                                \
        { .soname = (so), .package = (pkg), .symbols = lib##_symbols,              \
          .addrs = lib##_addrs, .n_symbols = lib##_count }
#define LAZY_DEFINE(lib, fn)                                                       \
        __typeof__(&fn) lazy_##fn(void) {                                          \
                if (__atomic_load_n(&(lib).handle, __ATOMIC_ACQUIRE))              \
                        return (__typeof__(&fn))(lib).addrs[lazy_index_##fn];      \
                return (__typeof__(&fn))lazy_sym(&(lib), lazy_index_##fn);         \
        }
#define LAZY_DECLARE(fn) __typeof__(&fn) lazy_##fn(void);

/* The sonames a binary may open, in its section .hostd_dlopen (NUL
 * separated), so that whoever copies the binary somewhere (the lab's
 * initramfs) can copy them along: `readelf -p .hostd_dlopen hostctl`. */
#define LAZY_RECORD_SONAME(id, soname)                                             \
        __attribute__((used, section(".hostd_dlopen"), aligned(1)))               \
        static const char lazy_soname_##id[] = soname
