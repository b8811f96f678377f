/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/grant_pool.c: `grant USER [--count N]`, ranges from the pools of
 * subid.conf. Each row is one rule of policy/grant_pool.h or of DESIGN.md
 * "Policy rules" (4: quarantined ids are never handed out by automatic
 * allocation). A refused grant changes neither the database nor the files. */
#include <errno.h>

#include "policy_testlib.h"

#include "../../policy/config.h"
#include "../../policy/grant_pool.h"

typedef struct pool_case {
        const char *rule;
        const char *fixture; /* SQL run first */
        const char *user;    /* alice (1001) or bob (1002) */
        uint32_t count;      /* 0: the pools' default */
        uint32_t min, max;   /* the uid pool, and the gid pool unless gid_max is set */
        uint32_t gid_min, gid_max;
        int expect;
        const char *ranges;     /* RANGES_VIEW after success */
        const char *quarantine; /* QUARANTINE_VIEW after success */
} pool_case;

#define RANGE(kind, uid, name, first, count)                                                            \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES ('" kind "', " \
        #uid ", '" name "', " #first ", " #count ", 1);"
#define QUARANTINE(kind, uid, name, first, count)                                                           \
        "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since) VALUES ('" kind \
        "', " #first ", " #count ", " #uid ", '" name "', 'revoke', 1);"

#define ALICE_BOTH RANGE("uid", 1001, "alice", 1000000, 65536) RANGE("gid", 1001, "alice", 1000000, 65536)
#define P 1000000, 1999999

static const pool_case cases[] = {
        { "an empty pool: both kinds from its bottom", "", "alice", 0, P, 0, 0, 0,
          "uid:alice:1000000:65536 gid:alice:1000000:65536", "" },
        { "the next user gets the ids above the first user's", ALICE_BOTH, "bob", 0, P, 0, 0, 0,
          "uid:alice:1000000:65536 uid:bob:1065536:65536 gid:alice:1000000:65536 gid:bob:1065536:65536", "" },
        { "quarantined ids are never handed out again, not even to their former owner",
          QUARANTINE("uid", 1001, "alice", 1000000, 65536), "alice", 0, P, 0, 0, 0,
          "uid:alice:1065536:65536 gid:alice:1000000:65536", "uid:alice:1000000:65536" },
        { "a gap below the high-water mark is used when the top is full", RANGE("uid", 1002, "bob", 1100000, 65536),
          "alice", 0, 1000000, 1165535, 0, 0, 0, "uid:alice:1000000:65536 uid:bob:1100000:65536 gid:alice:1000000:65536",
          "" },
        { "quarantine in that gap stays out too: the pool is full",
          RANGE("uid", 1002, "bob", 1100000, 65536) QUARANTINE("uid", 1002, "bob", 1000000, 100000), "alice", 0,
          1000000, 1165535, 0, 0, -ENOSPC, NULL, NULL },
        { "uid and gid of an existing account (svc, 170000) are skipped", "", "alice", 0, 150000, 999999, 0, 0, 0,
          "uid:alice:170001:65536 gid:alice:170001:65536", "" },
        { "a group's gid (bigg, 400000) is skipped for subgids only", "", "alice", 0, 390000, 999999, 0, 0, 0,
          "uid:alice:390000:65536 gid:alice:400001:65536", "" },
        { "another user's explicit range inside the pool is skipped", RANGE("gid", 1002, "bob", 1000000, 10), "alice",
          0, P, 0, 0, 0, "uid:alice:1000000:65536 gid:bob:1000000:10 gid:alice:1000010:65536", "" },
        { "a user holding both kinds already: EEXIST", ALICE_BOTH, "alice", 0, P, 0, 0, -EEXIST, NULL, NULL },
        { "a user holding both kinds outside the pool: EEXIST too",
          RANGE("uid", 1001, "alice", 5000000, 10) RANGE("gid", 1001, "alice", 6000000, 10), "alice", 0, P, 0, 0,
          -EEXIST, NULL, NULL },
        { "a user holding subuids only gets subgids only", RANGE("uid", 1001, "alice", 5000000, 10), "alice", 0, P, 0,
          0, 0, "uid:alice:5000000:10 gid:alice:1000000:65536", "" },
        { "a user holding subgids only gets subuids only", RANGE("gid", 1001, "alice", 5000000, 10), "alice", 0, P, 0,
          0, 0, "uid:alice:1000000:65536 gid:alice:5000000:10", "" },
        { "an explicit count replaces the default for both kinds", "", "alice", 1000, P, 0, 0, 0,
          "uid:alice:1000000:1000 gid:alice:1000000:1000", "" },
        { "the whole pool in one grant", "", "alice", 1000000, P, 0, 0, 0,
          "uid:alice:1000000:1000000 gid:alice:1000000:1000000", "" },
        { "a count larger than the pool: ENOSPC", "", "alice", 1000001, P, 0, 0, -ENOSPC, NULL, NULL },
        { "one kind's pool exhausted: nothing granted, not even the other kind", "", "alice", 0, P, 1000000, 1000099,
          -ENOSPC, NULL, NULL },
        { "an exhausted pool stays exhausted for the next user", ALICE_BOTH, "bob", 0, 1000000, 1065536, 0, 0,
          -ENOSPC, NULL, NULL },
};

static const account_user *user_of(const char *name) {
        return strcmp(name, "alice") == 0 ? &test_users[1] : &test_users[2];
}

static subid_config config_of(const pool_case *c) {
        subid_config config;

        config_defaults(&config);
        config.sub_uid_min = c->min;
        config.sub_uid_max = c->max;
        config.sub_gid_min = c->gid_max ? c->gid_min : c->min;
        config.sub_gid_max = c->gid_max ? c->gid_max : c->max;
        config.sub_uid_count = config.sub_gid_count = 65536;
        return config;
}

static void run_case(testenv *t, const pool_case *c) {
        const account_user *u = user_of(c->user);
        subid_config config = config_of(c);
        grant_pool_result result = {};
        char *before;
        int r;

        exec_sql(t->db, "DELETE FROM ranges; DELETE FROM quarantine; DELETE FROM delegations;");
        unlink(t->subuid);
        unlink(t->subgid);
        exec_sql(t->db, c->fixture);
        before = db_state(t->db);

        r = policy_grant_pool(t->db, &(grant_pool_request) { u->uid, u->name, c->count }, &config, &t->acc,
                              &t->paths, &result);
        if (r != c->expect)
                fail_msg("%s: returned %d, expected %d", c->rule, r, c->expect);
        if (r == 0) {
                assert_view(t->db, RANGES_VIEW, c->ranges, c->rule);
                assert_view(t->db, QUARANTINE_VIEW, c->quarantine, c->rule);
        } else {
                char *after = db_state(t->db);

                if (strcmp(before, after) != 0)
                        fail_msg("%s: refused, but the database changed:\n%s\n%s", c->rule, before, after);
                free(after);
                assert_file(t->subuid, NULL, c->rule);
                assert_file(t->subgid, NULL, c->rule);
        }
        assert_true(sqlite3_get_autocommit(t->db)); /* no transaction left open */
        free(before);
}

static void test_grant_pool_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                run_case(*state, &cases[i]);
}

/* The result says which kinds were granted, and the files are exported. */
static void test_grant_pool_result_and_export(void **state) {
        testenv *t = *state;
        subid_config config = config_of(&cases[0]);
        grant_pool_result result = {};

        exec_sql(t->db, RANGE("uid", 1001, "alice", 5000000, 10));
        assert_int_equal(policy_grant_pool(t->db, &(grant_pool_request) { 1001, "alice", 0 }, &config, &t->acc,
                                           &t->paths, &result),
                         0);
        assert_false(result.granted[ID_KIND_UID]);
        assert_true(result.granted[ID_KIND_GID]);
        assert_int_equal(result.ranges[ID_KIND_GID].first, 1000000);
        assert_int_equal(result.ranges[ID_KIND_GID].count, 65536);
        assert_file(t->subuid, "alice:5000000:10\n", "export after a pool grant");
        assert_file(t->subgid, "alice:1000000:65536\n", "export after a pool grant");
}

/* Successive users never overlap, and revoked ids stay out of circulation:
 * a whole pool handed out, revoked into quarantine, is then exhausted. */
static void test_grant_pool_successive(void **state) {
        testenv *t = *state;
        pool_case c = { .min = 1000000, .max = 1000000 + 3 * 65536 - 1 };
        subid_config config = config_of(&c);
        grant_pool_result result;

        for (size_t i = 1; i <= 3; i++) {
                const account_user *u = &test_users[i]; /* alice, bob, carol */

                result = (grant_pool_result) {};
                assert_int_equal(policy_grant_pool(t->db, &(grant_pool_request) { u->uid, u->name, 0 }, &config,
                                                   &t->acc, &t->paths, &result),
                                 0);
                assert_int_equal(result.ranges[ID_KIND_UID].first, 1000000 + (i - 1) * 65536);
        }
        assert_int_equal(policy_grant_pool(t->db, &(grant_pool_request) { 65534, "nobody", 0 }, &config, &t->acc,
                                           &t->paths, &result),
                         -ENOSPC);
        /* carol's ranges go to quarantine: still no room for nobody. */
        exec_sql(t->db, "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since) "
                        "SELECT kind, first, count, owner_uid, owner_name, 'revoke', 1 FROM ranges WHERE owner_uid = 1003;"
                        "DELETE FROM ranges WHERE owner_uid = 1003;");
        assert_int_equal(policy_grant_pool(t->db, &(grant_pool_request) { 65534, "nobody", 0 }, &config, &t->acc,
                                           &t->paths, &result),
                         -ENOSPC);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_grant_pool_table, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_grant_pool_result_and_export, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_grant_pool_successive, testenv_setup, testenv_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
