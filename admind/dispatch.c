/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dispatch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "../common/proto.h"

static const handler *find_handler(const char *op) {
        for (size_t i = 0; i < n_handlers; i++)
                if (strcmp(handlers[i].op, op) == 0)
                        return &handlers[i];
        return NULL;
}

/* Who asked, for the audit trail, then may they, then the handler. On
 * failure err holds the reason. *ret_known says whether *ret_loginuid is
 * the requester's. */
static int run_handler(request_ctx *ctx, const handler *h, json_object *args, json_object **ret_data, char *err,
                       size_t err_size, uint32_t *ret_loginuid, bool *ret_known) {
        int r;

        /* The pid could have been reused since connect if the peer died:
         * never act for (nor attribute a record to) a process that no
         * longer exists. */
        r = h->audit_op ? peer_loginuid(ctx->peer, ret_loginuid) : peer_alive(ctx->peer);
        if (r == -ESRCH) {
                snprintf(err, err_size, "requesting process has exited");
                return r;
        }
        if (r < 0) {
                snprintf(err, err_size, "cannot read the requesting process's login uid: %s", strerror(-r));
                return r;
        }
        *ret_known = h->audit_op != NULL;
        if (h->access == ACCESS_ADMIN && !ctx->is_admin) {
                snprintf(err, err_size, "'%s' needs root or membership of group subidadm", h->op);
                return -EPERM;
        }

        log_capture_begin(err, err_size);
        r = h->fn(ctx, args, ret_data, err, err_size);
        log_capture_end();
        if (r < 0 && !err[0])
                snprintf(err, err_size, "%s", strerror(-r));
        return r;
}

json_object *dispatch_request(request_ctx *ctx, json_object *request) {
        json_object *args = NULL, *data = NULL;
        const handler *h;
        const char *op;
        uint32_t version, loginuid = AUDIT_LOGINUID_UNSET;
        bool known = false;
        audit_event ev = {};
        char err[512] = "";
        int r;

        r = proto_get_u32(request, "v", UINT32_MAX, &version);
        if (r == -ENOENT)
                return proto_reply_error(-EPROTO, "request has no protocol version \"v\"");
        if (r < 0)
                return proto_reply_error(-EPROTO, "protocol version \"v\" must be a number");
        if (version != PROTO_VERSION)
                return proto_reply_error(-EPROTO, "unsupported protocol version");
        if (proto_get_string(request, "op", 64, &op) < 0)
                return proto_reply_error(-EINVAL, "request has no operation \"op\"");
        if (!json_object_object_get_ex(request, "args", &args) || !json_object_is_type(args, json_type_object))
                return proto_reply_error(-EINVAL, "request has no \"args\" object");

        h = find_handler(op);
        if (!h) {
                snprintf(err, sizeof err, "unknown operation '%s'", op);
                return proto_reply_error(-EOPNOTSUPP, err);
        }

        /* Changes and refusals of changes are audited, once per request,
         * with what the handler filled in (ctx->audit). */
        if (h->audit_op)
                audit_event_begin(&ev, h->audit_op, args, h->access == ACCESS_ADMIN);
        ctx->audit = h->audit_op ? &ev : NULL;
        r = run_handler(ctx, h, args, &data, err, sizeof err, &loginuid, &known);
        ctx->audit = NULL;
        if (h->audit_op) {
                admind_audit(&ev, known ? &loginuid : NULL, r, err);
                audit_event_done(&ev);
        }
        if (r < 0) {
                json_object_put(data);
                return proto_reply_error(r, err);
        }
        return proto_reply_ok(data);
}
