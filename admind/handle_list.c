/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The read-only range operations: list and who-owns. */
#include <errno.h>

#include "../common/log.h"
#include "../common/proto.h"
#include "../policy/db.h"
#include "../policy/lookup.h"
#include "handle_args.h"
#include "handlers.h"
#include "render_ranges.h"

/* "after": the "next" cursor of the previous page. */
static int parse_cursor(json_object *args, bool *ret_has, list_cursor *ret) {
        json_object *v;
        list_cursor c = {};

        *ret_has = false;
        if (!json_object_object_get_ex(args, "after", &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_object) || proto_get_string(v, "name", ARGS_MAX_NAME, &c.name) < 0 ||
            proto_get_u32(v, "uid", UINT32_MAX, &c.uid) < 0 || proto_get_u32(v, "part", LIST_PART_MAX, &c.part) < 0 ||
            proto_get_u32(v, "id", UINT32_MAX, &c.id) < 0) {
                log_error("list: \"after\" must be the \"next\" object of a previous reply");
                return -EINVAL;
        }
        *ret = c;
        *ret_has = true;
        return 0;
}

/* A listing larger than one reply is fetched page by page, and loading
 * it is what costs (a quarter second for 200,000 ranges): the loaded
 * listing is kept for the next page while the database is unchanged — no
 * write on the daemon's connection (total_changes) and no commit by any
 * other (data_version) — and dropped after the last page. */
typedef struct list_cache {
        sqlite3 *db;
        bool has_uid;
        uint32_t uid;
        int64_t changes, data_version;
        owner_summary *owners;
        size_t n;
} list_cache;

static list_cache cache;

static void cache_drop(void) {
        owner_summaries_free(cache.owners, cache.n);
        cache = (list_cache) {};
}

/* Not logged: a failure only means the listing is loaded again. */
static int data_version(sqlite3 *db, int64_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW)
                return -EIO;
        *ret = sqlite3_column_int64(st, 0);
        return 0;
}

/* The database's state as the cache compares it; -EIO means "uncachable". */
static int db_state(sqlite3 *db, int64_t *ret_changes, int64_t *ret_version) {
        *ret_changes = (int64_t) sqlite3_total_changes64(db);
        return data_version(db, ret_version);
}

static bool cache_valid(sqlite3 *db, const uint32_t *only_uid) {
        int64_t changes, version;

        return cache.owners && cache.db == db && cache.has_uid == (only_uid != NULL) &&
               (!only_uid || cache.uid == *only_uid) && db_state(db, &changes, &version) >= 0 &&
               changes == cache.changes && version == cache.data_version;
}

static int load_owners(sqlite3 *db, const uint32_t *only_uid, bool continuation, owner_summary **ret,
                       size_t *ret_n, bool *ret_cached) {
        if (continuation && cache_valid(db, only_uid)) {
                *ret = cache.owners;
                *ret_n = cache.n;
                *ret_cached = true;
                return 0;
        }
        cache_drop();
        *ret_cached = false;
        return policy_list_owners(db, only_uid, ret, ret_n);
}

/* After a page: keep what was loaded for the next one, or free it. */
static void keep_or_free(sqlite3 *db, const uint32_t *only_uid, owner_summary *owners, size_t n, bool cached,
                         bool more) {
        int64_t changes, version;

        if (!more || db_state(db, &changes, &version) < 0) {
                if (cached)
                        cache_drop();
                else
                        owner_summaries_free(owners, n);
                return;
        }
        if (cached)
                return;
        cache = (list_cache) {
                .db = db,
                .has_uid = only_uid != NULL,
                .uid = only_uid ? *only_uid : 0,
                .changes = changes,
                .data_version = version,
                .owners = owners,
                .n = n,
        };
}

HANDLER(handle_list) {
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_user_ account_user user = {};
        owner_summary *owners = NULL, empty;
        const char *user_text = NULL;
        const uint32_t *only_uid = NULL;
        list_cursor after;
        bool has_after, cached = false;
        json_object *data;
        size_t n = 0;
        int r;

        r = args_string(args, "list", "user", ARGS_MAX_NAME, false, &user_text);
        if (r == -EINVAL)
                return r;
        r = parse_cursor(args, &has_after, &after);
        if (r < 0)
                return r;

        if (user_text) {
                r = accounts_load_nss(&acc);
                if (r < 0)
                        return r;
                r = args_resolve_owner(ctx->db, &acc, "list", user_text, &user);
                if (r < 0)
                        return r;
                only_uid = &user.uid;
        }
        r = load_owners(ctx->db, only_uid, has_after, &owners, &n, &cached);
        if (r < 0)
                return r;

        /* An existing user who holds nothing is still shown, as such. */
        if (user_text && n == 0) {
                empty = (owner_summary) { .uid = user.uid, .name = user.name };
                data = render_list(&empty, 1, has_after ? &after : NULL, RENDER_ARRAY_BUDGET);
        } else
                data = render_list(owners, n, has_after ? &after : NULL, RENDER_ARRAY_BUDGET);
        keep_or_free(ctx->db, only_uid, owners, n, cached, data && json_object_object_get_ex(data, "next", NULL));
        return args_reply(data, "list", ret_data);
}

HANDLER(handle_who_owns) {
        who_owns_result w = {};
        const char *kind_text;
        json_object *data;
        id_kind kind;
        uint32_t id;
        int r;

        r = args_u32(args, "who-owns", "id", ID_MAX, true, &id);
        if (r < 0)
                return r;
        r = args_string(args, "who-owns", "kind", 8, true, &kind_text);
        if (r < 0)
                return r;
        if (id_kind_from_string(kind_text, &kind) < 0) {
                log_error("who-owns: \"kind\" must be \"uid\" or \"gid\"");
                return -EINVAL;
        }

        r = policy_who_owns(ctx->db, kind, id, &w);
        if (r < 0)
                return r;
        data = render_who_owns(kind, id, &w);
        who_owns_result_done(&w);
        return args_reply(data, "who-owns", ret_data);
}
