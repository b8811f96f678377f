/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "alloc.h"

#include <errno.h>
#include <stdio.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "db.h"

/* Tables whose ranges block allocation. */
static const char *const blocking_tables[] = { "ranges", "quarantine" };

/* End (exclusive) of the range of table with the greatest first ≤ limit, or
 * 0 when there is none. Ranges in one table never overlap, so that range
 * also has the greatest end among those starting at or below limit. */
static int high_water(sqlite3 *db, const char *table, id_kind kind, uint32_t limit, uint64_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char sql[160];
        int r, rc;

        snprintf(sql, sizeof sql,
                 "SELECT first + count FROM %s WHERE kind = ?1 AND first <= ?2 ORDER BY first DESC LIMIT 1", table);
        r = policy_db_prepare(db, sql, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id_kind_to_string(kind), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, limit);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = (uint64_t) sqlite3_column_int64(st, 0);
        else if (rc == SQLITE_DONE)
                *ret = 0;
        else
                return policy_db_error(db, rc, "find allocation high-water mark");
        return 0;
}

/* The first range of table (by first) that overlaps [from, to), as its
 * end in *ret_end; 0 if none overlaps. Two index probes: the range starting
 * at or before from, then the first starting inside. */
static int first_blocker(sqlite3 *db, const char *table, id_kind kind, uint64_t from, uint64_t to, uint64_t *ret_end) {
        _cleanup_stmt_ sqlite3_stmt *before = NULL, *inside = NULL;
        char sql[200];
        int r, rc;

        *ret_end = 0;
        snprintf(sql, sizeof sql,
                 "SELECT first + count FROM %s WHERE kind = ?1 AND first <= ?2 ORDER BY first DESC LIMIT 1", table);
        r = policy_db_prepare(db, sql, &before);
        if (r < 0)
                return r;
        sqlite3_bind_text(before, 1, id_kind_to_string(kind), -1, SQLITE_STATIC);
        sqlite3_bind_int64(before, 2, (sqlite3_int64) from);
        rc = sqlite3_step(before);
        if (rc == SQLITE_ROW && (uint64_t) sqlite3_column_int64(before, 0) > from) {
                *ret_end = (uint64_t) sqlite3_column_int64(before, 0);
                return 0;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return policy_db_error(db, rc, "search free ids");

        snprintf(sql, sizeof sql,
                 "SELECT first + count FROM %s WHERE kind = ?1 AND first > ?2 AND first < ?3 ORDER BY first LIMIT 1",
                 table);
        r = policy_db_prepare(db, sql, &inside);
        if (r < 0)
                return r;
        sqlite3_bind_text(inside, 1, id_kind_to_string(kind), -1, SQLITE_STATIC);
        sqlite3_bind_int64(inside, 2, (sqlite3_int64) from);
        sqlite3_bind_int64(inside, 3, (sqlite3_int64) to);
        rc = sqlite3_step(inside);
        if (rc == SQLITE_ROW)
                *ret_end = (uint64_t) sqlite3_column_int64(inside, 0);
        else if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "search free ids");
        return 0;
}

/* Moves *cursor past whatever blocks [cursor, cursor+count) until a free
 * window is found or the pool ends. Each step skips at least one range or
 * one taken id, so the loop ends. */
static int settle(sqlite3 *db, id_kind kind, uint64_t pool_end, uint32_t count, const id_set *taken,
                  uint64_t *cursor) {
        for (;;) {
                uint64_t to = *cursor + count, skip_to = 0;
                bool moved = false;
                uint32_t id;
                int r;

                if (to > pool_end)
                        return -ENOSPC;
                for (size_t t = 0; t < ELEMENTSOF(blocking_tables); t++) {
                        uint64_t end;

                        r = first_blocker(db, blocking_tables[t], kind, *cursor, to, &end);
                        if (r < 0)
                                return r;
                        if (end > skip_to)
                                skip_to = end;
                }
                if (skip_to > *cursor) {
                        *cursor = skip_to;
                        moved = true;
                }
                id_range window = { (uint32_t) *cursor, count };
                if (!moved && taken && *cursor + count <= pool_end && id_set_find_in_range(taken, &window, &id)) {
                        *cursor = (uint64_t) id + 1;
                        moved = true;
                }
                if (!moved)
                        return 0;
        }
}

int alloc_find_free(sqlite3 *db, id_kind kind, uint32_t pool_min, uint32_t pool_max, uint32_t count,
                    const id_set *taken, id_range *ret) {
        uint64_t pool_end = (uint64_t) pool_max + 1, cursor = pool_min;
        int r;

        if (count == 0 || pool_min > pool_max || pool_min == 0)
                return -EINVAL;

        /* Fast path: above everything ever handed out in this pool. */
        for (size_t t = 0; t < ELEMENTSOF(blocking_tables); t++) {
                uint64_t hw = 0;

                r = high_water(db, blocking_tables[t], kind, pool_max, &hw);
                if (r < 0)
                        return r;
                if (hw > cursor)
                        cursor = hw;
        }
        r = settle(db, kind, pool_end, count, taken, &cursor);
        if (r == -ENOSPC) {
                /* The top is full: look for a gap from the bottom. */
                cursor = pool_min;
                r = settle(db, kind, pool_end, count, taken, &cursor);
        }
        if (r == -ENOSPC) {
                log_error("no free %s range of %u ids left in the pool %u-%u", id_kind_to_string(kind), count,
                          pool_min, pool_max);
                return r;
        }
        if (r < 0)
                return r;
        *ret = (id_range) { (uint32_t) cursor, count };
        return 0;
}
