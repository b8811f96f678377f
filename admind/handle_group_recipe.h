/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "../policy/ranges.h"

/* The podman commands that map a delegated group into a rootless container
 * (docs/delegation.md explains the arithmetic).
 *
 * Rootless podman first builds its own user namespace (the "intermediate"
 * one) with newgidmap: intermediate gid 0 is the user's own gid, and every
 * /etc/subgid entry of the user (ranges and delegated gids alike), sorted
 * by first host gid, follows from intermediate gid 1 on. A container's
 * --gidmap then maps container gids to intermediate gids. So where the
 * delegated gid lands depends on all of the user's subgid entries. */

/* One --gidmap triple: container gid, intermediate gid, count. */
typedef struct recipe_extent {
        uint32_t container;
        uint32_t intermediate;
        uint32_t count;
} recipe_extent;

/* The intermediate gid of host gid in podman's namespace, given every
 * subgid entry of the user (any order; a delegation is a range of one).
 * -ENOENT when no entry holds gid; -ERANGE when the namespace would not fit
 * 32-bit ids. *ret_total gets the size of the namespace (entries + 1). */
int recipe_intermediate_gid(const id_range *entries, size_t n, uint32_t gid, uint32_t *ret, uint64_t *ret_total);

/* The explicit --gidmap triples that do what podman >= 4.7 does for
 * --gidmap=+g<gid>:@<gid>: container gid `gid` is the delegated gid, and
 * every other intermediate gid fills container gids from 0 upwards in
 * order, skipping `gid` (so container gid 0 stays the user's own gid).
 * Sorted by container gid, adjacent triples merged; *ret malloc'd. The
 * other gids form two runs (below and above the delegated one), so there
 * are at most five triples, far below the kernel's 340 lines. */
int recipe_legacy_gidmap(const id_range *entries, size_t n, uint32_t gid, recipe_extent **ret, size_t *ret_n);

/* The reply's "recipe" object for the delegation of gid (group) to the user
 * owner_uid, computed from the user's rows in db as they are now:
 *   {gid, group, container_gid, intermediate_gid, migrate, podman,
 *    podman_legacy, check, note[, warning]}
 * NULL only when memory runs out (database errors are logged and give a
 * recipe with only a warning). */
json_object *recipe_build(sqlite3 *db, uint32_t owner_uid, uint32_t gid, const char *group);
