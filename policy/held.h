/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stddef.h>
#include <sys/types.h>

#include "ranges.h"

/* What the policy database grants one user right now: their subordinate
 * ranges of kind, plus (gids only) each delegated gid whose group the user
 * is a member of at this moment (NSS), as ranges of one. The one rule the
 * helpers authorise by and the libsubid provider answers by. Thread-safe
 * (getgrouplist only). *ret is malloc'd, NULL when nothing is held. */
int policy_held_ranges(sqlite3 *db, id_kind kind, uint32_t uid, const char *user, gid_t primary_gid,
                       id_range **ret, size_t *ret_n);

/* Whether user (with primary group primary_gid) is in group gid now,
 * through NSS (getgrouplist): 1, 0, or -errno. */
int user_in_group(const char *user, gid_t primary_gid, gid_t gid);
