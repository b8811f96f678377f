/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "group_policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "db.h"
#include "ranges.h"
#include "requests.h"
#include "store.h"

void group_policy_done(group_policy *p) {
        free(p->group_name);
        *p = (group_policy) {};
}

const char *group_policy_to_string(group_policy_kind kind) {
        return kind == GROUP_POLICY_SELF ? "self" : "approve";
}

int group_policy_from_string(const char *s, group_policy_kind *ret) {
        if (s && strcmp(s, "self") == 0)
                *ret = GROUP_POLICY_SELF;
        else if (s && strcmp(s, "approve") == 0)
                *ret = GROUP_POLICY_APPROVE;
        else
                return -EINVAL;
        return 0;
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what) {
        int rc = sqlite3_step(st);

        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, what);
        return 0;
}

int policy_group_allow(sqlite3 *db, const account_group *group, group_policy_kind policy, const uint32_t *set_by) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        /* A request for gid 0 is refused anyway; refusing the policy says so
         * to the administrator instead of to every member who asks. */
        if (group->gid == 0) {
                log_error("cannot allow requests for group %s: gid 0 (the root group) is never delegated",
                          group->name);
                return -EPERM;
        }
        if (group->gid > ID_MAX || !policy_name_is_safe(group->name)) {
                log_error("cannot allow requests for group %s (gid %u): the group cannot be written to the "
                          "exported files",
                          group->name, group->gid);
                return -EINVAL;
        }
        r = policy_db_prepare(db,
                              "INSERT INTO group_policies (gid, group_name, policy, set_at, set_by)"
                              " VALUES (?1, ?2, ?3, ?4, ?5)"
                              " ON CONFLICT (gid) DO UPDATE SET group_name = excluded.group_name,"
                              " policy = excluded.policy, set_at = excluded.set_at, set_by = excluded.set_by",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, group->gid);
        sqlite3_bind_text(st, 2, group->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, group_policy_to_string(policy), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (int64_t) time(NULL));
        if (set_by)
                sqlite3_bind_int64(st, 5, *set_by);
        else
                sqlite3_bind_null(st, 5);
        /* One statement: SQLite makes it atomic without an explicit transaction. */
        return step_done(db, st, "set a group policy");
}

static int delete_policy(sqlite3 *db, uint32_t gid) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = policy_db_prepare(db, "DELETE FROM group_policies WHERE gid = ?1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, gid);
        r = step_done(db, st, "remove a group policy");
        if (r < 0)
                return r;
        return sqlite3_changes(db);
}

int policy_group_deny(sqlite3 *db, uint32_t gid, const char *group_name, const uint32_t *decided_by,
                      unsigned *ret_rejected) {
        unsigned rejected = 0;
        int r;

        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = delete_policy(db, gid);
        if (r == 0) {
                log_error("cannot deny group %s (gid %u): it is not open to requests", group_name, gid);
                r = -ENOENT;
        }
        if (r > 0)
                r = requests_reject_pending_of_gid(db, gid, decided_by, "the group was closed to requests",
                                                   (int64_t) time(NULL), &rejected);
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        r = policy_db_commit(db);
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        if (ret_rejected)
                *ret_rejected = rejected;
        return 0;
}

int policy_group_policy_get(sqlite3 *db, uint32_t gid, group_policy *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        group_policy p = { .gid = gid };
        const unsigned char *name;
        int r, rc;

        r = policy_db_prepare(db, "SELECT group_name, policy, set_at, set_by FROM group_policies WHERE gid = ?1",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, gid);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return policy_db_error(db, rc, "look up a group policy");
        if (group_policy_from_string((const char *) sqlite3_column_text(st, 1), &p.policy) < 0) {
                log_error("policy database: corrupt policy of gid %u in table group_policies", gid);
                return -EBADMSG;
        }
        p.set_at = sqlite3_column_int64(st, 2);
        if (sqlite3_column_type(st, 3) == SQLITE_INTEGER) {
                sqlite3_int64 v = sqlite3_column_int64(st, 3);

                if (v >= 0 && v <= (sqlite3_int64) ID_MAX) {
                        p.has_set_by = true;
                        p.set_by = (uint32_t) v;
                }
        }
        name = sqlite3_column_text(st, 0);
        p.group_name = strdup(name ? (const char *) name : "");
        if (!p.group_name)
                return log_error_errno(-ENOMEM, "cannot read the policy database");
        *ret = p;
        return 1;
}

int policy_group_policy_gid_by_name(sqlite3 *db, const char *name, uint32_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        sqlite3_int64 v;
        int r, rc;

        r = policy_db_prepare(db, "SELECT gid FROM group_policies WHERE group_name = ?1 ORDER BY gid LIMIT 1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return policy_db_error(db, rc, "look up a group policy");
        v = sqlite3_column_int64(st, 0);
        if (v < 0 || v > (sqlite3_int64) ID_MAX)
                return -EBADMSG;
        *ret = (uint32_t) v;
        return 0;
}
