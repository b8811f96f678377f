/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admind/render_ranges.c: reply data of the range operations. The format
 * is docs/json.md's; the rows check the rules a client relies on: key
 * order, empty arrays present, null quarantine, and that a listing cut
 * into pages (the 64 KiB message limit) loses and repeats nothing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../admind/render_ranges.h"

static char *plain(json_object *o) {
        char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

        assert_non_null(s);
        return s;
}

static void assert_json(json_object *o, const char *expected, const char *rule) {
        char *got = plain(o);

        if (strcmp(got, expected) != 0)
                fail_msg("%s:\n  got      %s\n  expected %s", rule, got, expected);
        free(got);
}

static id_range alice_uids[] = { { 100000, 10 }, { 200000, 10 }, { 300000, 10 } };
static id_range alice_gids[] = { { 100000, 65536 } };
static delegation_row alice_dels[] = { { .gid = 2000, .group_name = (char *) "rfriends" },
                                       { .gid = 2001, .group_name = (char *) "other" } };
static id_range carol_uids[] = { { 5, 1 } };

static const owner_summary owners[] = {
        { 1001, (char *) "alice", alice_uids, 3, alice_gids, 1, alice_dels, 2 },
        { 1002, (char *) "bob", NULL, 0, NULL, 0, NULL, 0 },
        { 1003, (char *) "carol", carol_uids, 1, NULL, 0, NULL, 0 },
};

/* docs/json.md: keys in order, every array present even when empty. */
static void test_list_format(void **state) {
        json_object *o = render_list(&owners[1], 2, NULL, RENDER_ARRAY_BUDGET);

        assert_non_null(o);
        assert_json(o,
                    "{\"users\":[{\"name\":\"bob\",\"uid\":1002,\"subuids\":[],\"subgids\":[],\"delegations\":[]},"
                    "{\"name\":\"carol\",\"uid\":1003,\"subuids\":[{\"first\":5,\"last\":5,\"count\":1}],"
                    "\"subgids\":[],\"delegations\":[]}]}",
                    "list: one page, no \"next\"");
        json_object_put(o);
}

/* Every item of a listing as "owner/part/value", in order, owners once. */
static void collect(json_object *users, char *out, size_t size, char *last_owner, size_t last_size) {
        static const char *const keys[] = { "subuids", "subgids", "delegations" };

        for (size_t i = 0; i < json_object_array_length(users); i++) {
                json_object *u = json_object_array_get_idx(users, i), *v, *a;
                char owner[64];

                assert_true(json_object_object_get_ex(u, "name", &v));
                snprintf(owner, sizeof owner, "%s", json_object_get_string(v));
                /* An owner cut by a page boundary starts the next page again. */
                if (strcmp(owner, last_owner) != 0) {
                        snprintf(out + strlen(out), size - strlen(out), "[%s]", owner);
                        snprintf(last_owner, last_size, "%s", owner);
                }
                for (size_t k = 0; k < 3; k++) {
                        assert_true(json_object_object_get_ex(u, keys[k], &a));
                        for (size_t j = 0; j < json_object_array_length(a); j++) {
                                json_object *item = json_object_array_get_idx(a, j), *f;

                                assert_true(json_object_object_get_ex(item, k == 2 ? "gid" : "first", &f));
                                snprintf(out + strlen(out), size - strlen(out), " %s:%s", keys[k],
                                         json_object_get_string(f));
                        }
                }
        }
}

/* Paging: for every budget, following "next" yields exactly the one-page
 * listing, each page within its budget (beyond its first item), and a
 * page always makes progress. */
static void test_list_pages(void **state) {
        char full[1024] = "", last[64] = "";
        json_object *whole = render_list(owners, 3, NULL, RENDER_ARRAY_BUDGET), *users;

        assert_true(json_object_object_get_ex(whole, "users", &users));
        collect(users, full, sizeof full, last, sizeof last);
        assert_string_equal(full, "[alice] subuids:100000 subuids:200000 subuids:300000 subgids:100000 "
                                  "delegations:2000 delegations:2001[bob][carol] subuids:5");
        json_object_put(whole);

        for (size_t budget = 1; budget < 800; budget += 7) {
                char paged[1024] = "", last_owner[64] = "", name_buf[64];
                list_cursor after, *cursor = NULL;
                size_t pages = 0;

                for (;;) {
                        json_object *page = render_list(owners, 3, cursor, budget), *next, *v;

                        assert_non_null(page);
                        assert_true(++pages < 100);
                        /* the budget, plus a resumed owner's name, the wrapper and the cursor */
                        assert_true(strlen(json_object_to_json_string_ext(page, JSON_C_TO_STRING_PLAIN)) <=
                                    budget + 250);
                        assert_true(json_object_object_get_ex(page, "users", &users));
                        assert_true(json_object_array_length(users) > 0);
                        collect(users, paged, sizeof paged, last_owner, sizeof last_owner);
                        if (!json_object_object_get_ex(page, "next", &next)) {
                                json_object_put(page);
                                break;
                        }
                        assert_true(json_object_object_get_ex(next, "name", &v));
                        snprintf(name_buf, sizeof name_buf, "%s", json_object_get_string(v));
                        after.name = name_buf;
                        assert_true(json_object_object_get_ex(next, "uid", &v));
                        after.uid = (uint32_t) json_object_get_int64(v);
                        assert_true(json_object_object_get_ex(next, "part", &v));
                        after.part = (uint32_t) json_object_get_int64(v);
                        assert_true(json_object_object_get_ex(next, "id", &v));
                        after.id = (uint32_t) json_object_get_int64(v);
                        cursor = &after;
                        json_object_put(page);
                }
                if (strcmp(paged, full) != 0)
                        fail_msg("budget %zu, %zu pages:\n  got      %s\n  expected %s", budget, pages, paged, full);
                if (budget == 1)
                        assert_int_equal(pages, 10); /* one item per page: 3 owners and 7 ranges or delegations */
        }
}

/* A cursor past everything gives an empty last page, never an error. */
static void test_list_cursor_past_end(void **state) {
        list_cursor after = { "zzz", 0, LIST_PART_OWNER, 0 };
        json_object *o = render_list(owners, 3, &after, RENDER_ARRAY_BUDGET);

        assert_json(o, "{\"users\":[]}", "cursor past the end");
        json_object_put(o);
}

/* who-owns: quarantine null when nothing is quarantined there; a range
 * owner first, then delegations (docs/json.md). */
static void test_who_owns(void **state) {
        delegation_row d = { .gid = 2000, .group_name = (char *) "rfriends", .owner_uid = 1001,
                             .owner_name = (char *) "alice" };
        who_owns_result w = {
                .has_range = true,
                .range = { .owner_uid = 1002, .owner_name = (char *) "bob", .range = { 1000, 2000 } },
                .delegations = &d,
                .n_delegations = 1,
        };
        json_object *o = render_who_owns(ID_KIND_GID, 2000, &w);

        assert_json(o,
                    "{\"kind\":\"gid\",\"id\":2000,\"owners\":[{\"type\":\"range\",\"user\":\"bob\",\"uid\":1002,"
                    "\"first\":1000,\"last\":2999,\"count\":2000},{\"type\":\"delegation\",\"user\":\"alice\","
                    "\"uid\":1001,\"group\":\"rfriends\",\"gid\":2000}],\"quarantine\":null}",
                    "who-owns with both kinds of owner");
        json_object_put(o);

        w = (who_owns_result) {
                .has_quarantine = true,
                .quarantine = { .range = { 110000, 10000 }, .former_uid = 1001, .former_name = (char *) "alice",
                                .reason = (char *) "revoke", .since = 1714521600 },
        };
        o = render_who_owns(ID_KIND_UID, 115000, &w);
        assert_json(o,
                    "{\"kind\":\"uid\",\"id\":115000,\"owners\":[],\"quarantine\":{\"former_user\":\"alice\","
                    "\"former_uid\":1001,\"first\":110000,\"last\":119999,\"count\":10000,\"reason\":\"revoke\","
                    "\"since\":1714521600}}",
                    "who-owns of a quarantined id");
        json_object_put(o);
}

/* grant: granted ranges with their source, reclaimed pieces. */
static void test_grant(void **state) {
        account_user u = { (char *) "alice", 1001, 1001 };
        id_range uids = { 100000, 65536 };
        const id_range *granted[2] = { &uids, NULL };
        grant_reclaim q = { ID_KIND_UID, { 100000, 10 }, 1002, (char *) "bob", true };
        grant_result result = { &q, 1 };
        json_object *o = render_grant(&u, granted, "explicit", &result);

        assert_json(o,
                    "{\"user\":\"alice\",\"uid\":1001,\"granted\":[{\"kind\":\"uid\",\"first\":100000,\"last\":165535,"
                    "\"count\":65536,\"source\":\"explicit\"}],\"reclaimed\":[{\"kind\":\"uid\",\"first\":100000,"
                    "\"last\":100009,\"count\":10,\"former_user\":\"bob\",\"former_uid\":1002,\"forced\":true}]}",
                    "grant");
        json_object_put(o);
}

/* An array that would break the 64 KiB message limit is cut short, in
 * order, and says how much it left out. */
static void test_bounded_arrays(void **state) {
        static revoke_item items[5000];
        revoke_result result = { items, 5000 };
        account_user u = { (char *) "alice", 1001, 1001 };
        json_object *o, *a, *omitted;
        size_t len = 0, n;

        for (size_t i = 0; i < 5000; i++)
                items[i] = (revoke_item) { .type = REVOKED_RANGE, .kind = ID_KIND_UID,
                                           .range = { (uint32_t) (100000 + i * 10), 10 } };
        o = render_revoke(&u, &result);
        assert_non_null(o);
        assert_non_null(json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len));
        assert_true(len <= 64 * 1024 - 100);
        assert_true(json_object_object_get_ex(o, "revoked", &a));
        n = json_object_array_length(a);
        assert_true(n > 100 && n < 5000);
        assert_true(json_object_object_get_ex(o, "revoked_omitted", &omitted));
        assert_int_equal(json_object_get_int64(omitted), 5000 - n);
        json_object_put(o);

        /* Few items: no "_omitted" key at all. */
        result.n_items = 2;
        o = render_revoke(&u, &result);
        assert_false(json_object_object_get_ex(o, "revoked_omitted", NULL));
        json_object_put(o);
}

static void test_import(void **state) {
        char *sources[] = { (char *) "/tmp/subuid" };
        import_refusal refusals[] = { { 0, 2, (char *) "contains host id 0" } };
        import_set s = { .sources = sources, .n_sources = 1, .refusals = refusals, .n_refusals = 1 };
        import_result r = { .ranges = { 2, 1 }, .delegations = 1, .present = 3, .refused = 1 };
        json_object *o = render_import(&s, &r);

        assert_json(o,
                    "{\"changed\":false,\"imported\":{\"subuids\":2,\"subgids\":1,\"delegations\":1},\"present\":3,"
                    "\"duplicates\":0,\"reclaimed\":0,\"refused\":[{\"file\":\"\\/tmp\\/subuid\",\"line\":2,"
                    "\"reason\":\"contains host id 0\"}]}",
                    "import");
        json_object_put(o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_list_format),     cmocka_unit_test(test_list_pages),
                cmocka_unit_test(test_list_cursor_past_end), cmocka_unit_test(test_who_owns),
                cmocka_unit_test(test_grant),           cmocka_unit_test(test_bounded_arrays),
                cmocka_unit_test(test_import),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
