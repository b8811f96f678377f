/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/requests.c: a member asks for a group open to requests; policy
 * "self" grants at once, "approve" leaves one pending request per user and
 * gid; approval re-checks membership, rejection keeps a one-line reason;
 * every refusal changes nothing. */
#include <errno.h>

#include "policy_testlib.h"

#include "../../policy/group_policy.h"
#include "../../policy/requests.h"

/* alice is in rfriends (2000) and lab (2001); carol in lab; bob in none.
 * rfriends is open with policy self, lab with approve, closed (2002) not. */
static const account_group groups[] = {
        { (char *) "root", 0 },      { (char *) "alice", 1001 }, { (char *) "bob", 1002 },
        { (char *) "carol", 1003 },  { (char *) "rfriends", 2000 }, { (char *) "lab", 2001 },
        { (char *) "closed", 2002 },
};
static const account_member members[] = {
        { "alice", 2000 }, { "alice", 2001 }, { "alice", 2002 }, { "alice", 0 }, { "carol", 2001 },
};

#define POLICIES                                                                          \
        "INSERT INTO group_policies (gid, group_name, policy, set_at) VALUES"                 \
        " (2000, 'rfriends', 'self', 1), (2001, 'lab', 'approve', 1), (0, 'root', 'self', 1);" \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES"   \
        " ('gid', 1001, 'alice', 100000, 65536, 7);"

/* Requests, by id: owner:group:state[:decided_by][:reason]. */
#define REQUESTS_VIEW                                                                                          \
        "SELECT coalesce(group_concat(owner_name || ':' || group_name || ':' || state"                            \
        " || coalesce(':' || decided_by, '') || coalesce(':' || reason, ''), ' '), '')"                           \
        " FROM (SELECT * FROM requests ORDER BY id)"

static int setup(void **state) {
        testenv *t;

        testenv_setup(state);
        t = *state;
        accounts_done(&t->acc);
        assert_int_equal(accounts_from_tables(test_users, sizeof test_users / sizeof test_users[0], groups,
                                              sizeof groups / sizeof groups[0], members,
                                              sizeof members / sizeof members[0], &t->acc),
                         0);
        exec_sql(t->db, POLICIES);
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

/* Everything requests can change, for "nothing changed" checks. */
static char *state_of(sqlite3 *db) {
        char *a = db_state(db), *b = query_text(db, REQUESTS_VIEW), *out = NULL;

        assert_true(asprintf(&out, "%s requests[%s]", a, b) > 0);
        free(a);
        free(b);
        return out;
}

static void assert_unchanged(sqlite3 *db, const char *before, const char *rule) {
        char *after = state_of(db);

        if (strcmp(before, after) != 0)
                fail_msg("%s: refused, but the database changed:\n%s\n%s", rule, before, after);
        free(after);
}

typedef struct request_case {
        const char *rule;
        const char *fixture; /* SQL run first (after the policies) */
        const char *user;
        uint32_t gid;
        int expect;
        request_state state; /* of the returned request */
        const char *requests;
        const char *delegations;
        const char *subgid; /* the export after success; NULL: not written */
} request_case;

#define PENDING_ALICE_LAB                                                                   \
        "INSERT INTO requests (owner_uid, owner_name, gid, group_name, state, created_at) VALUES" \
        " (1001, 'alice', 2001, 'lab', 'pending', 5);"

static const request_case cases[] = {
        { "policy self: granted at once, recorded as approved by policy", "", "alice", 2000, 0, REQUEST_APPROVED,
          "alice:rfriends:approved", "alice:2000:rfriends", "alice:100000:65536\nalice:2000:1\n" },
        { "policy approve: a pending request, no delegation, no export", "", "alice", 2001, 0, REQUEST_PENDING,
          "alice:lab:pending", "", NULL },
        { "a second request while one is pending is refused", PENDING_ALICE_LAB, "alice", 2001, -EEXIST, 0, NULL,
          NULL, NULL },
        { "policy self takes over a request left pending under approve",
          PENDING_ALICE_LAB "UPDATE group_policies SET policy = 'self' WHERE gid = 2001;", "alice", 2001, 0,
          REQUEST_APPROVED, "alice:lab:approved", "alice:2001:lab", "alice:100000:65536\nalice:2001:1\n" },
        { "a group already delegated is refused",
          "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES"
          " (2000, 'rfriends', 1001, 'alice', 7);",
          "alice", 2000, -EEXIST, 0, NULL, NULL, NULL },
        { "a non-member is refused", "", "bob", 2000, -EPERM, 0, NULL, NULL, NULL },
        { "a non-member is refused under approve too", "", "bob", 2001, -EPERM, 0, NULL, NULL, NULL },
        { "a group not open to requests is refused, even for a member", "", "alice", 2002, -EPERM, 0, NULL, NULL,
          NULL },
        { "gid 0 is refused even with a (forged) policy row", "", "alice", 0, -EPERM, 0, NULL, NULL, NULL },
        { "the user's own primary group is refused", "INSERT INTO group_policies VALUES (1001, 'alice', 'self', 1, NULL);",
          "alice", 1001, -EINVAL, 0, NULL, NULL, NULL },
};

static void run_case(testenv *t, const request_case *c) {
        account_group g = group_gid(c->gid);
        request_row row = {};
        char *before;
        int r;

        exec_sql(t->db, "DELETE FROM delegations; DELETE FROM requests; DELETE FROM group_policies;"
                        " DELETE FROM ranges;");
        exec_sql(t->db, POLICIES);
        exec_sql(t->db, c->fixture);
        unlink(t->subuid);
        unlink(t->subgid);
        before = state_of(t->db);

        r = policy_request_delegation(t->db, &t->acc, user_named(c->user), &g, &t->paths, &row);
        if (r != c->expect)
                fail_msg("%s: returned %d, expected %d", c->rule, r, c->expect);
        if (r == 0) {
                if (row.state != c->state)
                        fail_msg("%s: request state %s", c->rule, request_state_to_string(row.state));
                assert_int_equal(row.gid, c->gid);
                assert_int_equal(row.owner_uid, user_named(c->user)->uid);
                assert_true(row.id > 0);
                assert_view(t->db, REQUESTS_VIEW, c->requests, c->rule);
                assert_view(t->db, DELEGATIONS_VIEW, c->delegations, c->rule);
                assert_file(t->subgid, c->subgid, c->rule);
        } else {
                assert_unchanged(t->db, before, c->rule);
                assert_file(t->subgid, NULL, c->rule);
        }
        request_row_done(&row);
        assert_true(sqlite3_get_autocommit(t->db));
        free(before);
}

static void test_request_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                run_case(*state, &cases[i]);
}

/* The schema itself keeps one pending request per user and gid, whoever
 * writes. */
static void test_one_pending_by_schema(void **state) {
        testenv *t = *state;

        exec_sql(t->db, PENDING_ALICE_LAB);
        assert_int_not_equal(sqlite3_exec(t->db, PENDING_ALICE_LAB, NULL, NULL, NULL), SQLITE_OK);
}

static int64_t pending_request(testenv *t, const char *user, uint32_t gid) {
        account_group g = group_gid(gid);
        request_row row = {};
        int64_t id;

        assert_int_equal(policy_request_delegation(t->db, &t->acc, user_named(user), &g, &t->paths, &row), 0);
        assert_int_equal(row.state, REQUEST_PENDING);
        id = row.id;
        request_row_done(&row);
        return id;
}

static void test_approve(void **state) {
        testenv *t = *state;
        request_row row = {};
        int64_t id = pending_request(t, "alice", 2001);
        char *before;

        assert_int_equal(policy_request_approve(t->db, &t->acc, id, 4242, &t->paths, &row), 0);
        assert_int_equal(row.state, REQUEST_APPROVED);
        assert_true(row.decided && row.decided_at > 0);
        assert_true(row.has_decided_by);
        assert_int_equal(row.decided_by, 4242);
        request_row_done(&row);
        assert_view(t->db, DELEGATIONS_VIEW, "alice:2001:lab", "approval creates the delegation");
        assert_file(t->subgid, "alice:100000:65536\nalice:2001:1\n", "approval exports");

        /* Deciding twice is refused and changes nothing. */
        before = state_of(t->db);
        assert_int_equal(policy_request_approve(t->db, &t->acc, id, 1, &t->paths, &row), -EALREADY);
        assert_int_equal(policy_request_reject(t->db, id, 1, NULL, &row), -EALREADY);
        assert_unchanged(t->db, before, "an approved request cannot be decided again");
        free(before);
        /* No such request. */
        assert_int_equal(policy_request_approve(t->db, &t->acc, 999, 1, &t->paths, &row), -ENOENT);
        assert_int_equal(policy_request_reject(t->db, 999, 1, NULL, &row), -ENOENT);
        assert_true(sqlite3_get_autocommit(t->db));
}

/* Membership is checked again when the administrator approves. */
static void test_approve_rechecks_membership(void **state) {
        static const account_member now[] = { { "alice", 2000 } }; /* alice has left lab */
        testenv *t = *state;
        accounts later = {};
        request_row row = {};
        int64_t id = pending_request(t, "alice", 2001);
        char *before, *st;

        assert_int_equal(accounts_from_tables(test_users, sizeof test_users / sizeof test_users[0], groups,
                                              sizeof groups / sizeof groups[0], now, 1, &later),
                         0);
        before = state_of(t->db);
        assert_int_equal(policy_request_approve(t->db, &later, id, 1, &t->paths, &row), -EPERM);
        assert_unchanged(t->db, before, "approval of a former member is refused");
        st = query_text(t->db, "SELECT state FROM requests");
        assert_string_equal(st, "pending");
        free(st);
        assert_file(t->subgid, NULL, "a refused approval writes nothing");
        free(before);
        accounts_done(&later);
}

/* A delegation that appeared meanwhile (an import) is not duplicated. */
static void test_approve_already_delegated(void **state) {
        testenv *t = *state;
        request_row row = {};
        int64_t id = pending_request(t, "alice", 2001);

        exec_sql(t->db, "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES"
                        " (2001, 'lab', 1001, 'alice', 7);");
        assert_int_equal(policy_request_approve(t->db, &t->acc, id, 3, &t->paths, &row), 0);
        assert_int_equal(row.state, REQUEST_APPROVED);
        request_row_done(&row);
        assert_view(t->db, DELEGATIONS_VIEW, "alice:2001:lab", "one delegation");
}

typedef struct reject_case {
        const char *rule;
        const char *reason;
        int expect;
        const char *requests;
} reject_case;

static const reject_case reject_cases[] = {
        { "rejected with a reason", "not this term", 0, "alice:lab:rejected:7:not this term" },
        { "rejected without a reason", NULL, 0, "alice:lab:rejected:7" },
        { "a reason of two lines is refused (it is shown as one)", "one\ntwo", -EINVAL, NULL },
        { "an empty reason is refused", "", -EINVAL, NULL },
};

static void test_reject(void **state) {
        testenv *t = *state;

        for (size_t i = 0; i < sizeof reject_cases / sizeof reject_cases[0]; i++) {
                const reject_case *c = &reject_cases[i];
                request_row row = {};
                int64_t id;
                char *before;
                int r;

                exec_sql(t->db, "DELETE FROM requests; DELETE FROM delegations;");
                id = pending_request(t, "alice", 2001);
                before = state_of(t->db);
                r = policy_request_reject(t->db, id, 7, c->reason, &row);
                if (r != c->expect)
                        fail_msg("%s: returned %d, expected %d", c->rule, r, c->expect);
                if (r == 0) {
                        assert_int_equal(row.state, REQUEST_REJECTED);
                        assert_view(t->db, REQUESTS_VIEW, c->requests, c->rule);
                        assert_view(t->db, DELEGATIONS_VIEW, "", c->rule);
                } else
                        assert_unchanged(t->db, before, c->rule);
                request_row_done(&row);
                free(before);
        }
        assert_true(sqlite3_get_autocommit(t->db));
}

static void test_list(void **state) {
        testenv *t = *state;
        request_row *rows = NULL, row = {};
        size_t n = 0;
        int64_t a = pending_request(t, "alice", 2001), c = pending_request(t, "carol", 2001);
        account_group g = group_gid(2000);

        assert_int_equal(policy_request_delegation(t->db, &t->acc, user_named("alice"), &g, &t->paths, &row), 0);
        request_row_done(&row);
        assert_int_equal(policy_request_reject(t->db, a, 1, "no", &row), 0);
        request_row_done(&row);

        /* Pending only, by id. */
        assert_int_equal(policy_requests_list(t->db, false, &rows, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(rows[0].id, c);
        assert_string_equal(rows[0].owner_name, "carol");
        assert_false(rows[0].decided);
        assert_null(rows[0].reason);
        request_rows_free(rows, n);
        /* All, by id. */
        assert_int_equal(policy_requests_list(t->db, true, &rows, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(rows[0].state, REQUEST_REJECTED);
        assert_string_equal(rows[0].reason, "no");
        assert_int_equal(rows[1].state, REQUEST_PENDING);
        assert_int_equal(rows[2].state, REQUEST_APPROVED);
        assert_false(rows[2].has_decided_by); /* decided by policy self */
        request_rows_free(rows, n);
        /* One user's. */
        assert_int_equal(policy_requests_of_owner(t->db, 1001, &rows, &n), 0);
        assert_int_equal(n, 2);
        request_rows_free(rows, n);
}

static void test_state_names(void **state) {
        static const char *const names[] = { "pending", "approved", "rejected", "withdrawn" };
        request_state s;

        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                assert_int_equal(request_state_from_string(names[i], &s), 0);
                assert_string_equal(request_state_to_string(s), names[i]);
        }
        assert_int_equal(request_state_from_string("Pending", &s), -EINVAL);
        assert_int_equal(request_state_from_string(NULL, &s), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_request_table, setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_one_pending_by_schema, setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_approve, setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_approve_rechecks_membership, setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_approve_already_delegated, setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_reject, setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_list, setup, testenv_teardown),
                cmocka_unit_test(test_state_names),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
