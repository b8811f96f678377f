/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "../policy/ranges.h"

/* What the policy database grants one caller right now: their subordinate
 * ranges of kind, plus (gids only) each delegated gid whose group the
 * caller is a member of at this moment, as ranges of one. */
int policy_load_held(const char *db_path, id_kind kind, uid_t uid, const char *user, gid_t primary_gid,
                     id_range **ret, size_t *ret_n);

/* Whether user (with primary group primary_gid) is in group gid now,
 * through NSS (getgrouplist). */
int user_in_group(const char *user, gid_t primary_gid, gid_t gid);
