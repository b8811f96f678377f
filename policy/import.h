/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "export.h"
#include "idsinuse.h"
#include "ranges.h"

/* `subidctl import`: adopts existing shadow-format subuid/subgid files.
 *
 * Lines are OWNER:FIRST:COUNT, OWNER a user name or numeric uid; blank lines
 * are allowed, anything else that does not parse (checked parser: no signs,
 * spaces, hex or leading zeros) is refused with FILE:LINE. An entry is
 * refused, with FILE:LINE and the reason, when
 *   - its owner is not a known user;
 *   - it contains host id 0;
 *   - it contains the uid (subuid) or gid (subgid) of an existing account;
 *   - it overlaps another entry of the files (both are refused: which one is
 *     right is the admin's call) or a database range of another user, or
 *     partly overlaps one of the owner's own;
 *   - it overlaps a quarantined piece whose former owner is someone else.
 * A subgid entry of count 1 whose id is the gid of a group the owner is a
 * member of is a delegation (that is how export writes them). An entry the
 * database already has for that owner is skipped as "already present", so
 * importing our own export changes nothing. Quarantined pieces of the
 * owner's own are reclaimed.
 *
 * Default is all or nothing; with skip_bad the clean entries are imported
 * and the refused ones still reported. Validation and writes happen in one
 * write transaction, followed by the export. */

typedef enum import_state {
        IMPORT_PENDING,
        IMPORT_REFUSED,
        IMPORT_PRESENT,   /* identical row already in the database */
        IMPORT_DUPLICATE, /* identical to an earlier entry of the files */
        IMPORT_RANGE,     /* to insert as a range */
        IMPORT_DELEGATION /* to insert as a delegation */
} import_state;

typedef struct import_entry {
        size_t source; /* index into import_set.sources */
        size_t line;
        id_kind kind;
        char *owner; /* as written */
        id_range range;
        /* filled by validation */
        import_state state;
        bool resolved;
        account_user user;
        bool reclaim;     /* IMPORT_RANGE: takes the owner's own ids out of quarantine */
        char *group_name; /* IMPORT_DELEGATION */
        char *reason;     /* IMPORT_REFUSED */
} import_entry;

typedef struct import_refusal {
        size_t source;
        size_t line;
        char *reason;
} import_refusal;

typedef struct import_set {
        char **sources; /* file names, for FILE:LINE */
        size_t n_sources, cap_sources;
        import_entry *entries;
        size_t n_entries, cap_entries;
        import_refusal *refusals; /* malformed lines, then (after import) refused entries, sorted */
        size_t n_refusals, cap_refusals;
} import_set;

void import_set_done(import_set *s);

/* Parses one file's text from f; malformed lines become refusals. Fails
 * (-errno, logged) only when reading fails. */
int import_parse(import_set *s, FILE *f, const char *source, id_kind kind);

/* Opens and parses path (no symlinks to devices: a regular file only).
 * -ENOENT is returned without logging, so a caller can treat a missing
 * default file as empty. */
int import_parse_file(import_set *s, const char *path, id_kind kind);

typedef struct import_options {
        bool skip_bad;
        uint32_t admin_uid; /* recorded as granted_by of imported delegations */
} import_options;

typedef struct import_result {
        size_t ranges[2];   /* imported, by kind */
        size_t delegations; /* imported */
        size_t present;     /* already in the database */
        size_t duplicates;  /* repeated in the files */
        size_t reclaimed;   /* entries that took ids back out of quarantine */
        size_t refused;     /* == s->n_refusals */
        bool changed;       /* something was written (and exported) */
} import_result;

/* Validates s against the database and acc, then writes what is allowed.
 * Returns 0 whether or not entries were refused (see result and
 * s->refusals); -errno (logged) when the import itself failed, in which case
 * nothing changed. */
int policy_import(sqlite3 *db, import_set *s, const accounts *acc, const import_options *opts,
                  const export_paths *paths, import_result *ret);
