/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>

#include "idsinuse.h"
#include "ranges.h"

/* Finds count free ids of kind inside the pool [pool_min, pool_max]: free
 * means in no subordinate range, in no quarantined range (a revoked or
 * deleted owner's ids are never handed out again automatically), and no id
 * of taken (uids or gids of existing accounts and groups).
 *
 * Allocation goes upward from the pool's high-water mark, which is two
 * index lookups however many ranges exist; only when the top of the pool
 * is exhausted does it search the gaps below, in id order. Call inside the
 * write transaction that inserts the result, so concurrent allocations
 * cannot pick the same ids. Returns 0, or -ENOSPC when no gap fits. */
int alloc_find_free(sqlite3 *db, id_kind kind, uint32_t pool_min, uint32_t pool_max, uint32_t count,
                    const id_set *taken, id_range *ret);
