/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../policy/idsinuse.h"
#include "../policy/ranges.h"

/* Request arguments, checked. Each getter logs a one-line reason naming the
 * operation and the key ("grant: \"count\" must be ...") and returns -EINVAL
 * for a wrong type or value, or for a missing required key. A missing
 * optional key is -ENOENT, not logged. */

/* Longest user or group name a request may carry (the database's limit). */
#define ARGS_MAX_NAME 256

int args_string(json_object *args, const char *op, const char *key, size_t max_len, bool required,
                const char **ret);
int args_u32(json_object *args, const char *op, const char *key, uint32_t max, bool required, uint32_t *ret);
/* An optional boolean: *ret keeps its value when the key is missing. */
int args_bool(json_object *args, const char *op, const char *key, bool *ret);

/* An optional range {"first": N, "count": N}: *ret_has says whether it was
 * given. */
int args_range(json_object *args, const char *op, const char *key, bool *ret_has, id_range *ret);

/* USER as an existing account (a name, or a numeric uid). */
int args_resolve_account(const accounts *acc, const char *op, const char *text, account_user *ret);

/* USER as an account, or as the owner the database stores under that name
 * or uid (a deleted account's ranges can still be listed and revoked). */
int args_resolve_owner(sqlite3 *db, const accounts *acc, const char *op, const char *text, account_user *ret);

/* Sets *ret_data to data, or logs and returns -ENOMEM when building it
 * failed (data NULL). */
int args_reply(json_object *data, const char *op, json_object **ret_data);

static inline void accounts_donep(accounts *a) {
        accounts_done(a);
}
#define _cleanup_accounts_ __attribute__((cleanup(accounts_donep)))

static inline void account_user_donep(account_user *u) {
        account_user_done(u);
}
#define _cleanup_account_user_ __attribute__((cleanup(account_user_donep)))
