/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "query.h"

#include <errno.h>
#include <stdlib.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "db.h"

/* Grows *array to hold one more element of size elem; n is the current count. */
static int grow(void **array, size_t n, size_t *capacity, size_t elem) {
        void *p;
        size_t c;

        if (n < *capacity)
                return 0;
        if (n >= POLICY_MAX_PER_OWNER)
                return -E2BIG;
        c = *capacity ? *capacity * 2 : 8;
        p = realloc(*array, c * elem);
        if (!p)
                return -ENOMEM;
        *array = p;
        *capacity = c;
        return 0;
}

int policy_owner_ranges(sqlite3 *db, id_kind kind, uint32_t owner_uid, id_range **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ id_range *list = NULL;
        size_t n = 0, capacity = 0;
        int r, rc;

        r = policy_db_prepare(db,
                              "SELECT first, count FROM ranges WHERE owner_uid = ?1 AND kind = ?2 ORDER BY first",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, owner_uid);
        sqlite3_bind_text(st, 2, id_kind_to_string(kind), -1, SQLITE_STATIC);

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                sqlite3_int64 first = sqlite3_column_int64(st, 0), count = sqlite3_column_int64(st, 1);
                id_range range;

                /* The schema's CHECKs guarantee this; a reader still refuses
                 * to widen a bad row into a huge mapping. */
                if (first < 0 || count < 1 || first + count > (sqlite3_int64) UINT32_MAX) {
                        log_error("policy database: corrupt %s range %lld+%lld for uid %u", id_kind_to_string(kind),
                                  (long long) first, (long long) count, owner_uid);
                        return -EBADMSG;
                }
                range = (id_range) { (uint32_t) first, (uint32_t) count };
                r = grow((void **) &list, n, &capacity, sizeof *list);
                if (r < 0)
                        return log_error_errno(r, "too many ranges for uid %u", owner_uid);
                list[n++] = range;
        }
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "read ranges");

        *ret = TAKE_PTR(list);
        *ret_n = n;
        return 0;
}

int policy_owner_delegations(sqlite3 *db, uint32_t owner_uid, uint32_t **ret_gids, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ uint32_t *list = NULL;
        size_t n = 0, capacity = 0;
        int r, rc;

        r = policy_db_prepare(db, "SELECT gid FROM delegations WHERE owner_uid = ?1 ORDER BY gid", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, owner_uid);

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                sqlite3_int64 gid = sqlite3_column_int64(st, 0);

                if (gid < 0 || gid > (sqlite3_int64) ID_MAX) {
                        log_error("policy database: corrupt delegation gid %lld for uid %u", (long long) gid,
                                  owner_uid);
                        return -EBADMSG;
                }
                r = grow((void **) &list, n, &capacity, sizeof *list);
                if (r < 0)
                        return log_error_errno(r, "too many delegations for uid %u", owner_uid);
                list[n++] = (uint32_t) gid;
        }
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "read delegations");

        *ret_gids = TAKE_PTR(list);
        *ret_n = n;
        return 0;
}
