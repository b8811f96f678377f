/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "idsinuse.h"

/* Delegation requests (`subid-request --group GROUP`) and their decision
 * (`subidctl approve ID` / `subidctl reject ID`), table requests.
 *
 * A member of a group open to requests (group_policy.h) asks for its gid.
 * With policy "self" the delegation is created at once and the request is
 * recorded as approved; with "approve" it stays pending until an
 * administrator decides. At most one request per user and gid is pending
 * (the schema's unique index requests_one_pending). Every operation is one
 * transaction: it either happens whole or changes nothing. */

typedef enum request_state {
        REQUEST_PENDING,
        REQUEST_APPROVED,
        REQUEST_REJECTED,
        REQUEST_WITHDRAWN,
} request_state;

typedef struct request_row {
        int64_t id;
        uint32_t owner_uid;
        char *owner_name;
        uint32_t gid;
        char *group_name;
        request_state state;
        char *reason; /* NULL when none */
        int64_t created_at;
        bool decided;        /* decided_at is set */
        int64_t decided_at;
        bool has_decided_by; /* NULL decided_by: decided by group policy "self" */
        uint32_t decided_by;
} request_row;

void request_row_done(request_row *r);
void request_rows_free(request_row *r, size_t n);

/* "pending", "approved", "rejected", "withdrawn" and back (-EINVAL). */
const char *request_state_to_string(request_state s);
int request_state_from_string(const char *s, request_state *ret);

/* A request longer than this is refused as a reject reason. */
#define REQUEST_REASON_MAX 1024

/* user asks for group's gid. Refused, with a one-line log naming the
 * cause and nothing changed, when: gid 0 (-EPERM), the group is not open to
 * requests (-EPERM), user is not a member of it now (-EPERM), user already
 * holds the delegation or has a request for it pending under policy
 * "approve" (-EEXIST), or any check of delegate_check() fails. Under policy
 * "self" a request left pending from an earlier "approve" policy is the one
 * marked approved. The export is rewritten when a delegation is created.
 * *ret is the request as stored. */
int policy_request_delegation(sqlite3 *db, const accounts *acc, const account_user *user,
                              const account_group *group, const export_paths *paths, request_row *ret);

/* Requests by id: the pending ones (all false) or every one (all true). */
int policy_requests_list(sqlite3 *db, bool all, request_row **ret, size_t *ret_n);

/* Every request of one user, by id. */
int policy_requests_of_owner(sqlite3 *db, uint32_t owner_uid, request_row **ret, size_t *ret_n);

/* One request: 0, or -ENOENT (logged as "no request #ID"). */
int policy_request_get(sqlite3 *db, int64_t id, request_row *ret);

/* Approves pending request id as administrator decided_by. Membership is
 * checked again now, against the account the request was made by (its
 * uid), and the group as it is now (its gid): a user who left the group
 * since asking is refused (-EPERM) and the request stays pending for a
 * reject. Creates the delegation (unless one exists already, say from an
 * import) and exports. -ENOENT no such request, -EALREADY not pending. */
int policy_request_approve(sqlite3 *db, const accounts *acc, int64_t id, uint32_t decided_by,
                           const export_paths *paths, request_row *ret);

/* Rejects pending request id; reason may be NULL. */
int policy_request_reject(sqlite3 *db, int64_t id, uint32_t decided_by, const char *reason, request_row *ret);

/* Inside the caller's transaction: marks the pending request of (owner_uid,
 * gid), if any, as approved by decided_by (NULL: by policy). Returns 1 when
 * there was one, 0 when not. Used when a delegation comes about another
 * way (an administrator's direct grant). */
int requests_settle_pending(sqlite3 *db, uint32_t owner_uid, uint32_t gid, const uint32_t *decided_by, int64_t now);

/* Inside the caller's transaction: rejects every pending request for gid
 * with reason; *ret_n counts them. */
int requests_reject_pending_of_gid(sqlite3 *db, uint32_t gid, const uint32_t *decided_by, const char *reason,
                                   int64_t now, unsigned *ret_n);
