/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "revoke.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/cleanup.h"
#include "../common/grow.h"
#include "../common/log.h"
#include "db.h"
#include "grant.h"
#include "lookup.h"
#include "store.h"

#define QUARANTINE_REASON_REVOKE "revoke"

void revoke_result_done(revoke_result *r) {
        for (size_t i = 0; i < r->n_items; i++)
                free(r->items[i].group_name);
        free(r->items);
        *r = (revoke_result) {};
}

typedef struct revoke_ctx {
        sqlite3 *db;
        const revoke_request *req;
        int64_t now;
        revoke_result result;
        size_t capacity;
} revoke_ctx;

static int add_item(revoke_ctx *c, revoke_item item) {
        int r = GROW(c->result.items, c->result.n_items, c->capacity);

        if (r < 0) {
                free(item.group_name);
                return log_error_errno(r, "cannot revoke");
        }
        c->result.items[c->result.n_items++] = item;
        return 0;
}

/* Takes want out of one held row: the row goes, the parts outside want come
 * back as rows of their own (keeping date and origin), the part inside want
 * goes to quarantine. */
static int revoke_from_row(revoke_ctx *c, const range_row *row, const id_range *want) {
        id_range rest[2];
        size_t n_rest;
        uint32_t first = row->range.first > want->first ? row->range.first : want->first;
        uint64_t end = range_end(&row->range) < range_end(want) ? range_end(&row->range) : range_end(want);
        id_range taken = { first, (uint32_t) (end - first) };
        int r;

        r = store_delete_range(c->db, row->id);
        if (r < 0)
                return r;
        range_subtract(&row->range, want, rest, &n_rest);
        for (size_t i = 0; i < n_rest; i++) {
                r = store_insert_range(c->db, NULL, row->kind, row->owner_uid, row->owner_name, &rest[i],
                                       row->created_at, row->origin);
                if (r < 0)
                        return r;
        }
        r = quarantine_add(c->db, row->kind, &taken, row->owner_uid, row->owner_name, QUARANTINE_REASON_REVOKE,
                           c->now);
        if (r < 0)
                return r;
        return add_item(c, (revoke_item) { .type = REVOKED_RANGE, .kind = row->kind, .range = taken });
}

static int revoke_range(revoke_ctx *c, id_kind kind, const id_range *want) {
        _cleanup_free_ id_range *held = NULL;
        range_row *rows = NULL;
        size_t n = 0;
        int r;

        if (!range_is_valid(want)) {
                log_error("cannot revoke %s from %s: invalid range", id_kind_to_plural(kind), c->req->owner_name);
                return -EINVAL;
        }
        r = policy_owner_ranges_overlapping(c->db, kind, c->req->owner_uid, want, &rows, &n);
        if (r < 0)
                return r;
        held = calloc(n ? n : 1, sizeof *held);
        if (!held) {
                range_rows_free(rows, n);
                return log_error_errno(-ENOMEM, "cannot revoke");
        }
        for (size_t i = 0; i < n; i++)
                held[i] = rows[i].range;
        if (!ranges_cover(held, n, want)) {
                log_error("cannot revoke %s %u-%u from %s (uid %u): not all of it is held by %s",
                          id_kind_to_plural(kind), want->first, range_last(want), c->req->owner_name,
                          c->req->owner_uid, c->req->owner_name);
                r = -ENOENT;
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                r = revoke_from_row(c, &rows[i], want);
        range_rows_free(rows, n);
        return r;
}

static int revoke_delegation_row(revoke_ctx *c, delegation_row *d) {
        int r = store_delete_delegation(c->db, d->id);

        if (r < 0)
                return r;
        return add_item(c, (revoke_item) { .type = REVOKED_DELEGATION,
                                           .gid = d->gid,
                                           .group_name = TAKE_PTR(d->group_name) });
}

/* Reads the matching delegations first and deletes them after: deleting
 * while stepping the same table is allowed by SQLite but harder to follow. */
static int find_group_delegations(revoke_ctx *c, delegation_row **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        delegation_row *rows = NULL;
        size_t n = 0, capacity = 0;
        int r, rc;

        /* By the stored name or by the group's current gid: a renamed or
         * deleted group can still be revoked. */
        r = policy_db_prepare(c->db,
                              "SELECT id, gid, group_name FROM delegations"
                              " WHERE owner_uid = ?1 AND (group_name = ?2 OR gid = ?3) ORDER BY gid",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, c->req->owner_uid);
        sqlite3_bind_text(st, 2, c->req->group, -1, SQLITE_STATIC);
        if (c->req->group_gid)
                sqlite3_bind_int64(st, 3, *c->req->group_gid);
        else
                sqlite3_bind_null(st, 3);

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const unsigned char *name = sqlite3_column_text(st, 2);
                delegation_row d = {
                        .id = sqlite3_column_int64(st, 0),
                        .gid = (uint32_t) sqlite3_column_int64(st, 1),
                        .owner_uid = c->req->owner_uid,
                };

                r = GROW(rows, n, capacity);
                if (r >= 0) {
                        d.group_name = strdup(name ? (const char *) name : "");
                        if (!d.group_name)
                                r = -ENOMEM;
                }
                if (r < 0) {
                        delegation_rows_free(rows, n);
                        return log_error_errno(r, "cannot revoke");
                }
                rows[n++] = d;
        }
        if (rc != SQLITE_DONE) {
                delegation_rows_free(rows, n);
                return policy_db_error(c->db, rc, "look up delegations");
        }
        *ret = rows;
        *ret_n = n;
        return 0;
}

static int revoke_group(revoke_ctx *c) {
        delegation_row *rows = NULL;
        size_t n = 0;
        int r;

        r = find_group_delegations(c, &rows, &n);
        if (r < 0)
                return r;
        if (n == 0) {
                log_error("cannot revoke group %s from %s (uid %u): no such delegation", c->req->group,
                          c->req->owner_name, c->req->owner_uid);
                r = -ENOENT;
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                r = revoke_delegation_row(c, &rows[i]);
        delegation_rows_free(rows, n);
        return r;
}

static int revoke_everything(revoke_ctx *c) {
        range_row *ranges = NULL;
        delegation_row *delegations = NULL;
        size_t n_ranges = 0, n_delegations = 0;
        int r;

        r = policy_owner_rows(c->db, c->req->owner_uid, &ranges, &n_ranges, &delegations, &n_delegations);
        if (r < 0)
                return r;
        if (n_ranges == 0 && n_delegations == 0) {
                log_error("cannot revoke: %s (uid %u) holds no subordinate ids and no delegations",
                          c->req->owner_name, c->req->owner_uid);
                r = -ENOENT;
        }
        for (size_t i = 0; i < n_ranges && r >= 0; i++)
                r = revoke_from_row(c, &ranges[i], &ranges[i].range);
        for (size_t i = 0; i < n_delegations && r >= 0; i++)
                r = revoke_delegation_row(c, &delegations[i]);
        range_rows_free(ranges, n_ranges);
        delegation_rows_free(delegations, n_delegations);
        return r;
}

int policy_revoke(sqlite3 *db, const revoke_request *req, const export_paths *paths, revoke_result *ret) {
        revoke_ctx c = { .db = db, .req = req, .now = (int64_t) time(NULL) };
        int r;

        if (!req->everything && !req->subuids && !req->subgids && !req->group) {
                log_error("nothing to revoke");
                return -EINVAL;
        }
        r = policy_db_begin(db);
        if (r < 0)
                return r;
        if (req->everything)
                r = revoke_everything(&c);
        if (r >= 0 && req->subuids)
                r = revoke_range(&c, ID_KIND_UID, req->subuids);
        if (r >= 0 && req->subgids)
                r = revoke_range(&c, ID_KIND_GID, req->subgids);
        if (r >= 0 && req->group)
                r = revoke_group(&c);

        if (r >= 0)
                r = policy_commit_and_export(db, paths);
        else
                policy_db_rollback(db);
        if (r < 0) {
                revoke_result_done(&c.result);
                return r;
        }
        *ret = c.result;
        return 0;
}
