/* daemon/auth_basic_cache.c: verified HTTP Basic headers, by keyed hash. */
#include "auth_basic_cache.h"

#include <openssl/hmac.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define MAC_LEN 32

struct remembered {
        unsigned char mac[MAC_LEN];
        char user[64];
        time_t expires;           /* CLOCK_MONOTONIC seconds; 0: a free slot */
        uint64_t generation;      /* of the users file the header was checked against */
};

struct basic_cache {
        pthread_mutex_t lock;
        unsigned char key[32];
        uint64_t generation;      /* the users file's current one */
        struct remembered slots[BASIC_CACHE_SLOTS];
};

static time_t now_s(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec;
}

/* Equal in time that does not depend on where they differ. */
static bool mac_equal(const unsigned char *x, const unsigned char *y) {
        unsigned char d = 0;
        for (size_t i = 0; i < MAC_LEN; i++)
                d |= x[i] ^ y[i];
        return d == 0;
}

static bool mac_of(const struct basic_cache *c, const char *header, size_t len, unsigned char *out) {
        unsigned n = 0;
        return HMAC(EVP_sha256(), c->key, (int)sizeof c->key, (const unsigned char *)header, len, out, &n) && n == MAC_LEN;
}

int basic_cache_new(struct basic_cache **ret, struct error *e) {
        struct basic_cache *c = calloc(1, sizeof *c);
        if (!c)
                return error_set(e, -ENOMEM, "out of memory");
        if (getrandom(c->key, sizeof c->key, 0) != (ssize_t)sizeof c->key) {
                int k = error_set(e, -EIO, "no random numbers for the Basic credential cache: %s", strerror(errno));
                free(c);
                return k;
        }
        pthread_mutex_init(&c->lock, NULL);
        *ret = c;
        return 0;
}

void basic_cache_free(struct basic_cache *c) {
        if (!c)
                return;
        pthread_mutex_destroy(&c->lock);
        explicit_bzero(c, sizeof *c);
        free(c);
}

bool basic_cache_recall(struct basic_cache *c, const char *header, size_t len, char *ret_user, size_t user_len) {
        unsigned char mac[MAC_LEN];
        if (!c || !header || !mac_of(c, header, len, mac))
                return false;
        time_t now = now_s();
        bool found = false;
        pthread_mutex_lock(&c->lock);
        for (size_t i = 0; i < BASIC_CACHE_SLOTS && !found; i++) {
                struct remembered *s = &c->slots[i];
                if (s->expires && (now >= s->expires || s->generation != c->generation))
                        explicit_bzero(s, sizeof *s);
                if (s->expires && mac_equal(s->mac, mac)) {
                        snprintf(ret_user, user_len, "%s", s->user);
                        found = true;
                }
        }
        pthread_mutex_unlock(&c->lock);
        return found;
}

void basic_cache_remember(struct basic_cache *c, const char *header, size_t len, const char *user,
                          uint64_t generation) {
        unsigned char mac[MAC_LEN];
        if (!c || !header || strlen(user) >= sizeof c->slots[0].user || !mac_of(c, header, len, mac))
                return;
        time_t now = now_s();
        pthread_mutex_lock(&c->lock);
        /* checked against a users file that has been re-read since: the
         * user may be gone or its password changed */
        if (generation != c->generation) {
                pthread_mutex_unlock(&c->lock);
                return;
        }
        /* the same header again, else a free or expired slot, else the one that expires first */
        struct remembered *slot = &c->slots[0];
        for (size_t i = 0; i < BASIC_CACHE_SLOTS; i++) {
                struct remembered *s = &c->slots[i];
                if (s->expires && mac_equal(s->mac, mac)) {
                        slot = s;
                        break;
                }
                if (s->expires <= now || s->expires < slot->expires)
                        slot = s;
        }
        memcpy(slot->mac, mac, MAC_LEN);
        snprintf(slot->user, sizeof slot->user, "%s", user);
        slot->expires = now + BASIC_CACHE_TTL_S;
        slot->generation = generation;
        pthread_mutex_unlock(&c->lock);
}

uint64_t basic_cache_bump(struct basic_cache *c) {
        if (!c)
                return 0;
        pthread_mutex_lock(&c->lock);
        uint64_t g = ++c->generation;
        explicit_bzero(c->slots, sizeof c->slots);
        pthread_mutex_unlock(&c->lock);
        return g;
}
