/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "handle_group_recipe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/grow.h"
#include "../common/log.h"
#include "../policy/lookup.h"

static int cmp_first(const void *a, const void *b) {
        const id_range *x = a, *y = b;

        return (x->first > y->first) - (x->first < y->first);
}

/* The entries sorted by first host gid, as podman lays them out. */
static int sorted_copy(const id_range *entries, size_t n, id_range **ret) {
        id_range *copy = calloc(n ? n : 1, sizeof *copy);

        if (!copy)
                return -ENOMEM;
        if (n > 0) {
                memcpy(copy, entries, n * sizeof *copy);
                qsort(copy, n, sizeof *copy, cmp_first);
        }
        *ret = copy;
        return 0;
}

int recipe_intermediate_gid(const id_range *entries, size_t n, uint32_t gid, uint32_t *ret, uint64_t *ret_total) {
        _cleanup_free_ id_range *sorted = NULL;
        uint64_t next = 1; /* intermediate gid 0 is the user's own gid */
        bool found = false;
        uint32_t at = 0;
        int r;

        r = sorted_copy(entries, n, &sorted);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                if (!found && range_contains_id(&sorted[i], gid)) {
                        at = (uint32_t) (next + (gid - sorted[i].first));
                        found = true;
                }
                next += sorted[i].count;
        }
        /* A user namespace has 32-bit ids; (uint32_t) -1 is never valid. */
        if (next > UINT32_MAX)
                return -ERANGE;
        if (!found)
                return -ENOENT;
        *ret = at;
        if (ret_total)
                *ret_total = next;
        return 0;
}

typedef struct extent_list {
        recipe_extent *items;
        size_t n, capacity;
} extent_list;

/* Appends, merging with the previous triple when both sides continue it. */
static int extent_push(extent_list *l, uint32_t container, uint32_t intermediate, uint32_t count) {
        recipe_extent *last = l->n > 0 ? &l->items[l->n - 1] : NULL;
        int r;

        if (count == 0)
                return 0;
        if (last && (uint64_t) last->container + last->count == container &&
            (uint64_t) last->intermediate + last->count == intermediate) {
                last->count += count;
                return 0;
        }
        r = GROW(l->items, l->n, l->capacity);
        if (r < 0)
                return r;
        l->items[l->n++] = (recipe_extent) { container, intermediate, count };
        return 0;
}

int recipe_legacy_gidmap(const id_range *entries, size_t n, uint32_t gid, recipe_extent **ret, size_t *ret_n) {
        extent_list l = {};
        uint32_t at;
        uint64_t total, cid = 0;
        /* The intermediate gids other than the delegated one, in order:
         * [0, at) and [at + 1, total). */
        uint64_t avail[2][2];
        int r;

        r = recipe_intermediate_gid(entries, n, gid, &at, &total);
        if (r < 0)
                return r;
        avail[0][0] = 0;
        avail[0][1] = at;
        avail[1][0] = (uint64_t) at + 1;
        avail[1][1] = total;

        /* As podman's fill: container gids below gid first, then gid itself,
         * then whatever is left from gid + 1 on. */
        for (size_t i = 0; i < 2 && r >= 0; i++) {
                uint64_t next = avail[i][0];

                while (next < avail[i][1] && r >= 0) {
                        uint64_t size = avail[i][1] - next;

                        if (cid < gid && size > gid - cid)
                                size = gid - cid;
                        if (cid == gid) {
                                r = extent_push(&l, gid, at, 1);
                                cid++;
                                continue;
                        }
                        if (cid + size > UINT32_MAX) {
                                r = -ERANGE;
                                break;
                        }
                        r = extent_push(&l, (uint32_t) cid, (uint32_t) next, (uint32_t) size);
                        cid += size;
                        next += size;
                }
        }
        /* Fewer other gids than gid: the delegated one still goes to gid. */
        if (r >= 0 && cid <= gid)
                r = extent_push(&l, gid, at, 1);
        if (r < 0) {
                free(l.items);
                return r;
        }
        *ret = l.items;
        *ret_n = l.n;
        return 0;
}

/* Takes the memstream's text. */
static char *stream_text(FILE *f, char **buf) {
        if (fclose(f) != 0) {
                free(*buf);
                *buf = NULL;
        }
        return TAKE_PTR(*buf);
}

static char *legacy_command(uint64_t n_subuids, const recipe_extent *g, size_t n) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        /* Given a --gidmap alone, podman before 4.7 copies it to the uid
         * map; the uid map podman would use anyway is the identity over
         * the intermediate namespace: own uid as root, then the subuids. */
        fprintf(f, "podman run --group-add keep-groups --uidmap 0:0:%llu", (unsigned long long) n_subuids + 1);
        for (size_t i = 0; i < n; i++)
                fprintf(f, " --gidmap %u:%u:%u", g[i].container, g[i].intermediate, g[i].count);
        fputs(" IMAGE", f);
        return stream_text(f, &buf);
}

static int add_string(json_object *o, const char *key, const char *value) {
        json_object *v = json_object_new_string(value);

        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_u32(json_object *o, const char *key, uint32_t value) {
        json_object *v = json_object_new_int64(value);

        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

/* Every subgid entry of the user as exported (ranges and delegations) and
 * the number of subuids. */
static int load_entries(sqlite3 *db, uint32_t owner_uid, id_range **ret, size_t *ret_n, uint64_t *ret_subuids) {
        range_row *ranges = NULL;
        delegation_row *delegations = NULL;
        size_t n_ranges = 0, n_delegations = 0, n = 0;
        uint64_t subuids = 0;
        id_range *entries;
        int r;

        r = policy_owner_rows(db, owner_uid, &ranges, &n_ranges, &delegations, &n_delegations);
        if (r < 0)
                return r;
        entries = calloc(n_ranges + n_delegations + 1, sizeof *entries);
        if (entries) {
                for (size_t i = 0; i < n_ranges; i++)
                        if (ranges[i].kind == ID_KIND_GID)
                                entries[n++] = ranges[i].range;
                        else
                                subuids += ranges[i].range.count;
                for (size_t i = 0; i < n_delegations; i++)
                        entries[n++] = (id_range) { delegations[i].gid, 1 };
        }
        range_rows_free(ranges, n_ranges);
        delegation_rows_free(delegations, n_delegations);
        if (!entries)
                return -ENOMEM;
        *ret = entries;
        *ret_n = n;
        *ret_subuids = subuids;
        return 0;
}

static int fill_commands(json_object *o, sqlite3 *db, uint32_t owner_uid, uint32_t gid) {
        _cleanup_free_ id_range *entries = NULL;
        _cleanup_free_ recipe_extent *extents = NULL;
        _cleanup_free_ char *podman = NULL, *legacy = NULL;
        size_t n = 0, n_extents = 0;
        uint64_t subuids = 0;
        uint32_t at;
        int r;

        r = load_entries(db, owner_uid, &entries, &n, &subuids);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return add_string(o, "warning", "the policy database could not be read to compute the commands");
        if (subuids == 0)
                return add_string(o, "warning",
                                  "you hold no subordinate uids: podman then ignores /etc/subgid and cannot map "
                                  "the group; ask for a range first (subid-request)");
        r = recipe_intermediate_gid(entries, n, gid, &at, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return add_string(o, "warning",
                                  "your subordinate gids do not fit one podman user namespace; map the group by "
                                  "hand (see docs/delegation.md)");
        if (asprintf(&podman, "podman run --group-add keep-groups --gidmap=+g%u:@%u IMAGE", gid, gid) < 0) {
                podman = NULL;
                return -ENOMEM;
        }
        r = add_u32(o, "intermediate_gid", at);
        if (r >= 0)
                r = add_string(o, "podman", podman);
        if (r < 0)
                return r;

        r = recipe_legacy_gidmap(entries, n, gid, &extents, &n_extents);
        if (r == -ENOMEM)
                return r;
        /* Container gids end at max(namespace size, gid + 1), so this cannot
         * wrap today; if it ever does, the 4.7 form still applies. */
        if (r < 0)
                return add_string(o, "warning",
                                  "the explicit --gidmap form does not fit 32-bit container gids; use podman 4.7 "
                                  "or later");
        legacy = legacy_command(subuids, extents, n_extents);
        if (!legacy)
                return -ENOMEM;
        return add_string(o, "podman_legacy", legacy);
}

json_object *recipe_build(sqlite3 *db, uint32_t owner_uid, uint32_t gid, const char *group) {
        json_object *o = json_object_new_object();
        int r;

        if (!o)
                return NULL;
        r = add_u32(o, "gid", gid);
        if (r >= 0)
                r = add_string(o, "group", group);
        if (r >= 0)
                r = add_u32(o, "container_gid", gid);
        if (r >= 0)
                r = add_string(o, "migrate", "podman system migrate");
        if (r >= 0)
                r = fill_commands(o, db, owner_uid, gid);
        if (r >= 0)
                r = add_string(o, "check", "podman unshare cat /proc/self/gid_map");
        if (r >= 0)
                r = add_string(o, "note",
                               "--group-add keep-groups needs the crun runtime; the delegation works only while "
                               "you are a member of the group");
        if (r < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}
