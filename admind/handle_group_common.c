/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "handle_group_common.h"

#include <errno.h>
#include <stdlib.h>

#include "../common/log.h"
#include "../policy/delegate.h"
#include "handle_args.h"

int group_arg(json_object *args, const char *op, const accounts *acc, account_group *ret) {
        const char *text;
        int r;

        r = args_string(args, op, "group", ARGS_MAX_NAME, true, &text);
        if (r < 0)
                return r;
        r = policy_resolve_group(acc, text, ret);
        if (r == -ENOENT) {
                log_error("%s: no such group '%s'", op, text);
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "%s: cannot look up group '%s'", op, text);
        return 0;
}

int request_id_arg(json_object *args, const char *op, int64_t *ret) {
        uint32_t id;
        int r;

        r = args_u32(args, op, "id", UINT32_MAX, true, &id);
        if (r < 0)
                return r;
        if (id == 0) {
                log_error("%s: \"id\" must be a request number (1 or more)", op);
                return -EINVAL;
        }
        *ret = id;
        return 0;
}

int caller_account(const request_ctx *ctx, const accounts *acc, const char *op, account_user *ret) {
        int r = accounts_user_by_uid(acc, (uint32_t) ctx->peer->uid, ret);

        if (r == -ENOENT) {
                log_error("%s: your uid %u has no user account", op, (unsigned) ctx->peer->uid);
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "%s: cannot look up uid %u", op, (unsigned) ctx->peer->uid);
        return 0;
}
