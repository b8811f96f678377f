/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "delegate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../common/log.h"
#include "../common/parse.h"
#include "db.h"
#include "lookup.h"
#include "requests.h"
#include "store.h"

void policy_group_done(account_group *g) {
        free(g->name);
        g->name = NULL;
}

int policy_resolve_group(const accounts *acc, const char *text, account_group *ret) {
        char *name = NULL;
        uint32_t gid;
        int r;

        r = accounts_group_by_name(acc, text, ret);
        if (r != -ENOENT)
                return r;
        if (parse_id(text, &gid) < 0)
                return -ENOENT;
        r = accounts_group_name(acc, gid, &name);
        if (r < 0)
                return r;
        *ret = (account_group) { name, gid };
        return 0;
}

static int refuse(int r, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Logs "cannot <what>: <reason>" and returns r. */
static int refuse(int r, const char *what, const char *fmt, ...) {
        char reason[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(reason, sizeof reason, fmt, ap);
        va_end(ap);
        log_error("cannot %s: %s", what, reason);
        return r;
}

int delegation_find(sqlite3 *db, uint32_t owner_uid, uint32_t gid, int64_t *ret_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = policy_db_prepare(db, "SELECT id FROM delegations WHERE owner_uid = ?1 AND gid = ?2", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, owner_uid);
        sqlite3_bind_int64(st, 2, gid);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return policy_db_error(db, rc, "look up a delegation");
        if (ret_id)
                *ret_id = sqlite3_column_int64(st, 0);
        return 1;
}

/* A subordinate gid range containing gid, whoever holds it. */
static int check_not_in_range(sqlite3 *db, uint32_t gid, const char *what) {
        overlap_finder f;
        range_row row;
        int r;

        r = overlap_finder_init(db, &f);
        if (r < 0)
                return r;
        r = overlap_find_range(&f, ID_KIND_GID, &(id_range) { gid, 1 }, &row);
        overlap_finder_done(&f);
        if (r <= 0)
                return r;
        r = refuse(-EEXIST, what, "gid %u lies inside subgids %u-%u of %s (uid %u)", gid, row.range.first,
                   range_last(&row.range), row.owner_name, row.owner_uid);
        range_row_done(&row);
        return r;
}

int delegate_check(sqlite3 *db, const accounts *acc, const account_user *user, const account_group *group,
                   const char *what) {
        int r;

        /* Host gid 0 must never be mappable by anyone but root. */
        if (group->gid == 0)
                return refuse(-EPERM, what, "gid 0 (the root group) is never delegated");
        if (group->gid > ID_MAX)
                return refuse(-EINVAL, what, "invalid gid %u", group->gid);
        if (!policy_name_is_safe(user->name))
                return refuse(-EINVAL, what, "the user name cannot be written to the exported files");
        if (!policy_name_is_safe(group->name))
                return refuse(-EINVAL, what, "the group name cannot be written to the exported files");
        if (user->gid == group->gid)
                return refuse(-EINVAL, what,
                              "group %s is the primary group of %s, always mappable as their own gid (listing it in "
                              "subgid would stop podman)",
                              group->name, user->name);

        r = accounts_user_in_group(acc, user, group->gid);
        if (r < 0)
                return log_error_errno(r, "cannot %s: cannot read the groups of %s", what, user->name);
        if (r == 0)
                return refuse(-EPERM, what, "%s is not a member of group %s", user->name, group->name);

        r = delegation_find(db, user->uid, group->gid, NULL);
        if (r < 0)
                return r;
        if (r > 0)
                return refuse(-EEXIST, what, "%s already holds the delegation of group %s (gid %u)", user->name,
                              group->name, group->gid);
        return check_not_in_range(db, group->gid, what);
}

int delegate_insert(sqlite3 *db, const account_user *user, const account_group *group, const uint32_t *granted_by,
                    int64_t now) {
        return store_insert_delegation(db, NULL, group->gid, group->name, user->uid, user->name, now, granted_by);
}

int policy_delegate(sqlite3 *db, const accounts *acc, const account_user *user, const account_group *group,
                    uint32_t granted_by, const export_paths *paths) {
        int64_t now = (int64_t) time(NULL);
        char what[640];
        int r;

        snprintf(what, sizeof what, "delegate group %s (gid %u) to %s", group->name, group->gid, user->name);
        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = delegate_check(db, acc, user, group, what);
        if (r >= 0)
                r = delegate_insert(db, user, group, &granted_by, now);
        /* The grant answers a request the user may have pending for it. */
        if (r >= 0)
                r = requests_settle_pending(db, user->uid, group->gid, &granted_by, now);
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        return policy_commit_and_export(db, paths);
}

int policy_undelegate(sqlite3 *db, uint32_t owner_uid, const char *owner_name, uint32_t gid,
                      const export_paths *paths) {
        int64_t id = 0;
        int r;

        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = delegation_find(db, owner_uid, gid, &id);
        if (r == 0) {
                log_error("cannot remove the delegation of gid %u from %s (uid %u): there is none", gid, owner_name,
                          owner_uid);
                r = -ENOENT;
        }
        if (r > 0)
                r = store_delete_delegation(db, id);
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        return policy_commit_and_export(db, paths);
}
