/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/cleanup.h"
#include "../common/grow.h"
#include "../common/log.h"
#include "alloc.h"
#include "db.h"
#include "grant.h"
#include "quarantine.h"
#include "store.h"

#define QUARANTINE_REASON_USERDEL "userdel"
#define _cleanup_user_ __attribute__((cleanup(account_user_done)))
#define ORIGIN_AUTO "auto"

void sync_result_done(sync_result *r) {
        for (size_t i = 0; i < r->n_actions; i++) {
                free(r->actions[i].name);
                free(r->actions[i].new_name);
                free(r->actions[i].group_name);
        }
        free(r->actions);
        *r = (sync_result) {};
}

const char *sync_cause_to_string(sync_cause cause) {
        switch (cause) {
        case SYNC_CAUSE_DELETED:
                return "deleted";
        case SYNC_CAUSE_REUSED:
                return "uid reused";
        case SYNC_CAUSE_NOT_MEMBER:
                return "not a member";
        case SYNC_CAUSE_GROUP_DELETED:
                return "group deleted";
        case SYNC_CAUSE_NONE:
                break;
        }
        return "";
}

/* One (uid, name) pair as stored in ranges or delegations. */
typedef struct stored_owner {
        uint32_t uid;
        char *name;
} stored_owner;

typedef enum owner_fate {
        FATE_KEEP,
        FATE_RENAME,
        FATE_RENUMBER,
        FATE_GONE, /* deleted or reused: quarantine and remove */
} owner_fate;

/* Statements prepared once: a sync of 10,000 owners runs each thousands of
 * times inside one transaction. */
typedef struct sync_ctx {
        sqlite3 *db;
        const accounts *acc;
        const subid_config *config;
        bool distrust_renames, follow_renumbers;
        int64_t now;
        sync_result result;
        size_t capacity;
        sqlite3_stmt *owner_ranges;      /* ?1 uid, ?2 name */
        sqlite3_stmt *owner_delegations; /* ?1 uid, ?2 name */
        sqlite3_stmt *quarantine_owner;  /* ?1 uid, ?2 name, ?3 now */
        sqlite3_stmt *delete_ranges;     /* ?1 uid, ?2 name */
        sqlite3_stmt *delete_delegations;
        sqlite3_stmt *rename[3]; /* ranges, delegations, pending requests: ?1 uid, ?2 old, ?3 new */
        sqlite3_stmt *renumber[3]; /* the same: ?1 old uid, ?2 name, ?3 new uid */
        sqlite3_stmt *revoked;   /* quarantine_revoked_from */
        store_cache cache;
} sync_ctx;

static void sync_ctx_done(sync_ctx *c) {
        sqlite3_finalize(c->owner_ranges);
        sqlite3_finalize(c->owner_delegations);
        sqlite3_finalize(c->quarantine_owner);
        sqlite3_finalize(c->delete_ranges);
        sqlite3_finalize(c->delete_delegations);
        for (size_t i = 0; i < ELEMENTSOF(c->rename); i++)
                sqlite3_finalize(c->rename[i]);
        for (size_t i = 0; i < ELEMENTSOF(c->renumber); i++)
                sqlite3_finalize(c->renumber[i]);
        sqlite3_finalize(c->revoked);
        store_cache_done(&c->cache);
}

static int sync_ctx_prepare(sync_ctx *c) {
        static const char *const rename_sql[3] = {
                "UPDATE ranges SET owner_name = ?3 WHERE owner_uid = ?1 AND owner_name = ?2",
                "UPDATE delegations SET owner_name = ?3 WHERE owner_uid = ?1 AND owner_name = ?2",
                "UPDATE requests SET owner_name = ?3 WHERE owner_uid = ?1 AND owner_name = ?2 AND state = 'pending'",
        };
        int r;

        r = policy_db_prepare(c->db,
                              "SELECT kind, first, count FROM ranges WHERE owner_uid = ?1 AND owner_name = ?2"
                              " ORDER BY kind DESC, first",
                              &c->owner_ranges);
        if (r >= 0)
                r = policy_db_prepare(c->db,
                                      "SELECT gid, group_name FROM delegations WHERE owner_uid = ?1 AND owner_name = ?2"
                                      " ORDER BY gid",
                                      &c->owner_delegations);
        if (r >= 0)
                r = policy_db_prepare(c->db,
                                      "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since)"
                                      " SELECT kind, first, count, owner_uid, owner_name, '" QUARANTINE_REASON_USERDEL
                                      "', ?3 FROM ranges WHERE owner_uid = ?1 AND owner_name = ?2",
                                      &c->quarantine_owner);
        if (r >= 0)
                r = policy_db_prepare(c->db, "DELETE FROM ranges WHERE owner_uid = ?1 AND owner_name = ?2",
                                      &c->delete_ranges);
        if (r >= 0)
                r = policy_db_prepare(c->db, "DELETE FROM delegations WHERE owner_uid = ?1 AND owner_name = ?2",
                                      &c->delete_delegations);
        static const char *const renumber_sql[3] = {
                "UPDATE ranges SET owner_uid = ?3 WHERE owner_uid = ?1 AND owner_name = ?2",
                "UPDATE delegations SET owner_uid = ?3 WHERE owner_uid = ?1 AND owner_name = ?2",
                "UPDATE requests SET owner_uid = ?3 WHERE owner_uid = ?1 AND owner_name = ?2 AND state = 'pending'",
        };

        for (size_t i = 0; i < ELEMENTSOF(rename_sql) && r >= 0; i++)
                r = policy_db_prepare(c->db, rename_sql[i], &c->rename[i]);
        for (size_t i = 0; i < ELEMENTSOF(renumber_sql) && r >= 0 && c->follow_renumbers; i++)
                r = policy_db_prepare(c->db, renumber_sql[i], &c->renumber[i]);
        return r;
}

/* Binds (uid, name[, text3]) to a cached statement, reset first. */
static sqlite3_stmt *bind_owner(sqlite3_stmt *st, uint32_t uid, const char *name, const char *text3) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        sqlite3_bind_int64(st, 1, uid);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        if (text3)
                sqlite3_bind_text(st, 3, text3, -1, SQLITE_STATIC);
        return st;
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what) {
        int rc = sqlite3_step(st);

        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, what);
        return 0;
}

/* Appends an action; the strings are copied. */
static int add_action(sync_ctx *c, sync_action a, const char *name, const char *new_name, const char *group_name) {
        int r = GROW(c->result.actions, c->result.n_actions, c->capacity);

        if (r < 0)
                return log_error_errno(r, "sync: out of memory");
        a.name = name ? strdup(name) : NULL;
        a.new_name = new_name ? strdup(new_name) : NULL;
        a.group_name = group_name ? strdup(group_name) : NULL;
        if ((name && !a.name) || (new_name && !a.new_name) || (group_name && !a.group_name)) {
                free(a.name);
                free(a.new_name);
                free(a.group_name);
                return log_error_errno(-ENOMEM, "sync: out of memory");
        }
        c->result.actions[c->result.n_actions++] = a;
        return 0;
}

static void stored_owners_free(stored_owner *o, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(o[i].name);
        free(o);
}

/* Every (uid, name) the database holds rows for, sorted by uid, then name. */
static int load_stored_owners(sqlite3 *db, stored_owner **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        stored_owner *owners = NULL;
        size_t n = 0, capacity = 0;
        int r, rc;

        r = policy_db_prepare(db,
                              "SELECT owner_uid, owner_name FROM ranges"
                              " UNION SELECT owner_uid, owner_name FROM delegations ORDER BY 1, 2",
                              &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const unsigned char *name = sqlite3_column_text(st, 1);

                r = GROW(owners, n, capacity);
                if (r >= 0) {
                        owners[n].uid = (uint32_t) sqlite3_column_int64(st, 0);
                        owners[n].name = strdup(name ? (const char *) name : "");
                        if (!owners[n].name)
                                r = -ENOMEM;
                }
                if (r < 0) {
                        stored_owners_free(owners, n);
                        return log_error_errno(r, "sync: out of memory");
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                stored_owners_free(owners, n);
                return policy_db_error(db, rc, "list the owners");
        }
        *ret = owners;
        *ret_n = n;
        return 0;
}

/* Whether (uid, name) is stored: the owners of one uid are adjacent. */
static bool owner_stored(const stored_owner *owners, size_t n, size_t first_of_uid, uint32_t uid, const char *name) {
        for (size_t i = first_of_uid; i < n && owners[i].uid == uid; i++)
                if (strcmp(owners[i].name, name) == 0)
                        return true;
        return false;
}

/* What became of a stored owner (docs/decisions.md, "sync"). *ret_account
 * gets the name of the account that has the uid now, if any. */
/* follow_renumbers, for an owner whose uid has no account: FATE_RENUMBER
 * when its name is an account under a uid the database knows nothing of,
 * and no other stored owner has that name. */
static int renumbered_to(const sync_ctx *c, const stored_owner *owners, size_t n, const stored_owner *o,
                         owner_fate *ret, uint32_t *ret_new_uid) {
        _cleanup_user_ account_user by_name = {};
        int r;

        r = accounts_user_by_name(c->acc, o->name, &by_name);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "sync: cannot look up user %s in the user database; nothing changed",
                                       o->name);
        for (size_t i = 0; i < n; i++)
                if (owners[i].uid == by_name.uid || (&owners[i] != o && strcmp(owners[i].name, o->name) == 0))
                        return 0;
        *ret = FATE_RENUMBER;
        *ret_new_uid = by_name.uid;
        return 0;
}

static int owner_fate_of(const sync_ctx *c, const stored_owner *owners, size_t n, size_t first_of_uid,
                         const stored_owner *o, owner_fate *ret, sync_cause *ret_cause, char **ret_account,
                         uint32_t *ret_new_uid) {
        _cleanup_user_ account_user now = {}, by_name = {};
        size_t renamable = 0;
        int r;

        *ret_account = NULL;
        r = accounts_user_by_uid(c->acc, o->uid, &now);
        if (r == -ENOENT) {
                *ret = FATE_GONE;
                *ret_cause = SYNC_CAUSE_DELETED;
                return c->follow_renumbers ? renumbered_to(c, owners, n, o, ret, ret_new_uid) : 0;
        }
        if (r < 0)
                return log_error_errno(r, "sync: cannot look up uid %u (%s) in the user database; nothing changed",
                                       o->uid, o->name);
        if (strcmp(now.name, o->name) == 0) {
                *ret = FATE_KEEP;
                return 0;
        }
        r = accounts_user_by_name(c->acc, o->name, &by_name);
        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "sync: cannot look up user %s in the user database; nothing changed",
                                       o->name);
        if (r >= 0 && by_name.uid == o->uid) {
                /* Two names for one uid (an alias line in passwd): both are
                 * the same account. */
                *ret = FATE_KEEP;
                return 0;
        }
        *ret_account = TAKE_PTR(now.name);
        if (r >= 0 || owner_stored(owners, n, first_of_uid, o->uid, *ret_account)) {
                /* The stored name is somebody else now, or the account that has
                 * the uid was served under its own name already: reuse. */
                *ret = FATE_GONE;
                *ret_cause = SYNC_CAUSE_REUSED;
                return 0;
        }
        /* The stored name is no account any more: a rename, unless another
         * vanished name of the same uid claims the account too — then none of
         * them can be told to be the account's past name. */
        for (size_t i = first_of_uid; i < n && owners[i].uid == o->uid; i++) {
                _cleanup_user_ account_user other = {};

                if (accounts_user_by_name(c->acc, owners[i].name, &other) == -ENOENT)
                        renamable++;
        }
        if (renamable == 1 && !c->distrust_renames) {
                /* A name that cannot be exported (none reaches passwd in
                 * practice) is not taken; the rows keep the old one. */
                *ret = policy_name_is_safe(*ret_account) ? FATE_RENAME : FATE_KEEP;
                return 0;
        }
        *ret = FATE_GONE;
        *ret_cause = SYNC_CAUSE_REUSED;
        return 0;
}

static int renumber_owner(sync_ctx *c, const stored_owner *o, uint32_t new_uid) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(c->renumber); i++) {
                sqlite3_stmt *st = bind_owner(c->renumber[i], o->uid, o->name, NULL);

                sqlite3_bind_int64(st, 3, new_uid);
                r = step_done(c->db, st, "renumber an owner");
                if (r < 0)
                        return r;
        }
        c->result.n_renumbered++;
        return add_action(c, (sync_action) { .type = SYNC_RENUMBER, .uid = o->uid, .new_uid = new_uid }, o->name,
                          NULL, NULL);
}

static int rename_owner(sync_ctx *c, const stored_owner *o, const char *new_name) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(c->rename); i++) {
                r = step_done(c->db, bind_owner(c->rename[i], o->uid, o->name, new_name), "rename an owner");
                if (r < 0)
                        return r;
        }
        c->result.n_renamed++;
        return add_action(c, (sync_action) { .type = SYNC_RENAME, .uid = o->uid }, o->name, new_name, NULL);
}

/* Lists what goes, then moves the ranges to quarantine and deletes the rows
 * with three set-wise statements. */
static int retire_owner(sync_ctx *c, const stored_owner *o, sync_cause cause, const char *account) {
        sqlite3_stmt *st;
        int r = 0, rc = SQLITE_DONE;

        st = bind_owner(c->owner_ranges, o->uid, o->name, NULL);
        while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                const unsigned char *kind = sqlite3_column_text(st, 0);
                sync_action a = {
                        .type = SYNC_QUARANTINE,
                        .cause = cause,
                        .uid = o->uid,
                        .kind = kind && strcmp((const char *) kind, "gid") == 0 ? ID_KIND_GID : ID_KIND_UID,
                        .range = { (uint32_t) sqlite3_column_int64(st, 1), (uint32_t) sqlite3_column_int64(st, 2) },
                };

                r = add_action(c, a, o->name, account, NULL);
                c->result.n_quarantined++;
        }
        sqlite3_reset(st);
        if (r < 0)
                return r;
        if (rc != SQLITE_DONE)
                return policy_db_error(c->db, rc, "list an owner's ranges");

        st = bind_owner(c->owner_delegations, o->uid, o->name, NULL);
        while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                const unsigned char *group = sqlite3_column_text(st, 1);
                sync_action a = {
                        .type = SYNC_REMOVE_DELEGATION,
                        .cause = cause,
                        .uid = o->uid,
                        .gid = (uint32_t) sqlite3_column_int64(st, 0),
                };

                r = add_action(c, a, o->name, account, group ? (const char *) group : "");
                c->result.n_delegations_removed++;
        }
        sqlite3_reset(st);
        if (r < 0)
                return r;
        if (rc != SQLITE_DONE)
                return policy_db_error(c->db, rc, "list an owner's delegations");

        st = bind_owner(c->quarantine_owner, o->uid, o->name, NULL);
        sqlite3_bind_int64(st, 3, c->now);
        r = step_done(c->db, st, "quarantine an owner's ranges");
        if (r >= 0)
                r = step_done(c->db, bind_owner(c->delete_ranges, o->uid, o->name, NULL), "delete an owner's ranges");
        if (r >= 0)
                r = step_done(c->db, bind_owner(c->delete_delegations, o->uid, o->name, NULL),
                              "delete an owner's delegations");
        return r;
}

/* Step 1: deleted, reused and renamed owners. Fates are decided from the
 * state before any change, then applied. */
static int sync_owners(sync_ctx *c) {
        stored_owner *owners = NULL;
        size_t n = 0, first_of_uid = 0;
        int r;

        r = load_stored_owners(c->db, &owners, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *account = NULL;
                sync_cause cause = SYNC_CAUSE_NONE;
                owner_fate fate = FATE_KEEP;
                uint32_t new_uid = 0;

                if (i == 0 || owners[i].uid != owners[i - 1].uid)
                        first_of_uid = i;
                r = owner_fate_of(c, owners, n, first_of_uid, &owners[i], &fate, &cause, &account, &new_uid);
                if (r < 0)
                        break;
                if (fate == FATE_RENAME)
                        r = rename_owner(c, &owners[i], account);
                else if (fate == FATE_RENUMBER)
                        r = renumber_owner(c, &owners[i], new_uid);
                else if (fate == FATE_GONE)
                        r = retire_owner(c, &owners[i], cause, account);
        }
        stored_owners_free(owners, n);
        return r;
}

typedef struct delegation_ref {
        int64_t id;
        uint32_t gid, owner_uid;
        char *group_name, *owner_name;
} delegation_ref;

static void delegation_refs_free(delegation_ref *d, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(d[i].group_name);
                free(d[i].owner_name);
        }
        free(d);
}

static int load_delegations(sqlite3 *db, delegation_ref **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        delegation_ref *rows = NULL;
        size_t n = 0, capacity = 0;
        int r, rc;

        r = policy_db_prepare(db, "SELECT id, gid, group_name, owner_uid, owner_name FROM delegations"
                                  " ORDER BY owner_uid, gid",
                              &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const unsigned char *group = sqlite3_column_text(st, 2), *owner = sqlite3_column_text(st, 4);

                r = GROW(rows, n, capacity);
                if (r >= 0) {
                        rows[n] = (delegation_ref) {
                                .id = sqlite3_column_int64(st, 0),
                                .gid = (uint32_t) sqlite3_column_int64(st, 1),
                                .owner_uid = (uint32_t) sqlite3_column_int64(st, 3),
                                .group_name = strdup(group ? (const char *) group : ""),
                                .owner_name = strdup(owner ? (const char *) owner : ""),
                        };
                        n++;
                        if (!rows[n - 1].group_name || !rows[n - 1].owner_name)
                                r = -ENOMEM;
                }
                if (r < 0) {
                        delegation_refs_free(rows, n);
                        return log_error_errno(r, "sync: out of memory");
                }
        }
        if (rc != SQLITE_DONE) {
                delegation_refs_free(rows, n);
                return policy_db_error(db, rc, "list the delegations");
        }
        *ret = rows;
        *ret_n = n;
        return 0;
}

/* Whether delegation d still holds; *ret_cause says why not. Its owner is
 * an account (step 1 removed the others). */
static int delegation_holds(const sync_ctx *c, const delegation_ref *d, bool *ret, sync_cause *ret_cause) {
        _cleanup_user_ account_user user = {};
        _cleanup_free_ char *group = NULL;
        int r;

        r = accounts_user_by_name(c->acc, d->owner_name, &user);
        if (r == -ENOENT)
                r = accounts_user_by_uid(c->acc, d->owner_uid, &user);
        if (r < 0)
                return log_error_errno(r, "sync: cannot look up user %s (uid %u) in the user database; nothing changed",
                                       d->owner_name, d->owner_uid);
        r = accounts_group_name(c->acc, d->gid, &group);
        if (r == -ENOENT) {
                *ret = false;
                *ret_cause = SYNC_CAUSE_GROUP_DELETED;
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "sync: cannot look up gid %u in the group database; nothing changed", d->gid);
        r = accounts_user_in_group(c->acc, &user, d->gid);
        if (r < 0)
                return log_error_errno(r, "sync: cannot list the groups of %s; nothing changed", user.name);
        *ret = r > 0;
        *ret_cause = SYNC_CAUSE_NOT_MEMBER;
        return 0;
}

/* Step 2: delegations of users who left the group. */
static int sync_delegations(sync_ctx *c) {
        delegation_ref *rows = NULL;
        size_t n = 0;
        int r;

        r = load_delegations(c->db, &rows, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                sync_cause cause = SYNC_CAUSE_NONE;
                bool holds = true;

                r = delegation_holds(c, &rows[i], &holds, &cause);
                if (r < 0 || holds)
                        continue;
                r = store_delete_delegation(c->db, rows[i].id);
                if (r < 0)
                        break;
                c->result.n_delegations_removed++;
                r = add_action(c,
                               (sync_action) { .type = SYNC_REMOVE_DELEGATION,
                                               .cause = cause,
                                               .uid = rows[i].owner_uid,
                                               .gid = rows[i].gid },
                               rows[i].owner_name, NULL, rows[i].group_name);
        }
        delegation_refs_free(rows, n);
        return r;
}

/* The uids holding a range of kind: one index scan. */
static int load_holders(sqlite3 *db, id_kind kind, id_set *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ uint32_t *uids = NULL;
        size_t n = 0, capacity = 0;
        int r, rc;

        r = policy_db_prepare(db, "SELECT DISTINCT owner_uid FROM ranges WHERE kind = ?1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id_kind_to_string(kind), -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = GROW(uids, n, capacity);
                if (r < 0)
                        return log_error_errno(r, "sync: out of memory");
                uids[n++] = (uint32_t) sqlite3_column_int64(st, 0);
        }
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "list the range holders");
        r = id_set_from_array(uids, n, ret);
        if (r < 0)
                return log_error_errno(r, "sync: out of memory");
        return 0;
}

static int allocate(sync_ctx *c, const account_user *u, id_kind kind) {
        const subid_config *cf = c->config;
        uint32_t min = kind == ID_KIND_UID ? cf->sub_uid_min : cf->sub_gid_min;
        uint32_t max = kind == ID_KIND_UID ? cf->sub_uid_max : cf->sub_gid_max;
        uint32_t count = kind == ID_KIND_UID ? cf->sub_uid_count : cf->sub_gid_count;
        const id_set *taken = kind == ID_KIND_UID ? &c->acc->uids : &c->acc->gids;
        id_range range;
        int r;

        /* alloc_find_free never returns held or quarantined ids, nor an
         * account's id, and the pool never reaches id 0 (config_parse):
         * everything grant_range_in_transaction would check. */
        r = alloc_find_free(c->db, kind, min, max, count, taken, &range);
        if (r == -ENOSPC)
                return r; /* logged, naming the pool; the whole sync is rolled back */
        if (r < 0)
                return log_error_errno(r, "sync: cannot allocate %u %s for %s from the pool %u-%u", count,
                                       id_kind_to_plural(kind), u->name, min, max);
        r = store_insert_range(c->db, &c->cache, kind, u->uid, u->name, &range, c->now, ORIGIN_AUTO);
        if (r < 0)
                return r;
        c->result.n_allocated++;
        return add_action(c, (sync_action) { .type = SYNC_ALLOCATE, .uid = u->uid, .kind = kind, .range = range },
                          u->name, NULL, NULL);
}

/* Step 3: ranges for login accounts holding none. users_by_uid is sorted
 * by uid; of several names for one uid the first is served. */
static int sync_allocations(sync_ctx *c) {
        id_set holders[2] = {};
        int r = 0;

        for (id_kind kind = ID_KIND_UID; kind <= ID_KIND_GID && r >= 0; kind++)
                r = load_holders(c->db, kind, &holders[kind]);
        for (size_t i = 0; i < c->acc->n_users && r >= 0; i++) {
                const account_user *u = c->acc->users_by_uid[i];

                if (u->uid < c->config->auto_uid_min || u->uid > c->config->auto_uid_max)
                        continue;
                if (i > 0 && c->acc->users_by_uid[i - 1]->uid == u->uid)
                        continue;
                /* A name that cannot be exported (no such name reaches passwd
                 * in practice) is left alone rather than failing every sync. */
                if (!policy_name_is_safe(u->name))
                        continue;
                for (id_kind kind = ID_KIND_UID; kind <= ID_KIND_GID && r >= 0; kind++) {
                        if (id_set_contains(&holders[kind], u->uid))
                                continue;
                        /* A revoke sticks: automatic allocation must not
                         * undo an administrator's decision at the next sync. */
                        r = quarantine_revoked_from(c->db, &c->revoked, kind, u->uid, u->name);
                        if (r == 0)
                                r = allocate(c, u, kind);
                        else if (r > 0)
                                r = 0;
                }
        }
        id_set_done(&holders[ID_KIND_UID]);
        id_set_done(&holders[ID_KIND_GID]);
        return r;
}

int policy_sync(sqlite3 *db, const accounts *acc, const subid_config *config, const export_paths *paths,
                bool dry_run, sync_result *ret) {
        return policy_sync_with(db, acc, config, paths, &(sync_options) { .dry_run = dry_run }, ret);
}

int policy_sync_with(sqlite3 *db, const accounts *acc, const subid_config *config, const export_paths *paths,
                     const sync_options *options, sync_result *ret) {
        sync_ctx c = { .db = db,
                       .acc = acc,
                       .config = config,
                       .distrust_renames = options->distrust_renames,
                       .follow_renumbers = options->follow_renumbers,
                       .now = (int64_t) time(NULL) };
        bool dry_run = options->dry_run;
        int r;

        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = sync_ctx_prepare(&c);
        if (r >= 0)
                r = sync_owners(&c);
        if (r >= 0)
                r = sync_delegations(&c);
        if (r >= 0)
                r = sync_allocations(&c);
        /* Statements are finalized before the commit or rollback. */
        sync_ctx_done(&c);

        /* Nothing to do in the database writes nothing there. */
        if (r >= 0 && !dry_run && c.result.n_actions > 0)
                r = policy_commit_and_export(db, paths);
        else {
                policy_db_rollback(db);
                /* Files that no longer match the database (edited by hand,
                 * or a crash between commit and rename) are rewritten. */
                if (r >= 0 && c.result.n_actions == 0) {
                        r = export_is_current(db, paths);
                        if (r == 0) {
                                c.result.reexported = true;
                                r = dry_run ? 0 : policy_export(db, paths);
                        }
                }
        }
        if (r < 0) {
                sync_result_done(&c.result);
                return r;
        }
        *ret = c.result;
        return 0;
}
