/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "../policy/requests.h"

/* Reply data of the group operations (docs/protocol.md). Builders return
 * NULL only when memory runs out. */

/* A request object: {id, user, uid, group, gid, state, created_at,
 * decided_at, decided_by, reason}, null where undecided or unset. */
json_object *render_request(const request_row *r);

/* {user, uid, group, gid} */
json_object *render_delegation(const char *user, uint32_t uid, const char *group, uint32_t gid);

/* Adds value (consumed) under key; -ENOMEM when value is NULL or adding
 * fails. For chaining: r = group_add(o, key, v) after r >= 0. */
int group_add(json_object *o, const char *key, json_object *value);
