/* lib/store.c: jobs, journal and subscriptions in SQLite (WAL). */
#include "store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "strutil.h"

struct store {
        sqlite3 *db;
        char *path;
        dev_t dev;                /* the file opened, to notice it removed or replaced */
        ino_t ino;
        atomic_bool gone_logged;
};

static const char schema[] =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
        " target TEXT NOT NULL, state TEXT NOT NULL, percent INTEGER NOT NULL DEFAULT 0, message TEXT,"
        " body TEXT, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL,"
        " kind TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL, data TEXT);"
        "CREATE TABLE IF NOT EXISTS subscriptions (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " destination TEXT NOT NULL, context TEXT, owner TEXT);";

/* Databases from before subscriptions had an owner: the column is added
 * (NULL: made by an older hostd, only an administrator may delete them). */
static int migrate(sqlite3 *db, const char *path, struct error *e) {
        sqlite3_stmt *st = NULL;
        bool has_owner = sqlite3_prepare_v2(db, "SELECT owner FROM subscriptions LIMIT 0", -1, &st, NULL) == SQLITE_OK;
        sqlite3_finalize(st);
        if (has_owner)
                return 0;
        char *msg = NULL;
        if (sqlite3_exec(db, "ALTER TABLE subscriptions ADD COLUMN owner TEXT", NULL, NULL, &msg) != SQLITE_OK) {
                error_set(e, -EIO, "database %s: cannot add subscriptions.owner: %s", path, msg ? msg : "?");
                sqlite3_free(msg);
                return -EIO;
        }
        return 0;
}

static int64_t now_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static char *dup_col(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? strdup((const char *)t) : NULL;
}

static int db_error(struct store *s, struct error *e, const char *what) {
        return error_set(e, -EIO, "database: %s: %s", what, sqlite3_errmsg(s->db));
}

static void finalizep(sqlite3_stmt **st) {
        sqlite3_finalize(*st);
}
#define _cleanup_stmt_ _cleanup_(finalizep)

/* The jobs, journal and subscriptions (webhook URLs may hold credentials) are
 * for root's eyes: the database and its WAL and shared-memory files are made
 * 0600 whatever the umask, and an older world-readable file is tightened. */
static int create_private(const char *path, struct stat *ret_st, struct error *e) {
        _cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return error_set(e, -errno, "database %s: %m", path);
        if (fstat(fd, ret_st) < 0)
                return error_set(e, -errno, "database %s: %m", path);
        if ((ret_st->st_mode & 077) && fchmod(fd, 0600) < 0)
                return error_set(e, -errno, "database %s: cannot make it private: %m", path);
        for (const char *suffix = "-wal"; suffix; suffix = streq(suffix, "-wal") ? "-shm" : NULL) {
                _cleanup_free_ char *side = strdup_printf("%s%s", path, suffix);
                if (side && chmod(side, 0600) < 0 && errno != ENOENT)
                        return error_set(e, -errno, "database %s: cannot make it private: %m", side);
        }
        return 0;
}

int store_open(const char *path, struct store **ret, struct error *e) {
        _cleanup_(store_closep) struct store *s = calloc(1, sizeof *s);
        if (!s || !(s->path = strdup(path)))
                return error_set(e, -ENOMEM, "out of memory");
        struct stat st;
        int k = create_private(path, &st, e);
        if (k < 0)
                return k;
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
        if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK)
                return error_set(e, -EIO, "database %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        sqlite3_busy_timeout(s->db, 5000);
        char *msg = NULL;
        if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
                error_set(e, -EIO, "database %s: %s", path, msg ? msg : "schema");
                sqlite3_free(msg);
                return e ? e->code : -EIO;
        }
        if ((k = migrate(s->db, path, e)) < 0)
                return k;
        *ret = TAKE_PTR(s);
        return 0;
}

void store_close(struct store *s) {
        if (!s)
                return;
        sqlite3_close(s->db);
        free(s->path);
        free(s);
}

/* A state directory removed (or replaced) under a running process leaves
 * SQLite writing to an unlinked file: every write "succeeds" and is lost at
 * the next start. Writes are refused instead, once the file at the path is
 * not the one opened. One stat(2) per write. */
static int still_there(struct store *s, struct error *e) {
        struct stat st;
        if (stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
                return 0;
        if (!atomic_exchange(&s->gone_logged, true))
                log_error("database %s was removed or replaced while in use: writes are refused until restart", s->path);
        return error_set(e, -ESTALE, "database %s was removed or replaced while in use (was the state directory "
                                     "deleted?): nothing is written until the service is restarted", s->path);
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct error *e) {
        if (!startswith(sql, "SELECT") && still_there(s, e) < 0)
                return e->code;
        if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
                return db_error(s, e, "prepare");
        return 0;
}

int store_job_add(struct store *s, const char *kind, const char *target, const char *state, const char *body,
                  int64_t *ret_id, struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int k = prepare(s, "INSERT INTO jobs (kind, target, state, percent, message, body, created_ms, updated_ms)"
                           " VALUES (?, ?, ?, 0, NULL, ?, ?, ?)", &st, e);
        if (k < 0)
                return k;
        int64_t t = now_ms();
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, target, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, state, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, body, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, t);
        sqlite3_bind_int64(st, 6, t);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s, e, "add job");
        *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_job_update(struct store *s, int64_t id, const char *state, int percent, const char *message, struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int k = prepare(s, "UPDATE jobs SET state = ?, percent = ?, message = ?, updated_ms = ? WHERE id = ?", &st, e);
        if (k < 0)
                return k;
        sqlite3_bind_text(st, 1, state, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, percent);
        sqlite3_bind_text(st, 3, message, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, now_ms());
        sqlite3_bind_int64(st, 5, id);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s, e, "update job");
        return sqlite3_changes(s->db) ? 0 : error_set(e, -ENOENT, "job %lld not found", (long long)id);
}

static void job_from_row(sqlite3_stmt *st, struct job_record *j) {
        j->id = sqlite3_column_int64(st, 0);
        j->kind = dup_col(st, 1);
        j->target = dup_col(st, 2);
        j->state = dup_col(st, 3);
        j->percent = sqlite3_column_int(st, 4);
        j->message = dup_col(st, 5);
        j->body = dup_col(st, 6);
        j->created_ms = sqlite3_column_int64(st, 7);
        j->updated_ms = sqlite3_column_int64(st, 8);
}

#define JOB_COLS "id, kind, target, state, percent, message, body, created_ms, updated_ms"

int store_job_get(struct store *s, int64_t id, struct job_record *ret, struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int k = prepare(s, "SELECT " JOB_COLS " FROM jobs WHERE id = ?", &st, e);
        if (k < 0)
                return k;
        sqlite3_bind_int64(st, 1, id);
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE)
                return error_set(e, -ENOENT, "task %lld not found", (long long)id);
        if (r != SQLITE_ROW)
                return db_error(s, e, "read job");
        job_from_row(st, ret);
        return 0;
}

int store_job_list(struct store *s, struct job_record **ret, size_t *ret_n, struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int k = prepare(s, "SELECT " JOB_COLS " FROM jobs ORDER BY id", &st, e);
        if (k < 0)
                return k;
        struct job_record *v = NULL;
        size_t n = 0;
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                struct job_record *nv = realloc(v, (n + 1) * sizeof *v);
                if (!nv) {
                        job_record_list_free(v, n);
                        return error_set(e, -ENOMEM, "out of memory");
                }
                v = nv;
                memset(&v[n], 0, sizeof v[n]);
                job_from_row(st, &v[n++]);
        }
        if (r != SQLITE_DONE) {
                job_record_list_free(v, n);
                return db_error(s, e, "list jobs");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int store_jobs_move(struct store *s, const char *from, const char *to, const char *message, struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int k = prepare(s, "UPDATE jobs SET state = ?, message = ?, updated_ms = ? WHERE state = ?", &st, e);
        if (k < 0)
                return k;
        sqlite3_bind_text(st, 1, to, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, message, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, now_ms());
        sqlite3_bind_text(st, 4, from, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s, e, "move jobs");
        return sqlite3_changes(s->db);
}

void job_record_done(struct job_record *j) {
        if (!j)
                return;
        free(j->kind);
        free(j->target);
        free(j->state);
        free(j->message);
        free(j->body);
        memset(j, 0, sizeof *j);
}

void job_record_list_free(struct job_record *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                job_record_done(&v[i]);
        free(v);
}

int store_journal_add(struct store *s, int64_t time_ms, const char *kind, const char *severity, const char *message,
                      const char *data, int64_t *ret_id, struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int k = prepare(s, "INSERT INTO journal (time_ms, kind, severity, message, data) VALUES (?, ?, ?, ?, ?)", &st, e);
        if (k < 0)
                return k;
        sqlite3_bind_int64(st, 1, time_ms);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, severity, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, message, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, data, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s, e, "add record");
        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

#define JOURNAL_COLS "id, time_ms, kind, severity, message, data"

static struct journal_record journal_from_row(sqlite3_stmt *st) {
        return (struct journal_record){ .id = sqlite3_column_int64(st, 0), .time_ms = sqlite3_column_int64(st, 1),
                                        .kind = dup_col(st, 2), .severity = dup_col(st, 3),
                                        .message = dup_col(st, 4), .data = dup_col(st, 5) };
}

int store_journal_get(struct store *s, int64_t id, struct journal_record *ret, struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int k = prepare(s, "SELECT " JOURNAL_COLS " FROM journal WHERE id = ?", &st, e);
        if (k < 0)
                return k;
        sqlite3_bind_int64(st, 1, id);
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE)
                return error_set(e, -ENOENT, "record %lld not found", (long long)id);
        if (r != SQLITE_ROW)
                return db_error(s, e, "read record");
        *ret = journal_from_row(st);
        return 0;
}

int store_journal_list(struct store *s, const char *kind, size_t limit, struct journal_record **ret, size_t *ret_n,
                       struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int k = prepare(s, "SELECT " JOURNAL_COLS " FROM"
                           " (SELECT * FROM journal WHERE ?1 IS NULL OR kind = ?1 ORDER BY id DESC LIMIT ?2) ORDER BY id",
                        &st, e);
        if (k < 0)
                return k;
        if (kind)
                sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
        struct journal_record *v = NULL;
        size_t n = 0;
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                struct journal_record *nv = realloc(v, (n + 1) * sizeof *v);
                if (!nv) {
                        journal_record_list_free(v, n);
                        return error_set(e, -ENOMEM, "out of memory");
                }
                v = nv;
                v[n++] = journal_from_row(st);
        }
        if (r != SQLITE_DONE) {
                journal_record_list_free(v, n);
                return db_error(s, e, "list records");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

void journal_record_done(struct journal_record *r) {
        if (!r)
                return;
        free(r->kind);
        free(r->severity);
        free(r->message);
        free(r->data);
}

void journal_record_list_free(struct journal_record *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                journal_record_done(&v[i]);
        free(v);
}

int store_subscription_add(struct store *s, const char *destination, const char *context, const char *owner,
                           int64_t *ret_id, struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int k = prepare(s, "INSERT INTO subscriptions (destination, context, owner) VALUES (?, ?, ?)", &st, e);
        if (k < 0)
                return k;
        sqlite3_bind_text(st, 1, destination, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, context, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, owner, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s, e, "add subscription");
        *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_subscription_delete(struct store *s, int64_t id, struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int k = prepare(s, "DELETE FROM subscriptions WHERE id = ?", &st, e);
        if (k < 0)
                return k;
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s, e, "delete subscription");
        return sqlite3_changes(s->db) ? 0 : error_set(e, -ENOENT, "subscription %lld not found", (long long)id);
}

int store_subscription_list(struct store *s, size_t max_len, struct subscription_record **ret, size_t *ret_n,
                            size_t *ret_skipped, struct error *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* cut in SQL: an oversized row is never copied whole */
        int k = prepare(s, "SELECT id, substr(destination, 1, ?1 + 1), substr(context, 1, ?1 + 1), owner"
                           " FROM subscriptions ORDER BY id", &st, e);
        if (k < 0)
                return k;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)max_len);
        struct subscription_record *v = NULL;
        size_t n = 0, skipped = 0;
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                if ((size_t)sqlite3_column_bytes(st, 1) > max_len || (size_t)sqlite3_column_bytes(st, 2) > max_len) {
                        skipped++;
                        continue;
                }
                struct subscription_record *nv = realloc(v, (n + 1) * sizeof *v);
                if (!nv) {
                        subscription_record_list_free(v, n);
                        return error_set(e, -ENOMEM, "out of memory");
                }
                v = nv;
                v[n++] = (struct subscription_record){ .id = sqlite3_column_int64(st, 0), .destination = dup_col(st, 1),
                                                       .context = dup_col(st, 2), .owner = dup_col(st, 3) };
        }
        if (r != SQLITE_DONE) {
                subscription_record_list_free(v, n);
                return db_error(s, e, "list subscriptions");
        }
        *ret = v;
        *ret_n = n;
        *ret_skipped = skipped;
        return 0;
}

void subscription_record_done(struct subscription_record *r) {
        free(r->destination);
        free(r->context);
        free(r->owner);
        memset(r, 0, sizeof *r);
}

void subscription_record_list_free(struct subscription_record *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                subscription_record_done(&v[i]);
        free(v);
}
