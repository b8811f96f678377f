/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "export.h"
#include "idsinuse.h"
#include "ranges.h"

/* `subidctl sync`: reconciles the database with the user database, in one
 * write transaction, then exports (or, dry run, rolls back):
 *
 *   1. Every stored owner (uid, name) is compared with the account that has
 *      the uid now (docs/decisions.md, "sync"):
 *        - no account has the uid                      -> deleted
 *        - the account has the stored name             -> kept
 *        - the stored name is another account (another
 *          uid), or the account's own name is already
 *          stored under the uid (it was served itself) -> uid reused
 *        - the stored name is no account any more      -> renamed: the rows
 *          take the account's name (ranges, delegations, pending requests)
 *      A deleted or reused owner's ranges go to quarantine (reason
 *      "userdel") and its delegations are removed: a new account with an old
 *      uid never inherits the old account's ids.
 *   2. A delegation whose user is no longer a member of its group (or whose
 *      group is gone) is removed: newgidmap refuses a whole gid map when one
 *      listed gid is not allowed, so a stale line breaks podman.
 *   3. Every enumerated account with a uid in [auto_uid_min, auto_uid_max]
 *      that holds no subuid (subgid) range gets one from the pool — unless
 *      an administrator revoked that kind from the same (uid, name): the
 *      quarantine has a piece of it with reason "revoke" — as
 *      `grant USER` would (alloc_find_free: never quarantined ids), origin
 *      "auto". Accounts outside that range are system accounts and are
 *      skipped; the login shell is not looked at (service accounts with a
 *      nologin shell run rootless containers too).
 *
 * A uid NSS cannot answer for (an unreachable directory) aborts the sync
 * with nothing changed: only a definite "no such user" counts as deleted.
 * A pool without room aborts it too. A second sync finds nothing to do. */

typedef enum sync_action_type {
        SYNC_RENAME,
        SYNC_QUARANTINE,
        SYNC_REMOVE_DELEGATION,
        SYNC_ALLOCATE,
        SYNC_RENUMBER, /* follow_renumbers only: uid -> new_uid, name kept */
} sync_action_type;

typedef enum sync_cause {
        SYNC_CAUSE_NONE,
        SYNC_CAUSE_DELETED,       /* no account has the uid */
        SYNC_CAUSE_REUSED,        /* the uid is another account's now (new_name) */
        SYNC_CAUSE_NOT_MEMBER,    /* the user left the delegated group */
        SYNC_CAUSE_GROUP_DELETED, /* the delegated group is gone */
} sync_cause;

typedef struct sync_action {
        sync_action_type type;
        sync_cause cause;   /* QUARANTINE, REMOVE_DELEGATION */
        uint32_t uid;
        char *name;         /* the owner as stored; ALLOCATE: the account */
        char *new_name;     /* RENAME: the new name; REUSED: who has the uid now */
        id_kind kind;       /* QUARANTINE, ALLOCATE */
        id_range range;     /* QUARANTINE, ALLOCATE */
        uint32_t gid;       /* REMOVE_DELEGATION */
        uint32_t new_uid;   /* RENUMBER */
        char *group_name;   /* REMOVE_DELEGATION, as stored */
} sync_action;

typedef struct sync_result {
        sync_action *actions; /* renames, quarantines, removed delegations, allocations */
        size_t n_actions;
        size_t n_allocated, n_quarantined, n_renamed, n_delegations_removed; /* ranges, owners, delegations */
        size_t n_renumbered;                                                 /* owners */
        bool reexported; /* the exported files differed from the database and were rewritten (would be, dry run) */
} sync_result;

void sync_result_done(sync_result *r);

typedef struct sync_options {
        /* The result says what a sync would do and nothing is written. */
        bool dry_run;
        /* Treat what looks like a rename as a deleted account whose uid was
         * reused: subid-admind's watcher says so when it saw /etc/passwd
         * replaced more than once at a time, so that a `userdel alice;
         * useradd -u ALICES_UID bob` it saw as one change never lets bob
         * inherit (docs/decisions.md, "Following the user database"). */
        bool distrust_renames;
        /* An owner whose uid has no account while its name is an account
         * under another uid that holds nothing is renumbered (`usermod -u`):
         * the rows move to the new uid (SYNC_RENUMBER). Without this, the
         * old uid counts as deleted. Only subid-admind's watcher sets it, for
         * a change it saw as one replacement of /etc/passwd: after anything
         * longer, `userdel alice; useradd alice` (a new uid) looks the same. */
        bool follow_renumbers;
} sync_options;

/* acc: a snapshot of the user database (accounts_load_nss). */
int policy_sync_with(sqlite3 *db, const accounts *acc, const subid_config *config, const export_paths *paths,
                     const sync_options *options, sync_result *ret);

/* policy_sync_with() with only dry_run set: `subidctl sync`. */
int policy_sync(sqlite3 *db, const accounts *acc, const subid_config *config, const export_paths *paths,
                bool dry_run, sync_result *ret);

/* "deleted", "uid reused", "not a member", "group deleted"; "" for none. */
const char *sync_cause_to_string(sync_cause cause);
