/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libsubid_subid.so: answers shadow's libsubid (getsubids, newuidmap of
 * shadow, podman built with libsubid) from the subid policy database, by
 * the same rule the subid helpers authorise by (policy/held.h). Read-only:
 * there is no entry point for writes, so shadow's grant/ungrant calls fail
 * (docs/libsubid.md).
 *
 * The module lives in other people's processes, possibly threaded, possibly
 * setuid: every call opens its own read-only connection at the compiled-in
 * path, uses only reentrant NSS calls, leaves SQLite's global
 * configuration alone, and never exits. Errors go to stderr as one line. */
#include "provider.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/parse.h"
#include "../policy/db.h"
#include "../policy/held.h"
#include "../policy/lookup.h"
#include "paths.h"

/* Room for one passwd entry; grown on ERANGE up to this. */
#define PW_BUF_MAX (1024 * 1024)

__attribute__((constructor)) static void provider_init(void) {
        log_set_program("libsubid_subid");
}

typedef struct account {
        uid_t uid;
        gid_t gid;
        char *name;
} account;

static void account_done(account *a) {
        free(a->name);
        a->name = NULL;
}

/* getpwnam_r (name != NULL) or getpwuid_r: 1 and *ret filled, 0 when NSS
 * has no such account, -errno. */
static int account_lookup(const char *name, uid_t uid, account *ret) {
        long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
        size_t size = hint > 0 ? (size_t) hint : 1024;

        for (;;) {
                _cleanup_free_ char *buf = malloc(size);
                struct passwd pw, *found = NULL;
                int e;

                if (!buf)
                        return -ENOMEM;
                e = name ? getpwnam_r(name, &pw, buf, size, &found) : getpwuid_r(uid, &pw, buf, size, &found);
                if (e == ERANGE && size < PW_BUF_MAX) {
                        size *= 2;
                        continue;
                }
                if (e != 0)
                        return -e;
                if (!found)
                        return 0;
                char *n = strdup(pw.pw_name);
                if (!n)
                        return -ENOMEM;
                *ret = (account) { pw.pw_uid, pw.pw_gid, n };
                return 1;
        }
}

/* The account an owner string of libsubid stands for: a user name, or a
 * decimal uid when no account has that name (shadow's files accept both). */
static enum subid_status owner_resolve(const char *owner, account *ret) {
        uint32_t uid;
        int r;

        if (!owner || !*owner)
                return SUBID_STATUS_UNKNOWN_USER;
        r = account_lookup(owner, 0, ret);
        if (r == 0 && parse_id(owner, &uid) >= 0)
                r = account_lookup(NULL, uid, ret);
        if (r < 0) {
                log_error_errno(r, "cannot look up user '%s'", owner);
                return SUBID_STATUS_ERROR;
        }
        return r > 0 ? SUBID_STATUS_SUCCESS : SUBID_STATUS_UNKNOWN_USER;
}

static int kind_from_type(enum subid_type t, id_kind *ret) {
        switch (t) {
        case ID_TYPE_UID:
                *ret = ID_KIND_UID;
                return 0;
        case ID_TYPE_GID:
                *ret = ID_KIND_GID;
                return 0;
        }
        return -EINVAL;
}

/* The database at the compiled-in path only, with the helpers' ownership
 * checks. A missing or refused database is a backend that cannot be
 * reached, not an empty answer: shadow then reports an error instead of
 * "no ranges". */
static enum subid_status db_open(sqlite3 **ret) {
        return policy_db_open_ro(SUBID_DB_PATH, ret) < 0 ? SUBID_STATUS_ERROR_CONN : SUBID_STATUS_SUCCESS;
}

/* What owner holds of kind now: ranges, then (gids) delegations of groups
 * owner is a member of. */
static enum subid_status owner_held(const char *owner, enum subid_type type, id_range **ret, size_t *ret_n) {
        _cleanup_db_ sqlite3 *db = NULL;
        account a = {};
        enum subid_status s;
        id_kind kind;
        int r;

        if (kind_from_type(type, &kind) < 0)
                return SUBID_STATUS_ERROR;
        s = owner_resolve(owner, &a);
        if (s != SUBID_STATUS_SUCCESS)
                return s;
        s = db_open(&db);
        if (s == SUBID_STATUS_SUCCESS) {
                r = policy_held_ranges(db, kind, a.uid, a.name, a.gid, ret, ret_n);
                if (r < 0)
                        s = SUBID_STATUS_ERROR;
        }
        account_done(&a);
        return s;
}

enum subid_status shadow_subid_has_range(const char *owner, unsigned long start, unsigned long count,
                                         enum subid_type idtype, bool *result) {
        _cleanup_free_ id_range *held = NULL;
        enum subid_status s;
        size_t n_held = 0;
        id_range want;

        if (!result)
                return SUBID_STATUS_ERROR;
        s = owner_held(owner, idtype, &held, &n_held);
        if (s != SUBID_STATUS_SUCCESS)
                return s;
        /* A query beyond the 32-bit id space, or of nothing, is never held. */
        if (count < 1 || start > ID_MAX || count > (unsigned long) ID_MAX + 1 - start) {
                *result = false;
                return SUBID_STATUS_SUCCESS;
        }
        want = (id_range) { (uint32_t) start, (uint32_t) count };
        *result = ranges_cover(held, n_held, &want);
        return SUBID_STATUS_SUCCESS;
}

enum subid_status shadow_subid_list_owner_ranges(const char *owner, enum subid_type id_type,
                                                 struct subid_range **ranges, int *count) {
        _cleanup_free_ id_range *held = NULL;
        _cleanup_free_ struct subid_range *list = NULL;
        enum subid_status s;
        size_t n_held = 0;

        if (!ranges || !count)
                return SUBID_STATUS_ERROR;
        s = owner_held(owner, id_type, &held, &n_held);
        if (s != SUBID_STATUS_SUCCESS)
                return s;
        if (n_held > INT_MAX)
                return SUBID_STATUS_ERROR;
        if (n_held > 0) {
                list = calloc(n_held, sizeof *list);
                if (!list)
                        return SUBID_STATUS_ERROR;
                for (size_t i = 0; i < n_held; i++)
                        list[i] = (struct subid_range) { held[i].first, held[i].count };
        }
        *ranges = TAKE_PTR(list);
        *count = (int) n_held;
        return SUBID_STATUS_SUCCESS;
}

/* Adds uid to list unless it is there already. */
static void owners_add(uid_t *list, size_t *n, uid_t uid) {
        for (size_t i = 0; i < *n; i++)
                if (list[i] == uid)
                        return;
        list[(*n)++] = uid;
}

/* Whether the delegation of gid to d->owner_uid counts now: the account
 * exists and is in the group (the helpers' rule). */
static int delegation_current(const delegation_row *d, uint32_t gid) {
        account a = {};
        int r;

        r = account_lookup(NULL, d->owner_uid, &a);
        if (r <= 0)
                return r;
        r = user_in_group(a.name, a.gid, gid);
        account_done(&a);
        return r;
}

enum subid_status shadow_subid_find_subid_owners(unsigned long id, enum subid_type id_type, uid_t **uids,
                                                 int *count) {
        _cleanup_db_ sqlite3 *db = NULL;
        _cleanup_free_ uid_t *list = NULL;
        who_owns_result w = {};
        enum subid_status s;
        size_t n = 0;
        id_kind kind;
        int r;

        if (!uids || !count || kind_from_type(id_type, &kind) < 0)
                return SUBID_STATUS_ERROR;
        if (id > ID_MAX) {
                *uids = NULL;
                *count = 0;
                return SUBID_STATUS_SUCCESS;
        }
        s = db_open(&db);
        if (s != SUBID_STATUS_SUCCESS)
                return s;
        r = policy_who_owns(db, kind, (uint32_t) id, &w);
        if (r < 0)
                return SUBID_STATUS_ERROR;

        list = calloc(1 + w.n_delegations, sizeof *list);
        if (!list) {
                who_owns_result_done(&w);
                return SUBID_STATUS_ERROR;
        }
        /* A quarantined piece has no owner: nobody may map it. */
        if (w.has_range)
                owners_add(list, &n, w.range.owner_uid);
        for (size_t i = 0; i < w.n_delegations; i++) {
                r = delegation_current(&w.delegations[i], (uint32_t) id);
                if (r < 0) {
                        log_error_errno(r, "cannot check the delegation of gid %lu to uid %u", id,
                                        w.delegations[i].owner_uid);
                        who_owns_result_done(&w);
                        return SUBID_STATUS_ERROR;
                }
                if (r > 0)
                        owners_add(list, &n, w.delegations[i].owner_uid);
        }
        who_owns_result_done(&w);

        *uids = n > 0 ? TAKE_PTR(list) : NULL;
        *count = (int) n;
        return SUBID_STATUS_SUCCESS;
}

void shadow_subid_free(void *ptr) {
        free(ptr);
}
