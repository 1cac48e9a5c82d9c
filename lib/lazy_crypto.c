/* libcrypto's resolvers (lazy_crypto.h). */
#define LAZY_DEFINING
#include "lazy_crypto.h"

#ifndef SONAME_CRYPTO
#define SONAME_CRYPTO "libcrypto.so.3"
#endif
LAZY_RECORD_SONAME(crypto, SONAME_CRYPTO);
LAZY_TABLE(lazy_libcrypto, LAZY_CRYPTO_FUNCS);
struct lazy_lib lazy_libcrypto = LAZY_LIB_INIT(lazy_libcrypto, SONAME_CRYPTO, "libssl3");

#define DEFINE_CRYPTO(fn) LAZY_DEFINE(lazy_libcrypto, fn)
LAZY_CRYPTO_FUNCS(DEFINE_CRYPTO)
