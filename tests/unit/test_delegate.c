/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/delegate.c: a group's gid is delegated only to a current member,
 * never gid 0, never the user's own primary group, never a gid inside a
 * subordinate range, never twice; the export lists it after every range
 * line; a refusal changes nothing. */
#include <errno.h>

#include "policy_testlib.h"

#include "../../policy/delegate.h"
#include "../../policy/requests.h"

/* The shared accounts, plus: alice is also in bigg (400000, inside bob's
 * subgid range below) and in "bad:name" (a name the export cannot hold). */
static const account_group groups[] = {
        { (char *) "root", 0 },          { (char *) "alice", 1001 },  { (char *) "bob", 1002 },
        { (char *) "carol", 1003 },      { (char *) "rfriends", 2000 }, { (char *) "lab", 2001 },
        { (char *) "bad:name", 3000 },   { (char *) "bigg", 400000 },
};
static const account_member members[] = {
        { "alice", 2000 }, { "alice", 2001 }, { "alice", 0 }, { "alice", 3000 }, { "alice", 400000 }, { "carol", 2000 },
};

/* alice: gid 100000+65536; bob: gid 400000+10 (contains group bigg); a
 * delegation of lab (2001) to alice exists already. */
#define FIXTURE                                                                                            \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at, origin) VALUES"          \
        " ('uid', 1001, 'alice', 100000, 65536, 7, 'grant'), ('gid', 1001, 'alice', 100000, 65536, 7, 'grant')," \
        " ('gid', 1002, 'bob', 400000, 10, 7, 'import');"                                                    \
        "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES"                \
        " (2001, 'lab', 1001, 'alice', 7);"

static int setup(void **state) {
        testenv *t;

        testenv_setup(state);
        t = *state;
        accounts_done(&t->acc);
        assert_int_equal(accounts_from_tables(test_users, sizeof test_users / sizeof test_users[0], groups,
                                              sizeof groups / sizeof groups[0], members,
                                              sizeof members / sizeof members[0], &t->acc),
                         0);
        return 0;
}

static const account_user *user_named(const char *name) {
        for (size_t i = 0; i < sizeof test_users / sizeof test_users[0]; i++)
                if (strcmp(test_users[i].name, name) == 0)
                        return &test_users[i];
        fail_msg("no test user %s", name);
        return NULL;
}

static account_group group_gid(uint32_t gid) {
        for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
                if (groups[i].gid == gid)
                        return groups[i];
        fail_msg("no test group %u", gid);
        return (account_group) {};
}

typedef struct delegate_case {
        const char *rule;
        const char *user;
        uint32_t gid;
        int expect;
        const char *delegations; /* after success */
} delegate_case;

static const delegate_case cases[] = {
        { "a member gets the gid", "alice", 2000, 0, "alice:2000:rfriends alice:2001:lab" },
        { "another member gets the same gid too", "carol", 2000, 0, "alice:2001:lab carol:2000:rfriends" },
        { "a non-member is refused", "bob", 2000, -EPERM, NULL },
        { "gid 0 is never delegated, even to a member of root's group", "alice", 0, -EPERM, NULL },
        { "the user's own primary group is refused (podman would stop)", "alice", 1001, -EINVAL, NULL },
        { "a gid already delegated to the user is refused", "alice", 2001, -EEXIST, NULL },
        { "a gid inside someone's subordinate range is refused", "alice", 400000, -EEXIST, NULL },
        { "a group name the export cannot hold is refused", "alice", 3000, -EINVAL, NULL },
};

static void run_case(testenv *t, const delegate_case *c) {
        account_group g = group_gid(c->gid);
        char *before;
        int r;

        exec_sql(t->db, "DELETE FROM ranges; DELETE FROM delegations; DELETE FROM requests;");
        unlink(t->subuid);
        unlink(t->subgid);
        exec_sql(t->db, FIXTURE);
        before = db_state(t->db);

        r = policy_delegate(t->db, &t->acc, user_named(c->user), &g, 0, &t->paths);
        if (r != c->expect)
                fail_msg("%s: returned %d, expected %d", c->rule, r, c->expect);
        if (r == 0) {
                assert_view(t->db, DELEGATIONS_VIEW, c->delegations, c->rule);
        } else {
                char *after = db_state(t->db);

                if (strcmp(before, after) != 0)
                        fail_msg("%s: refused, but the database changed:\n%s\n%s", c->rule, before, after);
                free(after);
                assert_file(t->subgid, NULL, c->rule);
        }
        assert_true(sqlite3_get_autocommit(t->db));
        free(before);
}

static void test_delegate_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                run_case(*state, &cases[i]);
}

/* Export format: delegations after every range line (unshare --map-auto
 * uses only a name's first entry), granted_by records the admin. */
static void test_delegate_export_and_record(void **state) {
        testenv *t = *state;
        account_group g = group_gid(2000);
        char *by;

        exec_sql(t->db, "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES"
                        " ('gid', 1001, 'alice', 100000, 65536, 7), ('gid', 1003, 'carol', 200000, 65536, 7);");
        assert_int_equal(policy_delegate(t->db, &t->acc, user_named("alice"), &g, 4242, &t->paths), 0);
        assert_int_equal(policy_delegate(t->db, &t->acc, user_named("carol"), &g, 0, &t->paths), 0);
        assert_file(t->subgid, "alice:100000:65536\ncarol:200000:65536\nalice:2000:1\ncarol:2000:1\n",
                    "delegation lines follow all range lines");
        by = query_text(t->db, "SELECT granted_by FROM delegations WHERE owner_uid = 1001");
        assert_string_equal(by, "4242");
        free(by);
}

/* An administrator's grant answers the user's pending request for it. */
static void test_delegate_settles_pending_request(void **state) {
        testenv *t = *state;
        account_group g = group_gid(2000);
        char *row;

        exec_sql(t->db, "INSERT INTO requests (owner_uid, owner_name, gid, group_name, state, created_at) VALUES"
                        " (1001, 'alice', 2000, 'rfriends', 'pending', 5), (1003, 'carol', 2000, 'rfriends', 'pending', 5);");
        assert_int_equal(policy_delegate(t->db, &t->acc, user_named("alice"), &g, 7, &t->paths), 0);
        row = query_text(t->db, "SELECT group_concat(owner_name || ':' || state || ':' || coalesce(decided_by, '-'), ' ')"
                                " FROM (SELECT * FROM requests ORDER BY id)");
        assert_string_equal(row, "alice:approved:7 carol:pending:-");
        free(row);
}

typedef struct resolve_case {
        const char *rule;
        const char *text;
        int expect;
        uint32_t gid;
        const char *name;
} resolve_case;

static const resolve_case resolve_cases[] = {
        { "a group name", "rfriends", 0, 2000, "rfriends" },
        { "a numeric gid of an existing group", "2001", 0, 2001, "lab" },
        { "an unknown name", "nosuch", -ENOENT, 0, NULL },
        { "an unknown gid", "2999", -ENOENT, 0, NULL },
        { "a number with a sign is not a gid", "+2000", -ENOENT, 0, NULL },
};

static void test_resolve_group(void **state) {
        testenv *t = *state;

        for (size_t i = 0; i < sizeof resolve_cases / sizeof resolve_cases[0]; i++) {
                const resolve_case *c = &resolve_cases[i];
                account_group g = {};
                int r = policy_resolve_group(&t->acc, c->text, &g);

                if (r != c->expect)
                        fail_msg("%s: returned %d, expected %d", c->rule, r, c->expect);
                if (r == 0) {
                        assert_int_equal(g.gid, c->gid);
                        assert_string_equal(g.name, c->name);
                }
                policy_group_done(&g);
        }
}

static void test_undelegate(void **state) {
        testenv *t = *state;
        char *before;

        exec_sql(t->db, FIXTURE);
        /* Removing a delegation the user does not hold: refused, unchanged. */
        before = db_state(t->db);
        assert_int_equal(policy_undelegate(t->db, 1001, "alice", 2000, &t->paths), -ENOENT);
        {
                char *after = db_state(t->db);

                assert_string_equal(before, after);
                free(after);
        }
        free(before);
        assert_file(t->subgid, NULL, "refused undelegate writes nothing");
        /* A held one goes, and the export follows. */
        assert_int_equal(policy_undelegate(t->db, 1001, "alice", 2001, &t->paths), 0);
        assert_view(t->db, DELEGATIONS_VIEW, "", "delegation removed");
        assert_file(t->subgid, "alice:100000:65536\nbob:400000:10\n", "export without the delegation");
        assert_true(sqlite3_get_autocommit(t->db));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_delegate_table, setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_delegate_export_and_record, setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_delegate_settles_pending_request, setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_resolve_group, setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_undelegate, setup, testenv_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
