/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Operations about the connection itself. */
#include "../common/proto.h"
#include "handlers.h"
#include "paths.h"

HANDLER(handle_ping) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "version", json_object_new_string(SUBID_VERSION));
        json_object_object_add(o, "protocol", json_object_new_int(PROTO_VERSION));
        *ret_data = o;
        return 0;
}

HANDLER(handle_whoami) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "pid", json_object_new_int(ctx->peer->pid));
        json_object_object_add(o, "uid", json_object_new_int64(ctx->peer->uid));
        json_object_object_add(o, "gid", json_object_new_int64(ctx->peer->gid));
        json_object_object_add(o, "admin", json_object_new_boolean(ctx->is_admin));
        *ret_data = o;
        return 0;
}
