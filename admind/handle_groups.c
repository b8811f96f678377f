/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Group delegations and group policies (admin): delegate, group-allow,
 * group-deny. Requests and their decisions are in handle_group_requests.c,
 * the user's own operations in handle_group_self.c. */
#include <errno.h>
#include <stdlib.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/parse.h"
#include "../policy/delegate.h"
#include "../policy/group_policy.h"
#include "handle_args.h"
#include "handle_group_common.h"
#include "handle_group_recipe.h"
#include "handle_group_render.h"
#include "handlers.h"

HANDLER(handle_delegate) {
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_user_ account_user user = {};
        _cleanup_account_group_ account_group group = {};
        const char *user_text;
        json_object *data;
        int r;

        r = args_string(args, "delegate", "user", ARGS_MAX_NAME, true, &user_text);
        if (r < 0)
                return r;
        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        r = args_resolve_account(&acc, "delegate", user_text, &user);
        if (r < 0)
                return r;
        audit_set_acct(ctx->audit, 0, user.name);
        r = group_arg(args, "delegate", &acc, &group);
        if (r < 0)
                return r;
        audit_set_grp(ctx->audit, 0, group.name);

        r = policy_delegate(ctx->db, &acc, &user, &group, (uint32_t) ctx->peer->uid, ctx->export_paths);
        if (r < 0)
                return r;
        data = render_delegation(user.name, user.uid, group.name, group.gid);
        if (data && group_add(data, "recipe", recipe_build(ctx->db, user.uid, group.gid, group.name)) < 0) {
                json_object_put(data);
                data = NULL;
        }
        return args_reply(data, "delegate", ret_data);
}

static json_object *render_group(const char *name, uint32_t gid) {
        json_object *o = json_object_new_object();

        if (o && (group_add(o, "group", json_object_new_string(name)) < 0 ||
                  group_add(o, "gid", json_object_new_int64(gid)) < 0)) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

HANDLER(handle_group_allow) {
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_group_ account_group group = {};
        uint32_t set_by = (uint32_t) ctx->peer->uid;
        group_policy_kind policy;
        const char *policy_text;
        json_object *data;
        int r;

        r = args_string(args, "group-allow", "policy", 16, true, &policy_text);
        if (r < 0)
                return r;
        if (group_policy_from_string(policy_text, &policy) < 0) {
                log_error("group-allow: \"policy\" must be \"self\" or \"approve\", not '%s'", policy_text);
                return -EINVAL;
        }
        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        r = group_arg(args, "group-allow", &acc, &group);
        if (r < 0)
                return r;
        audit_set_grp(ctx->audit, 0, group.name);
        r = policy_group_allow(ctx->db, &group, policy, &set_by);
        if (r < 0)
                return r;
        data = render_group(group.name, group.gid);
        if (data && group_add(data, "policy", json_object_new_string(group_policy_to_string(policy))) < 0) {
                json_object_put(data);
                data = NULL;
        }
        return args_reply(data, "group-allow", ret_data);
}

/* The gid of a group to deny: the group as NSS knows it, else (deleted or
 * renamed since it was allowed) as stored with its policy, by name or gid. */
static int deny_target(sqlite3 *db, const accounts *acc, const char *text, uint32_t *ret_gid, char **ret_name) {
        account_group group = {};
        group_policy stored = {};
        uint32_t gid;
        int r;

        r = policy_resolve_group(acc, text, &group);
        if (r >= 0) {
                *ret_gid = group.gid;
                *ret_name = group.name;
                return 0;
        }
        if (r != -ENOENT)
                return log_error_errno(r, "group-deny: cannot look up group '%s'", text);
        r = policy_group_policy_gid_by_name(db, text, &gid);
        if (r == -ENOENT && parse_id(text, &gid) >= 0)
                r = 0;
        if (r == -ENOENT) {
                log_error("group-deny: no such group '%s', and no group of that name is open to requests", text);
                return r;
        }
        if (r < 0)
                return r;
        r = policy_group_policy_get(db, gid, &stored);
        if (r < 0)
                return r;
        if (r == 0) {
                log_error("group-deny: no such group '%s', and no group of that gid is open to requests", text);
                return -ENOENT;
        }
        *ret_gid = gid;
        *ret_name = TAKE_PTR(stored.group_name);
        group_policy_done(&stored);
        return 0;
}

HANDLER(handle_group_deny) {
        _cleanup_accounts_ accounts acc = {};
        _cleanup_free_ char *name = NULL;
        uint32_t decided_by = (uint32_t) ctx->peer->uid, gid = 0;
        unsigned rejected = 0;
        const char *text;
        json_object *data;
        int r;

        r = args_string(args, "group-deny", "group", ARGS_MAX_NAME, true, &text);
        if (r < 0)
                return r;
        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        r = deny_target(ctx->db, &acc, text, &gid, &name);
        if (r < 0)
                return r;
        audit_set_grp(ctx->audit, 0, name);
        r = policy_group_deny(ctx->db, gid, name, &decided_by, &rejected);
        if (r < 0)
                return r;
        data = render_group(name, gid);
        if (data && group_add(data, "rejected_requests", json_object_new_int64(rejected)) < 0) {
                json_object_put(data);
                data = NULL;
        }
        return args_reply(data, "group-deny", ret_data);
}
