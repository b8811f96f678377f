/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "store.h"

#include <string.h>

#include "../common/log.h"
#include "db.h"

bool policy_name_is_safe(const char *name) {
        size_t len = strlen(name);

        if (len == 0 || len > 256)
                return false;
        if (name[0] == ' ' || name[len - 1] == ' ')
                return false;
        for (const unsigned char *p = (const unsigned char *) name; *p; p++)
                if (*p == ':' || *p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

/* Steps a statement that returns no rows. */
static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what) {
        int rc = sqlite3_step(st);

        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, what);
        return 0;
}

void store_cache_done(store_cache *c) {
        sqlite3_finalize(c->insert_range);
        sqlite3_finalize(c->insert_delegation);
        *c = (store_cache) {};
}

/* The statement for sql: the cached one (prepared on first use) or, without
 * a cache, a fresh one in *own that the caller finalizes. */
static int statement(sqlite3 *db, sqlite3_stmt **cached, sqlite3_stmt **own, const char *sql, sqlite3_stmt **ret) {
        int r;

        if (!cached) {
                r = policy_db_prepare(db, sql, own);
                *ret = *own;
                return r;
        }
        if (!*cached) {
                r = policy_db_prepare(db, sql, cached);
                if (r < 0)
                        return r;
        }
        sqlite3_reset(*cached);
        sqlite3_clear_bindings(*cached);
        *ret = *cached;
        return 0;
}

int store_insert_range(sqlite3 *db, store_cache *cache, id_kind kind, uint32_t owner_uid, const char *owner_name,
                       const id_range *range, int64_t created_at, const char *origin) {
        _cleanup_stmt_ sqlite3_stmt *own = NULL;
        sqlite3_stmt *st;
        int r;

        r = statement(db, cache ? &cache->insert_range : NULL, &own,
                      "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at, origin)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                      &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id_kind_to_string(kind), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, owner_uid);
        sqlite3_bind_text(st, 3, owner_name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, range->first);
        sqlite3_bind_int64(st, 5, range->count);
        sqlite3_bind_int64(st, 6, created_at);
        sqlite3_bind_text(st, 7, origin, -1, SQLITE_STATIC);
        r = step_done(db, st, "insert a range");
        sqlite3_reset(st);
        return r;
}

static int delete_by_id(sqlite3 *db, const char *sql, int64_t id, const char *what) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = policy_db_prepare(db, sql, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        r = step_done(db, st, what);
        if (r < 0)
                return r;
        if (sqlite3_changes(db) != 1) {
                log_error("policy database: %s: row %lld vanished", what, (long long) id);
                return -ESTALE;
        }
        return 0;
}

int store_delete_range(sqlite3 *db, int64_t id) {
        return delete_by_id(db, "DELETE FROM ranges WHERE id = ?1", id, "delete a range");
}

int store_insert_delegation(sqlite3 *db, store_cache *cache, uint32_t gid, const char *group_name,
                            uint32_t owner_uid, const char *owner_name, int64_t created_at,
                            const uint32_t *granted_by) {
        _cleanup_stmt_ sqlite3_stmt *own = NULL;
        sqlite3_stmt *st;
        int r;

        r = statement(db, cache ? &cache->insert_delegation : NULL, &own,
                      "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at, granted_by)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                      &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, gid);
        sqlite3_bind_text(st, 2, group_name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, owner_uid);
        sqlite3_bind_text(st, 4, owner_name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, created_at);
        if (granted_by)
                sqlite3_bind_int64(st, 6, *granted_by);
        else
                sqlite3_bind_null(st, 6);
        r = step_done(db, st, "insert a delegation");
        sqlite3_reset(st);
        return r;
}

int store_delete_delegation(sqlite3 *db, int64_t id) {
        return delete_by_id(db, "DELETE FROM delegations WHERE id = ?1", id, "delete a delegation");
}

int quarantine_add(sqlite3 *db, id_kind kind, const id_range *range, uint32_t former_uid, const char *former_name,
                   const char *reason, int64_t since) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = policy_db_prepare(db,
                              "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id_kind_to_string(kind), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, range->first);
        sqlite3_bind_int64(st, 3, range->count);
        sqlite3_bind_int64(st, 4, former_uid);
        sqlite3_bind_text(st, 5, former_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, since);
        return step_done(db, st, "quarantine a range");
}

int quarantine_take(sqlite3 *db, const quarantine_row *pieces, size_t n, const id_range *want) {
        int r;

        for (size_t i = 0; i < n; i++) {
                const quarantine_row *q = &pieces[i];
                id_range rest[2];
                size_t n_rest;

                r = delete_by_id(db, "DELETE FROM quarantine WHERE id = ?1", q->id, "release a quarantined range");
                if (r < 0)
                        return r;
                range_subtract(&q->range, want, rest, &n_rest);
                for (size_t k = 0; k < n_rest; k++) {
                        r = quarantine_add(db, q->kind, &rest[k], q->former_uid, q->former_name, q->reason,
                                           q->since);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
