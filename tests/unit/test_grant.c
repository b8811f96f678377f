/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/grant.c: explicit grants. Each row is one rule of DESIGN.md
 * "Policy rules" or of the grant rules in policy/grant.h: a refused grant
 * must change neither the database nor the exported files. */
#include <errno.h>

#include "policy_testlib.h"

#include "../../policy/grant.h"

#define NONE ((id_range) { 0, 0 })
#define R(first, count) ((id_range) { (first), (count) })

typedef struct grant_case {
        const char *rule;
        const char *fixture; /* SQL run first */
        const char *user;    /* alice (1001) or bob (1002) */
        id_range subuids;    /* count 0: not requested */
        id_range subgids;
        bool force;
        int expect;
        const char *ranges;     /* RANGES_VIEW after success */
        const char *quarantine; /* QUARANTINE_VIEW after success */
} grant_case;

#define BOB_UID_RANGE                                                                                  \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES ('uid', 1002, " \
        "'bob', 200000, 65536, 1);"
#define ALICE_UID_RANGE                                                                                \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES ('uid', 1001, " \
        "'alice', 100000, 65536, 1);"
#define Q_ALICE                                                                                             \
        "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since) VALUES ('uid', " \
        "300000, 65536, 1001, 'alice', 'revoke', 1);"
#define Q_BOB                                                                                               \
        "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since) VALUES ('uid', " \
        "300000, 65536, 1002, 'bob', 'revoke', 1);"

static const grant_case cases[] = {
        { "a free range is granted", "", "alice", R(100000, 65536), NONE, false, 0, "uid:alice:100000:65536", "" },
        { "subuids and subgids together", "", "alice", R(100000, 65536), R(100000, 65536), false, 0,
          "uid:alice:100000:65536 gid:alice:100000:65536", "" },
        { "subgids alone", "", "alice", NONE, R(100000, 65536), false, 0, "gid:alice:100000:65536", "" },
        { "host id 0 is never a subordinate id", "", "alice", R(0, 65536), NONE, false, -EPERM, NULL, NULL },
        { "host id 0 as a subgid either", "", "alice", NONE, R(0, 1), false, -EPERM, NULL, NULL },
        { "overlap: starts inside another user's range", BOB_UID_RANGE, "alice", R(265535, 10), NONE, false,
          -EEXIST, NULL, NULL },
        { "overlap: ends inside another user's range (found by first in [F, L])", BOB_UID_RANGE, "alice",
          R(199990, 11), NONE, false, -EEXIST, NULL, NULL },
        { "overlap: contains another user's range", BOB_UID_RANGE, "alice", R(190000, 100000), NONE, false,
          -EEXIST, NULL, NULL },
        { "overlap: identical to another user's range", BOB_UID_RANGE, "alice", R(200000, 65536), NONE, false,
          -EEXIST, NULL, NULL },
        { "the same user: already holds", ALICE_UID_RANGE, "alice", R(100000, 65536), NONE, false, -EEXIST, NULL,
          NULL },
        { "the same user: partial overlap is refused too", ALICE_UID_RANGE, "alice", R(165535, 2), NONE, false,
          -EEXIST, NULL, NULL },
        { "touching ranges do not overlap", BOB_UID_RANGE, "alice", R(265536, 100), NONE, false, 0,
          "uid:bob:200000:65536 uid:alice:265536:100", "" },
        { "touching from below", BOB_UID_RANGE, "alice", R(199900, 100), NONE, false, 0,
          "uid:alice:199900:100 uid:bob:200000:65536", "" },
        { "a uid range of one kind does not block the other kind", BOB_UID_RANGE, "alice", NONE, R(200000, 65536),
          false, 0, "uid:bob:200000:65536 gid:alice:200000:65536", "" },
        { "subuids must not contain an existing uid (svc, 170000)", "", "alice", R(166000, 10000), NONE, false,
          -EEXIST, NULL, NULL },
        { "subgids must not contain an existing gid (bigg, 400000)", "", "alice", NONE, R(390000, 20000), false,
          -EEXIST, NULL, NULL },
        { "gid 400000 is no uid: fine as subuids", "", "alice", R(390000, 20000), NONE, false, 0,
          "uid:alice:390000:20000", "" },
        { "one refused kind refuses both (one transaction)", "", "alice", R(100000, 65536), R(0, 65536), false,
          -EPERM, NULL, NULL },
        { "the former owner reclaims a quarantined range", Q_ALICE, "alice", R(300000, 65536), NONE, false, 0,
          "uid:alice:300000:65536", "" },
        { "reclaiming part of a piece leaves the rest quarantined", Q_ALICE, "alice", R(310000, 10000), NONE, false,
          0, "uid:alice:310000:10000", "uid:alice:300000:10000 uid:alice:320000:45536" },
        { "someone else's quarantine is refused without force", Q_BOB, "alice", R(300000, 65536), NONE, false,
          -EPERM, NULL, NULL },
        { "partial overlap with someone else's quarantine is refused too", Q_BOB, "alice", R(365535, 10), NONE,
          false, -EPERM, NULL, NULL },
        { "with force, someone else's quarantine is taken over", Q_BOB, "alice", R(290000, 20000), NONE, true, 0,
          "uid:alice:290000:20000", "uid:bob:310000:55536" },
        { "a range below the quarantine is not affected by it", Q_BOB, "alice", R(200000, 100000), NONE, false, 0,
          "uid:alice:200000:100000", "uid:bob:300000:65536" },
        { "force does not override an overlap with a held range", BOB_UID_RANGE, "alice", R(200000, 10), NONE, true,
          -EEXIST, NULL, NULL },
        { "force does not override host id 0", "", "alice", R(0, 10), NONE, true, -EPERM, NULL, NULL },
        { "the highest valid range", "", "alice", R(4294901759, 65536), NONE, false, 0,
          "uid:alice:4294901759:65536", "" },
        { "a range past the last id is invalid", "", "alice", R(4294901760, 65536), NONE, false, -EINVAL, NULL,
          NULL },
};

static void run_case(testenv *t, const grant_case *c) {
        const account_user *u = strcmp(c->user, "alice") == 0 ? &test_users[1] : &test_users[2];
        grant_result result = {};
        char *before;
        int r;

        exec_sql(t->db, "DELETE FROM ranges; DELETE FROM quarantine; DELETE FROM delegations;");
        unlink(t->subuid);
        unlink(t->subgid);
        exec_sql(t->db, c->fixture);
        before = db_state(t->db);

        r = policy_grant_ranges(t->db,
                                &(grant_request) {
                                        .owner_uid = u->uid,
                                        .owner_name = u->name,
                                        .subuids = c->subuids.count ? &c->subuids : NULL,
                                        .subgids = c->subgids.count ? &c->subgids : NULL,
                                        .force = c->force,
                                },
                                &t->acc, &t->paths, &result);
        if (r != c->expect)
                fail_msg("%s: returned %d, expected %d", c->rule, r, c->expect);
        if (r == 0) {
                assert_view(t->db, RANGES_VIEW, c->ranges, c->rule);
                assert_view(t->db, QUARANTINE_VIEW, c->quarantine, c->rule);
                grant_result_done(&result);
        } else {
                char *after = db_state(t->db);

                if (strcmp(before, after) != 0)
                        fail_msg("%s: refused, but the database changed:\n%s\n%s", c->rule, before, after);
                free(after);
                /* No export happened: the files were never written. */
                assert_file(t->subuid, NULL, c->rule);
                assert_file(t->subgid, NULL, c->rule);
        }
        assert_true(sqlite3_get_autocommit(t->db)); /* no transaction left open */
        free(before);
}

static void test_grant_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                run_case(*state, &cases[i]);
}

/* A successful grant exports: the files show the new state. */
static void test_grant_exports(void **state) {
        testenv *t = *state;
        grant_result result = {};
        id_range u = R(100000, 65536), g = R(200000, 65536);

        assert_int_equal(policy_grant_ranges(t->db,
                                             &(grant_request) { .owner_uid = 1001,
                                                                .owner_name = "alice",
                                                                .subuids = &u,
                                                                .subgids = &g },
                                             &t->acc, &t->paths, &result),
                         0);
        grant_result_done(&result);
        assert_file(t->subuid, "alice:100000:65536\n", "export after grant");
        assert_file(t->subgid, "alice:200000:65536\n", "export after grant");
}

/* What grant reports as taken out of quarantine, and whether by force. */
static void test_grant_reports_reclaim(void **state) {
        testenv *t = *state;
        grant_result result = {};
        id_range u = R(290000, 20000);

        exec_sql(t->db, Q_BOB);
        assert_int_equal(policy_grant_ranges(t->db,
                                             &(grant_request) { .owner_uid = 1001,
                                                                .owner_name = "alice",
                                                                .subuids = &u,
                                                                .force = true },
                                             &t->acc, &t->paths, &result),
                         0);
        assert_int_equal(result.n_reclaimed, 1);
        assert_int_equal(result.reclaimed[0].range.first, 300000);
        assert_int_equal(result.reclaimed[0].range.count, 10000);
        assert_int_equal(result.reclaimed[0].former_uid, 1002);
        assert_string_equal(result.reclaimed[0].former_name, "bob");
        assert_true(result.reclaimed[0].forced);
        grant_result_done(&result);
}

/* A name that would forge lines in the exported file is refused. */
static void test_grant_refuses_unsafe_name(void **state) {
        testenv *t = *state;
        grant_result result = {};
        id_range u = R(100000, 10);

        assert_int_equal(policy_grant_ranges(t->db,
                                             &(grant_request) { .owner_uid = 1001,
                                                                .owner_name = "alice\nroot:0:1",
                                                                .subuids = &u },
                                             &t->acc, &t->paths, &result),
                         -EINVAL);
        assert_view(t->db, RANGES_VIEW, "", "unsafe name refused");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_grant_table, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_grant_exports, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_grant_reports_reclaim, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_grant_refuses_unsafe_name, testenv_setup, testenv_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
