/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/revoke.c: revoked ranges go to quarantine, partial revokes split
 * ranges, and revoking anything not held changes nothing. */
#include <errno.h>

#include "policy_testlib.h"

#include "../../policy/revoke.h"

#define NONE ((id_range) { 0, 0 })
#define R(first, count) ((id_range) { (first), (count) })

/* alice: uid 100000+65536 and 165536+1000 (adjacent), gid 100000+65536,
 * delegation of rfriends (2000); bob: uid 200000+65536. */
#define FIXTURE                                                                                            \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at, origin) VALUES"          \
        " ('uid', 1001, 'alice', 100000, 65536, 7, 'import'), ('uid', 1001, 'alice', 165536, 1000, 7, 'grant')," \
        " ('gid', 1001, 'alice', 100000, 65536, 7, 'grant'), ('uid', 1002, 'bob', 200000, 65536, 7, 'grant');"  \
        "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES"                \
        " (2000, 'rfriends', 1001, 'alice', 7), (2001, 'oldname', 1001, 'alice', 7);"

typedef struct revoke_case {
        const char *rule;
        const char *user; /* alice or bob */
        id_range subuids; /* count 0: not given */
        id_range subgids;
        const char *group;
        uint32_t group_gid; /* 0: unknown */
        bool everything;
        int expect;
        const char *ranges; /* after success */
        const char *quarantine;
        const char *delegations;
} revoke_case;

static const revoke_case cases[] = {
        { "no option: everything goes to quarantine, delegations go", "alice", NONE, NONE, NULL, 0, true, 0,
          "uid:bob:200000:65536", "uid:alice:100000:65536 uid:alice:165536:1000 gid:alice:100000:65536", "" },
        { "a whole range", "alice", R(100000, 65536), NONE, NULL, 0, false, 0,
          "uid:alice:165536:1000 uid:bob:200000:65536 gid:alice:100000:65536", "uid:alice:100000:65536",
          "alice:2000:rfriends alice:2001:oldname" },
        { "the middle of a range splits it", "alice", R(110000, 10000), NONE, NULL, 0, false, 0,
          "uid:alice:100000:10000 uid:alice:120000:45536 uid:alice:165536:1000 uid:bob:200000:65536 "
          "gid:alice:100000:65536",
          "uid:alice:110000:10000", "alice:2000:rfriends alice:2001:oldname" },
        { "the start of a range", "alice", NONE, R(100000, 1), NULL, 0, false, 0,
          "uid:alice:100000:65536 uid:alice:165536:1000 uid:bob:200000:65536 gid:alice:100001:65535",
          "gid:alice:100000:1", "alice:2000:rfriends alice:2001:oldname" },
        { "across two adjacent ranges (they chain)", "alice", R(165000, 1000), NONE, NULL, 0, false, 0,
          "uid:alice:100000:65000 uid:alice:166000:536 uid:bob:200000:65536 gid:alice:100000:65536",
          "uid:alice:165000:536 uid:alice:165536:464", "alice:2000:rfriends alice:2001:oldname" },
        { "a delegation by group name", "alice", NONE, NONE, "rfriends", 2000, false, 0,
          "uid:alice:100000:65536 uid:alice:165536:1000 uid:bob:200000:65536 gid:alice:100000:65536", "",
          "alice:2001:oldname" },
        { "a delegation whose group was renamed, by its current gid", "alice", NONE, NONE, "newname", 2001, false, 0,
          "uid:alice:100000:65536 uid:alice:165536:1000 uid:bob:200000:65536 gid:alice:100000:65536", "",
          "alice:2000:rfriends" },
        { "a delegation of a deleted group, by stored name", "alice", NONE, NONE, "oldname", 0, false, 0,
          "uid:alice:100000:65536 uid:alice:165536:1000 uid:bob:200000:65536 gid:alice:100000:65536", "",
          "alice:2000:rfriends" },
        { "someone else's range is not held: refused", "alice", R(200000, 10), NONE, NULL, 0, false, -ENOENT, NULL,
          NULL, NULL },
        { "a range reaching past what is held: refused", "alice", R(166000, 1000), NONE, NULL, 0, false, -ENOENT,
          NULL, NULL, NULL },
        { "a range in a gap: refused", "alice", NONE, R(90000, 10), NULL, 0, false, -ENOENT, NULL, NULL, NULL },
        { "a group not delegated: refused", "bob", NONE, NONE, "rfriends", 2000, false, -ENOENT, NULL, NULL, NULL },
        { "one part not held refuses all parts", "alice", R(100000, 65536), R(300000, 1), NULL, 0, false, -ENOENT,
          NULL, NULL, NULL },
        { "nothing held at all: refused", "carol", NONE, NONE, NULL, 0, true, -ENOENT, NULL, NULL, NULL },
};

static void run_case(testenv *t, const revoke_case *c) {
        const account_user *u = strcmp(c->user, "alice") == 0 ? &test_users[1]
                                : strcmp(c->user, "bob") == 0 ? &test_users[2]
                                                              : &test_users[3];
        revoke_result result = {};
        char *before;
        int r;

        exec_sql(t->db, "DELETE FROM ranges; DELETE FROM quarantine; DELETE FROM delegations;");
        unlink(t->subuid);
        unlink(t->subgid);
        exec_sql(t->db, FIXTURE);
        before = db_state(t->db);

        r = policy_revoke(t->db,
                          &(revoke_request) {
                                  .owner_uid = u->uid,
                                  .owner_name = u->name,
                                  .subuids = c->subuids.count ? &c->subuids : NULL,
                                  .subgids = c->subgids.count ? &c->subgids : NULL,
                                  .group = c->group,
                                  .group_gid = c->group_gid ? &c->group_gid : NULL,
                                  .everything = c->everything,
                          },
                          &t->paths, &result);
        if (r != c->expect)
                fail_msg("%s: returned %d, expected %d", c->rule, r, c->expect);
        if (r == 0) {
                assert_view(t->db, RANGES_VIEW, c->ranges, c->rule);
                assert_view(t->db, QUARANTINE_VIEW, c->quarantine, c->rule);
                assert_view(t->db, DELEGATIONS_VIEW, c->delegations, c->rule);
                assert_true(result.n_items > 0);
                revoke_result_done(&result);
        } else {
                char *after = db_state(t->db);

                if (strcmp(before, after) != 0)
                        fail_msg("%s: refused, but the database changed:\n%s\n%s", c->rule, before, after);
                free(after);
                assert_file(t->subuid, NULL, c->rule);
        }
        assert_true(sqlite3_get_autocommit(t->db));
        free(before);
}

static void test_revoke_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                run_case(*state, &cases[i]);
}

/* Quarantine rows carry the former owner, the reason and a date; split
 * remainders keep their origin and date. */
static void test_revoke_records(void **state) {
        testenv *t = *state;
        revoke_result result = {};
        id_range u = R(110000, 10000);
        char *v;

        exec_sql(t->db, FIXTURE);
        assert_int_equal(policy_revoke(t->db,
                                       &(revoke_request) { .owner_uid = 1001, .owner_name = "alice", .subuids = &u },
                                       &t->paths, &result),
                         0);
        revoke_result_done(&result);
        v = query_text(t->db, "SELECT former_uid || ' ' || former_name || ' ' || reason || ' ' || (since > 7)"
                              " FROM quarantine");
        assert_string_equal(v, "1001 alice revoke 1");
        free(v);
        v = query_text(t->db, "SELECT group_concat(origin || '@' || created_at, ' ') FROM"
                              " (SELECT * FROM ranges WHERE owner_uid = 1001 AND kind = 'uid' ORDER BY first)");
        assert_string_equal(v, "import@7 import@7 grant@7");
        free(v);
        /* and the export no longer lists the revoked part */
        assert_file(t->subuid, "alice:100000:10000\nalice:120000:45536\nalice:165536:1000\nbob:200000:65536\n",
                    "export after revoke");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_revoke_table, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_revoke_records, testenv_setup, testenv_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
