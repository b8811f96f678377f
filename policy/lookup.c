/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lookup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/grow.h"
#include "../common/log.h"
#include "../common/parse.h"
#include "db.h"

#define RANGE_COLS "id, kind, owner_uid, owner_name, first, count, created_at, origin"
#define QUARANTINE_COLS "id, kind, first, count, former_uid, former_name, reason, since"
#define DELEGATION_COLS "id, gid, group_name, owner_uid, owner_name, created_at"

int id_kind_from_string(const char *s, id_kind *ret) {
        if (s && strcmp(s, "uid") == 0)
                *ret = ID_KIND_UID;
        else if (s && strcmp(s, "gid") == 0)
                *ret = ID_KIND_GID;
        else
                return -EBADMSG;
        return 0;
}

void range_row_done(range_row *r) {
        free(r->owner_name);
        free(r->origin);
        *r = (range_row) {};
}

void quarantine_row_done(quarantine_row *q) {
        free(q->former_name);
        free(q->reason);
        *q = (quarantine_row) {};
}

void delegation_row_done(delegation_row *d) {
        free(d->group_name);
        free(d->owner_name);
        *d = (delegation_row) {};
}

void range_rows_free(range_row *r, size_t n) {
        for (size_t i = 0; i < n; i++)
                range_row_done(&r[i]);
        free(r);
}

void quarantine_rows_free(quarantine_row *q, size_t n) {
        for (size_t i = 0; i < n; i++)
                quarantine_row_done(&q[i]);
        free(q);
}

void delegation_rows_free(delegation_row *d, size_t n) {
        for (size_t i = 0; i < n; i++)
                delegation_row_done(&d[i]);
        free(d);
}

static int column_strdup(sqlite3_stmt *st, int col, char **ret) {
        const unsigned char *t = sqlite3_column_text(st, col);
        char *copy = strdup(t ? (const char *) t : "");

        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

/* The schema's CHECKs guarantee these bounds; a reader still refuses a bad
 * row rather than act on a wrapped-around number. */
static int column_id(sqlite3_stmt *st, int col, uint32_t *ret) {
        sqlite3_int64 v = sqlite3_column_int64(st, col);

        if (sqlite3_column_type(st, col) != SQLITE_INTEGER || v < 0 || v > (sqlite3_int64) ID_MAX)
                return -EBADMSG;
        *ret = (uint32_t) v;
        return 0;
}

static int column_range(sqlite3_stmt *st, int col_first, int col_count, id_range *ret) {
        sqlite3_int64 first = sqlite3_column_int64(st, col_first), count = sqlite3_column_int64(st, col_count);

        if (first < 0 || count < 1 || first + count > (sqlite3_int64) UINT32_MAX)
                return -EBADMSG;
        *ret = (id_range) { (uint32_t) first, (uint32_t) count };
        return 0;
}

static int corrupt(const char *table, sqlite3_int64 id) {
        log_error("policy database: corrupt row %lld in table %s", (long long) id, table);
        return -EBADMSG;
}

/* Reads a row selected with RANGE_COLS. */
static int read_range_row(sqlite3_stmt *st, range_row *ret) {
        range_row row = { .id = sqlite3_column_int64(st, 0) };
        int r;

        if (id_kind_from_string((const char *) sqlite3_column_text(st, 1), &row.kind) < 0 ||
            column_id(st, 2, &row.owner_uid) < 0 || column_range(st, 4, 5, &row.range) < 0)
                return corrupt("ranges", row.id);
        row.created_at = sqlite3_column_int64(st, 6);
        r = column_strdup(st, 3, &row.owner_name);
        if (r >= 0)
                r = column_strdup(st, 7, &row.origin);
        if (r < 0) {
                range_row_done(&row);
                return log_error_errno(r, "cannot read the policy database");
        }
        *ret = row;
        return 0;
}

static int read_quarantine_row(sqlite3_stmt *st, quarantine_row *ret) {
        quarantine_row row = { .id = sqlite3_column_int64(st, 0) };
        int r;

        if (id_kind_from_string((const char *) sqlite3_column_text(st, 1), &row.kind) < 0 ||
            column_range(st, 2, 3, &row.range) < 0 || column_id(st, 4, &row.former_uid) < 0)
                return corrupt("quarantine", row.id);
        row.since = sqlite3_column_int64(st, 7);
        r = column_strdup(st, 5, &row.former_name);
        if (r >= 0)
                r = column_strdup(st, 6, &row.reason);
        if (r < 0) {
                quarantine_row_done(&row);
                return log_error_errno(r, "cannot read the policy database");
        }
        *ret = row;
        return 0;
}

static int read_delegation_row(sqlite3_stmt *st, delegation_row *ret) {
        delegation_row row = { .id = sqlite3_column_int64(st, 0) };
        int r;

        if (column_id(st, 1, &row.gid) < 0 || column_id(st, 3, &row.owner_uid) < 0)
                return corrupt("delegations", row.id);
        row.created_at = sqlite3_column_int64(st, 5);
        r = column_strdup(st, 2, &row.group_name);
        if (r >= 0)
                r = column_strdup(st, 4, &row.owner_name);
        if (r < 0) {
                delegation_row_done(&row);
                return log_error_errno(r, "cannot read the policy database");
        }
        *ret = row;
        return 0;
}

int overlap_finder_init(sqlite3 *db, overlap_finder *ret) {
        overlap_finder f = { .db = db };
        int r;

        r = policy_db_prepare(db,
                              "SELECT " RANGE_COLS " FROM ranges INDEXED BY ranges_by_first"
                              " WHERE kind = ?1 AND first <= ?2 ORDER BY first DESC LIMIT 1",
                              &f.range_before);
        if (r >= 0)
                r = policy_db_prepare(db,
                                      "SELECT " RANGE_COLS " FROM ranges INDEXED BY ranges_by_first"
                                      " WHERE kind = ?1 AND first BETWEEN ?2 AND ?3 ORDER BY first LIMIT 1",
                                      &f.range_within);
        if (r >= 0)
                r = policy_db_prepare(db,
                                      "SELECT " QUARANTINE_COLS " FROM quarantine INDEXED BY quarantine_by_first"
                                      " WHERE kind = ?1 AND first <= ?2 ORDER BY first DESC LIMIT 1",
                                      &f.quarantine_before);
        if (r >= 0)
                r = policy_db_prepare(db,
                                      "SELECT " QUARANTINE_COLS " FROM quarantine INDEXED BY quarantine_by_first"
                                      " WHERE kind = ?1 AND first BETWEEN ?2 AND ?3 ORDER BY first",
                                      &f.quarantine_within);
        if (r < 0) {
                overlap_finder_done(&f);
                return r;
        }
        *ret = f;
        return 0;
}

void overlap_finder_done(overlap_finder *f) {
        sqlite3_finalize(f->range_before);
        sqlite3_finalize(f->range_within);
        sqlite3_finalize(f->quarantine_before);
        sqlite3_finalize(f->quarantine_within);
        *f = (overlap_finder) {};
}

static void bind_kind_range(sqlite3_stmt *st, id_kind kind, const id_range *r, bool with_last) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        sqlite3_bind_text(st, 1, id_kind_to_string(kind), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, r->first);
        if (with_last)
                sqlite3_bind_int64(st, 3, range_last(r));
}

/* Steps a one-row query: 1 with the row read, 0 when there is none. */
static int step_range_row(overlap_finder *f, sqlite3_stmt *st, range_row *ret) {
        int rc = sqlite3_step(st), r;

        if (rc == SQLITE_DONE)
                r = 0;
        else if (rc != SQLITE_ROW)
                r = policy_db_error(f->db, rc, "look up ranges");
        else {
                r = read_range_row(st, ret);
                if (r >= 0)
                        r = 1;
        }
        sqlite3_reset(st);
        return r;
}

int overlap_find_range(overlap_finder *f, id_kind kind, const id_range *want, range_row *ret) {
        range_row row;
        int r;

        bind_kind_range(f->range_before, kind, want, false);
        r = step_range_row(f, f->range_before, &row);
        if (r < 0)
                return r;
        if (r > 0) {
                if (ranges_overlap(&row.range, want)) {
                        *ret = row;
                        return 1;
                }
                range_row_done(&row);
        }
        bind_kind_range(f->range_within, kind, want, true);
        return step_range_row(f, f->range_within, ret);
}

int overlap_find_quarantine(overlap_finder *f, id_kind kind, const id_range *want, quarantine_row **ret,
                            size_t *ret_n) {
        quarantine_row *list = NULL;
        size_t n = 0, capacity = 0;
        int r = 0, rc;

        bind_kind_range(f->quarantine_before, kind, want, false);
        bind_kind_range(f->quarantine_within, kind, want, true);

        /* The piece starting before want counts if it reaches into it; it
         * cannot also start inside want (first <= want->first). */
        for (sqlite3_stmt *st = f->quarantine_before; st && r >= 0;
             st = st == f->quarantine_before ? f->quarantine_within : NULL) {
                while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                        quarantine_row row;

                        r = read_quarantine_row(st, &row);
                        if (r < 0)
                                break;
                        if (!ranges_overlap(&row.range, want) || (n > 0 && list[n - 1].id == row.id)) {
                                quarantine_row_done(&row);
                                continue;
                        }
                        r = GROW(list, n, capacity);
                        if (r < 0) {
                                quarantine_row_done(&row);
                                r = log_error_errno(r, "cannot read the quarantine");
                                break;
                        }
                        list[n++] = row;
                }
                if (r >= 0 && rc != SQLITE_DONE)
                        r = policy_db_error(f->db, rc, "look up the quarantine");
                sqlite3_reset(st);
        }
        if (r < 0) {
                quarantine_rows_free(list, n);
                return r;
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

/* Runs a prepared statement selecting RANGE_COLS, collecting every row. */
static int collect_range_rows(sqlite3 *db, sqlite3_stmt *st, const id_range *filter, range_row **ret,
                              size_t *ret_n) {
        range_row *list = NULL;
        size_t n = 0, capacity = 0;
        int r = 0, rc;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                range_row row;

                r = read_range_row(st, &row);
                if (r < 0)
                        break;
                if (filter && !ranges_overlap(&row.range, filter)) {
                        range_row_done(&row);
                        continue;
                }
                r = GROW(list, n, capacity);
                if (r < 0) {
                        range_row_done(&row);
                        r = log_error_errno(r, "cannot read ranges");
                        break;
                }
                list[n++] = row;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = policy_db_error(db, rc, "read ranges");
        if (r < 0) {
                range_rows_free(list, n);
                return r;
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

static int collect_delegation_rows(sqlite3 *db, sqlite3_stmt *st, delegation_row **ret, size_t *ret_n) {
        delegation_row *list = NULL;
        size_t n = 0, capacity = 0;
        int r = 0, rc;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                delegation_row row;

                r = read_delegation_row(st, &row);
                if (r < 0)
                        break;
                r = GROW(list, n, capacity);
                if (r < 0) {
                        delegation_row_done(&row);
                        r = log_error_errno(r, "cannot read delegations");
                        break;
                }
                list[n++] = row;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = policy_db_error(db, rc, "read delegations");
        if (r < 0) {
                delegation_rows_free(list, n);
                return r;
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

int policy_owner_ranges_overlapping(sqlite3 *db, id_kind kind, uint32_t owner_uid, const id_range *want,
                                    range_row **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        /* One owner's ranges starting at or before the end of want; the
         * filter keeps those that reach into it. */
        r = policy_db_prepare(db,
                              "SELECT " RANGE_COLS " FROM ranges INDEXED BY ranges_by_owner"
                              " WHERE owner_uid = ?1 AND kind = ?2 AND first <= ?3 ORDER BY first",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, owner_uid);
        sqlite3_bind_text(st, 2, id_kind_to_string(kind), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, range_last(want));
        return collect_range_rows(db, st, want, ret, ret_n);
}

int policy_owner_rows(sqlite3 *db, uint32_t owner_uid, range_row **ret_ranges, size_t *ret_n_ranges,
                      delegation_row **ret_delegations, size_t *ret_n_delegations) {
        _cleanup_stmt_ sqlite3_stmt *sr = NULL, *sd = NULL;
        range_row *ranges = NULL;
        size_t n_ranges = 0;
        int r;

        r = policy_db_prepare(db,
                              "SELECT " RANGE_COLS " FROM ranges INDEXED BY ranges_by_owner"
                              " WHERE owner_uid = ?1 ORDER BY kind DESC, first",
                              &sr);
        if (r < 0)
                return r;
        sqlite3_bind_int64(sr, 1, owner_uid);
        r = policy_db_prepare(db, "SELECT " DELEGATION_COLS " FROM delegations WHERE owner_uid = ?1 ORDER BY gid",
                              &sd);
        if (r < 0)
                return r;
        sqlite3_bind_int64(sd, 1, owner_uid);

        r = collect_range_rows(db, sr, NULL, &ranges, &n_ranges);
        if (r < 0)
                return r;
        r = collect_delegation_rows(db, sd, ret_delegations, ret_n_delegations);
        if (r < 0) {
                range_rows_free(ranges, n_ranges);
                return r;
        }
        *ret_ranges = ranges;
        *ret_n_ranges = n_ranges;
        return 0;
}

static void owner_summary_done(owner_summary *o) {
        free(o->name);
        free(o->subuids);
        free(o->subgids);
        delegation_rows_free(o->delegations, o->n_delegations);
}

void owner_summaries_free(owner_summary *o, size_t n) {
        for (size_t i = 0; i < n; i++)
                owner_summary_done(&o[i]);
        free(o);
}

static int cmp_owner(const void *a, const void *b) {
        const owner_summary *x = a, *y = b;
        int c = strcmp(x->name, y->name);

        if (c != 0)
                return c;
        return (x->uid > y->uid) - (x->uid < y->uid);
}

typedef struct owner_list {
        owner_summary *owners;
        size_t n, capacity;
} owner_list;

/* The last owner if it is (name, uid), else a new one appended: rows come
 * sorted by (name, uid), so one owner's rows are consecutive. */
static int owner_for(owner_list *l, const char *name, uint32_t uid, owner_summary **ret) {
        owner_summary *last = l->n > 0 ? &l->owners[l->n - 1] : NULL;
        char *copy;
        int r;

        if (last && last->uid == uid && strcmp(last->name, name) == 0) {
                *ret = last;
                return 0;
        }
        r = GROW(l->owners, l->n, l->capacity);
        if (r < 0)
                return r;
        copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        l->owners[l->n] = (owner_summary) { .uid = uid, .name = copy };
        *ret = &l->owners[l->n++];
        return 0;
}

/* Appends to an array without a stored capacity: it is kept at the next
 * power of two, so it grows exactly when n is 0 or a power of two. */
static int append_range(id_range **array, size_t *n, id_range range) {
        if (*n == 0 || (*n & (*n - 1)) == 0) {
                id_range *p = reallocarray(*array, *n ? *n * 2 : 1, sizeof *p);

                if (!p)
                        return -ENOMEM;
                *array = p;
        }
        (*array)[(*n)++] = range;
        return 0;
}

static int list_ranges(sqlite3 *db, const uint32_t *only_uid, owner_list *l) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = policy_db_prepare(db,
                              only_uid ? "SELECT owner_uid, owner_name, kind, first, count FROM ranges"
                                         " INDEXED BY ranges_by_owner WHERE owner_uid = ?1"
                                         " ORDER BY owner_name, owner_uid, kind, first"
                                       : "SELECT owner_uid, owner_name, kind, first, count FROM ranges"
                                         " ORDER BY owner_name, owner_uid, kind, first",
                              &st);
        if (r < 0)
                return r;
        if (only_uid)
                sqlite3_bind_int64(st, 1, *only_uid);

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *name = (const char *) sqlite3_column_text(st, 1);
                owner_summary *o;
                uint32_t uid;
                id_kind kind;
                id_range range;

                if (!name || column_id(st, 0, &uid) < 0 ||
                    id_kind_from_string((const char *) sqlite3_column_text(st, 2), &kind) < 0 ||
                    column_range(st, 3, 4, &range) < 0)
                        return corrupt("ranges", -1);
                r = owner_for(l, name, uid, &o);
                if (r >= 0)
                        r = kind == ID_KIND_UID ? append_range(&o->subuids, &o->n_subuids, range)
                                                : append_range(&o->subgids, &o->n_subgids, range);
                if (r < 0)
                        return log_error_errno(r, "cannot list ranges");
        }
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "list ranges");
        return 0;
}

static int list_delegations(sqlite3 *db, const uint32_t *only_uid, owner_list *l) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        size_t n_with_ranges = l->n, capacity = 0;
        owner_summary *o = NULL;
        int r, rc;

        r = policy_db_prepare(db,
                              only_uid ? "SELECT " DELEGATION_COLS " FROM delegations WHERE owner_uid = ?1"
                                         " ORDER BY owner_name, owner_uid, gid"
                                       : "SELECT " DELEGATION_COLS " FROM delegations"
                                         " ORDER BY owner_name, owner_uid, gid",
                              &st);
        if (r < 0)
                return r;
        if (only_uid)
                sqlite3_bind_int64(st, 1, *only_uid);

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                owner_summary key;
                delegation_row row;

                r = read_delegation_row(st, &row);
                if (r < 0)
                        return r;
                key = (owner_summary) { .uid = row.owner_uid, .name = row.owner_name };
                /* An owner with ranges is found among the sorted first part;
                 * one with only delegations is the last appended, or new. */
                if (!o || cmp_owner(o, &key) != 0) {
                        o = bsearch(&key, l->owners, n_with_ranges, sizeof *l->owners, cmp_owner);
                        if (!o) {
                                r = owner_for(l, row.owner_name, row.owner_uid, &o);
                                if (r < 0) {
                                        delegation_row_done(&row);
                                        return log_error_errno(r, "cannot list delegations");
                                }
                        }
                        capacity = o->n_delegations;
                }
                r = GROW(o->delegations, o->n_delegations, capacity);
                if (r < 0) {
                        delegation_row_done(&row);
                        return log_error_errno(r, "cannot list delegations");
                }
                o->delegations[o->n_delegations++] = row;
        }
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "list delegations");
        return 0;
}

int policy_list_owners(sqlite3 *db, const uint32_t *only_uid, owner_summary **ret, size_t *ret_n) {
        owner_list l = {};
        int r;

        r = list_ranges(db, only_uid, &l);
        if (r >= 0)
                r = list_delegations(db, only_uid, &l);
        if (r < 0) {
                owner_summaries_free(l.owners, l.n);
                return r;
        }
        if (l.n > 1)
                qsort(l.owners, l.n, sizeof *l.owners, cmp_owner);
        *ret = l.owners;
        *ret_n = l.n;
        return 0;
}

void who_owns_result_done(who_owns_result *w) {
        if (w->has_range)
                range_row_done(&w->range);
        if (w->has_quarantine)
                quarantine_row_done(&w->quarantine);
        delegation_rows_free(w->delegations, w->n_delegations);
        *w = (who_owns_result) {};
}

int policy_who_owns(sqlite3 *db, id_kind kind, uint32_t id, who_owns_result *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        who_owns_result w = {};
        overlap_finder f;
        quarantine_row *q = NULL;
        size_t n_q = 0;
        id_range one = { id, 1 };
        int r;

        r = overlap_finder_init(db, &f);
        if (r < 0)
                return r;
        r = overlap_find_range(&f, kind, &one, &w.range);
        if (r >= 0) {
                w.has_range = r > 0;
                r = overlap_find_quarantine(&f, kind, &one, &q, &n_q);
        }
        overlap_finder_done(&f);
        if (r >= 0 && n_q > 0) {
                /* At most one piece contains one id; keep the first. */
                w.quarantine = q[0];
                q[0] = (quarantine_row) {};
                w.has_quarantine = true;
        }
        quarantine_rows_free(q, n_q);

        if (r >= 0 && kind == ID_KIND_GID) {
                r = policy_db_prepare(db,
                                      "SELECT " DELEGATION_COLS " FROM delegations INDEXED BY delegations_by_gid"
                                      " WHERE gid = ?1 ORDER BY owner_name, owner_uid",
                                      &st);
                if (r >= 0) {
                        sqlite3_bind_int64(st, 1, id);
                        r = collect_delegation_rows(db, st, &w.delegations, &w.n_delegations);
                }
        }
        if (r < 0) {
                who_owns_result_done(&w);
                return r;
        }
        *ret = w;
        return 0;
}

/* The name stored with uid's rows; -ENOENT when uid holds nothing. */
static int stored_name_of_uid(sqlite3 *db, uint32_t uid, char **ret) {
        static const char *const queries[] = {
                "SELECT owner_name FROM ranges INDEXED BY ranges_by_owner WHERE owner_uid = ?1 LIMIT 1",
                "SELECT owner_name FROM delegations WHERE owner_uid = ?1 LIMIT 1",
        };

        for (size_t i = 0; i < ELEMENTSOF(queries); i++) {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                int r, rc;

                r = policy_db_prepare(db, queries[i], &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, uid);
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW)
                        return column_strdup(st, 0, ret);
                if (rc != SQLITE_DONE)
                        return policy_db_error(db, rc, "look up an owner");
        }
        return -ENOENT;
}

/* The uid stored under name; -ENOENT when none, -ENOTUNIQ when several.
 * Only reached for a name NSS no longer knows, so a scan is acceptable
 * here: no index has owner_name first. */
static int stored_uid_of_name(sqlite3 *db, const char *name, uint32_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        bool found = false;
        uint32_t uid = 0;
        int r, rc;

        r = policy_db_prepare(db,
                              "SELECT owner_uid FROM ranges WHERE owner_name = ?1"
                              " UNION SELECT owner_uid FROM delegations WHERE owner_name = ?1",
                              &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                uint32_t v;

                if (column_id(st, 0, &v) < 0)
                        return corrupt("ranges", -1);
                if (found && v != uid)
                        return -ENOTUNIQ;
                uid = v;
                found = true;
        }
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "look up an owner");
        if (!found)
                return -ENOENT;
        *ret = uid;
        return 0;
}

int policy_resolve_owner(sqlite3 *db, const accounts *acc, const char *text, account_user *ret) {
        _cleanup_free_ char *name = NULL;
        uint32_t uid;
        int r;

        r = accounts_resolve_user(acc, text, ret);
        if (r != -ENOENT)
                return r;

        if (parse_id(text, &uid) >= 0) {
                r = stored_name_of_uid(db, uid, &name);
                if (r < 0)
                        return r;
        } else {
                r = stored_uid_of_name(db, text, &uid);
                if (r < 0)
                        return r;
                name = strdup(text);
                if (!name)
                        return -ENOMEM;
        }
        *ret = (account_user) { TAKE_PTR(name), uid, UINT32_MAX };
        return 0;
}
