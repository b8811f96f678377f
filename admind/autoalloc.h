/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../policy/config.h"
#include "../policy/export.h"
#include "../policy/idsinuse.h"
#include "../policy/sync.h"

/* subid-admind's automatic actions (auto_allocate = yes): what it does by
 * itself when the user database or the exported files change, and what
 * pam_subid asks for at login. Every action is reported through one
 * function per kind below (autoalloc_report_*), each naming the account
 * that triggered it: that is where each action is logged, and the one place
 * to audit it. */

/* Why the user database is being followed, for the log. */
typedef enum autoalloc_trigger {
        AUTOALLOC_STARTUP,       /* the daemon started: whatever changed while it was down */
        AUTOALLOC_ACCOUNTS,      /* /etc/passwd or /etc/group changed */
} autoalloc_trigger;

/* Reconciles the database with the user database (policy_sync_with: new
 * accounts get ranges, deleted and reused ones are quarantined, renames
 * followed, stale delegations removed) and reports each action.
 * distrust_renames: see sync_options; a change seen as one (trigger
 * AUTOALLOC_ACCOUNTS without distrust_renames) also follows `usermod -u`
 * (sync_options.follow_renumbers). Returns 0 or -errno (logged; the
 * next change, or subidctl sync, tries again). */
int autoalloc_follow_accounts(sqlite3 *db, const subid_config *config, const export_paths *paths,
                              autoalloc_trigger trigger, bool distrust_renames);

/* An exported file changed: when it no longer matches the database (a
 * useradd with SUB_UID_COUNT > 0, an editor, a userdel removing lines),
 * it is rewritten from the database, the only source of truth, so no id
 * ever has two owners there. Our own exports match and are left alone. */
int autoalloc_repair_export(sqlite3 *db, const export_paths *paths);

/* ---- reports: one log line per action (and the place to audit it) ---------- */

void autoalloc_report_sync_action(const sync_action *a, autoalloc_trigger trigger);

/* pam_subid (op "ensure") gave user a range of kind; requester: the peer. */
void autoalloc_report_login_grant(const account_user *user, id_kind kind, const id_range *range, pid_t peer_pid,
                                  uid_t peer_uid);

/* The exported files were rewritten over someone else's edit. */
void autoalloc_report_export_repaired(const export_paths *paths);
