/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "ranges.h"

/* At most this many ranges or delegations are loaded for one owner: a bound
 * on what a helper allocates, far above any real policy. */
#define POLICY_MAX_PER_OWNER 4096

/* All subordinate ranges of kind held by owner_uid (one index range scan).
 * *ret is malloc'd (NULL when none). */
int policy_owner_ranges(sqlite3 *db, id_kind kind, uint32_t owner_uid, id_range **ret, size_t *ret_n);

/* All gids delegated to owner_uid, whatever the current group membership. */
int policy_owner_delegations(sqlite3 *db, uint32_t owner_uid, uint32_t **ret_gids, size_t *ret_n);
