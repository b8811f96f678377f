/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admind/handle_group_recipe.c: where podman's rootless namespace puts a
 * delegated gid, and the explicit --gidmap that equals podman 4.7's
 * --gidmap=+g<GID>:@<GID>. */
#include <errno.h>

#include "policy_testlib.h"

#include "../../admind/handle_group_recipe.h"

#define MAX_ENTRIES 4
#define MAX_EXTENTS 6

typedef struct recipe_case {
        const char *rule;
        id_range entries[MAX_ENTRIES]; /* the user's subgid entries; count 0 ends */
        uint32_t gid;
        int expect;
        uint32_t intermediate;
        recipe_extent extents[MAX_EXTENTS]; /* count 0 ends */
} recipe_case;

static const recipe_case cases[] = {
        /* podman sorts /etc/subgid entries by host id: a gid below the range
         * comes first, at intermediate 1 (podman's own documentation shows
         * exactly this layout for gid 2000 and range 100000). */
        { "delegated gid below the range",
          { { 100000, 65536 }, { 2000, 1 } },
          2000,
          0,
          1,
          { { 0, 0, 1 }, { 1, 2, 1999 }, { 2000, 1, 1 }, { 2001, 2001, 63537 } } },
        /* Above the range it comes after all of it; the other gids fill
         * container 0..65536 and stop short of the delegated one. */
        { "delegated gid above the range",
          { { 100000, 65536 }, { 700000, 1 } },
          700000,
          0,
          65537,
          { { 0, 0, 65537 }, { 700000, 65537, 1 } } },
        /* Other delegations are ordinary ids to podman: they fill too. */
        { "one of two delegations",
          { { 100000, 65536 }, { 3000, 1 }, { 2000, 1 } },
          3000,
          0,
          2,
          { { 0, 0, 2 }, { 2, 3, 2998 }, { 3000, 2, 1 }, { 3001, 3001, 62538 } } },
        /* Container gid = intermediate gid everywhere: one merged triple. */
        { "identity when the gid lands on its own intermediate id",
          { { 1, 1 }, { 100000, 10 } },
          1,
          0,
          1,
          { { 0, 0, 12 } } },
        { "only the delegation, no range",
          { { 5000, 1 } },
          5000,
          0,
          1,
          { { 0, 0, 1 }, { 5000, 1, 1 } } },
        { "a gid the user does not hold", { { 100000, 65536 } }, 2000, -ENOENT, 0, {} },
        /* Overlapping entries (from a hand-edited import) overflow 32 bits. */
        { "a namespace beyond 32-bit ids is refused",
          { { 100, 4294967000 }, { 100, 4294967000 } },
          100,
          -ERANGE,
          0,
          {} },
};

static size_t n_entries(const recipe_case *c) {
        size_t n = 0;

        while (n < MAX_ENTRIES && c->entries[n].count > 0)
                n++;
        return n;
}

static void test_recipe_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const recipe_case *c = &cases[i];
                recipe_extent *got = NULL;
                size_t n = 0, want = 0;
                uint32_t at = 0;
                int r;

                r = recipe_intermediate_gid(c->entries, n_entries(c), c->gid, &at, NULL);
                if (r != c->expect)
                        fail_msg("%s: intermediate returned %d, expected %d", c->rule, r, c->expect);
                if (r == 0 && at != c->intermediate)
                        fail_msg("%s: intermediate gid %u, expected %u", c->rule, at, c->intermediate);
                r = recipe_legacy_gidmap(c->entries, n_entries(c), c->gid, &got, &n);
                if (r != c->expect)
                        fail_msg("%s: gidmap returned %d, expected %d", c->rule, r, c->expect);
                if (r == 0) {
                        while (want < MAX_EXTENTS && c->extents[want].count > 0)
                                want++;
                        if (n != want)
                                fail_msg("%s: %zu triples, expected %zu", c->rule, n, want);
                        for (size_t k = 0; k < n; k++)
                                if (got[k].container != c->extents[k].container ||
                                    got[k].intermediate != c->extents[k].intermediate ||
                                    got[k].count != c->extents[k].count)
                                        fail_msg("%s: triple %zu is %u:%u:%u, expected %u:%u:%u", c->rule, k,
                                                 got[k].container, got[k].intermediate, got[k].count,
                                                 c->extents[k].container, c->extents[k].intermediate,
                                                 c->extents[k].count);
                }
                free(got);
        }
}

static const char *string_of(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

/* The whole recipe from the database rows of a user. */
static void test_recipe_build(void **state) {
        testenv *t = *state;
        json_object *o;

        exec_sql(t->db, "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES"
                        " ('uid', 1001, 'alice', 100000, 65536, 7), ('gid', 1001, 'alice', 100000, 65536, 7),"
                        " ('gid', 1002, 'bob', 300000, 10, 7);"
                        "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES"
                        " (2000, 'rfriends', 1001, 'alice', 7), (2000, 'rfriends', 1002, 'bob', 7);");
        o = recipe_build(t->db, 1001, 2000, "rfriends");
        assert_non_null(o);
        assert_string_equal(string_of(o, "podman"), "podman run --group-add keep-groups --gidmap=+g2000:@2000 IMAGE");
        assert_string_equal(string_of(o, "podman_legacy"),
                            "podman run --group-add keep-groups --uidmap 0:0:65537 --gidmap 0:0:1 --gidmap 1:2:1999"
                            " --gidmap 2000:1:1 --gidmap 2001:2001:63537 IMAGE");
        assert_string_equal(string_of(o, "migrate"), "podman system migrate");
        assert_null(string_of(o, "warning"));
        json_object_put(o);

        /* bob holds no subuids: podman would ignore /etc/subgid for him. */
        o = recipe_build(t->db, 1002, 2000, "rfriends");
        assert_non_null(o);
        assert_null(string_of(o, "podman"));
        assert_non_null(string_of(o, "warning"));
        assert_string_equal(string_of(o, "migrate"), "podman system migrate");
        json_object_put(o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_recipe_table),
                cmocka_unit_test_setup_teardown(test_recipe_build, testenv_setup, testenv_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
