/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/lookup.c: overlap checks by index search only, who-owns, list,
 * and finding the owner a command-line USER stands for. */
#include <errno.h>

#include "policy_testlib.h"

#include "../../policy/lookup.h"

#define R(first, count) ((id_range) { (first), (count) })

#define FIXTURE                                                                                                 \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES"                       \
        " ('uid', 1001, 'alice', 100000, 65536, 1), ('uid', 1002, 'bob', 200000, 65536, 1),"                      \
        " ('uid', 1003, 'carol', 300000, 10, 1), ('gid', 1001, 'alice', 100000, 10, 1),"                          \
        " ('uid', 4001, 'ghost', 400000, 10, 1), ('gid', 4002, 'twin', 410000, 10, 1),"                           \
        " ('uid', 4003, 'twin', 420000, 10, 1);"                                                                 \
        "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since) VALUES"              \
        " ('uid', 500000, 10, 1002, 'bob', 'revoke', 86400), ('uid', 500010, 10, 1001, 'alice', 'revoke', 1),"   \
        " ('uid', 500030, 5, 1003, 'carol', 'userdel', 1);"                                                       \
        "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES"                      \
        " (2000, 'rfriends', 1001, 'alice', 1), (2000, 'rfriends', 1003, 'carol', 1),"                            \
        " (2001, 'other', 1002, 'bob', 1), (2002, 'solo', 4004, 'delonly', 1);"

/* Every overlap lookup is an index search: a whole-table scan would make
 * a 100,000-line import quadratic. */
static void test_overlap_queries_use_indexes(void **state) {
        testenv *t = *state;
        overlap_finder f;

        assert_int_equal(overlap_finder_init(t->db, &f), 0);
        sqlite3_stmt *stmts[] = { f.range_before, f.range_within, f.quarantine_before, f.quarantine_within };
        for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
                char *sql = NULL, *plan = NULL;
                sqlite3_stmt *st = NULL;
                size_t len = 0;
                FILE *out = open_memstream(&plan, &len);

                assert_true(asprintf(&sql, "EXPLAIN QUERY PLAN %s", sqlite3_sql(stmts[i])) > 0);
                assert_int_equal(sqlite3_prepare_v2(t->db, sql, -1, &st, NULL), SQLITE_OK);
                while (sqlite3_step(st) == SQLITE_ROW)
                        fprintf(out, "%s;", (const char *) sqlite3_column_text(st, 3));
                fclose(out);
                if (!strstr(plan, "SEARCH") || !strstr(plan, "INDEX") || strstr(plan, "SCAN"))
                        fail_msg("query does not search an index: %s\nplan: %s", sqlite3_sql(stmts[i]), plan);
                sqlite3_finalize(st);
                free(sql);
                free(plan);
        }
        overlap_finder_done(&f);
}

typedef struct overlap_case {
        id_kind kind;
        id_range want;
        int found;      /* 1 or 0 */
        uint32_t first; /* of the range found */
        const char *rule;
} overlap_case;

static const overlap_case overlap_cases[] = {
        { ID_KIND_UID, R(100000, 1), 1, 100000, "the first id of a range" },
        { ID_KIND_UID, R(165535, 1), 1, 100000, "the last id of a range (greatest first <= x)" },
        { ID_KIND_UID, R(165536, 1), 0, 0, "just past a range" },
        { ID_KIND_UID, R(165536, 34464), 0, 0, "the whole gap between two ranges, touching both" },
        { ID_KIND_UID, R(165536, 34465), 1, 200000, "reaching one id into the next range (first in [F, L])" },
        { ID_KIND_UID, R(150000, 100000), 1, 100000, "spanning two ranges: the lowest is reported" },
        { ID_KIND_UID, R(0, 4294967295u), 1, 100000, "the whole id space" },
        { ID_KIND_UID, R(299999, 2), 1, 300000, "ending on the first id of a range" },
        { ID_KIND_UID, R(4294967294u, 1), 0, 0, "the last id, free" },
        { ID_KIND_GID, R(100005, 1), 1, 100000, "gid ranges are searched by kind" },
        { ID_KIND_GID, R(200000, 1), 0, 0, "a uid range is no gid range" },
};

static void test_overlap_find_range(void **state) {
        testenv *t = *state;
        overlap_finder f;

        exec_sql(t->db, FIXTURE);
        assert_int_equal(overlap_finder_init(t->db, &f), 0);
        for (size_t i = 0; i < sizeof overlap_cases / sizeof overlap_cases[0]; i++) {
                const overlap_case *c = &overlap_cases[i];
                range_row row = {};
                int r = overlap_find_range(&f, c->kind, &c->want, &row);

                if (r != c->found)
                        fail_msg("%s: found %d, expected %d", c->rule, r, c->found);
                if (r > 0) {
                        if (row.range.first != c->first)
                                fail_msg("%s: found %u, expected %u", c->rule, row.range.first, c->first);
                        range_row_done(&row);
                }
        }
        overlap_finder_done(&f);
}

static void test_overlap_find_quarantine(void **state) {
        testenv *t = *state;
        quarantine_row *q = NULL;
        overlap_finder f;
        size_t n = 0;
        id_range want = R(500005, 30), gap = R(500020, 10), inside = R(500012, 1);

        exec_sql(t->db, FIXTURE);
        assert_int_equal(overlap_finder_init(t->db, &f), 0);

        assert_int_equal(overlap_find_quarantine(&f, ID_KIND_UID, &want, &q, &n), 0);
        assert_int_equal(n, 3); /* the piece before F, and two starting in [F, L] */
        assert_int_equal(q[0].range.first, 500000);
        assert_string_equal(q[0].former_name, "bob");
        assert_int_equal(q[1].range.first, 500010);
        assert_int_equal(q[2].range.first, 500030);
        assert_string_equal(q[2].reason, "userdel");
        quarantine_rows_free(q, n);

        assert_int_equal(overlap_find_quarantine(&f, ID_KIND_UID, &gap, &q, &n), 0);
        assert_int_equal(n, 0);
        quarantine_rows_free(q, n);

        assert_int_equal(overlap_find_quarantine(&f, ID_KIND_UID, &inside, &q, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(q[0].former_uid, 1001);
        quarantine_rows_free(q, n);

        assert_int_equal(overlap_find_quarantine(&f, ID_KIND_GID, &want, &q, &n), 0);
        assert_int_equal(n, 0);
        quarantine_rows_free(q, n);
        overlap_finder_done(&f);
}

static void test_who_owns(void **state) {
        testenv *t = *state;
        who_owns_result w = {};

        exec_sql(t->db, FIXTURE);

        /* a subordinate uid */
        assert_int_equal(policy_who_owns(t->db, ID_KIND_UID, 165535, &w), 0);
        assert_true(w.has_range);
        assert_string_equal(w.range.owner_name, "alice");
        assert_false(w.has_quarantine);
        assert_int_equal(w.n_delegations, 0);
        who_owns_result_done(&w);

        /* a delegated gid: every holder, by name */
        assert_int_equal(policy_who_owns(t->db, ID_KIND_GID, 2000, &w), 0);
        assert_false(w.has_range);
        assert_int_equal(w.n_delegations, 2);
        assert_string_equal(w.delegations[0].owner_name, "alice");
        assert_string_equal(w.delegations[1].owner_name, "carol");
        assert_string_equal(w.delegations[1].group_name, "rfriends");
        who_owns_result_done(&w);

        /* delegations are gids: not found for the uid */
        assert_int_equal(policy_who_owns(t->db, ID_KIND_UID, 2000, &w), 0);
        assert_false(w.has_range);
        assert_int_equal(w.n_delegations, 0);
        who_owns_result_done(&w);

        /* quarantined */
        assert_int_equal(policy_who_owns(t->db, ID_KIND_UID, 500009, &w), 0);
        assert_false(w.has_range);
        assert_true(w.has_quarantine);
        assert_string_equal(w.quarantine.former_name, "bob");
        assert_int_equal(w.quarantine.since, 86400);
        who_owns_result_done(&w);

        /* nobody's */
        assert_int_equal(policy_who_owns(t->db, ID_KIND_UID, 5, &w), 0);
        assert_false(w.has_range);
        assert_false(w.has_quarantine);
        assert_int_equal(w.n_delegations, 0);
        who_owns_result_done(&w);
}

static void test_list_owners(void **state) {
        testenv *t = *state;
        owner_summary *o = NULL;
        size_t n = 0;
        uint32_t alice = 1001, nobody = 9999;

        exec_sql(t->db, FIXTURE);
        assert_int_equal(policy_list_owners(t->db, NULL, &o, &n), 0);
        /* by name, then uid; an owner with only a delegation is listed too */
        assert_int_equal(n, 7);
        assert_string_equal(o[0].name, "alice");
        assert_string_equal(o[1].name, "bob");
        assert_string_equal(o[2].name, "carol");
        assert_string_equal(o[3].name, "delonly");
        assert_string_equal(o[4].name, "ghost");
        assert_string_equal(o[5].name, "twin");
        assert_int_equal(o[5].uid, 4002);
        assert_int_equal(o[6].uid, 4003);
        assert_int_equal(o[0].n_subuids, 1);
        assert_int_equal(o[0].n_subgids, 1);
        assert_int_equal(o[0].n_delegations, 1);
        assert_int_equal(o[0].delegations[0].gid, 2000);
        assert_int_equal(o[2].n_delegations, 1);
        assert_int_equal(o[3].n_subuids + o[3].n_subgids, 0);
        assert_int_equal(o[3].n_delegations, 1);
        owner_summaries_free(o, n);

        assert_int_equal(policy_list_owners(t->db, &alice, &o, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(o[0].subuids[0].first, 100000);
        assert_int_equal(o[0].subgids[0].count, 10);
        owner_summaries_free(o, n);

        assert_int_equal(policy_list_owners(t->db, &nobody, &o, &n), 0);
        assert_int_equal(n, 0);
        owner_summaries_free(o, n);
}

typedef struct resolve_case {
        const char *text;
        int expect;
        uint32_t uid;
        const char *name;
        const char *rule;
} resolve_case;

static const resolve_case resolve_cases[] = {
        { "alice", 0, 1001, "alice", "an account by name" },
        { "1002", 0, 1002, "bob", "an account by uid" },
        { "ghost", 0, 4001, "ghost", "a deleted account, by the name stored in the database" },
        { "4001", 0, 4001, "ghost", "a deleted account, by uid" },
        { "delonly", 0, 4004, "delonly", "a deleted account holding only a delegation" },
        { "twin", -ENOTUNIQ, 0, NULL, "a stored name used by several uids is ambiguous" },
        { "mallory", -ENOENT, 0, NULL, "unknown everywhere" },
        { "7777", -ENOENT, 0, NULL, "an unknown uid" },
};

static void test_resolve_owner(void **state) {
        testenv *t = *state;

        exec_sql(t->db, FIXTURE);
        for (size_t i = 0; i < sizeof resolve_cases / sizeof resolve_cases[0]; i++) {
                const resolve_case *c = &resolve_cases[i];
                account_user u = {};
                int r = policy_resolve_owner(t->db, &t->acc, c->text, &u);

                if (r != c->expect)
                        fail_msg("%s: returned %d, expected %d", c->rule, r, c->expect);
                if (r == 0) {
                        assert_int_equal(u.uid, c->uid);
                        assert_string_equal(u.name, c->name);
                }
                account_user_done(&u);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_overlap_queries_use_indexes, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_overlap_find_range, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_overlap_find_quarantine, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_who_owns, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_list_owners, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_resolve_owner, testenv_setup, testenv_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
