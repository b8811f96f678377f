/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ensure: pam_subid's request at login — a range from the pool unless the
 * user holds one already (docs/protocol.md). Idempotent: every login asks,
 * and only the first of a user without ranges allocates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../policy/grant_pool.h"
#include "../policy/quarantine.h"
#include "../policy/query.h"
#include "audit.h"
#include "autoalloc.h"
#include "handle_args.h"
#include "handlers.h"
#include "render_ranges.h"

/* Whether owner_uid holds a range of kind. */
static int holds(sqlite3 *db, id_kind kind, uint32_t uid, bool *ret) {
        _cleanup_free_ id_range *ranges = NULL;
        size_t n = 0;
        int r;

        r = policy_owner_ranges(db, kind, uid, &ranges, &n);
        if (r < 0)
                return r;
        *ret = n > 0;
        return 0;
}

/* System accounts (root, cron's sessions of service users) open sessions
 * all the time: for them there is nothing to do, which is no failure worth
 * a warning at every login. *ret_skipped says why, or stays NULL. */
static int skip_reason(request_ctx *ctx, const account_user *user, char **ret_skipped) {
        const subid_config *c = ctx->config;

        *ret_skipped = NULL;
        if (user->uid >= c->auto_uid_min && user->uid <= c->auto_uid_max)
                return 0;
        if (asprintf(ret_skipped, "uid %u is outside the automatic range %u-%u (auto_uid_min, auto_uid_max)",
                     user->uid, c->auto_uid_min, c->auto_uid_max) < 0) {
                *ret_skipped = NULL;
                return log_error_errno(-ENOMEM, "ensure: out of memory");
        }
        return 0;
}

/* The refusals pam_subid logs as a warning: automatic allocation is off,
 * or an administrator revoked the user's ids. */
static int check_allowed(request_ctx *ctx, const account_user *user, const bool held[2]) {
        const subid_config *c = ctx->config;
        sqlite3_stmt *revoked = NULL;
        int r = 0;

        if (!c->auto_allocate) {
                log_error("ensure: automatic allocation is off (auto_allocate = no in subid.conf); "
                          "%s gets ranges only from subidctl grant",
                          user->name);
                return -EPERM;
        }
        for (id_kind kind = ID_KIND_UID; kind <= ID_KIND_GID && r == 0; kind++)
                if (!held[kind])
                        r = quarantine_revoked_from(ctx->db, &revoked, kind, user->uid, user->name);
        sqlite3_finalize(revoked);
        if (r > 0) {
                log_error("ensure: an administrator revoked %s's ids; only subidctl grant gives new ones", user->name);
                return -EPERM;
        }
        return r;
}

HANDLER(handle_ensure) {
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_user_ account_user user = {};
        _cleanup_free_ char *skipped = NULL;
        const id_range *granted[2] = {};
        json_object *data;
        grant_pool_result result = {};
        bool held[2] = {};
        const char *text;
        int r;

        r = args_string(args, "ensure", "user", ARGS_MAX_NAME, true, &text);
        if (r < 0)
                return r;
        /* A direct NSS lookup first: a user who holds ranges already (every
         * login but the first) costs no enumeration of the user database. */
        {
                accounts direct = { .nss = true };

                r = args_resolve_account(&direct, "ensure", text, &user);
                if (r < 0)
                        return r;
        }
        for (id_kind kind = ID_KIND_UID; kind <= ID_KIND_GID && r >= 0; kind++)
                r = holds(ctx->db, kind, user.uid, &held[kind]);
        if (r < 0)
                return r;
        if (!held[ID_KIND_UID] || !held[ID_KIND_GID]) {
                r = skip_reason(ctx, &user, &skipped);
                if (r < 0)
                        return r;
        }
        if ((!held[ID_KIND_UID] || !held[ID_KIND_GID]) && !skipped) {
                r = check_allowed(ctx, &user, held);
                if (r < 0)
                        return r;
                /* The whole database: a pool range must not contain any
                 * account's uid or gid. */
                r = accounts_load_nss(&acc);
                if (r < 0)
                        return r;
                r = policy_grant_pool(ctx->db, &(grant_pool_request) { user.uid, user.name, 0 }, ctx->config, &acc,
                                      ctx->export_paths, &result);
                if (r < 0)
                        return r;
                for (id_kind kind = ID_KIND_UID; kind <= ID_KIND_GID; kind++)
                        if (result.granted[kind]) {
                                granted[kind] = &result.ranges[kind];
                                autoalloc_report_login_grant(&user, kind, granted[kind], ctx->peer->pid,
                                                             ctx->peer->uid);
                                if (ctx->audit)
                                        audit_add_range(ctx->audit, 0, kind, granted[kind]);
                        }
        }
        /* Every login calls ensure: only an allocation (or a refusal) is
         * an event for the audit trail, not "already holds a range". */
        if (ctx->audit) {
                audit_set_acct(ctx->audit, 0, user.name);
                if (!granted[ID_KIND_UID] && !granted[ID_KIND_GID])
                        ctx->audit->skip = true;
        }
        data = render_grant(&user, granted, "pool", NULL);
        if (data && skipped) {
                json_object *why = json_object_new_string(skipped);

                if (!why || json_object_object_add(data, "skipped", why) < 0) {
                        json_object_put(why);
                        json_object_put(data);
                        data = NULL;
                }
        }
        return args_reply(data, "ensure", ret_data);
}
