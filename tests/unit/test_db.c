/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/db.c and policy/query.c: opening the policy database the way the
 * admin side (read-write) and the helpers (read-only, as any user) do, and
 * the per-owner lookups the helpers make on every run.
 *
 * Runs as root (make check does): chown and an unprivileged child need it.
 * Uses only numeric ids (65534), never the machine's accounts. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "../policy/db.h"
#include "../policy/query.h"

#define NOBODY 65534

static char tmpdir[] = "/tmp/subid-test-db-XXXXXX";

/* ---- helpers ---------------------------------------------------------------- */

/* snprintf into a PATH_MAX buffer; a path that does not fit fails the test. */
__attribute__((format(printf, 2, 3))) static void path_printf(char path[PATH_MAX], const char *fmt, ...) {
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vsnprintf(path, PATH_MAX, fmt, ap);
        va_end(ap);
        assert_true(k > 0 && k < PATH_MAX);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static int setup(void **state) {
        if (!mkdtemp(tmpdir))
                return -1;
        /* The unprivileged reader must be able to reach the databases. */
        return chmod(tmpdir, 0755);
}

static int teardown(void **state) {
        return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* <tmpdir>/<name>/lib/subid/subid.db, like $(LOCALSTATEDIR)/lib/subid/subid.db. */
static void db_path(const char *name, char path[PATH_MAX]) {
        path_printf(path, "%s/%s/lib/subid/subid.db", tmpdir, name);
}

static void side_path(const char *db, const char *suffix, char path[PATH_MAX]) {
        path_printf(path, "%s%s", db, suffix);
}

static void dir_of(const char *db, char path[PATH_MAX]) {
        char *slash;

        path_printf(path, "%s", db);
        slash = strrchr(path, '/');
        assert_non_null(slash);
        *slash = '\0';
}

static void exec_sql(sqlite3 *db, const char *sql) {
        char *msg = NULL;
        int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

        if (rc != SQLITE_OK)
                fail_msg("%s: %s", sql, msg ? msg : sqlite3_errstr(rc));
}

/* A fresh database made by the admin side, closed again. */
static void create_db(const char *name, char path[PATH_MAX]) {
        _cleanup_db_ sqlite3 *db = NULL;

        db_path(name, path);
        assert_int_equal(policy_db_open_rw(path, &db), 0);
        assert_non_null(db);
}

static void create_db_with(const char *name, char path[PATH_MAX], const char *sql) {
        _cleanup_db_ sqlite3 *db = NULL;

        db_path(name, path);
        assert_int_equal(policy_db_open_rw(path, &db), 0);
        exec_sql(db, sql);
}

/* Library errors go to stderr; expected ones are captured and checked
 * (one line, naming the cause) instead of cluttering the test output. */
typedef struct captured {
        int saved;
        FILE *file;
} captured;

static captured stderr_capture(void) {
        captured c;

        fflush(stderr);
        c.file = tmpfile();
        assert_non_null(c.file);
        c.saved = dup(STDERR_FILENO);
        assert_true(c.saved >= 0);
        assert_true(dup2(fileno(c.file), STDERR_FILENO) >= 0);
        return c;
}

/* Returns what was written, malloc'd. */
static char *stderr_release(captured *c) {
        char *text;
        long size;

        fflush(stderr);
        assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
        close(c->saved);
        size = ftell(c->file);
        assert_true(size >= 0);
        text = calloc(1, (size_t) size + 1);
        assert_non_null(text);
        rewind(c->file);
        assert_int_equal(fread(text, 1, (size_t) size, c->file), (size_t) size);
        fclose(c->file);
        return text;
}

static size_t count_lines(const char *s) {
        size_t n = 0;

        for (; *s; s++)
                n += *s == '\n';
        return n;
}

static void assert_file(const char *path, mode_t type, mode_t mode, uid_t uid) {
        struct stat st;

        if (lstat(path, &st) < 0)
                fail_msg("%s: %s", path, strerror(errno));
        if ((st.st_mode & S_IFMT) != type || (st.st_mode & 07777) != mode || st.st_uid != uid)
                fail_msg("%s: type %o mode %04o uid %u, expected type %o mode %04o uid %u", path,
                         (unsigned) (st.st_mode & S_IFMT), (unsigned) (st.st_mode & 07777), (unsigned) st.st_uid,
                         (unsigned) type, (unsigned) mode, (unsigned) uid);
}

static bool exists(const char *path) {
        struct stat st;

        return lstat(path, &st) == 0;
}

static int pragma_int(sqlite3 *db, const char *sql) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        return sqlite3_column_int(st, 0);
}

static void pragma_text(sqlite3 *db, const char *sql, char *buf, size_t size) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        snprintf(buf, size, "%s", (const char *) sqlite3_column_text(st, 0));
}

static size_t count_ranges(sqlite3 *db, uint32_t owner) {
        _cleanup_free_ id_range *list = NULL;
        size_t n = 0;

        assert_int_equal(policy_owner_ranges(db, ID_KIND_UID, owner, &list, &n), 0);
        return n;
}

/* ---- open_rw -------------------------------------------------------------- */

/* DESIGN.md "Paths": directory 0755, database 0644, root-owned, whatever
 * the admin's umask; the -wal and -shm files outlive the connection so a
 * read-only opener (who cannot create them) finds them. */
static void test_open_rw_creates(void **state) {
        _cleanup_db_ sqlite3 *db = NULL;
        char path[PATH_MAX], dir[PATH_MAX], side[PATH_MAX], mode[16];
        mode_t old_umask;

        db_path("rw", path);
        dir_of(path, dir);
        /* A hardened root umask must not leak into what readers need. */
        old_umask = umask(077);
        assert_int_equal(policy_db_open_rw(path, &db), 0);
        umask(old_umask);

        assert_file(dir, S_IFDIR, 0755, 0);
        path_printf(side, "%s/rw/lib", tmpdir);
        assert_file(side, S_IFDIR, 0755, 0);
        assert_file(path, S_IFREG, 0644, 0);
        assert_int_equal(pragma_int(db, "PRAGMA user_version"), POLICY_SCHEMA_VERSION);
        assert_int_equal(POLICY_SCHEMA_VERSION, 1);
        pragma_text(db, "PRAGMA journal_mode", mode, sizeof mode);
        assert_string_equal(mode, "wal");
        assert_int_equal(pragma_int(db, "PRAGMA foreign_keys"), 1);
        assert_int_equal(pragma_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                                        "('meta', 'ranges', 'delegations', 'quarantine', 'group_policies', "
                                        "'requests')"),
                         6);

        sqlite3_close_v2(TAKE_PTR(db));
        side_path(path, "-wal", side);
        assert_file(side, S_IFREG, 0644, 0);
        side_path(path, "-shm", side);
        assert_file(side, S_IFREG, 0644, 0);

        /* Reopening an existing database keeps it as it is. */
        old_umask = umask(077);
        assert_int_equal(policy_db_open_rw(path, &db), 0);
        umask(old_umask);
        assert_int_equal(pragma_int(db, "PRAGMA user_version"), 1);
        exec_sql(db, "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) "
                     "VALUES ('uid', 1000, 'alice', 100000, 65536, 0)");
        sqlite3_close_v2(TAKE_PTR(db));
        assert_int_equal(policy_db_open_rw(path, &db), 0);
        assert_int_equal(pragma_int(db, "SELECT count(*) FROM ranges"), 1);
        assert_file(path, S_IFREG, 0644, 0);
}

/* The schema's CHECKs are the last line behind the admin code. */
static void test_schema_checks(void **state) {
        static const struct {
                const char *values;
                const char *rule;
        } bad[] = {
                { "('uid', 1000, 'a', 4294967295, 1, 0)", "first (uint32_t)-1" },
                { "('uid', 1000, 'a', 4294967294, 2, 0)", "range past ID_MAX" },
                { "('uid', 1000, 'a', 100000, 0, 0)", "count 0" },
                { "('uid', 1000, 'a', -1, 10, 0)", "negative first" },
                { "('sid', 1000, 'a', 100000, 10, 0)", "unknown kind" },
                { "('uid', 4294967295, 'a', 100000, 10, 0)", "owner (uid_t)-1" },
                { "('uid', 1000, '', 100000, 10, 0)", "empty owner name" },
        };
        _cleanup_db_ sqlite3 *db = NULL;
        char path[PATH_MAX], sql[256];

        db_path("checks", path);
        assert_int_equal(policy_db_open_rw(path, &db), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                snprintf(sql, sizeof sql,
                         "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES %s",
                         bad[i].values);
                if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_CONSTRAINT)
                        fail_msg("schema accepted %s: %s", bad[i].values, bad[i].rule);
        }
        exec_sql(db, "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) "
                     "VALUES ('uid', 1000, 'a', 4294967294, 1, 0)");
}

/* A database written by a newer build is not silently downgraded. */
static void test_open_rw_newer_schema(void **state) {
        _cleanup_db_ sqlite3 *db = NULL;
        _cleanup_free_ char *msg = NULL;
        char path[PATH_MAX];
        captured c;
        int r;

        create_db_with("rw-newer", path, "PRAGMA user_version = 2");
        c = stderr_capture();
        r = policy_db_open_rw(path, &db);
        msg = stderr_release(&c);
        assert_int_equal(r, -EPROTO);
        assert_null(db);
        assert_int_equal(count_lines(msg), 1);
        assert_non_null(strstr(msg, "schema version 2"));
}

/* The admin side does not follow a symlink planted at the database path. */
static void test_open_rw_symlink(void **state) {
        _cleanup_db_ sqlite3 *db = NULL;
        _cleanup_free_ char *msg = NULL;
        char path[PATH_MAX], target[PATH_MAX];
        captured c;
        int r;

        create_db("rw-link-target", target);
        /* A database whose files were swapped for a symlink to another. */
        create_db("rw-link", path);
        for (const char *const *suffix = (const char *const[]) { "", "-wal", "-shm", NULL }; *suffix; suffix++) {
                char side[PATH_MAX];

                side_path(path, *suffix, side);
                assert_int_equal(unlink(side), 0);
        }
        assert_int_equal(symlink(target, path), 0);
        c = stderr_capture();
        r = policy_db_open_rw(path, &db);
        msg = stderr_release(&c);
        assert_true(r < 0);
        assert_null(db);
        assert_int_equal(count_lines(msg), 1);
}

/* ---- open_ro --------------------------------------------------------------- */

static void test_open_ro(void **state) {
        _cleanup_db_ sqlite3 *db = NULL;
        _cleanup_free_ id_range *list = NULL;
        char path[PATH_MAX], mode[16];
        size_t n = 99;

        create_db("ro", path);
        assert_int_equal(policy_db_open_ro(path, &db), 0);
        assert_non_null(db);
        pragma_text(db, "PRAGMA journal_mode", mode, sizeof mode);
        assert_string_equal(mode, "wal");
        assert_int_equal(pragma_int(db, "PRAGMA user_version"), 1);

        /* Read-only for real, even for root. */
        assert_int_equal(sqlite3_exec(db,
                                      "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) "
                                      "VALUES ('uid', 1000, 'alice', 100000, 65536, 0)",
                                      NULL, NULL, NULL) &
                                 0xff,
                         SQLITE_READONLY);
        assert_true(sqlite3_db_readonly(db, "main") == 1);

        assert_int_equal(policy_owner_ranges(db, ID_KIND_UID, 1000, &list, &n), 0);
        assert_int_equal(n, 0);
        assert_null(list);
}

/* Each mutation turns a good database into one the helpers must refuse
 * (or, where noted, still accept). open_path starts as the database path. */
typedef void (*mutation)(const char *db, char open_path[PATH_MAX]);

static void m_none(const char *db, char open_path[PATH_MAX]) {
}

static void m_unlink(const char *db, const char *suffix) {
        char p[PATH_MAX];

        side_path(db, suffix, p);
        assert_int_equal(unlink(p), 0);
}

static void m_missing_db(const char *db, char open_path[PATH_MAX]) {
        m_unlink(db, "");
        m_unlink(db, "-wal");
        m_unlink(db, "-shm");
}

static void m_missing_dir(const char *db, char open_path[PATH_MAX]) {
        char dir[PATH_MAX];

        m_missing_db(db, open_path);
        dir_of(db, dir);
        assert_int_equal(rmdir(dir), 0);
}

static void m_missing_wal(const char *db, char open_path[PATH_MAX]) {
        m_unlink(db, "-wal");
}

static void m_missing_shm(const char *db, char open_path[PATH_MAX]) {
        m_unlink(db, "-shm");
}

static void m_chmod(const char *path, mode_t mode) {
        assert_int_equal(chmod(path, mode), 0);
}

static void m_db_0664(const char *db, char open_path[PATH_MAX]) {
        m_chmod(db, 0664);
}

static void m_db_0646(const char *db, char open_path[PATH_MAX]) {
        m_chmod(db, 0646);
}

static void m_dir_mode(const char *db, mode_t mode) {
        char dir[PATH_MAX];

        dir_of(db, dir);
        m_chmod(dir, mode);
}

static void m_dir_0775(const char *db, char open_path[PATH_MAX]) {
        m_dir_mode(db, 0775);
}

static void m_dir_0757(const char *db, char open_path[PATH_MAX]) {
        m_dir_mode(db, 0757);
}

static void m_dir_1777(const char *db, char open_path[PATH_MAX]) {
        m_dir_mode(db, 01777);
}

static void m_side_mode(const char *db, const char *suffix, mode_t mode) {
        char p[PATH_MAX];

        side_path(db, suffix, p);
        m_chmod(p, mode);
}

static void m_wal_0666(const char *db, char open_path[PATH_MAX]) {
        m_side_mode(db, "-wal", 0666);
}

static void m_shm_0646(const char *db, char open_path[PATH_MAX]) {
        m_side_mode(db, "-shm", 0646);
}

static void m_db_0600(const char *db, char open_path[PATH_MAX]) {
        m_chmod(db, 0600);
}

static void m_chown(const char *path, uid_t uid, gid_t gid) {
        assert_int_equal(lchown(path, uid, gid), 0);
}

static void m_db_nobody(const char *db, char open_path[PATH_MAX]) {
        m_chown(db, NOBODY, 0);
}

static void m_db_group_nobody(const char *db, char open_path[PATH_MAX]) {
        m_chown(db, 0, NOBODY);
}

static void m_dir_nobody(const char *db, char open_path[PATH_MAX]) {
        char dir[PATH_MAX];

        dir_of(db, dir);
        m_chown(dir, NOBODY, 0);
}

static void m_wal_nobody(const char *db, char open_path[PATH_MAX]) {
        char p[PATH_MAX];

        side_path(db, "-wal", p);
        m_chown(p, NOBODY, 0);
}

static void m_shm_nobody(const char *db, char open_path[PATH_MAX]) {
        char p[PATH_MAX];

        side_path(db, "-shm", p);
        m_chown(p, NOBODY, 0);
}

/* open_path = <dir>/link.db -> subid.db, with -wal and -shm linked too, so
 * the only thing wrong is the symlink itself. */
static void m_symlink_db(const char *db, char open_path[PATH_MAX]) {
        static const char *const suffixes[] = { "", "-wal", "-shm" };
        char dir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];

        dir_of(db, dir);
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                path_printf(from, "%s/link.db%s", dir, suffixes[i]);
                side_path(db, suffixes[i], to);
                assert_int_equal(symlink(to, from), 0);
        }
        path_printf(open_path, "%s/link.db", dir);
}

static void m_symlink_side(const char *db, const char *suffix) {
        char p[PATH_MAX], moved[PATH_MAX];

        side_path(db, suffix, p);
        path_printf(moved, "%s.real", p);
        assert_int_equal(rename(p, moved), 0);
        assert_int_equal(symlink(moved, p), 0);
}

static void m_symlink_wal(const char *db, char open_path[PATH_MAX]) {
        m_symlink_side(db, "-wal");
}

static void m_symlink_shm(const char *db, char open_path[PATH_MAX]) {
        m_symlink_side(db, "-shm");
}

/* open_path = <name>/lib/link/subid.db, where link -> subid. */
static void m_symlink_dir(const char *db, char open_path[PATH_MAX]) {
        char dir[PATH_MAX], parent[PATH_MAX], link[PATH_MAX];

        dir_of(db, dir);
        dir_of(dir, parent);
        path_printf(link, "%s/link", parent);
        assert_int_equal(symlink(dir, link), 0);
        path_printf(open_path, "%s/subid.db", link);
}

static void m_db_is_dir(const char *db, char open_path[PATH_MAX]) {
        m_unlink(db, "");
        assert_int_equal(mkdir(db, 0755), 0);
}

static void m_db_is_fifo(const char *db, char open_path[PATH_MAX]) {
        m_unlink(db, "");
        assert_int_equal(mkfifo(db, 0644), 0);
}

static void m_set_version(const char *path, const char *sql) {
        _cleanup_db_ sqlite3 *db = NULL;

        assert_int_equal(policy_db_open_rw(path, &db), 0);
        exec_sql(db, sql);
}

static void m_version_99(const char *db, char open_path[PATH_MAX]) {
        m_set_version(db, "PRAGMA user_version = 99");
}

static void m_version_0(const char *db, char open_path[PATH_MAX]) {
        m_set_version(db, "PRAGMA user_version = 0");
}

static void m_garbage(const char *db, char open_path[PATH_MAX]) {
        static const char junk[] = "this is not an SQLite database, just some text that is long enough\n";
        _cleanup_close_ int fd = -1;
        char p[PATH_MAX];

        fd = open(db, O_WRONLY | O_TRUNC | O_CLOEXEC);
        assert_true(fd >= 0);
        for (int i = 0; i < 100; i++)
                assert_int_equal(write(fd, junk, sizeof junk - 1), (ssize_t) sizeof junk - 1);
        side_path(db, "-wal", p);
        assert_int_equal(truncate(p, 0), 0);
        side_path(db, "-shm", p);
        assert_int_equal(truncate(p, 0), 0);
}

/* Writes len bytes of -wal: the WAL magic (when with_magic), then junk. */
static void write_wal(const char *db, bool with_magic, size_t len) {
        static const unsigned char magic[4] = { 0x37, 0x7f, 0x06, 0x82 };
        _cleanup_close_ int fd = -1;
        char p[PATH_MAX];

        side_path(db, "-wal", p);
        fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
        assert_true(fd >= 0);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = with_magic && i < 4 ? magic[i] : (unsigned char) (i * 37 + 11);

                assert_int_equal(write(fd, &c, 1), 1);
        }
}

static void m_wal_junk_magic(const char *db, char open_path[PATH_MAX]) {
        write_wal(db, true, 40000);
}

static void m_wal_junk(const char *db, char open_path[PATH_MAX]) {
        write_wal(db, false, 40000);
}

static void m_wal_short(const char *db, char open_path[PATH_MAX]) {
        write_wal(db, true, 10);
}

typedef struct refusal_case {
        const char *name;
        mutation mutate;
        int r;
        const char *msg; /* a substring of the one logged line, when r < 0 */
        const char *rule;
} refusal_case;

static const refusal_case refusals[] = {
        { "ok", m_none, 0, NULL, "a database made by open_rw opens" },
        { "group-nobody", m_db_group_nobody, 0, NULL, "a group owner without write permission is harmless" },
        { "db-0600", m_db_0600, 0, NULL,
          "trust needs root ownership and no group/other write only: 0600 is trusted (if root-readable only)" },

        { "missing-db", m_missing_db, -ENOENT, "cannot read policy database", "no database" },
        { "missing-dir", m_missing_dir, -ENOENT, "cannot read policy database", "no directory" },
        { "missing-wal", m_missing_wal, -ENOENT, "subid.db-wal",
          "no -wal: an unprivileged reader could not create it" },
        { "missing-shm", m_missing_shm, -ENOENT, "subid.db-shm",
          "no -shm: an unprivileged reader could not create it" },

        { "db-0664", m_db_0664, -EPERM, "writable by group or others (mode 0664)", "database writable by group" },
        { "db-0646", m_db_0646, -EPERM, "writable by group or others (mode 0646)", "database writable by others" },
        { "dir-0775", m_dir_0775, -EPERM, "writable by group or others (mode 0775)",
          "directory writable by group: the database could be replaced" },
        { "dir-0757", m_dir_0757, -EPERM, "writable by group or others (mode 0757)", "directory writable by others" },
        { "dir-1777", m_dir_1777, -EPERM, "writable by group or others (mode 1777)",
          "a sticky world-writable directory like /tmp: anyone could plant a missing -wal" },
        { "wal-0666", m_wal_0666, -EPERM, "subid.db-wal is writable by group or others",
          "-wal holds committed rows: writable by others" },
        { "shm-0646", m_shm_0646, -EPERM, "subid.db-shm is writable by group or others",
          "-shm indexes the WAL: writable by others" },

        { "db-nobody", m_db_nobody, -EPERM, "is owned by uid 65534, not root", "database owned by a user" },
        { "dir-nobody", m_dir_nobody, -EPERM, "is owned by uid 65534, not root", "directory owned by a user" },
        { "wal-nobody", m_wal_nobody, -EPERM, "subid.db-wal is owned by uid 65534", "-wal owned by a user" },
        { "shm-nobody", m_shm_nobody, -EPERM, "subid.db-shm is owned by uid 65534", "-shm owned by a user" },

        { "symlink-db", m_symlink_db, -EPERM, "link.db is not a regular file", "database path is a symlink" },
        { "symlink-wal", m_symlink_wal, -EPERM, "subid.db-wal is not a regular file", "-wal is a symlink" },
        { "symlink-shm", m_symlink_shm, -EPERM, "subid.db-shm is not a regular file", "-shm is a symlink" },
        { "symlink-dir", m_symlink_dir, -EPERM, "link is not a directory", "the directory is a symlink" },
        { "db-dir", m_db_is_dir, -EPERM, "is not a regular file", "database path is a directory" },
        { "db-fifo", m_db_is_fifo, -EPERM, "is not a regular file", "database path is a FIFO (would block)" },

        { "version-99", m_version_99, -EPROTO, "has schema version 99, this build reads version 1",
          "schema version mismatch: a newer database" },
        { "version-0", m_version_0, -EPROTO, "has schema version 0", "schema version 0: never initialised" },
        { "garbage", m_garbage, -EBADMSG, "policy database", "not an SQLite file" },
        { "wal-junk-magic", m_wal_junk_magic, -EBADMSG, "subid.db-wal is not a SQLite write-ahead log",
          "-wal with the magic but a bad header checksum: a read-only reader would retry it for 95 s" },
        { "wal-junk", m_wal_junk, -EBADMSG, "subid.db-wal is not a SQLite write-ahead log", "-wal of junk" },
        { "wal-short", m_wal_short, -EBADMSG, "subid.db-wal is not a SQLite write-ahead log",
          "-wal shorter than a header (a writer writes the header in one write)" },
};

static void test_open_ro_refusals(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(refusals); i++) {
                const refusal_case *c = &refusals[i];
                _cleanup_db_ sqlite3 *db = NULL;
                _cleanup_free_ char *msg = NULL;
                char name[64], path[PATH_MAX], open_path[PATH_MAX];
                captured cap;
                int r;

                snprintf(name, sizeof name, "ro-%s", c->name);
                create_db(name, path);
                path_printf(open_path, "%s", path);
                c->mutate(path, open_path);

                cap = stderr_capture();
                r = policy_db_open_ro(open_path, &db);
                msg = stderr_release(&cap);

                if (r != c->r) {
                        print_error("%s: returned %d, expected %d (logged: %s): %s\n", c->name, r, c->r, msg,
                                    c->rule);
                        failures++;
                } else if (r == 0 && (!db || *msg)) {
                        print_error("%s: no connection or unexpected log '%s': %s\n", c->name, msg, c->rule);
                        failures++;
                } else if (r < 0 && (db || count_lines(msg) != 1 || !strstr(msg, c->msg))) {
                        print_error("%s: logged '%s', expected one line with '%s': %s\n", c->name, msg, c->msg,
                                    c->rule);
                        failures++;
                }
                /* A refused open creates nothing: no -wal or -shm left behind
                 * for the next (more trusting) opener. */
                if (c->mutate == m_missing_wal || c->mutate == m_missing_shm) {
                        char side[PATH_MAX];

                        side_path(path, c->mutate == m_missing_wal ? "-wal" : "-shm", side);
                        if (exists(side)) {
                                print_error("%s: a refused open created %s\n", c->name, side);
                                failures++;
                        }
                }
        }
        assert_int_equal(failures, 0);
}

/* ---- queries --------------------------------------------------------------- */

#define SEED_SQL                                                                                        \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES "            \
        "('uid', 1000, 'alice', 300000, 10, 0), "                                                       \
        "('uid', 1000, 'alice', 100000, 65536, 0), "                                                    \
        "('gid', 1000, 'alice', 500000, 5, 0), "                                                        \
        "('gid', 1000, 'alice', 100000, 65536, 0), "                                                    \
        "('uid', 1001, 'bob', 165536, 65536, 0), "                                                      \
        "('uid', 1000, 'alice', 200000, 1, 0), "                                                        \
        "('uid', 2147483648, 'big', 700000, 1, 0), "                                                    \
        "('uid', 4294967294, 'top', 4294967294, 1, 0);"                                                 \
        "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES "          \
        "(2000, 'devs', 1000, 'alice', 0), "                                                            \
        "(1500, 'ops', 1000, 'alice', 0), "                                                             \
        "(2000, 'devs', 1001, 'bob', 0), "                                                              \
        "(4294967294, 'top', 1000, 'alice', 0), "                                                       \
        "(3000, 'big', 2147483648, 'big', 0);"

#define MAX_ROWS 4

typedef struct ranges_case {
        id_kind kind;
        uint32_t owner;
        size_t n;
        id_range want[MAX_ROWS];
        const char *rule;
} ranges_case;

static const ranges_case ranges_cases[] = {
        { ID_KIND_UID, 1000, 3, { { 100000, 65536 }, { 200000, 1 }, { 300000, 10 } },
          "all of alice's uid ranges, sorted by first although inserted unsorted" },
        { ID_KIND_GID, 1000, 2, { { 100000, 65536 }, { 500000, 5 } }, "alice's gid ranges only, not her uid ones" },
        { ID_KIND_UID, 1001, 1, { { 165536, 65536 } }, "bob's range only, not alice's" },
        { ID_KIND_GID, 1001, 0, { { 0, 0 } }, "bob has no gid range" },
        { ID_KIND_UID, 1002, 0, { { 0, 0 } }, "an owner with nothing" },
        { ID_KIND_UID, 0, 0, { { 0, 0 } }, "root holds nothing unless granted" },
        { ID_KIND_UID, 2147483648U, 1, { { 700000, 1 } }, "owner above INT_MAX: bound as 64-bit, not truncated" },
        { ID_KIND_UID, 4294967294U, 1, { { 4294967294U, 1 } }, "owner and range at ID_MAX" },
};

typedef struct delegations_case {
        uint32_t owner;
        size_t n;
        uint32_t want[MAX_ROWS];
        const char *rule;
} delegations_case;

static const delegations_case delegations_cases[] = {
        { 1000, 3, { 1500, 2000, 4294967294U }, "all of alice's delegated gids, sorted" },
        { 1001, 1, { 2000 }, "bob's delegation of the same group is his own row" },
        { 1002, 0, { 0 }, "an owner with no delegation" },
        { 2147483648U, 1, { 3000 }, "owner above INT_MAX" },
};

static void test_owner_queries(void **state) {
        _cleanup_db_ sqlite3 *db = NULL;
        char path[PATH_MAX];
        int failures = 0;

        create_db_with("query", path, SEED_SQL);
        assert_int_equal(policy_db_open_ro(path, &db), 0);
        /* Order must come from ORDER BY, not from whichever index the
         * planner happens to walk: this makes unordered results come back
         * reversed. */
        exec_sql(db, "PRAGMA reverse_unordered_selects = ON");

        for (size_t i = 0; i < ELEMENTSOF(ranges_cases); i++) {
                const ranges_case *c = &ranges_cases[i];
                _cleanup_free_ id_range *list = (id_range *) (uintptr_t) 0x1;
                size_t n = 99;
                int r;

                r = policy_owner_ranges(db, c->kind, c->owner, &list, &n);
                if (r != 0 || n != c->n || (n == 0 && list) ||
                    (n > 0 && memcmp(list, c->want, n * sizeof *list) != 0)) {
                        print_error("ranges of %s owner %u: r=%d n=%zu: %s\n", id_kind_to_string(c->kind), c->owner,
                                    r, n, c->rule);
                        failures++;
                }
                if (r < 0)
                        list = NULL;
        }
        for (size_t i = 0; i < ELEMENTSOF(delegations_cases); i++) {
                const delegations_case *c = &delegations_cases[i];
                _cleanup_free_ uint32_t *gids = (uint32_t *) (uintptr_t) 0x1;
                size_t n = 99;
                int r;

                r = policy_owner_delegations(db, c->owner, &gids, &n);
                if (r != 0 || n != c->n || (n == 0 && gids) ||
                    (n > 0 && memcmp(gids, c->want, n * sizeof *gids) != 0)) {
                        print_error("delegations of owner %u: r=%d n=%zu: %s\n", c->owner, r, n, c->rule);
                        failures++;
                }
                if (r < 0)
                        gids = NULL;
        }
        assert_int_equal(failures, 0);
}

/* POLICY_MAX_PER_OWNER bounds what one helper run allocates: exactly that
 * many rows load, one more is -E2BIG and leaves the outputs alone. */
static void test_max_per_owner(void **state) {
        _cleanup_db_ sqlite3 *db = NULL;
        _cleanup_free_ id_range *list = NULL;
        _cleanup_free_ uint32_t *gids = NULL;
        _cleanup_free_ char *msg = NULL;
        char path[PATH_MAX], sql[1024];
        size_t n = 0;
        captured c;
        int r;

        assert_int_equal(POLICY_MAX_PER_OWNER, 4096);
        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d) "
                 "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) "
                 "SELECT 'uid', 1, 'one', 1000000 + 2 * i, 1, 0 FROM c WHERE i < %d "
                 "UNION ALL SELECT 'uid', 2, 'two', 2000000 + 2 * i, 1, 0 FROM c WHERE i < %d;"
                 "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < %d) "
                 "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) "
                 "SELECT 10000 + i, 'g', 1, 'one', 0 FROM c WHERE i < %d "
                 "UNION ALL SELECT 10000 + i, 'g', 2, 'two', 0 FROM c WHERE i < %d",
                 POLICY_MAX_PER_OWNER + 1, POLICY_MAX_PER_OWNER, POLICY_MAX_PER_OWNER + 1, POLICY_MAX_PER_OWNER + 1,
                 POLICY_MAX_PER_OWNER, POLICY_MAX_PER_OWNER + 1);
        create_db_with("max", path, sql);
        assert_int_equal(policy_db_open_ro(path, &db), 0);

        assert_int_equal(policy_owner_ranges(db, ID_KIND_UID, 1, &list, &n), 0);
        assert_int_equal(n, POLICY_MAX_PER_OWNER);
        assert_int_equal(list[POLICY_MAX_PER_OWNER - 1].first, 1000000 + 2 * (POLICY_MAX_PER_OWNER - 1));
        assert_int_equal(policy_owner_delegations(db, 1, &gids, &n), 0);
        assert_int_equal(n, POLICY_MAX_PER_OWNER);
        assert_int_equal(gids[POLICY_MAX_PER_OWNER - 1], 10000 + POLICY_MAX_PER_OWNER - 1);
        free(TAKE_PTR(list));
        free(TAKE_PTR(gids));

        n = 7;
        c = stderr_capture();
        r = policy_owner_ranges(db, ID_KIND_UID, 2, &list, &n);
        msg = stderr_release(&c);
        assert_int_equal(r, -E2BIG);
        assert_null(list);
        assert_int_equal(n, 7);
        assert_int_equal(count_lines(msg), 1);
        assert_non_null(strstr(msg, "too many ranges for uid 2"));
        free(TAKE_PTR(msg));

        c = stderr_capture();
        r = policy_owner_delegations(db, 2, &gids, &n);
        msg = stderr_release(&c);
        assert_int_equal(r, -E2BIG);
        assert_null(gids);
        assert_int_equal(n, 7);
        assert_int_equal(count_lines(msg), 1);
        assert_non_null(strstr(msg, "too many delegations for uid 2"));
}

/* The helpers' lookups are index range scans keyed by the caller's uid
 * (schema.sql promises it), in index order (no sort per run): check the
 * plan of the very SQL query.c runs, captured from the connection rather
 * than copied here. */
static int trace_stmt(unsigned type, void *userdata, void *p, void *x) {
        char **sql = userdata;

        if (type == SQLITE_TRACE_STMT) {
                free(*sql);
                *sql = strdup(sqlite3_sql(p));
        }
        return 0;
}

static void query_plan(sqlite3 *db, const char *sql, char *buf, size_t size) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *explain = NULL;
        size_t len = 0;

        assert_true(asprintf(&explain, "EXPLAIN QUERY PLAN %s", sql) > 0);
        assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
        buf[0] = '\0';
        while (sqlite3_step(st) == SQLITE_ROW) {
                int k = snprintf(buf + len, size - len, "%s\n", (const char *) sqlite3_column_text(st, 3));

                assert_true(k > 0 && (size_t) k < size - len);
                len += (size_t) k;
        }
}

static void test_query_plans(void **state) {
        _cleanup_db_ sqlite3 *db = NULL;
        _cleanup_free_ char *sql = NULL;
        _cleanup_free_ id_range *list = NULL;
        _cleanup_free_ uint32_t *gids = NULL;
        char path[PATH_MAX], plan[1024];
        size_t n;

        create_db_with("plan", path, SEED_SQL);
        assert_int_equal(policy_db_open_ro(path, &db), 0);
        assert_int_equal(sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace_stmt, &sql), SQLITE_OK);

        assert_int_equal(policy_owner_ranges(db, ID_KIND_UID, 1000, &list, &n), 0);
        assert_non_null(sql);
        assert_non_null(strstr(sql, "FROM ranges"));
        query_plan(db, sql, plan, sizeof plan);
        if (!(strstr(plan, "USING INDEX") || strstr(plan, "USING COVERING INDEX")) || strstr(plan, "SCAN ranges") ||
            strstr(plan, "TEMP B-TREE") || !strstr(plan, "(owner_uid=?"))
                fail_msg("policy_owner_ranges does not use an index range scan in order:\n%s\nplan:\n%s", sql, plan);

        free(TAKE_PTR(sql));
        assert_int_equal(policy_owner_delegations(db, 1000, &gids, &n), 0);
        assert_non_null(sql);
        assert_non_null(strstr(sql, "FROM delegations"));
        query_plan(db, sql, plan, sizeof plan);
        if (!(strstr(plan, "USING INDEX") || strstr(plan, "USING COVERING INDEX")) ||
            strstr(plan, "SCAN delegations") || strstr(plan, "TEMP B-TREE") || !strstr(plan, "(owner_uid=?"))
                fail_msg("policy_owner_delegations does not use an index range scan in order:\n%s\nplan:\n%s", sql,
                         plan);
        (void) sqlite3_trace_v2(db, 0, NULL, NULL);
}

/* ---- WAL: readers never wait for the writer -------------------------------- */

/* Runs policy_db_open_ro + policy_owner_ranges as uid/gid 65534 in a child,
 * as a helper run by an ordinary user does. Returns the number of ranges,
 * or -1 if the open or the query failed. */
static int count_ranges_unprivileged(const char *path, uint32_t owner) {
        pid_t pid;
        int status;

        fflush(NULL);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                _cleanup_free_ id_range *list = NULL;
                sqlite3 *db = NULL;
                size_t n = 0;

                if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
                    setresuid(NOBODY, NOBODY, NOBODY) < 0)
                        _exit(120);
                if (policy_db_open_ro(path, &db) < 0)
                        _exit(121);
                if (policy_owner_ranges(db, ID_KIND_UID, owner, &list, &n) < 0)
                        _exit(122);
                sqlite3_close_v2(db);
                _exit(n > 100 ? 123 : (int) n);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) >= 120) {
                print_error("unprivileged reader failed with code %d\n", WEXITSTATUS(status));
                return -1;
        }
        return WEXITSTATUS(status);
}

#define INSERT_ALICE(first)                                                                             \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) "                  \
        "VALUES ('uid', 1000, 'alice', " #first ", 10, 0)"

static void test_wal_readers(void **state) {
        _cleanup_db_ sqlite3 *writer = NULL, *before = NULL, *during = NULL;
        char path[PATH_MAX];

        db_path("wal", path);
        assert_int_equal(policy_db_open_rw(path, &writer), 0);
        exec_sql(writer, INSERT_ALICE(100000));

        /* Committed but not checkpointed: the row is in -wal only, which
         * readers (an unprivileged one too) must see. */
        assert_int_equal(count_ranges_unprivileged(path, 1000), 1);

        assert_int_equal(policy_db_open_ro(path, &before), 0);
        assert_int_equal(count_ranges(before, 1000), 1);

        /* The admin side holds an open write transaction. */
        assert_int_equal(policy_db_begin(writer), 0);
        exec_sql(writer, INSERT_ALICE(200000));

        /* Readers neither block nor see uncommitted rows. */
        assert_int_equal(policy_db_open_ro(path, &during), 0);
        assert_int_equal(count_ranges(during, 1000), 1);
        assert_int_equal(count_ranges(before, 1000), 1);
        assert_int_equal(count_ranges_unprivileged(path, 1000), 1);

        /* A reader's own transaction sees one snapshot across a commit. */
        exec_sql(before, "BEGIN");
        assert_int_equal(count_ranges(before, 1000), 1);
        assert_int_equal(policy_db_commit(writer), 0);
        assert_int_equal(count_ranges(before, 1000), 1);
        exec_sql(before, "COMMIT");

        /* After the commit every reader sees it. */
        assert_int_equal(count_ranges(before, 1000), 2);
        assert_int_equal(count_ranges(during, 1000), 2);
        assert_int_equal(count_ranges_unprivileged(path, 1000), 2);

        /* And after a checkpoint into the main file, too. */
        exec_sql(writer, "PRAGMA wal_checkpoint(TRUNCATE)");
        assert_int_equal(count_ranges(during, 1000), 2);
        assert_int_equal(count_ranges_unprivileged(path, 1000), 2);

        /* With every connection closed, the files stay for the next reader. */
        sqlite3_close_v2(TAKE_PTR(writer));
        sqlite3_close_v2(TAKE_PTR(before));
        sqlite3_close_v2(TAKE_PTR(during));
        assert_int_equal(count_ranges_unprivileged(path, 1000), 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_open_rw_creates),
                cmocka_unit_test(test_schema_checks),
                cmocka_unit_test(test_open_rw_newer_schema),
                cmocka_unit_test(test_open_rw_symlink),
                cmocka_unit_test(test_open_ro),
                cmocka_unit_test(test_open_ro_refusals),
                cmocka_unit_test(test_owner_queries),
                cmocka_unit_test(test_max_per_owner),
                cmocka_unit_test(test_query_plans),
                cmocka_unit_test(test_wal_readers),
        };

        if (geteuid() != 0) {
                /* chown, and reading as another uid, need root. */
                fprintf(stderr, "test_db: must run as root (make check-unit does)\n");
                return 1;
        }
        return cmocka_run_group_tests(tests, setup, teardown);
}
