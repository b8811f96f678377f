/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Subordinate ranges: grant (explicit or from the pool) and revoke. list
 * and who-owns are in handle_list.c, import in handle_import.c. */
#include <errno.h>
#include <stdlib.h>

#include "../common/log.h"
#include "../common/parse.h"
#include "../policy/grant.h"
#include "../policy/grant_pool.h"
#include "../policy/revoke.h"
#include "handle_args.h"
#include "handlers.h"
#include "render_ranges.h"

typedef struct grant_args {
        const char *user;
        bool has_uids, has_gids, has_count, force;
        id_range subuids, subgids;
        uint32_t count;
} grant_args;

static int parse_grant_args(json_object *args, grant_args *ret) {
        grant_args a = {};
        int r;

        r = args_string(args, "grant", "user", ARGS_MAX_NAME, true, &a.user);
        if (r < 0)
                return r;
        r = args_range(args, "grant", "subuids", &a.has_uids, &a.subuids);
        if (r < 0)
                return r;
        r = args_range(args, "grant", "subgids", &a.has_gids, &a.subgids);
        if (r < 0)
                return r;
        r = args_u32(args, "grant", "count", UINT32_MAX, false, &a.count);
        if (r == -EINVAL)
                return r;
        a.has_count = r >= 0;
        if (a.has_count && a.count == 0) {
                log_error("grant: \"count\" must be at least 1");
                return -EINVAL;
        }
        r = args_bool(args, "grant", "force", &a.force);
        if (r < 0)
                return r;
        if (a.has_count && (a.has_uids || a.has_gids)) {
                log_error("grant: a count applies only to allocation from the pool, not to explicit ranges");
                return -EINVAL;
        }
        if (a.force && !a.has_uids && !a.has_gids) {
                log_error("grant: force applies only to explicit ranges (the pool never hands out quarantined ids)");
                return -EINVAL;
        }
        *ret = a;
        return 0;
}

static int grant_explicit(request_ctx *ctx, const grant_args *a, const accounts *acc, const account_user *user,
                          json_object **ret_data) {
        const id_range *granted[2] = { a->has_uids ? &a->subuids : NULL, a->has_gids ? &a->subgids : NULL };
        grant_result result = {};
        json_object *data;
        int r;

        r = policy_grant_ranges(ctx->db,
                                &(grant_request) {
                                        .owner_uid = user->uid,
                                        .owner_name = user->name,
                                        .subuids = granted[ID_KIND_UID],
                                        .subgids = granted[ID_KIND_GID],
                                        .force = a->force,
                                },
                                acc, ctx->export_paths, &result);
        if (r < 0)
                return r;
        data = render_grant(user, granted, "explicit", &result);
        grant_result_done(&result);
        return args_reply(data, "grant", ret_data);
}

static int grant_pool(request_ctx *ctx, const grant_args *a, const accounts *acc, const account_user *user,
                      json_object **ret_data) {
        grant_pool_result result = {};
        const id_range *granted[2];
        int r;

        r = policy_grant_pool(ctx->db, &(grant_pool_request) { user->uid, user->name, a->has_count ? a->count : 0 },
                              ctx->config, acc, ctx->export_paths, &result);
        if (r < 0)
                return r;
        for (id_kind kind = ID_KIND_UID; kind <= ID_KIND_GID; kind++) {
                granted[kind] = result.granted[kind] ? &result.ranges[kind] : NULL;
                if (granted[kind])
                        audit_add_range(ctx->audit, 0, kind, granted[kind]);
        }
        return args_reply(render_grant(user, granted, "pool", NULL), "grant", ret_data);
}

HANDLER(handle_grant) {
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_user_ account_user user = {};
        grant_args a;
        int r;

        r = parse_grant_args(args, &a);
        if (r < 0)
                return r;
        /* A fresh snapshot per request: accounts come and go while the
         * daemon runs. */
        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        r = args_resolve_account(&acc, "grant", a.user, &user);
        if (r < 0)
                return r;
        audit_set_acct(ctx->audit, 0, user.name);
        if (a.has_uids || a.has_gids)
                return grant_explicit(ctx, &a, &acc, &user, ret_data);
        return grant_pool(ctx, &a, &acc, &user, ret_data);
}

/* What went: every range in the request's own record, a delegation's group
 * too (more delegations, as "revoke everything" may remove, in records of
 * their own). */
static void audit_revoked(audit_event *ev, const account_user *user, const revoke_result *result) {
        bool first_group = true;

        audit_clear_ranges(ev, 0);
        for (size_t i = 0; i < result->n_items; i++) {
                const revoke_item *it = &result->items[i];
                size_t rec = 0;

                if (it->type == REVOKED_RANGE) {
                        audit_add_range(ev, 0, it->kind, &it->range);
                        continue;
                }
                if (!first_group) {
                        rec = audit_add_record(ev, "revoke");
                        if (rec == 0)
                                return; /* out of memory: marked incomplete */
                        audit_set_acct(ev, rec, user->name);
                }
                audit_set_grp(ev, rec, it->group_name);
                first_group = false;
        }
}

/* --group takes a name, or a gid when no group has that name; a delegation
 * of a deleted group is still found by the name stored with it. */
static int group_gid(const accounts *acc, const char *text, bool *ret_has, uint32_t *ret) {
        account_group group = {};
        int r;

        r = accounts_group_by_name(acc, text, &group);
        if (r >= 0) {
                *ret = group.gid;
                *ret_has = true;
                free(group.name);
                return 0;
        }
        if (r != -ENOENT)
                return log_error_errno(r, "revoke: cannot look up group '%s'", text);
        *ret_has = parse_id(text, ret) >= 0;
        return 0;
}

HANDLER(handle_revoke) {
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_user_ account_user user = {};
        const char *user_text, *group_text = NULL;
        bool has_uids, has_gids, has_gid = false;
        id_range subuids, subgids;
        revoke_result result = {};
        json_object *data;
        uint32_t gid = 0;
        int r;

        r = args_string(args, "revoke", "user", ARGS_MAX_NAME, true, &user_text);
        if (r < 0)
                return r;
        r = args_range(args, "revoke", "subuids", &has_uids, &subuids);
        if (r < 0)
                return r;
        r = args_range(args, "revoke", "subgids", &has_gids, &subgids);
        if (r < 0)
                return r;
        r = args_string(args, "revoke", "group", ARGS_MAX_NAME, false, &group_text);
        if (r == -EINVAL)
                return r;

        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        /* A deleted account's ranges must still be revocable: the owner may
         * be known only to the database. */
        r = args_resolve_owner(ctx->db, &acc, "revoke", user_text, &user);
        if (r < 0)
                return r;
        audit_set_acct(ctx->audit, 0, user.name);
        if (group_text) {
                r = group_gid(&acc, group_text, &has_gid, &gid);
                if (r < 0)
                        return r;
        }

        r = policy_revoke(ctx->db,
                          &(revoke_request) {
                                  .owner_uid = user.uid,
                                  .owner_name = user.name,
                                  .subuids = has_uids ? &subuids : NULL,
                                  .subgids = has_gids ? &subgids : NULL,
                                  .group = group_text,
                                  .group_gid = has_gid ? &gid : NULL,
                                  .everything = !has_uids && !has_gids && !group_text,
                          },
                          ctx->export_paths, &result);
        if (r < 0)
                return r;
        audit_revoked(ctx->audit, &user, &result);
        data = render_revoke(&user, &result);
        revoke_result_done(&result);
        return args_reply(data, "revoke", ret_data);
}
