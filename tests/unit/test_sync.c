/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/sync.c: `subidctl sync`. Each row is one rule of policy/sync.h or
 * of docs/decisions.md ("sync"), with the user database given as a table.
 * After every successful row a second sync must find nothing to do
 * (idempotence); a refused sync changes nothing. */
#include <errno.h>

#include "policy_testlib.h"

#include "../../common/cleanup.h"
#include "../../policy/config.h"
#include "../../policy/sync.h"

#define RANGE(kind, uid, name, first, count)                                                            \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES ('" kind "', " \
        #uid ", '" name "', " #first ", " #count ", 1);"
#define BOTH(uid, name, first) RANGE("uid", uid, name, first, 1000) RANGE("gid", uid, name, first, 1000)
#define DELEGATION(gid, group, uid, name)                                                                 \
        "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES (" #gid ", '" \
        group "', " #uid ", '" name "', 1);"
#define QUARANTINED_FOR(reason, kind, uid, name, first, count)                                              \
        "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since) VALUES ('" kind \
        "', " #first ", " #count ", " #uid ", '" name "', '" reason "', 1);"
#define QUARANTINED(kind, uid, name, first, count) QUARANTINED_FOR("userdel", kind, uid, name, first, count)
#define REVOKED(kind, uid, name, first, count) QUARANTINED_FOR("revoke", kind, uid, name, first, count)
#define PENDING(uid, name, gid, group)                                                                     \
        "INSERT INTO requests (owner_uid, owner_name, gid, group_name, state, created_at) VALUES (" #uid ", '" \
        name "', " #gid ", '" group "', 'pending', 1);"

#define MAX_USERS 6

typedef struct sync_case {
        const char *rule;
        const char *fixture;                /* SQL run first */
        account_user users[MAX_USERS];      /* the user database; name NULL ends it */
        account_member members[2];          /* supplementary groups; user NULL ends it */
        uint32_t pool_max;                  /* 0: 199999 */
        int expect;
        size_t allocated, quarantined, renamed, removed;
        const char *ranges, *quarantine, *delegations; /* the views after success */
} sync_case;

#define U(name, uid) { (char *) name, uid, uid }
#define SYSTEM U("root", 0), U("svc", 500), U("nobody", 65534)

/* Pools 100000-199999, 1000 ids per range; login accounts are uids
 * 1000-60000. Groups: rfriends (2000) only, plus every user's own group. */
static const sync_case cases[] = {
        { "login accounts holding nothing get both kinds from the pool; system accounts below auto_uid_min "
          "(root, svc 500) and above auto_uid_max (nobody 65534) are skipped",
          "", { SYSTEM, U("alice", 1001), U("bob", 1002) }, {}, 0, 0, 4, 0, 0, 0,
          "uid:alice:100000:1000 uid:bob:101000:1000 gid:alice:100000:1000 gid:bob:101000:1000", "", "" },
        { "an account holding subuids only gets subgids only", RANGE("uid", 1001, "alice", 150000, 10),
          { SYSTEM, U("alice", 1001) }, {}, 0, 0, 1, 0, 0, 0, "uid:alice:150000:10 gid:alice:100000:1000", "", "" },
        { "an account holding both kinds, even outside the pool, is left alone",
          RANGE("uid", 1001, "alice", 5000000, 10) RANGE("gid", 1001, "alice", 5000000, 10),
          { SYSTEM, U("alice", 1001) }, {}, 0, 0, 0, 0, 0, 0, "uid:alice:5000000:10 gid:alice:5000000:10", "", "" },
        { "a system account that holds ranges keeps them (sync only allocates for login accounts)",
          BOTH(500, "svc", 100000), { SYSTEM }, {}, 0, 0, 0, 0, 0, 0, "uid:svc:100000:1000 gid:svc:100000:1000", "",
          "" },
        { "a deleted account: its ranges go to quarantine, its delegations are removed",
          BOTH(1001, "alice", 100000) BOTH(1002, "bob", 101000) DELEGATION(2000, "rfriends", 1002, "bob"),
          { SYSTEM, U("alice", 1001) }, {}, 0, 0, 0, 2, 0, 1, "uid:alice:100000:1000 gid:alice:100000:1000",
          "uid:bob:101000:1000 gid:bob:101000:1000", "" },
        { "a deleted system account is quarantined too", BOTH(500, "svc", 100000), { U("root", 0) }, {}, 0, 0, 0, 2,
          0, 0, "", "uid:svc:100000:1000 gid:svc:100000:1000", "" },
        { "uid reused: the stored name is another account now; the new holder of the uid does not inherit, both "
          "get fresh ranges above the quarantine",
          BOTH(1001, "alice", 100000), { SYSTEM, U("carol", 1001), U("alice", 1005) }, {}, 0, 0, 4, 2, 0, 0,
          "uid:carol:101000:1000 uid:alice:102000:1000 gid:carol:101000:1000 gid:alice:102000:1000",
          "uid:alice:100000:1000 gid:alice:100000:1000", "" },
        { "uid reused: the account was already served under its own name, so the old name is a former account",
          BOTH(1001, "alice", 100000) RANGE("uid", 1001, "carol", 150000, 10), { SYSTEM, U("carol", 1001) }, {}, 0,
          0, 1, 2, 0, 0, "uid:carol:150000:10 gid:carol:101000:1000", "uid:alice:100000:1000 gid:alice:100000:1000",
          "" },
        { "renamed (usermod -l): the stored name is no account, the uid's account takes the rows, delegations "
          "included; nothing is quarantined or allocated",
          BOTH(1001, "alice", 100000) DELEGATION(2000, "rfriends", 1001, "alice"),
          { SYSTEM, U("alicia", 1001) }, { { "alicia", 2000 } }, 0, 0, 0, 0, 1, 0,
          "uid:alicia:100000:1000 gid:alicia:100000:1000", "", "alicia:2000:rfriends" },
        { "two vanished names for one uid: neither can be told to be the account's old name, both are retired",
          RANGE("uid", 1001, "alice", 100000, 1000) RANGE("gid", 1001, "al", 100000, 1000),
          { SYSTEM, U("carol", 1001) }, {}, 0, 0, 2, 2, 0, 0, "uid:carol:101000:1000 gid:carol:101000:1000",
          "uid:alice:100000:1000 gid:al:100000:1000", "" },
        { "an alias (a second passwd name for the same uid) is the same account: kept",
          BOTH(1001, "alice2", 100000), { SYSTEM, U("alice", 1001), U("alice2", 1001) }, {}, 0, 0, 0, 0, 0, 0,
          "uid:alice2:100000:1000 gid:alice2:100000:1000", "", "" },
        { "a delegation whose user left the group is removed; a member's stays",
          BOTH(1001, "alice", 100000) BOTH(1002, "bob", 101000) DELEGATION(2000, "rfriends", 1001, "alice")
                  DELEGATION(2000, "rfriends", 1002, "bob"),
          { SYSTEM, U("alice", 1001), U("bob", 1002) }, { { "alice", 2000 } }, 0, 0, 0, 0, 0, 1,
          "uid:alice:100000:1000 uid:bob:101000:1000 gid:alice:100000:1000 gid:bob:101000:1000", "",
          "alice:2000:rfriends" },
        { "a delegation of a deleted group is removed", BOTH(1001, "alice", 100000) DELEGATION(3000, "gone", 1001,
                                                                                                "alice"),
          { SYSTEM, U("alice", 1001) }, { { "alice", 2000 } }, 0, 0, 0, 0, 0, 1,
          "uid:alice:100000:1000 gid:alice:100000:1000", "", "" },
        { "quarantined ids are never allocated, not even to their former owner",
          QUARANTINED("uid", 1001, "alice", 100000, 1000), { SYSTEM, U("alice", 1001) }, {}, 0, 0, 2, 0, 0, 0,
          "uid:alice:101000:1000 gid:alice:100000:1000", "uid:alice:100000:1000", "" },
        { "a revoke sticks: an account an administrator revoked subuids from gets no new ones automatically, "
          "only the kind it was not revoked",
          REVOKED("uid", 1001, "alice", 100000, 1000), { SYSTEM, U("alice", 1001) }, {}, 0, 0, 1, 0, 0, 0,
          "gid:alice:100000:1000", "uid:alice:100000:1000", "" },
        { "a revoke binds the (uid, name) it was made for: a new account with the uid under another name gets "
          "ranges",
          REVOKED("uid", 1001, "alice", 100000, 1000) REVOKED("gid", 1001, "alice", 100000, 1000),
          { SYSTEM, U("carol", 1001) }, {}, 0, 0, 2, 0, 0, 0, "uid:carol:101000:1000 gid:carol:101000:1000",
          "uid:alice:100000:1000 gid:alice:100000:1000", "" },
        { "a pool without room for the last account: ENOSPC, nothing changes, not even the deletions",
          BOTH(1009, "gone", 100000), { SYSTEM, U("alice", 1001), U("bob", 1002) }, {}, 101999, -ENOSPC, 0, 0, 0, 0,
          NULL, NULL, NULL },
};

static subid_config test_config(const sync_case *c) {
        subid_config config;

        config_defaults(&config);
        config.sub_uid_min = config.sub_gid_min = 100000;
        config.sub_uid_max = config.sub_gid_max = c->pool_max ? c->pool_max : 199999;
        config.sub_uid_count = config.sub_gid_count = 1000;
        config.auto_uid_min = 1000;
        config.auto_uid_max = 60000;
        return config;
}

static void load_accounts(const sync_case *c, accounts *ret) {
        account_group groups[MAX_USERS + 1] = { { (char *) "rfriends", 2000 } };
        size_t n_users = 0, n_members = 0;

        while (n_users < MAX_USERS && c->users[n_users].name) {
                groups[n_users + 1] = (account_group) { c->users[n_users].name, c->users[n_users].gid };
                n_users++;
        }
        while (n_members < 2 && c->members[n_members].user)
                n_members++;
        assert_int_equal(accounts_from_tables(c->users, n_users, groups, n_users + 1, c->members, n_members, ret), 0);
}

static void run_case(testenv *t, const sync_case *c) {
        subid_config config = test_config(c);
        _cleanup_free_ char *before = NULL;
        sync_result result = {}, again = {};
        accounts acc = {};
        int r;

        exec_sql(t->db, "DELETE FROM ranges; DELETE FROM quarantine; DELETE FROM delegations; DELETE FROM requests;");
        unlink(t->subuid);
        unlink(t->subgid);
        exec_sql(t->db, c->fixture);
        load_accounts(c, &acc);
        before = db_state(t->db);

        r = policy_sync(t->db, &acc, &config, &t->paths, false, &result);
        if (r != c->expect)
                fail_msg("%s: returned %d, expected %d", c->rule, r, c->expect);
        assert_true(sqlite3_get_autocommit(t->db)); /* no transaction left open */
        if (r < 0) {
                char *after = db_state(t->db);

                if (strcmp(before, after) != 0)
                        fail_msg("%s: refused, but the database changed:\n%s\n%s", c->rule, before, after);
                free(after);
                assert_file(t->subuid, NULL, c->rule);
                accounts_done(&acc);
                return;
        }
        if (result.n_allocated != c->allocated || result.n_quarantined != c->quarantined ||
            result.n_renamed != c->renamed || result.n_delegations_removed != c->removed)
                fail_msg("%s: %zu allocated, %zu quarantined, %zu renamed, %zu removed; expected %zu, %zu, %zu, %zu",
                         c->rule, result.n_allocated, result.n_quarantined, result.n_renamed,
                         result.n_delegations_removed, c->allocated, c->quarantined, c->renamed, c->removed);
        assert_int_equal(result.n_actions, c->allocated + c->quarantined + c->renamed + c->removed);
        assert_view(t->db, RANGES_VIEW, c->ranges, c->rule);
        assert_view(t->db, QUARANTINE_VIEW, c->quarantine, c->rule);
        assert_view(t->db, DELEGATIONS_VIEW, c->delegations, c->rule);
        sync_result_done(&result);

        /* Idempotent: the second sync does nothing at all. */
        free(before);
        before = db_state(t->db);
        assert_int_equal(policy_sync(t->db, &acc, &config, &t->paths, false, &again), 0);
        if (again.n_actions != 0)
                fail_msg("%s: a second sync still had %zu actions", c->rule, again.n_actions);
        {
                _cleanup_free_ char *after = db_state(t->db);

                assert_string_equal(before, after);
        }
        sync_result_done(&again);
        accounts_done(&acc);
}

static void test_sync_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                run_case(*state, &cases[i]);
}

/* Allocations are origin "auto", quarantine reason "userdel", a rename
 * reaches pending requests, and the files are exported. */
static void test_sync_records(void **state) {
        testenv *t = *state;
        sync_case c = { .users = { SYSTEM, U("alice", 1001), U("bobby", 1002) } };
        subid_config config = test_config(&c);
        sync_result result = {};
        accounts acc = {};
        char *s;

        exec_sql(t->db, BOTH(1002, "bob", 120000) BOTH(1003, "carol", 130000) PENDING(1002, "bob", 2000, "rfriends"));
        load_accounts(&c, &acc);
        assert_int_equal(policy_sync(t->db, &acc, &config, &t->paths, false, &result), 0);
        s = query_text(t->db, "SELECT group_concat(DISTINCT origin) FROM ranges WHERE owner_name = 'alice'");
        assert_string_equal(s, "auto");
        free(s);
        s = query_text(t->db, "SELECT group_concat(DISTINCT reason) FROM quarantine");
        assert_string_equal(s, "userdel");
        free(s);
        s = query_text(t->db, "SELECT owner_name FROM requests");
        assert_string_equal(s, "bobby");
        free(s);
        /* The pool allocates upward from its high-water mark (carol's ids,
         * now quarantined, end at 130999). */
        assert_file(t->subuid, "alice:131000:1000\nbobby:120000:1000\n", "export after sync");
        assert_file(t->subgid, "alice:131000:1000\nbobby:120000:1000\n", "export after sync");
        /* Actions in order: renames, quarantines, delegations, allocations. */
        assert_int_equal(result.n_actions, 5);
        assert_int_equal(result.actions[0].type, SYNC_RENAME);
        assert_string_equal(result.actions[0].name, "bob");
        assert_string_equal(result.actions[0].new_name, "bobby");
        assert_int_equal(result.actions[1].type, SYNC_QUARANTINE);
        assert_int_equal(result.actions[1].cause, SYNC_CAUSE_DELETED);
        assert_int_equal(result.actions[4].type, SYNC_ALLOCATE);
        sync_result_done(&result);
        accounts_done(&acc);
}

/* distrust_renames (subid-admind saw /etc/passwd replaced twice at once):
 * what would be a rename is a deleted account whose uid was reused, so the
 * uid's new account gets fresh ranges and never the old account's. */
static void test_sync_distrust_renames(void **state) {
        testenv *t = *state;
        sync_case c = { .users = { SYSTEM, U("bob", 1001) } };
        subid_config config = test_config(&c);
        sync_result result = {};
        accounts acc = {};

        exec_sql(t->db, BOTH(1001, "alice", 100000));
        load_accounts(&c, &acc);
        assert_int_equal(policy_sync_with(t->db, &acc, &config, &t->paths,
                                          &(sync_options) { .distrust_renames = true }, &result),
                         0);
        assert_int_equal(result.n_renamed, 0);
        assert_int_equal(result.n_quarantined, 2);
        assert_int_equal(result.n_allocated, 2);
        assert_int_equal(result.actions[0].cause, SYNC_CAUSE_REUSED);
        assert_view(t->db, RANGES_VIEW, "uid:bob:101000:1000 gid:bob:101000:1000", "distrusted rename");
        assert_view(t->db, QUARANTINE_VIEW, "uid:alice:100000:1000 gid:alice:100000:1000", "distrusted rename");
        sync_result_done(&result);
        accounts_done(&acc);
}

/* follow_renumbers (`usermod -u` seen as one change): the rows move to the
 * account's new uid, nothing is quarantined or allocated; without it, or
 * when the new uid is stored already, the old uid is a deleted account. */
static void test_sync_renumber(void **state) {
        static const struct {
                const char *rule;
                const char *fixture;
                bool follow;
                size_t renumbered, quarantined, allocated;
                const char *ranges;
        } rows[] = {
                { "usermod -u seen as one change: the ranges follow the account to its new uid",
                  BOTH(1001, "alice", 100000), true, 1, 0, 0, "uid:alice:100000:1000 gid:alice:100000:1000" },
                { "without follow_renumbers (subidctl sync): the old uid is a deleted account",
                  BOTH(1001, "alice", 100000), false, 0, 2, 2, "uid:alice:101000:1000 gid:alice:101000:1000" },
                { "the new uid holds ranges of its own: no renumbering, the old uid's are retired",
                  BOTH(1001, "alice", 100000) RANGE("uid", 1005, "alice", 150000, 10), true, 0, 2, 1,
                  "uid:alice:150000:10 gid:alice:101000:1000" },
        };
        testenv *t = *state;
        sync_case c = { .users = { SYSTEM, U("alice", 1005) } };
        subid_config config = test_config(&c);

        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
                sync_result result = {};
                accounts acc = {};
                _cleanup_free_ char *owner = NULL;

                exec_sql(t->db, "DELETE FROM ranges; DELETE FROM quarantine;");
                exec_sql(t->db, rows[i].fixture);
                load_accounts(&c, &acc);
                assert_int_equal(policy_sync_with(t->db, &acc, &config, &t->paths,
                                                  &(sync_options) { .follow_renumbers = rows[i].follow }, &result),
                                 0);
                if (result.n_renumbered != rows[i].renumbered || result.n_quarantined != rows[i].quarantined ||
                    result.n_allocated != rows[i].allocated)
                        fail_msg("%s: %zu renumbered, %zu quarantined, %zu allocated", rows[i].rule,
                                 result.n_renumbered, result.n_quarantined, result.n_allocated);
                assert_view(t->db, RANGES_VIEW, rows[i].ranges, rows[i].rule);
                owner = query_text(t->db, "SELECT group_concat(DISTINCT owner_uid) FROM ranges");
                assert_string_equal(owner, "1005");
                sync_result_done(&result);
                accounts_done(&acc);
        }
}

/* A dry run reports what a sync would do and changes nothing. */
static void test_sync_dry_run(void **state) {
        testenv *t = *state;
        const sync_case *c = &cases[4]; /* a deleted account */
        subid_config config = test_config(c);
        sync_result result = {};
        accounts acc = {};
        char *before, *after;

        exec_sql(t->db, c->fixture);
        load_accounts(c, &acc);
        before = db_state(t->db);
        assert_int_equal(policy_sync(t->db, &acc, &config, &t->paths, true, &result), 0);
        after = db_state(t->db);
        assert_string_equal(before, after);
        assert_int_equal(result.n_quarantined, 2);
        assert_int_equal(result.n_delegations_removed, 1);
        assert_file(t->subuid, NULL, "a dry run exports nothing");
        assert_true(sqlite3_get_autocommit(t->db));
        free(before);
        free(after);
        sync_result_done(&result);
        accounts_done(&acc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_sync_table, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_sync_records, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_sync_dry_run, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_sync_distrust_renames, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_sync_renumber, testenv_setup, testenv_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
