/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reconciliation with the user database (sync) and the quarantine it and
 * revoke fill (quarantine-list, quarantine-release). */
#include <errno.h>

#include "../common/log.h"
#include "../common/proto.h"
#include "../policy/grant.h"
#include "../policy/lookup.h"
#include "../policy/quarantine.h"
#include "../policy/sync.h"
#include "handle_args.h"
#include "handlers.h"
#include "render_ranges.h"

/* quarantine-list reads this many pieces per page at most; the reply
 * budget usually ends a page first (about 400 pieces). */
#define QUARANTINE_PAGE_ROWS 1000

/* Adds v (consumed) under key; -ENOMEM when v is NULL or adding failed. */
static int put(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int put_str(json_object *o, const char *key, const char *s) {
        return put(o, key, json_object_new_string(s));
}

static int put_u64(json_object *o, const char *key, uint64_t v) {
        return put(o, key, json_object_new_uint64(v));
}

static int put_range(json_object *o, const id_kind *kind, const id_range *range) {
        int r = kind ? put_str(o, "kind", id_kind_to_string(*kind)) : 0;

        if (r >= 0)
                r = put_u64(o, "first", range->first);
        if (r >= 0)
                r = put_u64(o, "last", range_last(range));
        if (r >= 0)
                r = put_u64(o, "count", range->count);
        return r;
}

/* Returns o, or NULL (o released) when building it failed. */
static json_object *finish(json_object *o, int r) {
        if (r < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

/* ---- sync ------------------------------------------------------------------ */

static const char *action_name(sync_action_type t) {
        switch (t) {
        case SYNC_RENAME:
                return "rename";
        case SYNC_QUARANTINE:
                return "quarantine";
        case SYNC_REMOVE_DELEGATION:
                return "remove-delegation";
        case SYNC_RENUMBER: /* subid-admind's watcher only, never `subidctl sync` */
                return "renumber";
        case SYNC_ALLOCATE:
                break;
        }
        return "allocate";
}

static json_object *action_json(const sync_action *a) {
        json_object *o = json_object_new_object();
        int r = o ? 0 : -ENOMEM;

        if (r >= 0)
                r = put_str(o, "action", action_name(a->type));
        if (r >= 0)
                r = put_str(o, "user", a->name);
        if (r >= 0)
                r = put_u64(o, "uid", a->uid);
        if (r >= 0 && a->type == SYNC_RENAME)
                r = put_str(o, "new_user", a->new_name);
        if (r >= 0 && a->type == SYNC_RENUMBER)
                r = put_u64(o, "new_uid", a->new_uid);
        if (r >= 0 && (a->type == SYNC_QUARANTINE || a->type == SYNC_ALLOCATE))
                r = put_range(o, &a->kind, &a->range);
        if (r >= 0 && a->type == SYNC_REMOVE_DELEGATION)
                r = put_u64(o, "gid", a->gid);
        if (r >= 0 && a->type == SYNC_REMOVE_DELEGATION)
                r = put_str(o, "group", a->group_name);
        if (r >= 0 && a->cause != SYNC_CAUSE_NONE)
                r = put_str(o, "cause", sync_cause_to_string(a->cause));
        /* Who has the uid now, when a reused uid retired the owner. */
        if (r >= 0 && a->type != SYNC_RENAME && a->new_name)
                r = put_str(o, "account", a->new_name);
        return finish(o, r);
}

static json_object *render_sync(const sync_result *s, bool dry_run) {
        json_object *o = json_object_new_object(), *actions = json_object_new_array();
        render_budget b = { .limit = RENDER_ARRAY_BUDGET };
        int r = o ? 0 : -ENOMEM;

        if (r >= 0)
                r = put(o, "dry_run", json_object_new_boolean(dry_run));
        if (r >= 0)
                r = put_u64(o, "allocated", s->n_allocated);
        if (r >= 0)
                r = put_u64(o, "quarantined", s->n_quarantined);
        if (r >= 0)
                r = put_u64(o, "renamed", s->n_renamed);
        if (r >= 0)
                r = put_u64(o, "delegations_removed", s->n_delegations_removed);
        if (r >= 0)
                r = put(o, "reexported", json_object_new_boolean(s->reexported));
        if (r >= 0) {
                r = put(o, "actions", actions);
                actions = NULL;
        }
        json_object_put(actions);
        for (size_t i = 0; i < s->n_actions && r >= 0; i++)
                r = render_push_bounded(json_object_object_get(o, "actions"), action_json(&s->actions[i]), &b);
        if (r >= 0 && b.omitted > 0)
                r = put_u64(o, "actions_omitted", b.omitted);
        return finish(o, r);
}

HANDLER(handle_sync) {
        _cleanup_accounts_ accounts acc = {};
        sync_result result = {};
        bool dry_run = false;
        json_object *data;
        int r;

        r = args_bool(args, "sync", "dry_run", &dry_run);
        if (r < 0)
                return r;
        /* A dry run changes nothing: read-only, like list. */
        if (dry_run && ctx->audit)
                ctx->audit->skip = true;
        /* One snapshot for the whole sync: 10,000 accounts are binary
         * searches, not NSS scans. */
        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        r = policy_sync(ctx->db, &acc, ctx->config, ctx->export_paths, dry_run, &result);
        if (r < 0)
                return r;
        if (!dry_run)
                audit_add_sync_actions(ctx->audit, result.actions, result.n_actions);
        data = render_sync(&result, dry_run);
        sync_result_done(&result);
        return args_reply(data, "sync", ret_data);
}

/* ---- quarantine --------------------------------------------------------------- */

static json_object *piece_json(const quarantine_row *q) {
        json_object *o = json_object_new_object();
        int r = o ? 0 : -ENOMEM;

        if (r >= 0)
                r = put_range(o, &q->kind, &q->range);
        if (r >= 0)
                r = put_str(o, "former_user", q->former_name);
        if (r >= 0)
                r = put_u64(o, "former_uid", q->former_uid);
        if (r >= 0)
                r = put_str(o, "reason", q->reason);
        if (r >= 0)
                r = put(o, "since", json_object_new_int64(q->since));
        return finish(o, r);
}

static int parse_kind(json_object *args, const char *op, bool required, bool *ret_has, id_kind *ret) {
        const char *s;
        int r;

        *ret_has = false;
        r = args_string(args, op, "kind", 8, required, &s);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (id_kind_from_string(s, ret) < 0) {
                log_error("%s: \"kind\" must be \"uid\" or \"gid\"", op);
                return -EINVAL;
        }
        *ret_has = true;
        return 0;
}

/* "after": the "next" object of the previous page. */
static int parse_quarantine_cursor(json_object *args, bool *ret_has, quarantine_cursor *ret) {
        json_object *v;
        bool has_kind;
        int r;

        *ret_has = false;
        if (!json_object_object_get_ex(args, "after", &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_object)) {
                log_error("quarantine-list: \"after\" must be the \"next\" object of a previous reply");
                return -EINVAL;
        }
        r = parse_kind(v, "quarantine-list", true, &has_kind, &ret->kind);
        if (r >= 0)
                r = args_u32(v, "quarantine-list", "first", ID_MAX, true, &ret->first);
        if (r < 0)
                return r;
        *ret_has = true;
        return 0;
}

HANDLER(handle_quarantine_list) {
        json_object *data, *pieces = NULL, *next = NULL;
        render_budget b = { .limit = RENDER_ARRAY_BUDGET };
        quarantine_cursor after, last = {};
        quarantine_row *rows = NULL;
        bool has_after, more;
        size_t n = 0, shown = 0;
        int r;

        r = parse_quarantine_cursor(args, &has_after, &after);
        if (r < 0)
                return r;
        r = policy_quarantine_list(ctx->db, has_after ? &after : NULL, QUARANTINE_PAGE_ROWS, &rows, &n);
        if (r < 0)
                return r;

        data = json_object_new_object();
        r = data ? 0 : -ENOMEM;
        if (r >= 0) {
                pieces = json_object_new_array();
                r = put(data, "quarantine", pieces);
        }
        for (size_t i = 0; i < n && r >= 0 && b.omitted == 0; i++) {
                r = render_push_bounded(pieces, piece_json(&rows[i]), &b);
                if (r >= 0 && b.omitted == 0) {
                        last = (quarantine_cursor) { rows[i].kind, rows[i].range.first };
                        shown++;
                }
        }
        /* More may follow when the budget or the row limit ended the page. */
        more = shown < n || n == QUARANTINE_PAGE_ROWS;
        if (r >= 0 && more && shown > 0) {
                next = json_object_new_object();
                r = next ? 0 : -ENOMEM;
                if (r >= 0)
                        r = put_str(next, "kind", id_kind_to_string(last.kind));
                if (r >= 0)
                        r = put_u64(next, "first", last.first);
                if (r >= 0) {
                        r = put(data, "next", next);
                        next = NULL;
                }
                json_object_put(next);
        }
        quarantine_rows_free(rows, n);
        return args_reply(finish(data, r), "quarantine-list", ret_data);
}

/* Each released piece under its former owner: the request's own record
 * takes the first. */
static void audit_released(audit_event *ev, const quarantine_row *pieces, size_t n) {
        audit_clear_ranges(ev, 0);
        for (size_t i = 0; i < n; i++) {
                size_t rec = i == 0 ? 0 : audit_add_record(ev, "quarantine-release");

                if (i > 0 && rec == 0)
                        return;
                audit_set_acct(ev, rec, pieces[i].former_name);
                audit_add_range(ev, rec, pieces[i].kind, &pieces[i].range);
        }
}

HANDLER(handle_quarantine_release) {
        render_budget b = { .limit = RENDER_ARRAY_BUDGET };
        quarantine_row *pieces = NULL;
        json_object *data, *released = NULL;
        bool has_kind;
        id_kind kind;
        id_range range;
        size_t n = 0;
        int r;

        r = parse_kind(args, "quarantine-release", true, &has_kind, &kind);
        if (r >= 0)
                r = args_u32(args, "quarantine-release", "first", ID_MAX, true, &range.first);
        if (r >= 0)
                r = args_u32(args, "quarantine-release", "count", UINT32_MAX, true, &range.count);
        if (r < 0)
                return r;
        if (!range_is_valid(&range)) {
                log_error("quarantine-release: \"first\" and \"count\" must give a range of at least one id below %u",
                          UINT32_MAX);
                return -EINVAL;
        }
        r = policy_quarantine_release(ctx->db, kind, &range, &pieces, &n);
        if (r < 0)
                return r;
        audit_released(ctx->audit, pieces, n);

        data = json_object_new_object();
        r = data ? 0 : -ENOMEM;
        if (r >= 0)
                r = put_str(data, "kind", id_kind_to_string(kind));
        if (r >= 0) {
                released = json_object_new_array();
                r = put(data, "released", released);
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                r = render_push_bounded(released, piece_json(&pieces[i]), &b);
        if (r >= 0 && b.omitted > 0)
                r = put_u64(data, "released_omitted", b.omitted);
        quarantine_rows_free(pieces, n);
        return args_reply(finish(data, r), "quarantine-release", ret_data);
}
