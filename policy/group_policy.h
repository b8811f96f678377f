/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "idsinuse.h"

/* `subidctl group allow GROUP --policy self|approve` / `group deny GROUP`:
 * which host groups members may ask to have delegated (table
 * group_policies), and how a request is decided: "self" grants it at once,
 * "approve" leaves it pending for an administrator. A group without a row
 * is closed to requests; an administrator can still delegate it directly. */

typedef enum group_policy_kind {
        GROUP_POLICY_SELF,
        GROUP_POLICY_APPROVE,
} group_policy_kind;

typedef struct group_policy {
        uint32_t gid;
        char *group_name; /* as stored when the policy was set */
        group_policy_kind policy;
        int64_t set_at;
        bool has_set_by;
        uint32_t set_by; /* uid of the administrator */
} group_policy;

void group_policy_done(group_policy *p);

/* "self" / "approve" and back; -EINVAL for anything else. */
const char *group_policy_to_string(group_policy_kind kind);
int group_policy_from_string(const char *s, group_policy_kind *ret);

/* Opens group to requests with policy, replacing an earlier policy of the
 * same gid. Refuses gid 0 and names that cannot be stored (-EINVAL,
 * logged). Its own transaction. */
int policy_group_allow(sqlite3 *db, const account_group *group, group_policy_kind policy, const uint32_t *set_by);

/* Closes the group with this gid to requests; requests still pending for it
 * are rejected (decided_by set_by, reason given), since nobody may grant
 * them any more by policy. *ret_rejected counts them. -ENOENT (logged) when
 * the group was not open. Delegations already granted stay: revoking them
 * is `subidctl revoke USER --group GROUP`. Its own transaction. */
int policy_group_deny(sqlite3 *db, uint32_t gid, const char *group_name, const uint32_t *decided_by,
                      unsigned *ret_rejected);

/* The policy of gid: 1 and *ret filled, or 0 when the group is not open
 * to requests. Logs only database failures. */
int policy_group_policy_get(sqlite3 *db, uint32_t gid, group_policy *ret);

/* The gid stored in group_policies under name (a group deleted or renamed
 * since it was allowed): 0, or -ENOENT. Logs only database failures. */
int policy_group_policy_gid_by_name(sqlite3 *db, const char *name, uint32_t *ret);
