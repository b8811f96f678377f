/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subidctl's side of the admind protocol: one connection per command,
 * requests built from the command line, replies read defensively (a
 * daemon of another version may send less than this subidctl expects). */
#include <errno.h>
#include <unistd.h>

#include "../common/admind_client.h"
#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/proto.h"
#include "../policy/lookup.h"
#include "ctl_common.h"
#include "paths.h"

int ctl_connect(int timeout_ms, int *ret_fd) {
        return admind_connect(SUBID_SOCKET_PATH, timeout_ms, ret_fd);
}

int ctl_call(int fd, const char *op, json_object *args, const int *fds, size_t n_fds, json_object **ret_data) {
        return admind_call(fd, op, args, fds, n_fds, ret_data);
}

int ctl_request(const char *op, json_object *args, const int *fds, size_t n_fds, int timeout_ms,
                json_object **ret_data) {
        _cleanup_close_ int fd = -1;
        int r;

        r = ctl_connect(timeout_ms, &fd);
        if (r < 0) {
                json_object_put(args);
                return r;
        }
        return ctl_call(fd, op, args, fds, n_fds, ret_data);
}

int ctl_run(const char *command, const char *op, json_object *args, bool json, int (*render)(json_object *data)) {
        _cleanup_json_ json_object *data = NULL;
        int r;

        r = ctl_request(op, args, NULL, 0, CTL_TIMEOUT_MS, &data);
        if (r < 0)
                return 1;
        r = json ? ctl_print_json(data) : render(data);
        if (r < 0 || ctl_flush(command) < 0)
                return 1;
        return 0;
}

static int oom(void) {
        return log_error_errno(-ENOMEM, "cannot build the request");
}

int ctl_args_new(json_object **ret) {
        *ret = json_object_new_object();
        return *ret ? 0 : oom();
}

static int args_add(json_object *args, const char *key, json_object *v) {
        if (!v || json_object_object_add(args, key, v) < 0) {
                json_object_put(v);
                return oom();
        }
        return 0;
}

int ctl_args_add_string(json_object *args, const char *key, const char *value) {
        return args_add(args, key, json_object_new_string(value));
}

int ctl_args_add_u32(json_object *args, const char *key, uint32_t value) {
        return args_add(args, key, json_object_new_int64(value));
}

int ctl_args_add_bool(json_object *args, const char *key, bool value) {
        return args_add(args, key, json_object_new_boolean(value));
}

int ctl_args_add_range(json_object *args, const char *key, const id_range *range) {
        json_object *o = json_object_new_object();

        if (!o || ctl_args_add_u32(o, "first", range->first) < 0 || ctl_args_add_u32(o, "count", range->count) < 0) {
                json_object_put(o);
                return oom();
        }
        return args_add(args, key, o);
}

static int malformed(const char *key) {
        log_error("subid-admind sent a malformed answer (bad or missing \"%s\")", key);
        return -EBADMSG;
}

int ctl_reply_string(json_object *o, const char *key, const char **ret) {
        if (proto_get_string(o, key, 64 * 1024, ret) < 0)
                return malformed(key);
        return 0;
}

int ctl_reply_u32(json_object *o, const char *key, uint32_t *ret) {
        if (proto_get_u32(o, key, UINT32_MAX, ret) < 0)
                return malformed(key);
        return 0;
}

int ctl_reply_size(json_object *o, const char *key, size_t *ret) {
        json_object *v;
        int64_t n;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return malformed(key);
        n = json_object_get_int64(v);
        if (n < 0)
                return malformed(key);
        *ret = (size_t) n;
        return 0;
}

size_t ctl_reply_optional_size(json_object *o, const char *key) {
        size_t n;

        if (!json_object_object_get_ex(o, key, NULL))
                return 0;
        return ctl_reply_size(o, key, &n) < 0 ? 0 : n;
}

int ctl_reply_bool(json_object *o, const char *key, bool *ret) {
        if (proto_get_bool(o, key, ret) < 0)
                return malformed(key);
        return 0;
}

int ctl_reply_array(json_object *o, const char *key, json_object **ret) {
        if (!json_object_object_get_ex(o, key, ret) || !json_object_is_type(*ret, json_type_array))
                return malformed(key);
        return 0;
}

int ctl_reply_range(json_object *o, id_range *ret) {
        id_range r;

        if (ctl_reply_u32(o, "first", &r.first) < 0 || ctl_reply_u32(o, "count", &r.count) < 0)
                return -EBADMSG;
        if (!range_is_valid(&r))
                return malformed("count");
        *ret = r;
        return 0;
}

int ctl_reply_kind(json_object *o, const char *key, id_kind *ret) {
        const char *s;

        if (ctl_reply_string(o, key, &s) < 0)
                return -EBADMSG;
        if (id_kind_from_string(s, ret) < 0)
                return malformed(key);
        return 0;
}
