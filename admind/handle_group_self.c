/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What any user may do about their own account: request (a group
 * delegation, or their own range when self-service is on) and status. The
 * account is always the one of the uid the kernel reports for the socket;
 * nothing in args can name another user. */
#include <errno.h>
#include <string.h>

#include "../common/log.h"
#include "../policy/delegate.h"
#include "../policy/grant_pool.h"
#include "../policy/lookup.h"
#include "../policy/requests.h"
#include "handle_args.h"
#include "handle_group_common.h"
#include "handle_group_recipe.h"
#include "handle_group_render.h"
#include "handlers.h"
#include "render_ranges.h"

static int request_own_range(request_ctx *ctx, const accounts *acc, const account_user *user,
                             json_object **ret_data) {
        grant_pool_result result = {};
        const id_range *granted[2];
        int r;

        if (!ctx->config->self_service) {
                log_error("self-service is disabled; ask an administrator (subidctl grant)");
                return -EPERM;
        }
        r = policy_grant_pool(ctx->db, &(grant_pool_request) { user->uid, user->name, 0 }, ctx->config, acc,
                              ctx->export_paths, &result);
        if (r < 0)
                return r;
        for (id_kind kind = ID_KIND_UID; kind <= ID_KIND_GID; kind++) {
                granted[kind] = result.granted[kind] ? &result.ranges[kind] : NULL;
                if (granted[kind])
                        audit_add_range(ctx->audit, 0, kind, granted[kind]);
        }
        return args_reply(render_grant(user, granted, "pool", NULL), "request", ret_data);
}

static int request_group(request_ctx *ctx, json_object *args, const accounts *acc, const account_user *user,
                         json_object **ret_data) {
        _cleanup_account_group_ account_group group = {};
        request_row row = {};
        json_object *data;
        int r;

        r = group_arg(args, "request", acc, &group);
        if (r < 0)
                return r;
        audit_set_grp(ctx->audit, 0, group.name);
        r = policy_request_delegation(ctx->db, acc, user, &group, ctx->export_paths, &row);
        if (r < 0)
                return r;
        audit_set_req(ctx->audit, 0, row.id);
        data = json_object_new_object();
        r = data ? group_add(data, "request", render_request(&row)) : -ENOMEM;
        if (r >= 0 && row.state == REQUEST_APPROVED)
                r = group_add(data, "recipe", recipe_build(ctx->db, user->uid, row.gid, row.group_name));
        request_row_done(&row);
        if (r < 0) {
                json_object_put(data);
                data = NULL;
        }
        return args_reply(data, "request", ret_data);
}

HANDLER(handle_request) {
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_user_ account_user user = {};
        json_object *group;
        int r;

        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        r = caller_account(ctx, &acc, "request", &user);
        if (r < 0)
                return r;
        audit_set_acct(ctx->audit, 0, user.name);
        if (json_object_object_get_ex(args, "group", &group) && !json_object_is_type(group, json_type_null))
                return request_group(ctx, args, &acc, &user, ret_data);
        return request_own_range(ctx, &acc, &user, ret_data);
}

/* ---- status ----------------------------------------------------------------- */

static json_object *render_ranges_of(const range_row *rows, size_t n, id_kind kind) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < n; i++) {
                json_object *o;

                if (rows[i].kind != kind)
                        continue;
                o = render_range(&rows[i].range);
                if (!o || json_object_array_add(a, o) < 0) {
                        json_object_put(o);
                        json_object_put(a);
                        return NULL;
                }
        }
        return a;
}

static json_object *render_status_delegation(sqlite3 *db, const accounts *acc, const account_user *user,
                                             const delegation_row *d) {
        json_object *o = json_object_new_object();
        int member, r;

        if (!o)
                return NULL;
        /* As newgidmap decides at map time: membership now, through NSS. */
        member = accounts_user_in_group(acc, user, d->gid);
        if (member < 0)
                log_error("status: cannot read the groups of %s: %s", user->name, strerror(-member));
        r = group_add(o, "gid", json_object_new_int64(d->gid));
        if (r >= 0)
                r = group_add(o, "group", json_object_new_string(d->group_name));
        if (r >= 0)
                r = group_add(o, "active", json_object_new_boolean(member > 0));
        if (r >= 0 && member > 0)
                r = group_add(o, "recipe", recipe_build(db, user->uid, d->gid, d->group_name));
        if (r < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

static int render_status(sqlite3 *db, const accounts *acc, const account_user *user, json_object *data) {
        range_row *ranges = NULL;
        delegation_row *delegations = NULL;
        request_row *requests = NULL;
        size_t n_ranges = 0, n_delegations = 0, n_requests = 0;
        render_budget budget = { .limit = RENDER_ARRAY_BUDGET / 2 };
        json_object *a = NULL;
        int r;

        r = policy_owner_rows(db, user->uid, &ranges, &n_ranges, &delegations, &n_delegations);
        if (r < 0)
                return r;
        r = policy_requests_of_owner(db, user->uid, &requests, &n_requests);
        if (r >= 0)
                r = group_add(data, "user", json_object_new_string(user->name));
        if (r >= 0)
                r = group_add(data, "uid", json_object_new_int64(user->uid));
        if (r >= 0)
                r = group_add(data, "subuids", render_ranges_of(ranges, n_ranges, ID_KIND_UID));
        if (r >= 0)
                r = group_add(data, "subgids", render_ranges_of(ranges, n_ranges, ID_KIND_GID));
        if (r >= 0) {
                a = json_object_new_array();
                r = a ? 0 : -ENOMEM;
        }
        for (size_t i = 0; r >= 0 && i < n_delegations; i++) {
                json_object *o = render_status_delegation(db, acc, user, &delegations[i]);

                if (!o || json_object_array_add(a, o) < 0) {
                        json_object_put(o);
                        r = -ENOMEM;
                }
        }
        if (r >= 0) {
                r = group_add(data, "delegations", a);
                a = NULL;
        }
        if (r >= 0) {
                a = json_object_new_array();
                r = a ? 0 : -ENOMEM;
        }
        /* A user's own requests, newest first: few, but still bounded to
         * one message. */
        for (size_t i = 0; r >= 0 && i < n_requests; i++)
                r = render_push_bounded(a, render_request(&requests[n_requests - 1 - i]), &budget);
        if (r >= 0) {
                r = group_add(data, "requests", a);
                a = NULL;
        }
        if (r >= 0 && budget.omitted > 0)
                r = group_add(data, "requests_omitted", json_object_new_int64((int64_t) budget.omitted));
        json_object_put(a);
        range_rows_free(ranges, n_ranges);
        delegation_rows_free(delegations, n_delegations);
        request_rows_free(requests, n_requests);
        return r;
}

HANDLER(handle_status) {
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_user_ account_user user = {};
        json_object *data;
        int r;

        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        r = caller_account(ctx, &acc, "status", &user);
        if (r < 0)
                return r;
        data = json_object_new_object();
        if (!data)
                return log_error_errno(-ENOMEM, "status: the reply cannot be built");
        r = render_status(ctx->db, &acc, &user, data);
        if (r < 0) {
                json_object_put(data);
                return r == -ENOMEM ? log_error_errno(r, "status: the reply cannot be built") : r;
        }
        *ret_data = data;
        return 0;
}
