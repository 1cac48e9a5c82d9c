/* daemon/auth.c: password checks through crypt(3) and in-memory sessions. */
#include "auth.h"

#include <crypt.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "auth_basic_cache.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/strutil.h"

#define MAX_SESSIONS 256

/* Wrong passwords: the first LOGIN_FREE_FAILURES of an address or a user
 * cost nothing more; each further one shuts that address or user out for
 * 4 s, 8 s, 16 s ... up to LOGIN_BACKOFF_CAP_S. Refused tries are answered
 * before crypt(3) runs, so a flood costs no hashing. */
#define LOGIN_FREE_FAILURES 5
#define LOGIN_BACKOFF_FIRST_S 4
#define LOGIN_BACKOFF_CAP_S 60
#define LOGIN_FORGET_S (10 * LOGIN_BACKOFF_CAP_S)
#define THROTTLE_SLOTS 1024

struct session {
        char token[65];
        char id[33];
        char user[64];
        time_t last;
        uint64_t serial;          /* order of creation: the oldest ends first */
};

/* The failures of one address ("a:") or user name ("u:"). */
struct throttle {
        char key[96];
        unsigned failures;
        time_t last, until;       /* CLOCK_MONOTONIC seconds */
};

struct auth {
        pthread_mutex_t lock;
        char **users;             /* "name:hash" */
        enum auth_role *roles;    /* users[i]'s role */
        char *dummy_hash;         /* costs what a listed user's hash costs (unknown users) */
        int idle_timeout_s;
        uint64_t serial;
        struct session sessions[MAX_SESSIONS];
        struct throttle throttles[THROTTLE_SLOTS];
        uint64_t login_failures, logins_throttled;
        struct basic_cache *basic; /* HTTP Basic headers verified lately */
        uint64_t generation;      /* of the users file: auth_reload() starts a new one */
};

/* Equal in time that does not depend on where they differ. */
static bool ct_equal(const char *x, const char *y, size_t n) {
        unsigned char d = 0;
        for (size_t i = 0; i < n; i++)
                d |= (unsigned char)(x[i] ^ y[i]);
        return d == 0;
}

static time_t now_s(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec;
}

static const char *const role_names[_AUTH_ROLE_MAX] = {
        [AUTH_ROLE_READONLY] = "ReadOnly",
        [AUTH_ROLE_OPERATOR] = "Operator",
        [AUTH_ROLE_ADMINISTRATOR] = "Administrator",
};

const char *auth_role_name(enum auth_role r) {
        return r < _AUTH_ROLE_MAX ? role_names[r] : "ReadOnly";
}

int auth_role_from_name(const char *s, enum auth_role *ret) {
        for (int i = 0; i < _AUTH_ROLE_MAX; i++)
                if (streq(s, role_names[i])) {
                        *ret = (enum auth_role)i;
                        return 0;
                }
        return -EINVAL;
}

/* "name:hash[:role]" into "name:hash" (in place) and the role; a crypt hash
 * holds no ':', so a third field can only be the role. */
static int parse_user_line(const char *path, unsigned line_no, char *line, enum auth_role *ret_role,
                           struct error *e) {
        char *colon = strchr(line, ':');
        if (!colon || colon == line || !colon[1] || colon[1] == ':')
                return error_set(e, -EINVAL, "%s:%u: '%.40s' is not name:hash[:role]", path, line_no, line);
        if (colon - line >= 64)
                return error_set(e, -EINVAL, "%s:%u: the user name is longer than 63 bytes", path, line_no);
        /* the name is an account's Id in its URI and appears in the log */
        size_t ok = strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@+-");
        if (line + ok != colon)
                return error_set(e, -EINVAL, "%s:%u: the user name may hold only letters, digits and . _ @ + -",
                                 path, line_no);
        /* hostd's own names for who asks on the local socket and, unauthenticated, over TCP: a user of
         * the file by one of them would be taken for the socket's administrator or for nobody */
        static const char *const reserved[] = { "local", "anonymous" };
        for (size_t i = 0; i < ELEMENTSOF(reserved); i++)
                if ((size_t)(colon - line) == strlen(reserved[i]) && strncmp(line, reserved[i], strlen(reserved[i])) == 0)
                        return error_set(e, -EINVAL, "%s:%u: the user name '%s' is hostd's own (local, anonymous): "
                                         "choose another", path, line_no, reserved[i]);
        char *role = strchr(colon + 1, ':');
        *ret_role = AUTH_ROLE_ADMINISTRATOR;
        if (!role)
                return 0;
        *role++ = '\0';
        if (auth_role_from_name(role, ret_role) < 0)
                return error_set(e, -EINVAL, "%s:%u: unknown role '%.40s' (Administrator, Operator, ReadOnly)", path,
                                 line_no, role);
        return 0;
}

static int load_users(const char *path, char ***ret, enum auth_role **ret_roles, struct error *e) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        _cleanup_strv_free_ char **v = NULL;
        _cleanup_free_ enum auth_role *roles = NULL;
        if (!path) {
                *ret = NULL;
                *ret_roles = NULL;
                return 0;
        }
        int k = file_check_private(path, "users file", e);
        if (k >= 0)
                k = read_file(path, 1 << 20, &text, &len, e);
        if (k < 0)
                return k;
        unsigned line_no = 0;
        for (char *line = text, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                line_no++;
                str_trim(line);
                if (!*line || *line == '#')
                        continue;
                enum auth_role role;
                k = parse_user_line(path, line_no, line, &role, e);
                if (k < 0)
                        return k;
                size_t n = strv_length(v);
                enum auth_role *nr = realloc(roles, (n + 1) * sizeof *roles);
                if (!nr)
                        return error_set(e, -ENOMEM, "out of memory");
                roles = nr;
                roles[n] = role;
                if (strv_push(&v, line) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        *ret = TAKE_PTR(v);
        *ret_roles = TAKE_PTR(roles);
        return 0;
}

/* A name that is not listed must cost one hash of the same method and cost
 * as a listed one ($y$j9T$ yescrypt is 50x slower than $6$), or the time of
 * a wrong login tells which names exist. The first usable entry's hash is
 * the setting: crypt(3) reads method, cost and salt from it. */
static char *dummy_hash_for(char **users) {
        for (char **u = users; u && *u; u++) {
                const char *h = strchr(*u, ':') + 1;
                if (h[0] == '$' && strlen(h) > 3)
                        return strdup(h);
        }
        return strdup("$6$hostd$invalidinvalidinvalidinvalidinvalidinvalidinvalid");
}

int auth_new(const char *users_file, int idle_timeout_s, struct auth **ret, struct error *e) {
        struct auth *a = calloc(1, sizeof *a);
        if (!a)
                return error_set(e, -ENOMEM, "out of memory");
        pthread_mutex_init(&a->lock, NULL);
        a->idle_timeout_s = idle_timeout_s;
        int k = load_users(users_file, &a->users, &a->roles, e);
        if (k >= 0 && !(a->dummy_hash = dummy_hash_for(a->users)))
                k = error_set(e, -ENOMEM, "out of memory");
        if (k >= 0)
                k = basic_cache_new(&a->basic, e);
        if (k < 0) {
                auth_free(a);
                return k;
        }
        *ret = a;
        return 0;
}

void auth_free(struct auth *a) {
        if (!a)
                return;
        strv_free(a->users);
        free(a->roles);
        free(a->dummy_hash);
        basic_cache_free(a->basic);
        pthread_mutex_destroy(&a->lock);
        explicit_bzero(a->sessions, sizeof a->sessions);
        free(a);
}

static const char *hash_of(char **users, const char *user) {
        size_t n = strlen(user);
        for (char **u = users; u && *u; u++)
                if (strncmp(*u, user, n) == 0 && (*u)[n] == ':')
                        return *u + n + 1;
        return NULL;
}

int auth_reload(struct auth *a, const char *users_file, int idle_timeout_s, struct error *e) {
        char **users = NULL;
        enum auth_role *roles = NULL;
        int k = load_users(users_file, &users, &roles, e);
        if (k < 0)
                return k;
        char *dummy = dummy_hash_for(users);
        if (!dummy) {
                strv_free(users);
                free(roles);
                return error_set(e, -ENOMEM, "out of memory");
        }
        pthread_mutex_lock(&a->lock);
        strv_free(a->users);
        a->users = users;
        free(a->roles);
        a->roles = roles;
        free(a->dummy_hash);
        a->dummy_hash = dummy;
        a->idle_timeout_s = idle_timeout_s;
        for (size_t i = 0; i < MAX_SESSIONS; i++)
                if (a->sessions[i].token[0] && !hash_of(users, a->sessions[i].user))
                        memset(&a->sessions[i], 0, sizeof a->sessions[i]);
        /* a password changed or a user removed: no header verified before
         * counts, nor one whose check is running now (it read the old file);
         * bumped with the users swapped, under the lock check_password() reads
         * both under */
        a->generation = basic_cache_bump(a->basic);
        pthread_mutex_unlock(&a->lock);
        return 0;
}

bool auth_basic_recall(struct auth *a, const char *header, size_t len, char *ret_user, size_t user_len) {
        return basic_cache_recall(a->basic, header, len, ret_user, user_len);
}

void auth_basic_remember(struct auth *a, const char *header, size_t len, const char *user, uint64_t generation) {
        basic_cache_remember(a->basic, header, len, user, generation);
}

/* *ret_generation: that of the users file the hash was taken from */
static bool check_password(struct auth *a, const char *user, const char *password, uint64_t *ret_generation) {
        if (!user || !password || !*user)
                return false;
        pthread_mutex_lock(&a->lock);
        *ret_generation = a->generation;
        const char *h = hash_of(a->users, user);
        _cleanup_free_ char *hash = h ? strdup(h) : NULL;
        _cleanup_free_ char *dummy = strdup(a->dummy_hash);
        pthread_mutex_unlock(&a->lock);
        struct crypt_data *cd = calloc(1, sizeof *cd);
        if (!cd || !dummy) {
                free(cd);
                return false;
        }
        /* crypt_rn, not crypt_r: the sanitizers' crypt_r interceptor calls
         * through a null pointer when libcrypt is libxcrypt */
        const char *out = crypt_rn(password, hash ? hash : dummy, cd, (int)sizeof *cd);
        bool ok = hash && out && out[0] != '*' && strlen(out) == strlen(hash) &&
                  ct_equal(out, hash, strlen(hash));
        explicit_bzero(cd, sizeof *cd);
        free(cd);
        return ok;
}

/* The slot of key, a free or forgotten one, or the least recently failed. */
static struct throttle *throttle_slot_locked(struct auth *a, const char *key, time_t now, bool create) {
        struct throttle *victim = NULL;
        for (size_t i = 0; i < THROTTLE_SLOTS; i++) {
                struct throttle *t = &a->throttles[i];
                if (t->key[0] && now - t->last > LOGIN_FORGET_S && now >= t->until)
                        memset(t, 0, sizeof *t);
                if (t->key[0] && streq(t->key, key))
                        return t;
                if (!victim || (!t->key[0] && victim->key[0]) || (t->key[0] && victim->key[0] && t->last < victim->last))
                        victim = t;
        }
        if (!create)
                return NULL;
        memset(victim, 0, sizeof *victim);
        snprintf(victim->key, sizeof victim->key, "%s", key);
        return victim;
}

static unsigned throttled_for_locked(struct auth *a, const char *key, time_t now) {
        struct throttle *t = throttle_slot_locked(a, key, now, false);
        return t && now < t->until ? (unsigned)(t->until - now) : 0;
}

static void throttle_fail_locked(struct auth *a, const char *key, time_t now) {
        struct throttle *t = throttle_slot_locked(a, key, now, true);
        t->failures++;
        t->last = now;
        if (t->failures >= LOGIN_FREE_FAILURES) {
                unsigned shift = t->failures - LOGIN_FREE_FAILURES;
                time_t wait = shift >= 5 ? LOGIN_BACKOFF_CAP_S : (time_t)LOGIN_BACKOFF_FIRST_S << shift;
                t->until = now + (wait < LOGIN_BACKOFF_CAP_S ? wait : LOGIN_BACKOFF_CAP_S);
        }
}

static void throttle_reset_locked(struct auth *a, const char *key, time_t now) {
        struct throttle *t = throttle_slot_locked(a, key, now, false);
        if (t)
                memset(t, 0, sizeof *t);
}

/* A user name as the log may show it: printable, bounded. */
static void printable(char *out, size_t len, const char *in) {
        size_t i = 0;
        for (; in[i] && i + 1 < len; i++)
                out[i] = (unsigned char)in[i] < 0x20 || in[i] == 0x7f ? '?' : in[i];
        out[i] = '\0';
}

enum auth_result auth_login(struct auth *a, const char *user, const char *password, const char *client,
                            unsigned *ret_retry_after, uint64_t *ret_generation) {
        char ukey[96], akey[96], shown[64];
        snprintf(ukey, sizeof ukey, "u:%s", user ? user : "");
        snprintf(akey, sizeof akey, "a:%s", client ? client : "-");
        printable(shown, sizeof shown, user ? user : "");
        time_t now = now_s();
        pthread_mutex_lock(&a->lock);
        unsigned wa = throttled_for_locked(a, akey, now), wu = throttled_for_locked(a, ukey, now);
        if (wa || wu)
                a->logins_throttled++;
        pthread_mutex_unlock(&a->lock);
        if (wa || wu) {
                *ret_retry_after = wa > wu ? wa : wu;
                return AUTH_THROTTLED;
        }
        uint64_t generation = 0;
        bool ok = check_password(a, user, password, &generation);
        if (ok && ret_generation)
                *ret_generation = generation;
        now = now_s();
        pthread_mutex_lock(&a->lock);
        if (ok) {
                throttle_reset_locked(a, akey, now);
                throttle_reset_locked(a, ukey, now);
        } else {
                a->login_failures++;
                throttle_fail_locked(a, akey, now);
                throttle_fail_locked(a, ukey, now);
        }
        pthread_mutex_unlock(&a->lock);
        if (!ok)
                log_warning("failed login for user '%s' from %s", shown, client ? client : "-");
        return ok ? AUTH_OK : AUTH_DENIED;
}

void auth_login_counts(struct auth *a, uint64_t *ret_failures, uint64_t *ret_throttled) {
        pthread_mutex_lock(&a->lock);
        *ret_failures = a->login_failures;
        *ret_throttled = a->logins_throttled;
        pthread_mutex_unlock(&a->lock);
}

static void hex(char *out, const unsigned char *in, size_t n) {
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", in[i]);
}

static void expire_locked(struct auth *a, time_t now) {
        for (size_t i = 0; i < MAX_SESSIONS; i++)
                if (a->sessions[i].token[0] && now - a->sessions[i].last > a->idle_timeout_s)
                        memset(&a->sessions[i], 0, sizeof a->sessions[i]);
}

/* The user's oldest session, when it has max of them already. */
static struct session *oldest_if_full_locked(struct auth *a, const char *user, unsigned max) {
        struct session *oldest = NULL;
        unsigned n = 0;
        for (size_t i = 0; i < MAX_SESSIONS; i++) {
                struct session *s = &a->sessions[i];
                if (!s->token[0] || !streq(s->user, user))
                        continue;
                n++;
                if (!oldest || s->serial < oldest->serial)
                        oldest = s;
        }
        return n >= max ? oldest : NULL;
}

int auth_session_new(struct auth *a, const char *user, uint64_t generation, unsigned max_per_user,
                     char **ret_token, char **ret_id, struct error *e) {
        if (strlen(user) >= sizeof a->sessions[0].user)
                return error_set(e, -EINVAL, "user name too long");
        unsigned char rnd[48];
        if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
                return error_set(e, -EIO, "no random numbers: %s", strerror(errno));
        struct session s = { .last = now_s() };
        hex(s.token, rnd, 32);
        hex(s.id, rnd + 32, 16);
        snprintf(s.user, sizeof s.user, "%s", user);
        explicit_bzero(rnd, sizeof rnd);
        pthread_mutex_lock(&a->lock);
        if (generation != a->generation) {
                pthread_mutex_unlock(&a->lock);
                explicit_bzero(&s, sizeof s);
                return error_set(e, -ESTALE, "the users file was re-read while the login was checked: log in again");
        }
        expire_locked(a, s.last);
        s.serial = ++a->serial;
        /* one user cannot take the slots of the others: its oldest session ends */
        struct session *old = oldest_if_full_locked(a, user, max_per_user ? max_per_user : 1);
        if (old)
                explicit_bzero(old, sizeof *old);
        size_t i = 0;
        while (i < MAX_SESSIONS && a->sessions[i].token[0])
                i++;
        if (i < MAX_SESSIONS)
                a->sessions[i] = s;
        pthread_mutex_unlock(&a->lock);
        if (i == MAX_SESSIONS)
                return error_set(e, -EBUSY, "too many sessions (%d): log out of some", MAX_SESSIONS);
        *ret_token = strdup(s.token);
        *ret_id = strdup(s.id);
        explicit_bzero(&s, sizeof s);
        if (!*ret_token || !*ret_id)
                return error_set(e, -ENOMEM, "out of memory");
        return 0;
}

static struct session *find_locked(struct auth *a, const char *field, size_t off, size_t len) {
        if (!field || strlen(field) != len)
                return NULL;
        for (size_t i = 0; i < MAX_SESSIONS; i++) {
                const char *v = (const char *)&a->sessions[i] + off;
                if (a->sessions[i].token[0] && ct_equal(v, field, len))
                        return &a->sessions[i];
        }
        return NULL;
}

bool auth_session_check(struct auth *a, const char *token, char *ret_user, size_t user_len) {
        time_t now = now_s();
        pthread_mutex_lock(&a->lock);
        expire_locked(a, now);
        struct session *s = find_locked(a, token, offsetof(struct session, token), 64);
        if (s) {
                s->last = now;
                if (ret_user)
                        snprintf(ret_user, user_len, "%s", s->user);
        }
        pthread_mutex_unlock(&a->lock);
        return s != NULL;
}

int auth_session_delete(struct auth *a, const char *id, struct error *e) {
        pthread_mutex_lock(&a->lock);
        struct session *s = find_locked(a, id, offsetof(struct session, id), 32);
        if (s)
                memset(s, 0, sizeof *s);
        pthread_mutex_unlock(&a->lock);
        return s ? 0 : error_set(e, -ENOENT, "no session %s", id);
}

char **auth_session_ids(struct auth *a) {
        char **v = NULL;
        pthread_mutex_lock(&a->lock);
        expire_locked(a, now_s());
        for (size_t i = 0; i < MAX_SESSIONS; i++)
                if (a->sessions[i].token[0])
                        (void)strv_push(&v, a->sessions[i].id);
        pthread_mutex_unlock(&a->lock);
        return v;
}

bool auth_session_user(struct auth *a, const char *id, char *ret_user, size_t user_len) {
        pthread_mutex_lock(&a->lock);
        struct session *s = find_locked(a, id, offsetof(struct session, id), 32);
        if (s)
                snprintf(ret_user, user_len, "%s", s->user);
        pthread_mutex_unlock(&a->lock);
        return s != NULL;
}

bool auth_user_role(struct auth *a, const char *user, enum auth_role *ret) {
        size_t n = user ? strlen(user) : 0;
        bool found = false;
        pthread_mutex_lock(&a->lock);
        for (size_t i = 0; n && a->users && a->users[i] && !found; i++)
                if (strncmp(a->users[i], user, n) == 0 && a->users[i][n] == ':') {
                        *ret = a->roles[i];
                        found = true;
                }
        pthread_mutex_unlock(&a->lock);
        return found;
}

size_t auth_users(struct auth *a, struct auth_user **ret) {
        pthread_mutex_lock(&a->lock);
        size_t n = strv_length(a->users);
        struct auth_user *v = calloc(n ? n : 1, sizeof *v);
        for (size_t i = 0; v && i < n; i++) {
                snprintf(v[i].name, sizeof v[i].name, "%.*s", (int)strcspn(a->users[i], ":"), a->users[i]);
                v[i].role = a->roles[i];
        }
        pthread_mutex_unlock(&a->lock);
        *ret = v;
        return v ? n : 0;
}
