/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/group_policy.c: which groups are open to requests and how they
 * are decided; closing a group rejects what is pending for it. */
#include <errno.h>

#include "policy_testlib.h"

#include "../../policy/group_policy.h"
#include "../../policy/requests.h"

#define POLICIES_VIEW                                                                               \
        "SELECT coalesce(group_concat(gid || ':' || group_name || ':' || policy || ':' ||             \
        coalesce(set_by, '-'), ' '), '') FROM (SELECT * FROM group_policies ORDER BY gid)"

typedef struct allow_case {
        const char *rule;
        account_group group;
        const char *policy;
        int expect;
        const char *policies; /* after the call */
} allow_case;

static const uint32_t admin = 4242;

/* Each row runs on what the rows before it left. */
static const allow_case allow_cases[] = {
        { "a group opens with policy self", { (char *) "rfriends", 2000 }, "self", 0, "2000:rfriends:self:4242" },
        { "a second group opens with approve", { (char *) "lab", 2001 }, "approve", 0,
          "2000:rfriends:self:4242 2001:lab:approve:4242" },
        { "allowing again replaces the policy (and the stored name)", { (char *) "friends", 2000 }, "approve", 0,
          "2000:friends:approve:4242 2001:lab:approve:4242" },
        { "gid 0 is refused", { (char *) "root", 0 }, "self", -EPERM,
          "2000:friends:approve:4242 2001:lab:approve:4242" },
        { "a name the export cannot hold is refused", { (char *) "a:b", 2002 }, "self", -EINVAL,
          "2000:friends:approve:4242 2001:lab:approve:4242" },
};

static void test_allow(void **state) {
        testenv *t = *state;

        for (size_t i = 0; i < sizeof allow_cases / sizeof allow_cases[0]; i++) {
                const allow_case *c = &allow_cases[i];
                group_policy_kind kind;
                int r;

                assert_int_equal(group_policy_from_string(c->policy, &kind), 0);
                r = policy_group_allow(t->db, &c->group, kind, &admin);
                if (r != c->expect)
                        fail_msg("%s: returned %d, expected %d", c->rule, r, c->expect);
                assert_view(t->db, POLICIES_VIEW, c->policies, c->rule);
        }
        assert_true(sqlite3_get_autocommit(t->db));
}

static void test_get(void **state) {
        testenv *t = *state;
        group_policy p = {};
        uint32_t gid = 0;

        exec_sql(t->db, "INSERT INTO group_policies VALUES (2000, 'rfriends', 'self', 11, 4242),"
                        " (2001, 'lab', 'approve', 12, NULL);");
        assert_int_equal(policy_group_policy_get(t->db, 2000, &p), 1);
        assert_int_equal(p.policy, GROUP_POLICY_SELF);
        assert_string_equal(p.group_name, "rfriends");
        assert_true(p.has_set_by);
        assert_int_equal(p.set_by, 4242);
        assert_int_equal(p.set_at, 11);
        group_policy_done(&p);
        assert_int_equal(policy_group_policy_get(t->db, 2001, &p), 1);
        assert_int_equal(p.policy, GROUP_POLICY_APPROVE);
        assert_false(p.has_set_by);
        group_policy_done(&p);
        /* A group without a row is closed. */
        assert_int_equal(policy_group_policy_get(t->db, 2002, &p), 0);
        assert_int_equal(policy_group_policy_gid_by_name(t->db, "lab", &gid), 0);
        assert_int_equal(gid, 2001);
        assert_int_equal(policy_group_policy_gid_by_name(t->db, "nosuch", &gid), -ENOENT);
}

/* Closing a group rejects its pending requests and no other; granted
 * delegations and decided requests stay as they are. */
static void test_deny(void **state) {
        testenv *t = *state;
        unsigned rejected = 99;
        char *before, *after;

        exec_sql(t->db, "INSERT INTO group_policies VALUES (2000, 'rfriends', 'approve', 1, NULL),"
                        " (2001, 'lab', 'approve', 1, NULL);"
                        "INSERT INTO requests (owner_uid, owner_name, gid, group_name, state, created_at) VALUES"
                        " (1001, 'alice', 2000, 'rfriends', 'pending', 5), (1003, 'carol', 2000, 'rfriends', 'approved', 5),"
                        " (1003, 'carol', 2001, 'lab', 'pending', 5);"
                        "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES"
                        " (2000, 'rfriends', 1003, 'carol', 7);");
        assert_int_equal(policy_group_deny(t->db, 2000, "rfriends", &admin, &rejected), 0);
        assert_int_equal(rejected, 1);
        assert_view(t->db, POLICIES_VIEW, "2001:lab:approve:-", "the policy row is gone");
        assert_view(t->db,
                    "SELECT group_concat(owner_name || ':' || gid || ':' || state || ':' || coalesce(decided_by, '-'),"
                    " ' ') FROM (SELECT * FROM requests ORDER BY id)",
                    "alice:2000:rejected:4242 carol:2000:approved:- carol:2001:pending:-",
                    "only the group's pending requests are rejected");
        assert_view(t->db, DELEGATIONS_VIEW, "carol:2000:rfriends", "delegations stay");

        /* Denying a group that is not open: refused, nothing changes. */
        before = db_state(t->db);
        assert_int_equal(policy_group_deny(t->db, 2000, "rfriends", &admin, &rejected), -ENOENT);
        after = db_state(t->db);
        assert_string_equal(before, after);
        free(before);
        free(after);
        assert_view(t->db, POLICIES_VIEW, "2001:lab:approve:-", "nothing else changes");
        assert_true(sqlite3_get_autocommit(t->db));
}

static void test_policy_names(void **state) {
        group_policy_kind k;

        assert_int_equal(group_policy_from_string("self", &k), 0);
        assert_int_equal(k, GROUP_POLICY_SELF);
        assert_string_equal(group_policy_to_string(k), "self");
        assert_int_equal(group_policy_from_string("approve", &k), 0);
        assert_string_equal(group_policy_to_string(k), "approve");
        assert_int_equal(group_policy_from_string("Self", &k), -EINVAL);
        assert_int_equal(group_policy_from_string("", &k), -EINVAL);
        assert_int_equal(group_policy_from_string(NULL, &k), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_allow, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_get, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_deny, testenv_setup, testenv_teardown),
                cmocka_unit_test(test_policy_names),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
