/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "quarantine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/grow.h"
#include "../common/log.h"
#include "db.h"
#include "grant.h"
#include "store.h"

static int read_row(sqlite3_stmt *st, quarantine_row *ret) {
        const unsigned char *kind = sqlite3_column_text(st, 1), *name = sqlite3_column_text(st, 5),
                            *reason = sqlite3_column_text(st, 6);
        quarantine_row q = {
                .id = sqlite3_column_int64(st, 0),
                .range = { (uint32_t) sqlite3_column_int64(st, 2), (uint32_t) sqlite3_column_int64(st, 3) },
                .former_uid = (uint32_t) sqlite3_column_int64(st, 4),
                .since = sqlite3_column_int64(st, 7),
        };

        if (id_kind_from_string(kind ? (const char *) kind : "", &q.kind) < 0)
                return -EBADMSG;
        q.former_name = strdup(name ? (const char *) name : "");
        q.reason = strdup(reason ? (const char *) reason : "");
        if (!q.former_name || !q.reason) {
                quarantine_row_done(&q);
                return -ENOMEM;
        }
        *ret = q;
        return 0;
}

int policy_quarantine_list(sqlite3 *db, const quarantine_cursor *after, size_t limit, quarantine_row **ret,
                           size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        quarantine_row *rows = NULL;
        size_t n = 0, capacity = 0;
        int r, rc;

        /* (kind = 'gid') is 0 for subuids, 1 for subgids: the listing order. */
        r = policy_db_prepare(db,
                              "SELECT id, kind, first, count, former_uid, former_name, reason, since FROM quarantine"
                              " WHERE (kind = 'gid') > ?1 OR ((kind = 'gid') = ?1 AND first > ?2)"
                              " ORDER BY kind = 'gid', first LIMIT ?3",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, after ? after->kind == ID_KIND_GID : 0);
        sqlite3_bind_int64(st, 2, after ? (int64_t) after->first : -1);
        sqlite3_bind_int64(st, 3, (int64_t) limit);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = GROW(rows, n, capacity);
                if (r >= 0)
                        r = read_row(st, &rows[n]);
                if (r < 0) {
                        quarantine_rows_free(rows, n);
                        return r == -EBADMSG ? policy_db_error(db, SQLITE_CORRUPT, "read the quarantine")
                                             : log_error_errno(r, "cannot list the quarantine");
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                quarantine_rows_free(rows, n);
                return policy_db_error(db, rc, "list the quarantine");
        }
        *ret = rows;
        *ret_n = n;
        return 0;
}

/* The part of each piece inside want, with the piece's owner and reason:
 * what a release reports. Takes the strings of pieces. */
static void clip_to(quarantine_row *pieces, size_t n, const id_range *want) {
        for (size_t i = 0; i < n; i++) {
                id_range *p = &pieces[i].range;
                uint32_t first = p->first > want->first ? p->first : want->first;
                uint64_t end = range_end(p) < range_end(want) ? range_end(p) : range_end(want);

                *p = (id_range) { first, (uint32_t) (end - first) };
        }
}

static int release_in_transaction(sqlite3 *db, id_kind kind, const id_range *range, quarantine_row **ret,
                                  size_t *ret_n) {
        _cleanup_free_ id_range *held = NULL;
        quarantine_row *pieces = NULL;
        overlap_finder f;
        size_t n = 0;
        int r;

        r = overlap_finder_init(db, &f);
        if (r < 0)
                return r;
        r = overlap_find_quarantine(&f, kind, range, &pieces, &n);
        overlap_finder_done(&f);
        if (r < 0)
                return r;
        held = calloc(n ? n : 1, sizeof *held);
        if (!held) {
                quarantine_rows_free(pieces, n);
                return log_error_errno(-ENOMEM, "cannot release");
        }
        for (size_t i = 0; i < n; i++)
                held[i] = pieces[i].range;
        if (!ranges_cover(held, n, range)) {
                quarantine_rows_free(pieces, n);
                log_error("cannot release %s %u-%u: not all of it is quarantined (see subidctl quarantine list)",
                          id_kind_to_plural(kind), range->first, range_last(range));
                return -ENOENT;
        }
        r = quarantine_take(db, pieces, n, range);
        if (r < 0) {
                quarantine_rows_free(pieces, n);
                return r;
        }
        clip_to(pieces, n, range);
        *ret = pieces;
        *ret_n = n;
        return 0;
}

int policy_quarantine_release(sqlite3 *db, id_kind kind, const id_range *range, quarantine_row **ret,
                              size_t *ret_n) {
        quarantine_row *pieces = NULL;
        size_t n = 0;
        int r;

        if (!range_is_valid(range)) {
                log_error("cannot release %s: invalid range", id_kind_to_plural(kind));
                return -EINVAL;
        }
        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = release_in_transaction(db, kind, range, &pieces, &n);
        if (r >= 0)
                r = policy_db_commit(db);
        else
                policy_db_rollback(db);
        if (r < 0) {
                quarantine_rows_free(pieces, n);
                return r;
        }
        *ret = pieces;
        *ret_n = n;
        return 0;
}

int quarantine_revoked_from(sqlite3 *db, sqlite3_stmt **cache, id_kind kind, uint32_t uid, const char *name) {
        sqlite3_stmt *st;
        int r, rc;

        if (!*cache) {
                r = policy_db_prepare(db,
                                      "SELECT 1 FROM quarantine WHERE former_uid = ?1 AND former_name = ?2"
                                      " AND kind = ?3 AND reason = 'revoke' LIMIT 1",
                                      cache);
                if (r < 0)
                        return r;
        }
        st = *cache;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, uid);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, id_kind_to_string(kind), -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
                return 1;
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "read the quarantine");
        return 0;
}
