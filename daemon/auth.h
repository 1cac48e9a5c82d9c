/* Who may use the TCP API: users from a file of "name:crypt-hash[:role]"
 * lines (`openssl passwd -6` makes the hash; the role is Administrator when
 * not given, as files older than roles mean), checked for HTTP Basic and for
 * Redfish session logins, and the sessions themselves: a random token, an
 * id for the session URI, an idle timeout. Thread-safe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct auth;

/* Redfish's predefined roles, in order: each may do what the ones before may.
 * ReadOnly reads (and logs itself in and out); Operator also changes the
 * machine (arrays, VMs, containers, subscriptions); Administrator also
 * manages accounts and resets the host. */
enum auth_role { AUTH_ROLE_READONLY, AUTH_ROLE_OPERATOR, AUTH_ROLE_ADMINISTRATOR, _AUTH_ROLE_MAX };
const char *auth_role_name(enum auth_role r);   /* "ReadOnly", "Operator", "Administrator" */
int auth_role_from_name(const char *s, enum auth_role *ret);   /* -EINVAL when none */

int auth_new(const char *users_file, int idle_timeout_s, struct auth **ret, struct error *e);
void auth_free(struct auth *a);
/* Re-read the users file (SIGHUP); sessions of users no longer listed end,
 * and a new generation starts: what auth_login() checked against the old
 * file is no longer remembered (Basic) nor makes a session. A line that is
 * not name:hash[:role] with a known role, or whose name is one hostd keeps
 * for itself ("local": the socket, "anonymous": no credentials), fails the
 * load, naming the line; a failed reload keeps the users it had. */
int auth_reload(struct auth *a, const char *users_file, int idle_timeout_s, struct error *e);

enum auth_result { AUTH_OK, AUTH_DENIED, AUTH_THROTTLED };
/* Check a password (HTTP Basic or a session login) from client (an address,
 * for the log and the throttle). A wrong one is logged (user, client; never
 * the password) and counted; after a few for one address or one user name,
 * further tries are AUTH_THROTTLED, before any hashing, for
 * *ret_retry_after seconds, doubling; a right one resets both.
 * *ret_generation (optional) is the users file's generation the password was
 * checked against, for auth_basic_remember() and auth_session_new(). */
enum auth_result auth_login(struct auth *a, const char *user, const char *password, const char *client,
                            unsigned *ret_retry_after, uint64_t *ret_generation);
/* HTTP Basic at session speed (auth_basic_cache.h): the user whose
 * Authorization header (its whole value) auth_login() accepted in the last
 * minute, and remembering one it just accepted in generation (auth_login()'s;
 * dropped when the file was re-read since). auth_reload() forgets them. */
bool auth_basic_recall(struct auth *a, const char *header, size_t len, char *ret_user, size_t user_len);
void auth_basic_remember(struct auth *a, const char *header, size_t len, const char *user, uint64_t generation);
/* For /metrics: wrong passwords, and tries refused by the throttle. */
void auth_login_counts(struct auth *a, uint64_t *ret_failures, uint64_t *ret_throttled);

/* A new session for a user auth_login() accepted in generation; *ret_token
 * and *ret_id are new strings. -ESTALE when the users file was re-read since
 * the check (the user may be gone). A user with max_per_user sessions loses
 * its oldest one. */
int auth_session_new(struct auth *a, const char *user, uint64_t generation, unsigned max_per_user,
                     char **ret_token, char **ret_id, struct error *e);
/* The token's session, touched; false when unknown or idle too long. ret_user (optional) copies the user. */
bool auth_session_check(struct auth *a, const char *token, char *ret_user, size_t user_len);
/* End a session by id. -ENOENT when there is none. */
int auth_session_delete(struct auth *a, const char *id, struct error *e);
/* Ids of live sessions (a NULL-terminated new vector), and one session's user. */
char **auth_session_ids(struct auth *a);
bool auth_session_user(struct auth *a, const char *id, char *ret_user, size_t user_len);

/* The role of a listed user; false when the user is not listed. */
bool auth_user_role(struct auth *a, const char *user, enum auth_role *ret);
/* The listed users, in the file's order (a new array: free()). */
struct auth_user {
        char name[64];
        enum auth_role role;
};
size_t auth_users(struct auth *a, struct auth_user **ret);
