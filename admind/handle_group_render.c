/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "handle_group_render.h"

#include <errno.h>

int group_add(json_object *o, const char *key, json_object *value) {
        if (!value)
                return -ENOMEM;
        if (json_object_object_add(o, key, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

/* A JSON null is a NULL json_object: adding it cannot fail for want of one. */
static int add_nullable(json_object *o, const char *key, bool present, json_object *value) {
        if (!present)
                return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
        return group_add(o, key, value);
}

json_object *render_request(const request_row *q) {
        json_object *o = json_object_new_object();
        int r;

        if (!o)
                return NULL;
        r = group_add(o, "id", json_object_new_int64(q->id));
        if (r >= 0)
                r = group_add(o, "user", json_object_new_string(q->owner_name));
        if (r >= 0)
                r = group_add(o, "uid", json_object_new_int64(q->owner_uid));
        if (r >= 0)
                r = group_add(o, "group", json_object_new_string(q->group_name));
        if (r >= 0)
                r = group_add(o, "gid", json_object_new_int64(q->gid));
        if (r >= 0)
                r = group_add(o, "state", json_object_new_string(request_state_to_string(q->state)));
        if (r >= 0)
                r = group_add(o, "created_at", json_object_new_int64(q->created_at));
        if (r >= 0)
                r = add_nullable(o, "decided_at", q->decided, q->decided ? json_object_new_int64(q->decided_at) : NULL);
        if (r >= 0)
                r = add_nullable(o, "decided_by", q->has_decided_by,
                                 q->has_decided_by ? json_object_new_int64(q->decided_by) : NULL);
        if (r >= 0)
                r = add_nullable(o, "reason", q->reason, q->reason ? json_object_new_string(q->reason) : NULL);
        if (r < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

json_object *render_delegation(const char *user, uint32_t uid, const char *group, uint32_t gid) {
        json_object *o = json_object_new_object();
        int r;

        if (!o)
                return NULL;
        r = group_add(o, "user", json_object_new_string(user));
        if (r >= 0)
                r = group_add(o, "uid", json_object_new_int64(uid));
        if (r >= 0)
                r = group_add(o, "group", json_object_new_string(group));
        if (r >= 0)
                r = group_add(o, "gid", json_object_new_int64(gid));
        if (r < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}
