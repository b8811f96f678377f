/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>

#define POLICY_SCHEMA_VERSION 1

static inline void sqlite3_closep(sqlite3 **db) {
        if (*db)
                sqlite3_close_v2(*db);
}

static inline void sqlite3_finalizep(sqlite3_stmt **st) {
        if (*st)
                sqlite3_finalize(*st);
}

#define _cleanup_db_ __attribute__((cleanup(sqlite3_closep)))
#define _cleanup_stmt_ __attribute__((cleanup(sqlite3_finalizep)))

/* For the helpers: refuses a database (or its directory, -wal or -shm file)
 * that is not owned by root or is writable by group or others, then opens it
 * read-only, without following symlinks, with untrusted-schema features off.
 * Works while a writer commits (WAL). Logs the cause and returns -errno. */
int policy_db_open_ro(const char *path, sqlite3 **ret);

/* For the admin side (root): creates the directory (0755) and the database
 * (0644) when missing, applies the schema, switches to WAL with a persistent
 * -wal/-shm pair so read-only openers never need to create them. */
int policy_db_open_rw(const char *path, sqlite3 **ret);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. A write transaction is taken up front
 * so concurrent writers serialise instead of failing on upgrade. */
int policy_db_begin(sqlite3 *db);
int policy_db_commit(sqlite3 *db);
void policy_db_rollback(sqlite3 *db);

/* Prepares sql, logging the sqlite error on failure. */
int policy_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret);

/* Runs a statement list without results. */
int policy_db_exec(sqlite3 *db, const char *sql);

/* Maps an sqlite result code to -errno and logs what failed. */
int policy_db_error(sqlite3 *db, int rc, const char *what);

/* The embedded text of policy/schema.sql. */
extern const char policy_schema_sql[];
