/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/mkdirp.h"

/* How long a writer waits for another writer's transaction. Commits are
 * milliseconds; this only matters under heavy concurrent admin load. */
#define WRITE_BUSY_TIMEOUT_MS 10000
/* Readers never wait for writers in WAL mode, except during the rare
 * recovery of a crashed writer's WAL. */
#define READ_BUSY_TIMEOUT_MS 2000

int policy_db_error(sqlite3 *db, int rc, const char *what) {
        int r;

        switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                r = -EBUSY;
                break;
        case SQLITE_NOMEM:
                r = -ENOMEM;
                break;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
                r = -EACCES;
                break;
        case SQLITE_FULL:
                r = -ENOSPC;
                break;
        case SQLITE_CANTOPEN:
                r = -ENOENT;
                break;
        case SQLITE_CONSTRAINT:
                r = -EEXIST;
                break;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                r = -EBADMSG;
                break;
        default:
                r = -EIO;
        }
        log_error("policy database: %s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        return r;
}

int policy_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret) {
        int rc;

        rc = sqlite3_prepare_v2(db, sql, -1, ret, NULL);
        if (rc != SQLITE_OK)
                return policy_db_error(db, rc, "prepare");
        return 0;
}

int policy_db_exec(sqlite3 *db, const char *sql) {
        int rc;

        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                return policy_db_error(db, rc, "exec");
        return 0;
}

int policy_db_begin(sqlite3 *db) {
        return policy_db_exec(db, "BEGIN IMMEDIATE");
}

int policy_db_commit(sqlite3 *db) {
        int r;

        r = policy_db_exec(db, "COMMIT");
        if (r < 0)
                return r;
        /* Fold the WAL back into the database and empty it. The helpers
         * cannot write the -shm index, so when no writer has the database
         * open they rebuild it by reading the whole -wal: a WAL left as big
         * as the largest transaction ever (an import) would cost every
         * helper run that much reading. A busy reader may keep some frames
         * for now; the next commit catches up. */
        (void) sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        return 0;
}

void policy_db_rollback(sqlite3 *db) {
        if (!sqlite3_get_autocommit(db))
                (void) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static int schema_version(sqlite3 *db, int *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = policy_db_prepare(db, "PRAGMA user_version", &st);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return policy_db_error(db, rc, "read schema version");
        *ret = sqlite3_column_int(st, 0);
        return 0;
}

/* A file the helpers are going to believe must be root's alone. */
static int check_trusted_stat(const char *path, const struct stat *st, mode_t type) {
        if ((st->st_mode & S_IFMT) != type) {
                log_error("refusing policy database: %s is not a %s", path,
                          type == S_IFDIR ? "directory" : "regular file");
                return -EPERM;
        }
        if (st->st_uid != 0) {
                log_error("refusing policy database: %s is owned by uid %u, not root", path, (unsigned) st->st_uid);
                return -EPERM;
        }
        if (st->st_mode & (S_IWGRP | S_IWOTH)) {
                log_error("refusing policy database: %s is writable by group or others (mode %04o)", path,
                          (unsigned) (st->st_mode & 07777));
                return -EPERM;
        }
        return 0;
}

static int check_trusted_path(const char *path, mode_t type) {
        struct stat st;

        if (lstat(path, &st) < 0)
                return log_error_errno(negative_errno(), "cannot read policy database %s", path);
        return check_trusted_stat(path, &st, type);
}

static uint32_t wal_word(const uint8_t *b, bool big_endian) {
        return big_endian ? (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3]
                          : (uint32_t) b[3] << 24 | (uint32_t) b[2] << 16 | (uint32_t) b[1] << 8 | b[0];
}

/* A -wal that is not empty must start with a valid WAL header (magic,
 * checksum as SQLite's file format defines it). A read-only reader that
 * cannot rebuild the WAL index retries a bad header for a long time (95 s
 * measured) before failing with "locking protocol": refuse it at once.
 * A writer writes the 32-byte header in one write() after truncating the
 * file to 0, so a reader never sees part of one. */
static int check_wal_header(const char *wal_path) {
        _cleanup_close_ int fd = -1;
        uint8_t h[32];
        uint32_t magic, s0 = 0, s1 = 0;
        bool big;
        ssize_t n;

        fd = open(wal_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot read policy database %s", wal_path);
        n = pread(fd, h, sizeof h, 0);
        if (n < 0)
                return log_error_errno(negative_errno(), "cannot read policy database %s", wal_path);
        if (n == 0)
                return 0;
        magic = wal_word(h, true);
        big = magic & 1;
        if (n == (ssize_t) sizeof h && (magic & ~1u) == 0x377f0682u) {
                for (size_t i = 0; i < 24; i += 8) {
                        s0 += wal_word(h + i, big) + s1;
                        s1 += wal_word(h + i + 4, big) + s0;
                }
                if (s0 == wal_word(h + 24, true) && s1 == wal_word(h + 28, true))
                        return 0;
        }
        log_error("refusing policy database: %s is not a SQLite write-ahead log (bad header)", wal_path);
        return -EBADMSG;
}

int policy_db_open_ro(const char *path, sqlite3 **ret) {
        _cleanup_db_ sqlite3 *db = NULL;
        char dir[PATH_MAX], side[PATH_MAX];
        int r, rc, version;

        if (snprintf(dir, sizeof dir, "%s", path) >= (int) sizeof dir)
                return -ENAMETOOLONG;
        r = check_trusted_path(dirname(dir), S_IFDIR);
        if (r < 0)
                return r;
        r = check_trusted_path(path, S_IFREG);
        if (r < 0)
                return r;
        /* In WAL mode the -wal and -shm files hold committed data too. They
         * must already exist: an unprivileged reader cannot create them. */
        for (const char *const *suffix = (const char *const[]) { "-wal", "-shm", NULL }; *suffix; suffix++) {
                snprintf(side, sizeof side, "%s%s", path, *suffix);
                r = check_trusted_path(side, S_IFREG);
                if (r < 0)
                        return r;
        }
        snprintf(side, sizeof side, "%s-wal", path);
        r = check_wal_header(side);
        if (r < 0)
                return r;

        rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL);
        if (rc != SQLITE_OK)
                return policy_db_error(db, rc, "open");
        (void) sqlite3_busy_timeout(db, READ_BUSY_TIMEOUT_MS);
        (void) sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
        (void) sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);

        r = schema_version(db, &version);
        if (r < 0)
                return r;
        if (version != POLICY_SCHEMA_VERSION) {
                log_error("policy database %s has schema version %d, this build reads version %d", path, version,
                          POLICY_SCHEMA_VERSION);
                return -EPROTO;
        }
        *ret = TAKE_PTR(db);
        return 0;
}

static int apply_schema(sqlite3 *db, const char *path) {
        int r, version;

        r = schema_version(db, &version);
        if (r < 0)
                return r;
        if (version == POLICY_SCHEMA_VERSION)
                return 0;
        if (version > POLICY_SCHEMA_VERSION) {
                log_error("policy database %s has schema version %d, newer than this build's %d", path, version,
                          POLICY_SCHEMA_VERSION);
                return -EPROTO;
        }
        if (version != 0) {
                /* Migrations from older versions go here, one per step. */
                log_error("policy database %s has unknown schema version %d", path, version);
                return -EPROTO;
        }

        r = policy_db_begin(db);
        if (r < 0)
                return r;
        /* Another writer may have created the schema between our first look
         * and taking the write lock: look again under the lock. */
        r = schema_version(db, &version);
        if (r < 0 || version == POLICY_SCHEMA_VERSION) {
                policy_db_rollback(db);
                return r;
        }
        r = policy_db_exec(db, policy_schema_sql);
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        return policy_db_commit(db);
}

int policy_db_open_rw(const char *path, sqlite3 **ret) {
        _cleanup_db_ sqlite3 *db = NULL;
        char dir[PATH_MAX];
        int r, rc, on = 1;
        mode_t old_umask;

        if (snprintf(dir, sizeof dir, "%s", path) >= (int) sizeof dir)
                return -ENAMETOOLONG;

        /* The helpers read the database as the calling user: directory 0755
         * and file 0644, whatever the admin's umask (077 would lock them out). */
        old_umask = umask(022);
        r = mkdir_p(dirname(dir), 0755);
        if (r < 0) {
                umask(old_umask);
                return log_error_errno(r, "cannot create the directory of %s", path);
        }
        rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL);
        umask(old_umask);
        if (rc != SQLITE_OK)
                return policy_db_error(db, rc, "open");
        /* SQLite quietly falls back to read-only when the file or its
         * file system is: every write would then fail later, one by one.
         * Say it once, at the start. */
        if (sqlite3_db_readonly(db, "main") == 1) {
                log_error("policy database %s is read-only (read-only file system or permissions)", path);
                return -EROFS;
        }
        (void) sqlite3_busy_timeout(db, WRITE_BUSY_TIMEOUT_MS);
        (void) sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
        (void) sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
        /* Keep -wal and -shm after the last connection closes: read-only
         * openers (the helpers) cannot create them. */
        (void) sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);

        r = policy_db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
        if (r < 0)
                return r;
        r = apply_schema(db, path);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(db);
        return 0;
}
