/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "handle_args.h"

#include <errno.h>

#include "../common/log.h"
#include "../common/proto.h"
#include "../policy/lookup.h"

int args_string(json_object *args, const char *op, const char *key, size_t max_len, bool required,
                const char **ret) {
        int r = proto_get_string(args, key, max_len, ret);

        if (r == -ENOENT && !required)
                return r;
        if (r == -ENOENT) {
                log_error("%s: missing \"%s\"", op, key);
                return -EINVAL;
        }
        if (r < 0 || (*ret)[0] == '\0') {
                log_error("%s: \"%s\" must be a non-empty string of at most %zu bytes", op, key, max_len);
                return -EINVAL;
        }
        return 0;
}

int args_u32(json_object *args, const char *op, const char *key, uint32_t max, bool required, uint32_t *ret) {
        int r = proto_get_u32(args, key, max, ret);

        if (r == -ENOENT && !required)
                return r;
        if (r == -ENOENT) {
                log_error("%s: missing \"%s\"", op, key);
                return -EINVAL;
        }
        if (r < 0) {
                log_error("%s: \"%s\" must be a number from 0 to %u", op, key, max);
                return -EINVAL;
        }
        return 0;
}

int args_bool(json_object *args, const char *op, const char *key, bool *ret) {
        int r = proto_get_bool(args, key, ret);

        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                log_error("%s: \"%s\" must be true or false", op, key);
                return -EINVAL;
        }
        return 0;
}

int args_range(json_object *args, const char *op, const char *key, bool *ret_has, id_range *ret) {
        json_object *v;
        id_range range;

        *ret_has = false;
        if (!json_object_object_get_ex(args, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_object) || proto_get_u32(v, "first", ID_MAX, &range.first) < 0 ||
            proto_get_u32(v, "count", UINT32_MAX, &range.count) < 0 || !range_is_valid(&range)) {
                log_error("%s: \"%s\" must be {\"first\": N, \"count\": N} with count at least 1 and ids from 0 "
                          "to %u",
                          op, key, ID_MAX);
                return -EINVAL;
        }
        *ret = range;
        *ret_has = true;
        return 0;
}

int args_resolve_account(const accounts *acc, const char *op, const char *text, account_user *ret) {
        int r = accounts_resolve_user(acc, text, ret);

        if (r == -ENOENT) {
                log_error("%s: no such user '%s'", op, text);
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "%s: cannot look up user '%s'", op, text);
        return 0;
}

int args_resolve_owner(sqlite3 *db, const accounts *acc, const char *op, const char *text, account_user *ret) {
        int r = policy_resolve_owner(db, acc, text, ret);

        if (r == -ENOENT) {
                log_error("%s: no such user '%s', and the database has nothing under that name", op, text);
                return r;
        }
        if (r == -ENOTUNIQ) {
                log_error("%s: '%s' is stored for several uids; give the uid instead", op, text);
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "%s: cannot look up user '%s'", op, text);
        return 0;
}

int args_reply(json_object *data, const char *op, json_object **ret_data) {
        if (!data)
                return log_error_errno(-ENOMEM, "%s: the reply cannot be built", op);
        *ret_data = data;
        return 0;
}
