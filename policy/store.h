/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lookup.h"
#include "ranges.h"

/* Row-level writes shared by grant, revoke and import. Each runs inside the
 * caller's write transaction and logs its own failure. */

/* Whether name can be stored and exported as an owner or group name: 1 to
 * 256 bytes, no ':' (the field separator of /etc/subuid), no control
 * characters (a newline would forge a line), no leading or trailing space. */
bool policy_name_is_safe(const char *name);

/* Insert statements kept prepared across many rows (an import); pass NULL
 * to prepare one for a single call. */
typedef struct store_cache {
        sqlite3_stmt *insert_range;
        sqlite3_stmt *insert_delegation;
} store_cache;

void store_cache_done(store_cache *c);

int store_insert_range(sqlite3 *db, store_cache *cache, id_kind kind, uint32_t owner_uid, const char *owner_name,
                       const id_range *range, int64_t created_at, const char *origin);
int store_delete_range(sqlite3 *db, int64_t id);

int store_insert_delegation(sqlite3 *db, store_cache *cache, uint32_t gid, const char *group_name, uint32_t owner_uid,
                            const char *owner_name, int64_t created_at, const uint32_t *granted_by);
int store_delete_delegation(sqlite3 *db, int64_t id);

int quarantine_add(sqlite3 *db, id_kind kind, const id_range *range, uint32_t former_uid, const char *former_name,
                   const char *reason, int64_t since);

/* Takes want out of the quarantined pieces (as found by
 * overlap_find_quarantine): each is deleted and whatever of it lies outside
 * want is put back with its former owner, reason and date. */
int quarantine_take(sqlite3 *db, const quarantine_row *pieces, size_t n, const id_range *want);
