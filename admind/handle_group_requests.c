/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Delegation requests as administrators see them: requests, approve,
 * reject. */
#include <errno.h>
#include <string.h>

#include "../common/log.h"
#include "../policy/requests.h"
#include "handle_args.h"
#include "handle_group_common.h"
#include "handle_group_recipe.h"
#include "handle_group_render.h"
#include "handlers.h"
#include "render_ranges.h"

HANDLER(handle_requests) {
        request_row *rows = NULL;
        size_t n = 0;
        render_budget budget = { .limit = RENDER_ARRAY_BUDGET };
        const char *state = "pending";
        json_object *data = NULL, *list;
        int r;

        r = args_string(args, "requests", "state", 16, false, &state);
        if (r == -EINVAL)
                return r;
        if (strcmp(state, "pending") != 0 && strcmp(state, "all") != 0) {
                log_error("requests: \"state\" must be \"pending\" or \"all\", not '%s'", state);
                return -EINVAL;
        }
        r = policy_requests_list(ctx->db, strcmp(state, "all") == 0, &rows, &n);
        if (r < 0)
                return r;

        list = json_object_new_array();
        r = list ? 0 : -ENOMEM;
        /* A reply is one message: the oldest requests first, as many as fit. */
        for (size_t i = 0; i < n && r >= 0; i++)
                r = render_push_bounded(list, render_request(&rows[i]), &budget);
        request_rows_free(rows, n);
        if (r >= 0) {
                data = json_object_new_object();
                r = data ? group_add(data, "requests", list) : -ENOMEM;
                list = NULL;
        }
        if (r >= 0 && budget.omitted > 0)
                r = group_add(data, "requests_omitted", json_object_new_int64((int64_t) budget.omitted));
        json_object_put(list);
        if (r < 0) {
                json_object_put(data);
                data = NULL;
        }
        return args_reply(data, "requests", ret_data);
}

/* Whose request for which group, for the audit record: known before the
 * decision so that a refused one names them too. -ENOENT ("no request
 * #ID", logged) when there is no such request. */
static int audit_request_target(request_ctx *ctx, int64_t id) {
        request_row row = {};
        int r;

        r = policy_request_get(ctx->db, id, &row);
        if (r < 0)
                return r;
        audit_set_acct(ctx->audit, 0, row.owner_name);
        audit_set_grp(ctx->audit, 0, row.group_name);
        request_row_done(&row);
        return 0;
}

HANDLER(handle_approve) {
        _cleanup_accounts_ accounts acc = {};
        request_row row = {};
        json_object *data;
        int64_t id;
        int r;

        r = request_id_arg(args, "approve", &id);
        if (r < 0)
                return r;
        r = audit_request_target(ctx, id);
        if (r < 0)
                return r;
        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        r = policy_request_approve(ctx->db, &acc, id, (uint32_t) ctx->peer->uid, ctx->export_paths, &row);
        if (r < 0)
                return r;

        data = json_object_new_object();
        r = data ? group_add(data, "request", render_request(&row)) : -ENOMEM;
        if (r >= 0)
                r = group_add(data, "delegation", render_delegation(row.owner_name, row.owner_uid, row.group_name, row.gid));
        /* For the administrator to pass on; the user sees it with --status. */
        if (r >= 0)
                r = group_add(data, "recipe", recipe_build(ctx->db, row.owner_uid, row.gid, row.group_name));
        request_row_done(&row);
        if (r < 0) {
                json_object_put(data);
                data = NULL;
        }
        return args_reply(data, "approve", ret_data);
}

HANDLER(handle_reject) {
        request_row row = {};
        const char *reason = NULL;
        json_object *data;
        int64_t id;
        int r;

        r = request_id_arg(args, "reject", &id);
        if (r < 0)
                return r;
        r = audit_request_target(ctx, id);
        if (r < 0)
                return r;
        r = args_string(args, "reject", "reason", REQUEST_REASON_MAX, false, &reason);
        if (r == -EINVAL)
                return r;
        r = policy_request_reject(ctx->db, id, (uint32_t) ctx->peer->uid, reason, &row);
        if (r < 0)
                return r;
        data = json_object_new_object();
        r = data ? group_add(data, "request", render_request(&row)) : -ENOMEM;
        request_row_done(&row);
        if (r < 0) {
                json_object_put(data);
                data = NULL;
        }
        return args_reply(data, "reject", ret_data);
}
