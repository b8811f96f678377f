/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "render_ranges.h"

#include <errno.h>
#include <string.h>

/* Small builders: each consumes v and fails (-ENOMEM) when an allocation
 * failed, so a reply is either complete or not sent at all. */
static int add(json_object *o, const char *key, json_object *v) {
        if (!o || !v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_u32(json_object *o, const char *key, uint32_t v) {
        return add(o, key, json_object_new_int64(v));
}

static int add_size(json_object *o, const char *key, size_t v) {
        return add(o, key, json_object_new_int64((int64_t) v));
}

static int add_str(json_object *o, const char *key, const char *v) {
        return add(o, key, json_object_new_string(v));
}

static int add_bool(json_object *o, const char *key, bool v) {
        return add(o, key, json_object_new_boolean(v));
}

static int push(json_object *a, json_object *v) {
        if (!a || !v || json_object_array_add(a, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

/* A new empty array under key, or NULL. */
static json_object *add_array(json_object *o, const char *key) {
        json_object *a = json_object_new_array();

        return add(o, key, a) < 0 ? NULL : a;
}

/* Returns o, or NULL (o released) when r failed. */
static json_object *finish(json_object *o, int r) {
        if (r < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

static int add_range_fields(json_object *o, const id_range *r) {
        if (add_u32(o, "first", r->first) < 0 || add_u32(o, "last", range_last(r)) < 0 ||
            add_u32(o, "count", r->count) < 0)
                return -ENOMEM;
        return 0;
}

json_object *render_range(const id_range *r) {
        json_object *o = json_object_new_object();

        return finish(o, add_range_fields(o, r));
}

/* The serialised size of item as the protocol sends it, plus a separator. */
static size_t serialized_size(json_object *item) {
        size_t len = 0;

        if (!json_object_to_json_string_length(item, JSON_C_TO_STRING_PLAIN, &len))
                return SIZE_MAX;
        return len + 1;
}

int render_push_bounded(json_object *array, json_object *item, render_budget *b) {
        size_t cost;

        if (!item)
                return -ENOMEM;
        cost = serialized_size(item);
        if (b->omitted > 0 || cost > b->limit - b->used) {
                json_object_put(item);
                b->omitted++;
                return 0;
        }
        b->used += cost;
        return push(array, item);
}

/* "NAME_omitted": how many entries the size limit left out, only when some were. */
static int add_omitted(json_object *o, const char *array_key, const render_budget *b) {
        char key[64];

        if (b->omitted == 0)
                return 0;
        snprintf(key, sizeof key, "%s_omitted", array_key);
        return add_size(o, key, b->omitted);
}

/* ---- list ------------------------------------------------------------------ */

typedef struct list_page {
        json_object *users;
        size_t limit, used;
        bool any;  /* an item is on the page */
        bool full; /* an item did not fit: there is a next page */
        list_cursor last;
} list_page;

/* Whether an item of cost bytes goes on the page; the first always does,
 * so every page makes progress. */
static bool page_take(list_page *p, size_t cost) {
        if (p->any && p->used + cost > p->limit) {
                p->full = true;
                return false;
        }
        p->used += cost;
        p->any = true;
        return true;
}

static int cmp_owner_cursor(const owner_summary *o, const list_cursor *c) {
        int k = strcmp(o->name, c->name);

        if (k != 0)
                return k;
        return (o->uid > c->uid) - (o->uid < c->uid);
}

/* Whether the item (part, id) of the owner the cursor points into was
 * shown already. */
static bool before_cursor(const list_cursor *after, uint32_t part, uint32_t id) {
        return after && (part < after->part || (part == after->part && id <= after->id));
}

static json_object *delegation_json(const delegation_row *d) {
        json_object *o = json_object_new_object();

        return finish(o, add_u32(o, "gid", d->gid) < 0 || add_str(o, "group", d->group_name) < 0 ? -ENOMEM : 0);
}

/* Adds one part's items after the cursor; stops when the page is full. */
static int page_part(list_page *p, const owner_summary *o, const list_cursor *resume, json_object *array,
                     uint32_t part) {
        const id_range *ranges = part == LIST_PART_SUBUIDS ? o->subuids : o->subgids;
        size_t n = part == LIST_PART_SUBUIDS   ? o->n_subuids
                   : part == LIST_PART_SUBGIDS ? o->n_subgids
                                               : o->n_delegations;

        for (size_t i = 0; i < n && !p->full; i++) {
                bool delegation = part == LIST_PART_DELEGATIONS;
                uint32_t id = delegation ? o->delegations[i].gid : ranges[i].first;
                json_object *item;
                int r;

                if (before_cursor(resume, part, id))
                        continue;
                item = delegation ? delegation_json(&o->delegations[i]) : render_range(&ranges[i]);
                if (!item)
                        return -ENOMEM;
                if (!page_take(p, serialized_size(item))) {
                        json_object_put(item);
                        break;
                }
                r = push(array, item);
                if (r < 0)
                        return r;
                p->last = (list_cursor) { o->name, o->uid, part, id };
        }
        return 0;
}

static int page_owner(list_page *p, const owner_summary *o, const list_cursor *resume) {
        json_object *j = json_object_new_object(), *arrays[3];
        static const char *const keys[] = { "subuids", "subgids", "delegations" };
        size_t cost;
        int r;

        if (add_str(j, "name", o->name) < 0 || add_u32(j, "uid", o->uid) < 0) {
                json_object_put(j);
                return -ENOMEM;
        }
        for (size_t k = 0; k < 3; k++) {
                arrays[k] = add_array(j, keys[k]);
                if (!arrays[k]) {
                        json_object_put(j);
                        return -ENOMEM;
                }
        }
        cost = serialized_size(j);
        if (resume)
                p->used += cost; /* the owner goes on again, to carry the rest of its items */
        else if (page_take(p, cost))
                p->last = (list_cursor) { o->name, o->uid, LIST_PART_OWNER, 0 };
        else {
                json_object_put(j);
                return 0;
        }
        r = push(p->users, j);
        for (uint32_t part = LIST_PART_SUBUIDS; part <= LIST_PART_MAX && r >= 0 && !p->full; part++)
                r = page_part(p, o, resume, arrays[part - LIST_PART_SUBUIDS], part);
        return r;
}

static json_object *cursor_json(const list_cursor *c) {
        json_object *o = json_object_new_object();

        return finish(o, add_str(o, "name", c->name) < 0 || add_u32(o, "uid", c->uid) < 0 ||
                                         add_u32(o, "part", c->part) < 0 || add_u32(o, "id", c->id) < 0
                                 ? -ENOMEM
                                 : 0);
}

json_object *render_list(const owner_summary *owners, size_t n, const list_cursor *after, size_t budget) {
        json_object *root = json_object_new_object();
        list_page p = { .users = add_array(root, "users"), .limit = budget };
        int r = p.users ? 0 : -ENOMEM;

        for (size_t i = 0; i < n && r >= 0 && !p.full; i++) {
                int c = after ? cmp_owner_cursor(&owners[i], after) : 1;

                if (c >= 0)
                        r = page_owner(&p, &owners[i], c == 0 ? after : NULL);
        }
        if (r >= 0 && p.full)
                r = add(root, "next", cursor_json(&p.last));
        return finish(root, r);
}

/* ---- who-owns ---------------------------------------------------------------- */

static json_object *owner_range_json(const range_row *row) {
        json_object *o = json_object_new_object();

        return finish(o, add_str(o, "type", "range") < 0 || add_str(o, "user", row->owner_name) < 0 ||
                                         add_u32(o, "uid", row->owner_uid) < 0 ||
                                         add_range_fields(o, &row->range) < 0
                                 ? -ENOMEM
                                 : 0);
}

static json_object *owner_delegation_json(const delegation_row *d) {
        json_object *o = json_object_new_object();

        return finish(o, add_str(o, "type", "delegation") < 0 || add_str(o, "user", d->owner_name) < 0 ||
                                         add_u32(o, "uid", d->owner_uid) < 0 ||
                                         add_str(o, "group", d->group_name) < 0 || add_u32(o, "gid", d->gid) < 0
                                 ? -ENOMEM
                                 : 0);
}

static json_object *quarantine_json(const quarantine_row *q) {
        json_object *o = json_object_new_object();

        return finish(o, add_str(o, "former_user", q->former_name) < 0 ||
                                         add_u32(o, "former_uid", q->former_uid) < 0 ||
                                         add_range_fields(o, &q->range) < 0 || add_str(o, "reason", q->reason) < 0 ||
                                         add(o, "since", json_object_new_int64(q->since)) < 0
                                 ? -ENOMEM
                                 : 0);
}

json_object *render_who_owns(id_kind kind, uint32_t id, const who_owns_result *w) {
        json_object *root = json_object_new_object(), *owners = NULL, *q = NULL;
        render_budget b = { .limit = RENDER_ARRAY_BUDGET };
        int r;

        r = add_str(root, "kind", id_kind_to_string(kind));
        if (r >= 0)
                r = add_u32(root, "id", id);
        if (r >= 0 && !(owners = add_array(root, "owners")))
                r = -ENOMEM;
        if (r >= 0 && w->has_range)
                r = render_push_bounded(owners, owner_range_json(&w->range), &b);
        for (size_t i = 0; r >= 0 && i < w->n_delegations; i++)
                r = render_push_bounded(owners, owner_delegation_json(&w->delegations[i]), &b);
        if (r >= 0 && w->has_quarantine) {
                q = quarantine_json(&w->quarantine);
                if (!q)
                        r = -ENOMEM;
        }
        /* json null when nothing is quarantined there. */
        if (r >= 0 && json_object_object_add(root, "quarantine", q) < 0) {
                json_object_put(q);
                r = -ENOMEM;
        }
        if (r >= 0)
                r = add_omitted(root, "owners", &b);
        return finish(root, r);
}

/* ---- grant, revoke ------------------------------------------------------------ */

static json_object *granted_json(id_kind kind, const id_range *range, const char *source) {
        json_object *o = json_object_new_object();

        return finish(o, add_str(o, "kind", id_kind_to_string(kind)) < 0 || add_range_fields(o, range) < 0 ||
                                         add_str(o, "source", source) < 0
                                 ? -ENOMEM
                                 : 0);
}

static json_object *reclaimed_json(const grant_reclaim *q) {
        json_object *o = json_object_new_object();

        return finish(o, add_str(o, "kind", id_kind_to_string(q->kind)) < 0 || add_range_fields(o, &q->range) < 0 ||
                                         add_str(o, "former_user", q->former_name) < 0 ||
                                         add_u32(o, "former_uid", q->former_uid) < 0 ||
                                         add_bool(o, "forced", q->forced) < 0
                                 ? -ENOMEM
                                 : 0);
}

json_object *render_grant(const account_user *u, const id_range *const granted[2], const char *source,
                          const grant_result *result) {
        json_object *root = json_object_new_object(), *g = NULL, *rec = NULL;
        render_budget b = { .limit = RENDER_ARRAY_BUDGET };
        int r;

        r = add_str(root, "user", u->name);
        if (r >= 0)
                r = add_u32(root, "uid", u->uid);
        if (r >= 0 && (!(g = add_array(root, "granted")) || !(rec = add_array(root, "reclaimed"))))
                r = -ENOMEM;
        for (id_kind kind = ID_KIND_UID; r >= 0 && kind <= ID_KIND_GID; kind++)
                if (granted[kind])
                        r = push(g, granted_json(kind, granted[kind], source));
        for (size_t i = 0; r >= 0 && result && i < result->n_reclaimed; i++)
                r = render_push_bounded(rec, reclaimed_json(&result->reclaimed[i]), &b);
        if (r >= 0)
                r = add_omitted(root, "reclaimed", &b);
        return finish(root, r);
}

static json_object *revoked_json(const revoke_item *it) {
        json_object *o = json_object_new_object();

        if (it->type == REVOKED_RANGE)
                return finish(o, add_str(o, "type", "range") < 0 ||
                                                 add_str(o, "kind", id_kind_to_string(it->kind)) < 0 ||
                                                 add_range_fields(o, &it->range) < 0
                                         ? -ENOMEM
                                         : 0);
        return finish(o, add_str(o, "type", "delegation") < 0 || add_u32(o, "gid", it->gid) < 0 ||
                                         add_str(o, "group", it->group_name) < 0
                                 ? -ENOMEM
                                 : 0);
}

json_object *render_revoke(const account_user *u, const revoke_result *result) {
        json_object *root = json_object_new_object(), *items = NULL;
        render_budget b = { .limit = RENDER_ARRAY_BUDGET };
        int r;

        r = add_str(root, "user", u->name);
        if (r >= 0)
                r = add_u32(root, "uid", u->uid);
        if (r >= 0 && !(items = add_array(root, "revoked")))
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < result->n_items; i++)
                r = render_push_bounded(items, revoked_json(&result->items[i]), &b);
        if (r >= 0)
                r = add_omitted(root, "revoked", &b);
        return finish(root, r);
}

/* ---- import ------------------------------------------------------------------- */

static json_object *refusal_json(const import_set *s, const import_refusal *ref) {
        json_object *o = json_object_new_object();

        return finish(o, add_str(o, "file", s->sources[ref->source]) < 0 || add_size(o, "line", ref->line) < 0 ||
                                         add_str(o, "reason", ref->reason ? ref->reason : "refused") < 0
                                 ? -ENOMEM
                                 : 0);
}

json_object *render_import(const import_set *s, const import_result *result) {
        json_object *root = json_object_new_object(), *imported = json_object_new_object(), *refused = NULL;
        render_budget b = { .limit = RENDER_ARRAY_BUDGET };
        int r;

        r = add_bool(root, "changed", result->changed);
        if (r >= 0 && (add_size(imported, "subuids", result->ranges[ID_KIND_UID]) < 0 ||
                       add_size(imported, "subgids", result->ranges[ID_KIND_GID]) < 0 ||
                       add_size(imported, "delegations", result->delegations) < 0))
                r = -ENOMEM;
        if (r >= 0) {
                r = add(root, "imported", imported);
                imported = NULL;
        }
        json_object_put(imported);
        if (r >= 0 && (add_size(root, "present", result->present) < 0 ||
                       add_size(root, "duplicates", result->duplicates) < 0 ||
                       add_size(root, "reclaimed", result->reclaimed) < 0))
                r = -ENOMEM;
        if (r >= 0 && !(refused = add_array(root, "refused")))
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < s->n_refusals; i++)
                r = render_push_bounded(refused, refusal_json(s, &s->refusals[i]), &b);
        if (r >= 0)
                r = add_omitted(root, "refused", &b);
        return finish(root, r);
}
