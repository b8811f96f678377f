/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "../policy/ranges.h"

/* Opens the policy database at db_path read-only and returns what it
 * grants the caller right now (policy_held_ranges, policy/held.h). */
int policy_load_held(const char *db_path, id_kind kind, uid_t uid, const char *user, gid_t primary_gid,
                     id_range **ret, size_t *ret_n);
