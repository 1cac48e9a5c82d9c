/* daemon/auth.c: password checks through crypt(3) and in-memory sessions. */
#include "auth.h"

#include <crypt.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "lib/fileio.h"
#include "lib/strutil.h"

#define MAX_SESSIONS 256

struct session {
        char token[65];
        char id[33];
        char user[64];
        time_t last;
};

struct auth {
        pthread_mutex_t lock;
        char **users;             /* "name:hash" */
        int idle_timeout_s;
        struct session sessions[MAX_SESSIONS];
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

static int load_users(const char *path, char ***ret, struct error *e) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        _cleanup_strv_free_ char **v = NULL;
        if (!path) {
                *ret = NULL;
                return 0;
        }
        int k = file_check_private(path, "users file", e);
        if (k >= 0)
                k = read_file(path, 1 << 20, &text, &len, e);
        if (k < 0)
                return k;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                str_trim(line);
                if (!*line || *line == '#')
                        continue;
                if (!strchr(line, ':') || line[0] == ':')
                        return error_set(e, -EINVAL, "%s: '%.40s' is not name:hash", path, line);
                if (strv_push(&v, line) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        *ret = TAKE_PTR(v);
        return 0;
}

int auth_new(const char *users_file, int idle_timeout_s, struct auth **ret, struct error *e) {
        struct auth *a = calloc(1, sizeof *a);
        if (!a)
                return error_set(e, -ENOMEM, "out of memory");
        pthread_mutex_init(&a->lock, NULL);
        a->idle_timeout_s = idle_timeout_s;
        int k = load_users(users_file, &a->users, e);
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
        int k = load_users(users_file, &users, e);
        if (k < 0)
                return k;
        pthread_mutex_lock(&a->lock);
        strv_free(a->users);
        a->users = users;
        a->idle_timeout_s = idle_timeout_s;
        for (size_t i = 0; i < MAX_SESSIONS; i++)
                if (a->sessions[i].token[0] && !hash_of(users, a->sessions[i].user))
                        memset(&a->sessions[i], 0, sizeof a->sessions[i]);
        pthread_mutex_unlock(&a->lock);
        return 0;
}

bool auth_check_password(struct auth *a, const char *user, const char *password) {
        if (!user || !password || !*user)
                return false;
        pthread_mutex_lock(&a->lock);
        const char *h = hash_of(a->users, user);
        _cleanup_free_ char *hash = h ? strdup(h) : NULL;
        pthread_mutex_unlock(&a->lock);
        /* a missing user still costs one hash, so timing does not tell names apart */
        static const char dummy[] = "$6$hostd$invalidinvalidinvalidinvalidinvalidinvalidinvalid";
        struct crypt_data *cd = calloc(1, sizeof *cd);
        if (!cd)
                return false;
        /* crypt_rn, not crypt_r: the sanitizers' crypt_r interceptor calls
         * through a null pointer when libcrypt is libxcrypt */
        const char *out = crypt_rn(password, hash ? hash : dummy, cd, (int)sizeof *cd);
        bool ok = hash && out && out[0] != '*' && strlen(out) == strlen(hash) &&
                  ct_equal(out, hash, strlen(hash));
        explicit_bzero(cd, sizeof *cd);
        free(cd);
        return ok;
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

int auth_session_new(struct auth *a, const char *user, const char *password, char **ret_token, char **ret_id,
                     struct error *e) {
        if (!auth_check_password(a, user, password))
                return error_set(e, -EACCES, "wrong user name or password");
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
        expire_locked(a, s.last);
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
