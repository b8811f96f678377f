/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "policy_load.h"

#include "../common/cleanup.h"
#include "../policy/db.h"
#include "../policy/held.h"

int policy_load_held(const char *db_path, id_kind kind, uid_t uid, const char *user, gid_t primary_gid,
                     id_range **ret, size_t *ret_n) {
        _cleanup_db_ sqlite3 *db = NULL;
        int r;

        /* The helper is single-threaded and short-lived: skip SQLite's
         * mutexes and memory accounting (measurable on every container start). */
        (void) sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
        (void) sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        (void) sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
        r = policy_db_open_ro(db_path, &db);
        if (r < 0)
                return r;
        return policy_held_ranges(db, kind, uid, user, primary_gid, ret, ret_n);
}
