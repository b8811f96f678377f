/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "export.h"
#include "idsinuse.h"
#include "ranges.h"

/* `subidctl grant USER [--count N]`: fresh ranges from the pools of
 * subid.conf. For each kind USER holds no range of, count ids (default: the
 * pool's sub_uid_count / sub_gid_count) are found with alloc_find_free() —
 * never in a held or quarantined range, never containing the uid (subuids)
 * or gid (subgids) of an existing account — and granted like an explicit
 * range, all inside one write transaction, then exported. A user who holds
 * both kinds already is refused with -EEXIST; a pool without room is
 * -ENOSPC, and then nothing is granted, not even the other kind. */

typedef struct grant_pool_request {
        uint32_t owner_uid;
        const char *owner_name;
        uint32_t count; /* 0: the pool's default count of each kind */
} grant_pool_request;

typedef struct grant_pool_result {
        bool granted[2];     /* by id_kind */
        id_range ranges[2];  /* by id_kind, where granted */
} grant_pool_result;

int policy_grant_pool(sqlite3 *db, const grant_pool_request *req, const subid_config *config, const accounts *acc,
                      const export_paths *paths, grant_pool_result *ret);
