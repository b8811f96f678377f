/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdint.h>

#include "export.h"
#include "idsinuse.h"

/* Delegation of a host group's gid to one user (`subidctl grant USER
 * --group GROUP`, or an approved request): a row in table delegations,
 * exported as "USER:GID:1" in subgid after every range line. newgidmap
 * honours it only while USER is a member of the group (NSS, at map time),
 * so leaving the group ends it without any admin action.
 *
 * A delegation is refused when
 *   - the gid is 0 (root's group is never mappable), or the group or user
 *     name cannot be written to the exported files;
 *   - USER is not a member of the group now (primary or supplementary);
 *   - the group is USER's primary group: that gid is always mappable as the
 *     user's own, and podman refuses to start when /etc/subgid lists the
 *     user's own gid;
 *   - the gid lies inside a subordinate gid range (then two owners could
 *     map it, and the kernel refuses a gid map with that gid twice);
 *   - USER holds it already. */

/* The group a GROUP argument stands for: a group name, or a decimal gid
 * when no group has that name. -ENOENT when NSS knows neither. Logs
 * nothing: callers say what GROUP was for. */
int policy_resolve_group(const accounts *acc, const char *text, account_group *ret);

/* Frees the name of a group filled by policy_resolve_group. */
void policy_group_done(account_group *g);

/* Whether owner_uid holds the delegation of gid: 1 (and its row id in
 * *ret_id unless NULL), or 0. */
int delegation_find(sqlite3 *db, uint32_t owner_uid, uint32_t gid, int64_t *ret_id);

/* The checks above, inside the caller's transaction. what names the action
 * for the message, e.g. "delegate group rfriends (gid 2000) to alice";
 * a refusal is logged as "cannot <what>: <reason>". -EPERM (gid 0, not a
 * member), -EINVAL (bad name, primary group), -EEXIST (already held, inside
 * a range). */
int delegate_check(sqlite3 *db, const accounts *acc, const account_user *user, const account_group *group,
                   const char *what);

/* Inserts the delegation (after delegate_check) inside the caller's
 * transaction. granted_by is the administrator's uid, NULL for policy
 * "self". */
int delegate_insert(sqlite3 *db, const account_user *user, const account_group *group, const uint32_t *granted_by,
                    int64_t now);

/* The whole administrator's grant: one transaction with the checks, the
 * insert, a pending request of the same user and gid marked approved (the
 * grant answers it), the export, and the commit. */
int policy_delegate(sqlite3 *db, const accounts *acc, const account_user *user, const account_group *group,
                    uint32_t granted_by, const export_paths *paths);

/* Removes the delegation of gid to owner_uid and exports: 0, or -ENOENT
 * (logged) when there is none. (`subidctl revoke USER --group GROUP` goes
 * through policy_revoke, which also finds delegations by stored name.) */
int policy_undelegate(sqlite3 *db, uint32_t owner_uid, const char *owner_name, uint32_t gid,
                      const export_paths *paths);
