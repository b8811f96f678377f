/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "grant.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/cleanup.h"
#include "../common/grow.h"
#include "../common/log.h"
#include "db.h"
#include "store.h"

const char *id_kind_to_plural(id_kind kind) {
        return kind == ID_KIND_UID ? "subuids" : "subgids";
}

void grant_result_done(grant_result *r) {
        for (size_t i = 0; i < r->n_reclaimed; i++)
                free(r->reclaimed[i].former_name);
        free(r->reclaimed);
        *r = (grant_result) {};
}

typedef struct grant_ctx {
        id_kind kind;
        const id_range *range;
        const char *owner_name;
} grant_ctx;

static int refuse(const grant_ctx *c, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Logs "cannot grant subuids F-L to NAME: <reason>" and returns r. */
static int refuse(const grant_ctx *c, int r, const char *fmt, ...) {
        char reason[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(reason, sizeof reason, fmt, ap);
        va_end(ap);
        log_error("cannot grant %s %u-%u to %s: %s", id_kind_to_plural(c->kind), c->range->first,
                  range_last(c->range), c->owner_name, reason);
        return r;
}

/* A uid (subuids) or gid (subgids) of an existing account inside the range
 * would let the holder map that account's files. */
static int check_accounts(const grant_ctx *c, const accounts *acc) {
        const id_set *taken = c->kind == ID_KIND_UID ? &acc->uids : &acc->gids;
        uint32_t id;

        if (!id_set_find_in_range(taken, c->range, &id))
                return 0;
        if (c->kind == ID_KIND_UID) {
                account_user u = {};
                int k = accounts_user_by_uid(acc, id, &u);
                int r = refuse(c, -EEXIST, "the range contains uid %u of existing user %s", id,
                               k >= 0 ? u.name : "?");

                account_user_done(&u);
                return r;
        }
        _cleanup_free_ char *group = NULL;
        int k = accounts_group_name(acc, id, &group);

        return refuse(c, -EEXIST, "the range contains gid %u of existing group %s", id, k >= 0 ? group : "?");
}

static int check_held(const grant_ctx *c, overlap_finder *f, uint32_t owner_uid) {
        range_row row;
        int r;

        r = overlap_find_range(f, c->kind, c->range, &row);
        if (r <= 0)
                return r;
        if (row.owner_uid == owner_uid)
                r = refuse(c, -EEXIST, "%s already holds %s %u-%u", row.owner_name, id_kind_to_plural(c->kind),
                           row.range.first, range_last(&row.range));
        else
                r = refuse(c, -EEXIST, "overlaps %s %u-%u of %s (uid %u)", id_kind_to_plural(c->kind),
                           row.range.first, range_last(&row.range), row.owner_name, row.owner_uid);
        range_row_done(&row);
        return r;
}

static int record_reclaim(grant_result *result, size_t *capacity, const grant_ctx *c, const quarantine_row *q,
                          uint32_t owner_uid) {
        uint32_t first = q->range.first > c->range->first ? q->range.first : c->range->first;
        uint64_t end = range_end(&q->range) < range_end(c->range) ? range_end(&q->range) : range_end(c->range);
        char *name;
        int r;

        r = GROW(result->reclaimed, result->n_reclaimed, *capacity);
        if (r < 0)
                return r;
        name = strdup(q->former_name);
        if (!name)
                return -ENOMEM;
        result->reclaimed[result->n_reclaimed++] = (grant_reclaim) {
                .kind = c->kind,
                .range = { first, (uint32_t) (end - first) },
                .former_uid = q->former_uid,
                .former_name = name,
                .forced = q->former_uid != owner_uid,
        };
        return 0;
}

/* Quarantined ids go back only to their former owner, or with force. */
static int check_and_take_quarantine(sqlite3 *db, const grant_ctx *c, overlap_finder *f, uint32_t owner_uid,
                                     bool force, grant_result *result) {
        quarantine_row *pieces = NULL;
        size_t n = 0, capacity = result->n_reclaimed;
        int r;

        r = overlap_find_quarantine(f, c->kind, c->range, &pieces, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++)
                if (pieces[i].former_uid != owner_uid && !force)
                        r = refuse(c, -EPERM,
                                   "overlaps quarantined %s %u-%u formerly of %s (uid %u); use --force to hand "
                                   "them to another user",
                                   id_kind_to_plural(c->kind), pieces[i].range.first, range_last(&pieces[i].range),
                                   pieces[i].former_name, pieces[i].former_uid);
        for (size_t i = 0; i < n && r >= 0; i++) {
                r = record_reclaim(result, &capacity, c, &pieces[i], owner_uid);
                if (r < 0)
                        r = log_error_errno(r, "cannot grant");
        }
        if (r >= 0)
                r = quarantine_take(db, pieces, n, c->range);
        quarantine_rows_free(pieces, n);
        return r;
}

int grant_range_in_transaction(sqlite3 *db, overlap_finder *f, const accounts *acc, id_kind kind,
                               const id_range *range, uint32_t owner_uid, const char *owner_name, bool force,
                               int64_t now, grant_result *result) {
        grant_ctx c = { kind, range, owner_name };
        int r;

        if (!range_is_valid(range)) {
                log_error("cannot grant %s to %s: invalid range (first %u, count %u)", id_kind_to_plural(kind),
                          owner_name, range->first, range->count);
                return -EINVAL;
        }
        if (!policy_name_is_safe(owner_name))
                return refuse(&c, -EINVAL, "the user name cannot be written to the exported files");
        if (owner_uid > ID_MAX)
                return refuse(&c, -EINVAL, "invalid owner uid %u", owner_uid);
        /* Host root must never be mappable through a subordinate range. */
        if (range_contains_id(range, 0))
                return refuse(&c, -EPERM, "the range contains host id 0 (root)");

        r = check_held(&c, f, owner_uid);
        if (r < 0)
                return r;
        r = check_accounts(&c, acc);
        if (r < 0)
                return r;
        r = check_and_take_quarantine(db, &c, f, owner_uid, force, result);
        if (r < 0)
                return r;
        return store_insert_range(db, NULL, kind, owner_uid, owner_name, range, now, "grant");
}

int policy_grant_ranges(sqlite3 *db, const grant_request *req, const accounts *acc, const export_paths *paths,
                        grant_result *ret) {
        const id_range *wanted[] = { [ID_KIND_UID] = req->subuids, [ID_KIND_GID] = req->subgids };
        grant_result result = {};
        overlap_finder f;
        int64_t now = (int64_t) time(NULL);
        int r;

        if (!req->subuids && !req->subgids) {
                log_error("nothing to grant");
                return -EINVAL;
        }
        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = overlap_finder_init(db, &f);
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        for (id_kind kind = ID_KIND_UID; kind <= ID_KIND_GID && r >= 0; kind++)
                if (wanted[kind])
                        r = grant_range_in_transaction(db, &f, acc, kind, wanted[kind], req->owner_uid,
                                                       req->owner_name, req->force, now, &result);
        overlap_finder_done(&f);
        if (r >= 0)
                r = policy_commit_and_export(db, paths);
        else
                policy_db_rollback(db);
        if (r < 0) {
                grant_result_done(&result);
                return r;
        }
        *ret = result;
        return 0;
}
