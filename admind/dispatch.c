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

json_object *dispatch_request(request_ctx *ctx, json_object *request) {
        json_object *args = NULL, *data = NULL;
        const handler *h;
        const char *op;
        uint32_t version;
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
        if (h->access == ACCESS_ADMIN && !ctx->is_admin) {
                snprintf(err, sizeof err, "'%s' needs root or membership of group subidadm", op);
                return proto_reply_error(-EPERM, err);
        }
        /* The pid could have been reused since connect if the peer died:
         * never act for a process that no longer exists. */
        if (peer_alive(ctx->peer) < 0)
                return proto_reply_error(-ESRCH, "requesting process has exited");

        log_capture_begin(err, sizeof err);
        r = h->fn(ctx, args, &data, err, sizeof err);
        log_capture_end();
        if (r < 0) {
                json_object_put(data);
                return proto_reply_error(r, err[0] ? err : strerror(-r));
        }
        return proto_reply_ok(data);
}
