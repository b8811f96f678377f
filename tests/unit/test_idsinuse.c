/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/idsinuse.c: the ids real accounts use (a subordinate range must
 * not contain one) and the name/uid lookups of owners and groups. */
#include <errno.h>

#include "policy_testlib.h"

#define R(first, count) ((id_range) { (first), (count) })

typedef struct in_range_case {
        id_range range;
        bool found;
        uint32_t id;
        const char *rule;
} in_range_case;

/* ids: 0, 1000, 1001, 65534, 4294967294 */
static const in_range_case in_range_cases[] = {
        { R(0, 1), true, 0, "id 0 itself" },
        { R(1, 999), false, 0, "the gap below 1000, touching it" },
        { R(1, 1000), true, 1000, "reaching 1000 by one" },
        { R(1001, 1), true, 1001, "a single id" },
        { R(999, 10), true, 1000, "the smallest id inside is reported" },
        { R(1002, 64532), false, 0, "exactly the gap between 1001 and 65534" },
        { R(65535, 4294901760u), true, 4294967294u, "up to the last id" },
        { R(65535, 4294901759u), false, 0, "everything above 65534 but the last id" },
};

static void test_id_set_find_in_range(void **state) {
        static const uint32_t ids[] = { 65534, 1000, 0, 4294967294u, 1001, 1000 };
        id_set s;

        (void) state;
        assert_int_equal(id_set_from_array(ids, sizeof ids / sizeof ids[0], &s), 0);
        assert_int_equal(s.n, 5); /* sorted, duplicate 1000 dropped */
        for (size_t i = 0; i < sizeof in_range_cases / sizeof in_range_cases[0]; i++) {
                const in_range_case *c = &in_range_cases[i];
                uint32_t id = 12345;
                bool found = id_set_find_in_range(&s, &c->range, &id);

                if (found != c->found)
                        fail_msg("%s: found %d", c->rule, found);
                if (found && id != c->id)
                        fail_msg("%s: found id %u, expected %u", c->rule, id, c->id);
        }
        assert_true(id_set_contains(&s, 65534));
        assert_false(id_set_contains(&s, 65533));
        id_set_done(&s);

        /* an empty set contains nothing */
        assert_int_equal(id_set_from_array(NULL, 0, &s), 0);
        assert_false(id_set_find_in_range(&s, &(id_range) { 0, 4294967295u }, NULL));
        id_set_done(&s);
}

static void test_accounts_tables(void **state) {
        testenv *t = *state;
        account_user u = {};
        account_group g = {};
        char *name = NULL;

        /* ids in use come from users (uids) and groups (gids) separately */
        assert_true(id_set_contains(&t->acc.uids, 170000));
        assert_false(id_set_contains(&t->acc.uids, 400000));
        assert_true(id_set_contains(&t->acc.gids, 400000));

        assert_int_equal(accounts_user_by_name(&t->acc, "bob", &u), 0);
        assert_int_equal(u.uid, 1002);
        assert_int_equal(u.gid, 1002);
        account_user_done(&u);
        assert_int_equal(accounts_user_by_name(&t->acc, "mallory", &u), -ENOENT);

        assert_int_equal(accounts_user_by_uid(&t->acc, 1003, &u), 0);
        assert_string_equal(u.name, "carol");
        account_user_done(&u);
        assert_int_equal(accounts_user_by_uid(&t->acc, 4242, &u), -ENOENT);

        /* resolve: a name, else a numeric uid (shadow's files allow both) */
        assert_int_equal(accounts_resolve_user(&t->acc, "1001", &u), 0);
        assert_string_equal(u.name, "alice");
        account_user_done(&u);
        assert_int_equal(accounts_resolve_user(&t->acc, "01001", &u), -ENOENT); /* checked parser */
        assert_int_equal(accounts_resolve_user(&t->acc, "-1", &u), -ENOENT);

        assert_int_equal(accounts_group_name(&t->acc, 2000, &name), 0);
        assert_string_equal(name, "rfriends");
        free(name);
        assert_int_equal(accounts_group_name(&t->acc, 2999, &name), -ENOENT);
        assert_int_equal(accounts_group_by_name(&t->acc, "bigg", &g), 0);
        assert_int_equal(g.gid, 400000);
        free(g.name);

        /* membership: supplementary from the table, and the primary group */
        assert_int_equal(accounts_user_by_name(&t->acc, "alice", &u), 0);
        assert_int_equal(accounts_user_in_group(&t->acc, &u, 2000), 1);
        assert_int_equal(accounts_user_in_group(&t->acc, &u, 1001), 1);
        assert_int_equal(accounts_user_in_group(&t->acc, &u, 1002), 0);
        account_user_done(&u);
        assert_int_equal(accounts_user_by_name(&t->acc, "bob", &u), 0);
        assert_int_equal(accounts_user_in_group(&t->acc, &u, 2000), 0);
        account_user_done(&u);
}

/* The NSS snapshot sees at least root, whatever the machine. */
static void test_accounts_nss(void **state) {
        accounts a = {};
        account_user u = {};

        (void) state;
        assert_int_equal(accounts_load_nss(&a), 0);
        assert_true(id_set_contains(&a.uids, 0));
        assert_true(id_set_contains(&a.gids, 0));
        assert_int_equal(accounts_user_by_uid(&a, 0, &u), 0);
        assert_string_equal(u.name, "root");
        account_user_done(&u);
        accounts_done(&a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_id_set_find_in_range),
                cmocka_unit_test_setup_teardown(test_accounts_tables, testenv_setup, testenv_teardown),
                cmocka_unit_test(test_accounts_nss),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
