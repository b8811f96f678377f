/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idsinuse.h"
#include "ranges.h"

/* Read-only queries of the admin side: overlap checks (grant, import),
 * list, who-owns, and finding the owner a name or uid stands for.
 *
 * Subordinate ranges of one kind never overlap each other, and quarantined
 * pieces of one kind never overlap each other or a held range: grant and
 * import refuse overlaps and take a re-granted piece out of quarantine. So
 * the only row that can contain an id x is the one with the greatest
 * first <= x, and a range [F, L] overlaps exactly that row (if it reaches
 * F) plus the rows whose first lies in [F, L]. Both are index searches on
 * (kind, first): no lookup here ever scans a table. */

typedef struct range_row {
        int64_t id;
        id_kind kind;
        uint32_t owner_uid;
        char *owner_name;
        id_range range;
        int64_t created_at;
        char *origin;
} range_row;

typedef struct quarantine_row {
        int64_t id;
        id_kind kind;
        id_range range;
        uint32_t former_uid;
        char *former_name;
        char *reason;
        int64_t since;
} quarantine_row;

typedef struct delegation_row {
        int64_t id;
        uint32_t gid;
        char *group_name;
        uint32_t owner_uid;
        char *owner_name;
        int64_t created_at;
} delegation_row;

void range_row_done(range_row *r);
void quarantine_row_done(quarantine_row *q);
void delegation_row_done(delegation_row *d);
void quarantine_rows_free(quarantine_row *q, size_t n);
void range_rows_free(range_row *r, size_t n);
void delegation_rows_free(delegation_row *d, size_t n);

/* Prepared overlap lookups, reused for every line of an import. */
typedef struct overlap_finder {
        sqlite3 *db;
        sqlite3_stmt *range_before; /* greatest first <= x */
        sqlite3_stmt *range_within; /* first in [F, L], lowest first */
        sqlite3_stmt *quarantine_before;
        sqlite3_stmt *quarantine_within; /* all with first in [F, L] */
} overlap_finder;

int overlap_finder_init(sqlite3 *db, overlap_finder *ret);
void overlap_finder_done(overlap_finder *f);

/* The held range of kind overlapping r with the lowest first: returns 1 and
 * fills *ret, or 0 when r overlaps no held range. */
int overlap_find_range(overlap_finder *f, id_kind kind, const id_range *r, range_row *ret);

/* Every quarantined piece of kind overlapping r, by first. *ret is NULL
 * when there is none. */
int overlap_find_quarantine(overlap_finder *f, id_kind kind, const id_range *r, quarantine_row **ret, size_t *ret_n);

/* The ranges of kind held by owner_uid that overlap r (one owner's index
 * range), by first, with their row ids. */
int policy_owner_ranges_overlapping(sqlite3 *db, id_kind kind, uint32_t owner_uid, const id_range *r,
                                    range_row **ret, size_t *ret_n);

/* Every range and delegation held by owner_uid. */
int policy_owner_rows(sqlite3 *db, uint32_t owner_uid, range_row **ret_ranges, size_t *ret_n_ranges,
                      delegation_row **ret_delegations, size_t *ret_n_delegations);

/* What `list` shows for one owner. Owners are keyed by (name, uid) as
 * stored, so a stale name after a rename or a reused name shows up. */
typedef struct owner_summary {
        uint32_t uid;
        char *name;
        id_range *subuids;
        size_t n_subuids;
        id_range *subgids;
        size_t n_subgids;
        delegation_row *delegations;
        size_t n_delegations;
} owner_summary;

void owner_summaries_free(owner_summary *o, size_t n);

/* All owners (only_uid NULL) or the rows of one uid, sorted by name, then
 * uid; each owner's ranges by first and delegations by gid. */
int policy_list_owners(sqlite3 *db, const uint32_t *only_uid, owner_summary **ret, size_t *ret_n);

/* Who holds host id `id` of kind: the range containing it, the quarantined
 * piece containing it, and (gids) every delegation of it. */
typedef struct who_owns_result {
        bool has_range;
        range_row range;
        bool has_quarantine;
        quarantine_row quarantine;
        delegation_row *delegations;
        size_t n_delegations;
} who_owns_result;

void who_owns_result_done(who_owns_result *w);
int policy_who_owns(sqlite3 *db, id_kind kind, uint32_t id, who_owns_result *ret);

/* The user a command-line USER stands for: an account (by name, or by
 * numeric uid), else, so that a deleted account's ranges can still be listed
 * and revoked, the owner stored in the database under that name or uid.
 * A deleted account's primary gid is unknown: ret->gid is UINT32_MAX.
 * -ENOENT when neither knows it, -ENOTUNIQ when the name is stored for
 * several uids. Logs nothing: callers say what USER was for. */
int policy_resolve_owner(sqlite3 *db, const accounts *acc, const char *text, account_user *ret);

/* "uid" / "gid" back to the enum; -EBADMSG for anything else. */
int id_kind_from_string(const char *s, id_kind *ret);
