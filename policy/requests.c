/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "requests.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/cleanup.h"
#include "../common/grow.h"
#include "../common/log.h"
#include "db.h"
#include "delegate.h"
#include "group_policy.h"
#include "ranges.h"

#define REQUEST_COLS "id, owner_uid, owner_name, gid, group_name, state, reason, created_at, decided_at, decided_by"

static const char *const state_names[] = {
        [REQUEST_PENDING] = "pending",
        [REQUEST_APPROVED] = "approved",
        [REQUEST_REJECTED] = "rejected",
        [REQUEST_WITHDRAWN] = "withdrawn",
};

const char *request_state_to_string(request_state s) {
        return (size_t) s < ELEMENTSOF(state_names) ? state_names[s] : "?";
}

int request_state_from_string(const char *s, request_state *ret) {
        for (size_t i = 0; s && i < ELEMENTSOF(state_names); i++)
                if (strcmp(s, state_names[i]) == 0) {
                        *ret = (request_state) i;
                        return 0;
                }
        return -EINVAL;
}

void request_row_done(request_row *r) {
        free(r->owner_name);
        free(r->group_name);
        free(r->reason);
        *r = (request_row) {};
}

void request_rows_free(request_row *r, size_t n) {
        for (size_t i = 0; i < n; i++)
                request_row_done(&r[i]);
        free(r);
}

static int column_u32(sqlite3_stmt *st, int col, bool *ret_null, uint32_t *ret) {
        sqlite3_int64 v = sqlite3_column_int64(st, col);

        if (sqlite3_column_type(st, col) == SQLITE_NULL && ret_null) {
                *ret_null = true;
                return 0;
        }
        if (sqlite3_column_type(st, col) != SQLITE_INTEGER || v < 0 || v > (sqlite3_int64) ID_MAX)
                return -EBADMSG;
        if (ret_null)
                *ret_null = false;
        *ret = (uint32_t) v;
        return 0;
}

static int column_text(sqlite3_stmt *st, int col, bool nullable, char **ret) {
        const unsigned char *t = sqlite3_column_text(st, col);

        if (!t && nullable) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(t ? (const char *) t : "");
        return *ret ? 0 : -ENOMEM;
}

/* Reads a row selected with REQUEST_COLS. */
static int read_request_row(sqlite3_stmt *st, request_row *ret) {
        request_row row = { .id = sqlite3_column_int64(st, 0) };
        bool null_decider = true;
        int r;

        if (column_u32(st, 1, NULL, &row.owner_uid) < 0 || column_u32(st, 3, NULL, &row.gid) < 0 ||
            request_state_from_string((const char *) sqlite3_column_text(st, 5), &row.state) < 0 ||
            column_u32(st, 9, &null_decider, &row.decided_by) < 0) {
                log_error("policy database: corrupt row %lld in table requests", (long long) row.id);
                return -EBADMSG;
        }
        row.has_decided_by = !null_decider;
        row.created_at = sqlite3_column_int64(st, 7);
        row.decided = sqlite3_column_type(st, 8) != SQLITE_NULL;
        row.decided_at = sqlite3_column_int64(st, 8);
        r = column_text(st, 2, false, &row.owner_name);
        if (r >= 0)
                r = column_text(st, 4, false, &row.group_name);
        if (r >= 0)
                r = column_text(st, 6, true, &row.reason);
        if (r < 0) {
                request_row_done(&row);
                return log_error_errno(r, "cannot read the policy database");
        }
        *ret = row;
        return 0;
}

static int collect_rows(sqlite3 *db, sqlite3_stmt *st, request_row **ret, size_t *ret_n) {
        request_row *rows = NULL;
        size_t n = 0, capacity = 0;
        int r, rc;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = GROW(rows, n, capacity);
                if (r < 0) {
                        request_rows_free(rows, n);
                        return log_error_errno(r, "cannot read the policy database");
                }
                r = read_request_row(st, &rows[n]);
                if (r < 0) {
                        request_rows_free(rows, n);
                        return r;
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                request_rows_free(rows, n);
                return policy_db_error(db, rc, "read requests");
        }
        *ret = rows;
        *ret_n = n;
        return 0;
}

int policy_requests_list(sqlite3 *db, bool all, request_row **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = policy_db_prepare(db,
                              all ? "SELECT " REQUEST_COLS " FROM requests ORDER BY id"
                                  : "SELECT " REQUEST_COLS " FROM requests INDEXED BY requests_by_state"
                                    " WHERE state = 'pending' ORDER BY id",
                              &st);
        if (r < 0)
                return r;
        return collect_rows(db, st, ret, ret_n);
}

int policy_requests_of_owner(sqlite3 *db, uint32_t owner_uid, request_row **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = policy_db_prepare(db, "SELECT " REQUEST_COLS " FROM requests WHERE owner_uid = ?1 ORDER BY id", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, owner_uid);
        return collect_rows(db, st, ret, ret_n);
}

int policy_request_get(sqlite3 *db, int64_t id, request_row *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        request_row *rows = NULL;
        size_t n = 0;
        int r;

        r = policy_db_prepare(db, "SELECT " REQUEST_COLS " FROM requests WHERE id = ?1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        r = collect_rows(db, st, &rows, &n);
        if (r < 0)
                return r;
        if (n == 0) {
                free(rows);
                log_error("no request #%lld", (long long) id);
                return -ENOENT;
        }
        *ret = rows[0];
        free(rows);
        return 0;
}

/* The pending request of (owner_uid, gid): 1 and *ret_id, or 0. */
static int find_pending(sqlite3 *db, uint32_t owner_uid, uint32_t gid, int64_t *ret_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = policy_db_prepare(db,
                              "SELECT id FROM requests INDEXED BY requests_one_pending"
                              " WHERE owner_uid = ?1 AND gid = ?2 AND state = 'pending'",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, owner_uid);
        sqlite3_bind_int64(st, 2, gid);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return policy_db_error(db, rc, "look up a request");
        *ret_id = sqlite3_column_int64(st, 0);
        return 1;
}

/* A new request, pending, or approved by policy (decided now, by nobody). */
static int insert_request(sqlite3 *db, const account_user *user, const account_group *group, request_state state,
                          int64_t now, int64_t *ret_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = policy_db_prepare(db,
                              "INSERT INTO requests (owner_uid, owner_name, gid, group_name, state, created_at,"
                              " decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, user->uid);
        sqlite3_bind_text(st, 2, user->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, group->gid);
        sqlite3_bind_text(st, 4, group->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, request_state_to_string(state), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, now);
        if (state == REQUEST_PENDING)
                sqlite3_bind_null(st, 7);
        else
                sqlite3_bind_int64(st, 7, now);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "record a request");
        *ret_id = sqlite3_last_insert_rowid(db);
        return 0;
}

/* Decides request id, which must still be pending. */
static int decide(sqlite3 *db, int64_t id, request_state state, const uint32_t *decided_by, const char *reason,
                  int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = policy_db_prepare(db,
                              "UPDATE requests SET state = ?2, reason = ?3, decided_at = ?4, decided_by = ?5"
                              " WHERE id = ?1 AND state = 'pending'",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, request_state_to_string(state), -1, SQLITE_STATIC);
        if (reason)
                sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(st, 3);
        sqlite3_bind_int64(st, 4, now);
        if (decided_by)
                sqlite3_bind_int64(st, 5, *decided_by);
        else
                sqlite3_bind_null(st, 5);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "decide a request");
        if (sqlite3_changes(db) != 1) {
                log_error("policy database: request #%lld is no longer pending", (long long) id);
                return -ESTALE;
        }
        return 0;
}

int requests_settle_pending(sqlite3 *db, uint32_t owner_uid, uint32_t gid, const uint32_t *decided_by,
                            int64_t now) {
        int64_t id;
        int r;

        r = find_pending(db, owner_uid, gid, &id);
        if (r <= 0)
                return r;
        r = decide(db, id, REQUEST_APPROVED, decided_by, NULL, now);
        return r < 0 ? r : 1;
}

int requests_reject_pending_of_gid(sqlite3 *db, uint32_t gid, const uint32_t *decided_by, const char *reason,
                                   int64_t now, unsigned *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = policy_db_prepare(db,
                              "UPDATE requests SET state = 'rejected', reason = ?2, decided_at = ?3,"
                              " decided_by = ?4 WHERE gid = ?1 AND state = 'pending'",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, gid);
        sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        if (decided_by)
                sqlite3_bind_int64(st, 4, *decided_by);
        else
                sqlite3_bind_null(st, 4);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "reject pending requests");
        *ret_n = (unsigned) sqlite3_changes(db);
        return 0;
}

/* Ends the transaction: with the export when a delegation was created. On
 * failure everything is rolled back. */
static int finish(sqlite3 *db, int r, bool delegated, const export_paths *paths) {
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        if (delegated)
                return policy_commit_and_export(db, paths);
        r = policy_db_commit(db);
        if (r < 0)
                policy_db_rollback(db);
        return r;
}

/* The checks and writes of policy_request_delegation, inside its
 * transaction; *ret_delegated tells whether a delegation was created. */
static int request_in_transaction(sqlite3 *db, const accounts *acc, const account_user *user,
                                  const account_group *group, int64_t now, int64_t *ret_id, bool *ret_delegated) {
        group_policy policy = {};
        group_policy_kind kind;
        char what[640];
        int64_t pending = 0;
        int r;

        snprintf(what, sizeof what, "request group %s (gid %u) for %s", group->name, group->gid, user->name);
        if (group->gid == 0) {
                log_error("cannot %s: gid 0 (the root group) is never delegated", what);
                return -EPERM;
        }
        r = policy_group_policy_get(db, group->gid, &policy);
        if (r < 0)
                return r;
        if (r == 0) {
                log_error("cannot %s: the group is not open to requests; ask an administrator "
                          "(subidctl group allow, or subidctl grant --group)",
                          what);
                return -EPERM;
        }
        kind = policy.policy;
        group_policy_done(&policy);

        r = delegate_check(db, acc, user, group, what);
        if (r < 0)
                return r;
        r = find_pending(db, user->uid, group->gid, &pending);
        if (r < 0)
                return r;

        if (kind == GROUP_POLICY_APPROVE) {
                if (r > 0) {
                        log_error("cannot %s: request #%lld for it is already pending; an administrator decides",
                                  what, (long long) pending);
                        return -EEXIST;
                }
                *ret_delegated = false;
                return insert_request(db, user, group, REQUEST_PENDING, now, ret_id);
        }

        /* Policy "self": granted at once. A request left pending from when
         * the group needed approval is the one granted now. */
        r = delegate_insert(db, user, group, NULL, now);
        if (r < 0)
                return r;
        *ret_delegated = true;
        if (pending > 0) {
                *ret_id = pending;
                return decide(db, pending, REQUEST_APPROVED, NULL, NULL, now);
        }
        return insert_request(db, user, group, REQUEST_APPROVED, now, ret_id);
}

int policy_request_delegation(sqlite3 *db, const accounts *acc, const account_user *user,
                              const account_group *group, const export_paths *paths, request_row *ret) {
        request_row row = {};
        bool delegated = false;
        int64_t id = 0;
        int r;

        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = request_in_transaction(db, acc, user, group, (int64_t) time(NULL), &id, &delegated);
        /* Read back inside the transaction: what is returned is what commits. */
        if (r >= 0)
                r = policy_request_get(db, id, &row);
        r = finish(db, r, delegated, paths);
        if (r < 0) {
                request_row_done(&row);
                return r;
        }
        *ret = row;
        return 0;
}

/* The pending request id, or a logged refusal naming its state. */
static int get_pending(sqlite3 *db, int64_t id, const char *verb, request_row *ret) {
        int r;

        r = policy_request_get(db, id, ret);
        if (r < 0)
                return r;
        if (ret->state != REQUEST_PENDING) {
                log_error("cannot %s request #%lld: it is already %s", verb, (long long) id,
                          request_state_to_string(ret->state));
                request_row_done(ret);
                return -EALREADY;
        }
        return 0;
}

static int approve_in_transaction(sqlite3 *db, const accounts *acc, const request_row *req, uint32_t decided_by,
                                  int64_t now, bool *ret_delegated) {
        account_user user = {};
        account_group group = { .gid = req->gid };
        char what[640];
        int r;

        snprintf(what, sizeof what, "approve request #%lld (group %s, gid %u, for %s)", (long long) req->id,
                 req->group_name, req->gid, req->owner_name);
        /* The account and group as they are now: the request may be old. */
        r = accounts_user_by_uid(acc, req->owner_uid, &user);
        if (r == -ENOENT) {
                log_error("cannot %s: uid %u no longer has an account; reject the request", what, req->owner_uid);
                return -ENOENT;
        }
        if (r < 0)
                return log_error_errno(r, "cannot %s: cannot look up uid %u", what, req->owner_uid);
        r = accounts_group_name(acc, req->gid, &group.name);
        if (r == -ENOENT) {
                account_user_done(&user);
                log_error("cannot %s: gid %u no longer has a group; reject the request", what, req->gid);
                return -ENOENT;
        }
        if (r < 0) {
                account_user_done(&user);
                return log_error_errno(r, "cannot %s: cannot look up gid %u", what, req->gid);
        }

        r = delegation_find(db, user.uid, group.gid, NULL);
        if (r == 0) {
                r = delegate_check(db, acc, &user, &group, what);
                if (r >= 0)
                        r = delegate_insert(db, &user, &group, &decided_by, now);
                if (r >= 0)
                        *ret_delegated = true;
        }
        /* Already delegated (an import, say): approving only records it. */
        if (r >= 0)
                r = decide(db, req->id, REQUEST_APPROVED, &decided_by, NULL, now);
        account_user_done(&user);
        policy_group_done(&group);
        return r;
}

int policy_request_approve(sqlite3 *db, const accounts *acc, int64_t id, uint32_t decided_by,
                           const export_paths *paths, request_row *ret) {
        request_row req = {}, row = {};
        bool delegated = false;
        int r;

        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = get_pending(db, id, "approve", &req);
        if (r >= 0)
                r = approve_in_transaction(db, acc, &req, decided_by, (int64_t) time(NULL), &delegated);
        if (r >= 0)
                r = policy_request_get(db, id, &row);
        request_row_done(&req);
        r = finish(db, r, delegated, paths);
        if (r < 0) {
                request_row_done(&row);
                return r;
        }
        *ret = row;
        return 0;
}

/* One printable line: it is shown to the user and in listings. */
static bool reason_is_valid(const char *reason) {
        size_t len = strlen(reason);

        if (len == 0 || len > REQUEST_REASON_MAX)
                return false;
        for (const unsigned char *p = (const unsigned char *) reason; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

int policy_request_reject(sqlite3 *db, int64_t id, uint32_t decided_by, const char *reason, request_row *ret) {
        request_row req = {}, row = {};
        int r;

        if (reason && !reason_is_valid(reason)) {
                log_error("cannot reject request #%lld: the reason must be one line of 1 to %d characters",
                          (long long) id, REQUEST_REASON_MAX);
                return -EINVAL;
        }
        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = get_pending(db, id, "reject", &req);
        if (r >= 0)
                r = decide(db, id, REQUEST_REJECTED, &decided_by, reason, (int64_t) time(NULL));
        if (r >= 0)
                r = policy_request_get(db, id, &row);
        request_row_done(&req);
        r = finish(db, r, false, NULL);
        if (r < 0) {
                request_row_done(&row);
                return r;
        }
        *ret = row;
        return 0;
}
