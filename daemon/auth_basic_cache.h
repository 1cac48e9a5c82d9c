/* HTTP Basic at session speed: an Authorization header auth_login() accepted
 * is remembered for a short while, so that a client sending the same header
 * on every request (as Basic clients do) does not pay a crypt(3) each time.
 * What is kept is an HMAC-SHA256 of the header under a key drawn at random
 * when the cache is made (never the password, nor a hash an offline guess
 * could be checked against without the key), the user, and when it expires.
 * Bounded (the oldest entry makes room). Each entry carries the generation
 * of the users file its header was checked against: a re-read starts a new
 * one, and an entry of an older generation is never recalled nor, when its
 * check raced the re-read, stored. Thread-safe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define BASIC_CACHE_TTL_S 60
#define BASIC_CACHE_SLOTS 64

struct basic_cache;

int basic_cache_new(struct basic_cache **ret, struct error *e);
void basic_cache_free(struct basic_cache *c);
/* The user a header was verified for in the last BASIC_CACHE_TTL_S seconds,
 * in the current generation. */
bool basic_cache_recall(struct basic_cache *c, const char *header, size_t len, char *ret_user, size_t user_len);
/* Remember a header checked against the users file of generation; one of
 * an older generation (the file was re-read during the check) is dropped. */
void basic_cache_remember(struct basic_cache *c, const char *header, size_t len, const char *user,
                          uint64_t generation);
/* A new generation (the users file changed): everything remembered is
 * forgotten. Returns the new generation; the first is 0. */
uint64_t basic_cache_bump(struct basic_cache *c);
