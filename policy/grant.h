/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "idsinuse.h"
#include "lookup.h"
#include "ranges.h"

/* `subidctl grant USER --subuids F-L --subgids F-L`: explicit ranges, as
 * usermod --add-subuids. A range is refused when it
 *   - is not a valid range, or contains host id 0;
 *   - overlaps any held range of its kind, whoever holds it (the same user:
 *     "already holds");
 *   - contains the uid of an existing user (subuids) or the gid of an
 *     existing group (subgids);
 *   - overlaps a quarantined piece whose former owner is someone else,
 *     unless force is set.
 * Quarantined pieces it overlaps are taken out of quarantine: reclaimed by
 * their former owner, or taken over with force. */

typedef struct grant_request {
        uint32_t owner_uid;
        const char *owner_name;
        const id_range *subuids; /* NULL: none */
        const id_range *subgids; /* NULL: none */
        bool force;
} grant_request;

typedef struct grant_reclaim {
        id_kind kind;
        id_range range; /* the part taken out of quarantine */
        uint32_t former_uid;
        char *former_name;
        bool forced; /* the former owner was someone else */
} grant_reclaim;

typedef struct grant_result {
        grant_reclaim *reclaimed;
        size_t n_reclaimed;
} grant_result;

void grant_result_done(grant_result *r);

/* Checks and inserts one range inside the caller's write transaction;
 * appends what it took out of quarantine to *result. Logs a refusal as
 * "cannot grant subuids F-L to NAME: reason" and returns -EINVAL (bad
 * range), -EPERM (host id 0, or quarantine without force) or -EEXIST
 * (overlap with a held range or an existing account). */
int grant_range_in_transaction(sqlite3 *db, overlap_finder *f, const accounts *acc, id_kind kind,
                               const id_range *range, uint32_t owner_uid, const char *owner_name, bool force,
                               int64_t now, grant_result *result);

/* The whole command: one BEGIN IMMEDIATE transaction for both ranges, the
 * export, and commit. Nothing changes unless everything succeeds. */
int policy_grant_ranges(sqlite3 *db, const grant_request *req, const accounts *acc, const export_paths *paths,
                        grant_result *ret);

/* "subuids" / "subgids", as in the command line. */
const char *id_kind_to_plural(id_kind kind);
