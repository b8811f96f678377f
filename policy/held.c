/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "held.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "query.h"

/* getgrouplist() needs a buffer guess; grow it this far and no further. */
#define MAX_GROUPS 65536

int user_in_group(const char *user, gid_t primary_gid, gid_t gid) {
        int n = 64;

        if (gid == primary_gid)
                return 1;
        for (;;) {
                _cleanup_free_ gid_t *groups = malloc((size_t) n * sizeof *groups);
                int want = n;

                if (!groups)
                        return -ENOMEM;
                if (getgrouplist(user, primary_gid, groups, &want) >= 0) {
                        for (int i = 0; i < want; i++)
                                if (groups[i] == gid)
                                        return 1;
                        return 0;
                }
                if (want <= n || want > MAX_GROUPS)
                        return -E2BIG;
                n = want;
        }
}

int policy_held_ranges(sqlite3 *db, id_kind kind, uint32_t uid, const char *user, gid_t primary_gid,
                       id_range **ret, size_t *ret_n) {
        _cleanup_free_ id_range *held = NULL;
        _cleanup_free_ uint32_t *gids = NULL;
        size_t n_held = 0, n_gids = 0;
        int r;

        r = policy_owner_ranges(db, kind, uid, &held, &n_held);
        if (r < 0)
                return r;

        if (kind == ID_KIND_GID) {
                r = policy_owner_delegations(db, uid, &gids, &n_gids);
                if (r < 0)
                        return r;
        }
        if (n_gids > 0) {
                id_range *p = realloc(held, (n_held + n_gids) * sizeof *held);

                if (!p)
                        return -ENOMEM;
                held = p;
                /* A delegation counts only while the user is in the group:
                 * leaving the group ends it without any admin action. */
                for (size_t i = 0; i < n_gids; i++) {
                        r = user_in_group(user, primary_gid, gids[i]);
                        if (r < 0)
                                return log_error_errno(r, "cannot read the groups of %s", user);
                        if (r > 0)
                                held[n_held++] = (id_range) { gids[i], 1 };
                }
        }

        *ret = n_held > 0 ? TAKE_PTR(held) : NULL;
        *ret_n = n_held;
        return 0;
}
