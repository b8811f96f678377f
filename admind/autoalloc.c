/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "autoalloc.h"

#include <errno.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../policy/grant.h"
#include "audit.h"

static const char *trigger_text(autoalloc_trigger t) {
        return t == AUTOALLOC_STARTUP ? "found at start-up" : "/etc/passwd changed";
}

/* Each report_* logs one line per automatic action. Their audit records:
 * the watcher's actions go out as one event per change
 * (admind_audit_sync_actions, in autoalloc_follow_accounts); pam_subid's
 * allocation is the "ensure" request's own record (handle_ensure.c). */

void autoalloc_report_sync_action(const sync_action *a, autoalloc_trigger trigger) {
        const char *why = trigger_text(trigger);

        switch (a->type) {
        case SYNC_ALLOCATE:
                log_info("auto: allocated %s %u-%u (%u) to %s (uid %u): login account without a range, %s",
                         id_kind_to_plural(a->kind), a->range.first, range_last(&a->range), a->range.count, a->name,
                         a->uid, why);
                break;
        case SYNC_QUARANTINE:
                if (a->cause == SYNC_CAUSE_REUSED)
                        log_info("auto: quarantined %s %u-%u (%u) of %s (uid %u): the uid is %s's now, %s",
                                 id_kind_to_plural(a->kind), a->range.first, range_last(&a->range), a->range.count,
                                 a->name, a->uid, a->new_name ? a->new_name : "another account's", why);
                else
                        log_info("auto: quarantined %s %u-%u (%u) of %s (uid %u): account deleted, %s",
                                 id_kind_to_plural(a->kind), a->range.first, range_last(&a->range), a->range.count,
                                 a->name, a->uid, why);
                break;
        case SYNC_RENAME:
                log_info("auto: renamed %s (uid %u) to %s: account renamed, %s", a->name, a->uid, a->new_name, why);
                break;
        case SYNC_RENUMBER:
                log_info("auto: moved the ranges of %s from uid %u to uid %u: uid changed (usermod -u), %s", a->name,
                         a->uid, a->new_uid, why);
                break;
        case SYNC_REMOVE_DELEGATION:
                log_info("auto: removed the delegation of gid %u (%s) from %s (uid %u): %s, %s", a->gid,
                         a->group_name, a->name, a->uid, sync_cause_to_string(a->cause), why);
                break;
        }
}

void autoalloc_report_login_grant(const account_user *user, id_kind kind, const id_range *range, pid_t peer_pid,
                                  uid_t peer_uid) {
        log_info("auto: allocated %s %u-%u (%u) to %s (uid %u): opened a session without a range "
                 "(pam_subid, pid %d, requester uid %u)",
                 id_kind_to_plural(kind), range->first, range_last(range), range->count, user->name, user->uid,
                 (int) peer_pid, (unsigned) peer_uid);
}

void autoalloc_report_export_repaired(const export_paths *paths) {
        /* userdel removes the account's lines itself; useradd adds its own
         * unless login.defs says SUB_UID_COUNT 0 (subidctl doctor checks). */
        log_warning("auto: %s or %s was changed by another program (useradd, userdel, an editor); "
                    "rewrote both from the database",
                    paths->subuid, paths->subgid);
}

int autoalloc_follow_accounts(sqlite3 *db, const subid_config *config, const export_paths *paths,
                              autoalloc_trigger trigger, bool distrust_renames) {
        accounts acc = {};
        sync_result result = {};
        int r;

        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        r = policy_sync_with(db, &acc, config, paths,
                             &(sync_options) { .distrust_renames = distrust_renames,
                                               .follow_renumbers = trigger == AUTOALLOC_ACCOUNTS && !distrust_renames },
                             &result);
        accounts_done(&acc);
        if (r < 0)
                return r;
        for (size_t i = 0; i < result.n_actions; i++)
                autoalloc_report_sync_action(&result.actions[i], trigger);
        admind_audit_sync_actions(result.actions, result.n_actions);
        if (result.reexported)
                autoalloc_report_export_repaired(paths);
        sync_result_done(&result);
        return 0;
}

int autoalloc_repair_export(sqlite3 *db, const export_paths *paths) {
        int r;

        r = export_is_current(db, paths);
        if (r != 0)
                return r < 0 ? r : 0;
        r = policy_export(db, paths);
        if (r < 0)
                return r;
        autoalloc_report_export_repaired(paths);
        return 0;
}
