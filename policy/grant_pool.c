/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "grant_pool.h"

#include <errno.h>
#include <time.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "alloc.h"
#include "db.h"
#include "grant.h"
#include "lookup.h"
#include "query.h"

typedef struct pool {
        uint32_t min, max, count;
} pool;

static pool pool_of(const subid_config *config, id_kind kind, uint32_t count) {
        if (kind == ID_KIND_UID)
                return (pool) { config->sub_uid_min, config->sub_uid_max, count ? count : config->sub_uid_count };
        return (pool) { config->sub_gid_min, config->sub_gid_max, count ? count : config->sub_gid_count };
}

/* Allocates and inserts one kind's range; *ret gets it. */
static int grant_from_pool(sqlite3 *db, overlap_finder *f, const grant_pool_request *req, const accounts *acc,
                           id_kind kind, const pool *p, int64_t now, id_range *ret) {
        const id_set *taken = kind == ID_KIND_UID ? &acc->uids : &acc->gids;
        grant_result unused = {};
        id_range range;
        int r;

        r = alloc_find_free(db, kind, p->min, p->max, p->count, taken, &range);
        if (r == -EINVAL)
                return log_error_errno(r, "cannot allocate %u %s from the pool %u-%u", p->count,
                                       id_kind_to_plural(kind), p->min, p->max);
        if (r < 0)
                return r; /* logged: -ENOSPC names the pool */
        /* The same checks as an explicit grant: the allocator already
         * avoided everything they refuse, so this only guards the engine.
         * Quarantine is never touched (force off, and alloc skips it). */
        r = grant_range_in_transaction(db, f, acc, kind, &range, req->owner_uid, req->owner_name, false, now,
                                       &unused);
        grant_result_done(&unused);
        if (r < 0)
                return r;
        *ret = range;
        return 0;
}

static int grant_pool_in_transaction(sqlite3 *db, const grant_pool_request *req, const subid_config *config,
                                     const accounts *acc, int64_t now, grant_pool_result *result) {
        _cleanup_free_ id_range *held_uids = NULL, *held_gids = NULL;
        size_t n_uids = 0, n_gids = 0;
        overlap_finder f;
        int r;

        r = policy_owner_ranges(db, ID_KIND_UID, req->owner_uid, &held_uids, &n_uids);
        if (r < 0)
                return r;
        r = policy_owner_ranges(db, ID_KIND_GID, req->owner_uid, &held_gids, &n_gids);
        if (r < 0)
                return r;
        if (n_uids > 0 && n_gids > 0) {
                log_error("%s already holds subuids %u-%u and subgids %u-%u", req->owner_name, held_uids[0].first,
                          range_last(&held_uids[0]), held_gids[0].first, range_last(&held_gids[0]));
                return -EEXIST;
        }

        r = overlap_finder_init(db, &f);
        if (r < 0)
                return r;
        for (id_kind kind = ID_KIND_UID; kind <= ID_KIND_GID && r >= 0; kind++) {
                pool p = pool_of(config, kind, req->count);

                if ((kind == ID_KIND_UID ? n_uids : n_gids) > 0)
                        continue;
                r = grant_from_pool(db, &f, req, acc, kind, &p, now, &result->ranges[kind]);
                if (r >= 0)
                        result->granted[kind] = true;
        }
        overlap_finder_done(&f);
        return r;
}

int policy_grant_pool(sqlite3 *db, const grant_pool_request *req, const subid_config *config, const accounts *acc,
                      const export_paths *paths, grant_pool_result *ret) {
        grant_pool_result result = {};
        int r;

        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = grant_pool_in_transaction(db, req, config, acc, (int64_t) time(NULL), &result);
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        r = policy_commit_and_export(db, paths);
        if (r < 0)
                return r;
        *ret = result;
        return 0;
}
