/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "../policy/grant.h"
#include "../policy/idsinuse.h"
#include "../policy/import.h"
#include "../policy/lookup.h"
#include "../policy/ranges.h"
#include "../policy/revoke.h"

/* The reply data of the range operations (docs/protocol.md), built from
 * the policy library's results. list and who-owns data is exactly what
 * `subidctl list --json` / `who-owns --json` print (docs/json.md). Every
 * builder returns NULL only when memory runs out. */

/* A reply is one message of at most 64 KiB: the arrays that can grow
 * without bound (a user with thousands of ranges, an import with thousands
 * of refused lines) get this many bytes of serialised JSON at most; the
 * rest of a reply is a few hundred bytes. */
#define RENDER_ARRAY_BUDGET 60000

/* {"first", "last", "count"} */
json_object *render_range(const id_range *r);

/* Appends item (consumed) to array while the array's serialised size stays
 * within budget; otherwise drops it and counts it in *omitted. */
typedef struct render_budget {
        size_t limit;
        size_t used;
        size_t omitted;
} render_budget;

int render_push_bounded(json_object *array, json_object *item, render_budget *b);

/* `list` pages. The listing is a sequence of items ordered by owner (name,
 * then uid), then part, then id (first id of a range, gid of a
 * delegation); a page holds the items after the cursor `after` (NULL: from
 * the start) that fit in budget bytes, always at least one. When items
 * remain, data gets "next": the cursor of the last item shown, which the
 * client passes back as "after". An owner cut by a page boundary appears
 * on both pages, each with its part of the arrays: clients merge
 * consecutive entries with the same name and uid. */
enum {
        LIST_PART_OWNER,
        LIST_PART_SUBUIDS,
        LIST_PART_SUBGIDS,
        LIST_PART_DELEGATIONS,
        LIST_PART_MAX = LIST_PART_DELEGATIONS,
};

typedef struct list_cursor {
        const char *name;
        uint32_t uid;
        uint32_t part; /* LIST_PART_* */
        uint32_t id;
} list_cursor;

json_object *render_list(const owner_summary *owners, size_t n, const list_cursor *after, size_t budget);

json_object *render_who_owns(id_kind kind, uint32_t id, const who_owns_result *w);

/* granted[kind] NULL: not granted; source is "explicit" or "pool". */
json_object *render_grant(const account_user *u, const id_range *const granted[2], const char *source,
                          const grant_result *result);

json_object *render_revoke(const account_user *u, const revoke_result *result);

json_object *render_import(const import_set *s, const import_result *result);
