/* libcrypto's digest functions, bound on first use (lazy.h). Include this
 * instead of <openssl/evp.h> where only the sha256 of a download needs them:
 * linked, libcrypto's relocations and constructors cost every hostctl
 * command more than the whole disk listing. */
#pragma once

#include <openssl/evp.h>

#include "lazy.h"

extern struct lazy_lib lazy_libcrypto;

#define LAZY_CRYPTO_FUNCS(X)                                                       \
        X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) X(EVP_DigestInit_ex)                \
        X(EVP_DigestUpdate) X(EVP_DigestFinal_ex) X(EVP_sha256)
LAZY_CRYPTO_FUNCS(LAZY_DECLARE)

#ifndef LAZY_DEFINING
#define EVP_MD_CTX_new (lazy_EVP_MD_CTX_new())
#define EVP_MD_CTX_free (lazy_EVP_MD_CTX_free())
#define EVP_DigestInit_ex (lazy_EVP_DigestInit_ex())
#define EVP_DigestUpdate (lazy_EVP_DigestUpdate())
#define EVP_DigestFinal_ex (lazy_EVP_DigestFinal_ex())
#define EVP_sha256 (lazy_EVP_sha256())
#endif
