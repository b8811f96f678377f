/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lookup.h"
#include "ranges.h"

/* `subidctl quarantine list|release`. Quarantined ids (revoked, or taken
 * from a deleted account by sync) are never handed out by automatic
 * allocation; releasing a piece is the administrator's explicit decision
 * that nothing on disk is owned by those ids any more (no container
 * storage, no files in a home directory), after which the pool may give
 * them to anyone. */

/* A position in the listing, ordered by kind (subuids first), then first. */
typedef struct quarantine_cursor {
        id_kind kind;
        uint32_t first;
} quarantine_cursor;

/* At most limit pieces after the cursor (NULL: from the start), in listing
 * order; *ret is NULL when there is none. */
int policy_quarantine_list(sqlite3 *db, const quarantine_cursor *after, size_t limit, quarantine_row **ret,
                           size_t *ret_n);

/* Deletes range of kind from the quarantine in one write transaction: it
 * must lie entirely inside quarantined pieces (adjacent pieces may chain),
 * otherwise -ENOENT (logged) and nothing changes. Parts of a piece outside
 * range stay quarantined. *ret gets the released parts, each with its
 * former owner and reason. Exported files do not list the quarantine, so
 * nothing is exported. */
int policy_quarantine_release(sqlite3 *db, id_kind kind, const id_range *range, quarantine_row **ret,
                              size_t *ret_n);

/* 1 when an administrator revoked ids of kind from this very account (a
 * quarantined piece with reason "revoke", former owner uid and name), 0 when
 * not: automatic allocation (sync, subid-admind's watcher, pam_subid) then
 * leaves that kind alone, so a revoke is not undone at the next login.
 * *cache keeps the statement prepared across calls (NULL: finalized by the
 * caller with sqlite3_finalize, or pass a pointer to NULL each time). */
int quarantine_revoked_from(sqlite3 *db, sqlite3_stmt **cache, id_kind kind, uint32_t uid, const char *name);
