/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>

#include "../policy/idsinuse.h"
#include "dispatch.h"

/* What the group operations share: finding the group an argument names
 * and the account of the client. Each logs a one-line reason naming op. */

/* args["group"] (required) as an existing group: a name, or a gid when no
 * group has that name. */
int group_arg(json_object *args, const char *op, const accounts *acc, account_group *ret);

/* args["id"]: a request id (required). */
int request_id_arg(json_object *args, const char *op, int64_t *ret);

/* The account of the client, by the uid the kernel gave for the socket:
 * never by anything the request says. */
int caller_account(const request_ctx *ctx, const accounts *acc, const char *op, account_user *ret);

static inline void account_group_donep(account_group *g) {
        free(g->name);
}
#define _cleanup_account_group_ __attribute__((cleanup(account_group_donep)))
