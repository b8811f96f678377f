/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/held.c: what the database grants one user now, the rule shared by
 * the helpers and the libsubid provider. Membership goes through NSS: the
 * "member" rows use the primary gid (a member without any NSS lookup), the
 * "non-member" rows a user name no NSS source knows (getgrouplist then
 * returns the primary gid alone). */
#include "policy_testlib.h"

#include "../../policy/held.h"

#define FIXTURE                                                                                           \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES"                 \
        " ('uid', 1001, 'alice', 300000, 10, 1), ('uid', 1001, 'alice', 100000, 65536, 1),"                 \
        " ('gid', 1001, 'alice', 100000, 65536, 1), ('uid', 1002, 'bob', 200000, 65536, 1);"                \
        "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES"                \
        " (2000, 'rfriends', 1001, 'alice', 1), (2001, 'other', 1001, 'alice', 1),"                          \
        " (2000, 'rfriends', 1002, 'bob', 1);"

#define NOUSER "subid-unit-no-such-user"

typedef struct held_case {
        id_kind kind;
        uint32_t uid;
        const char *user;
        uint32_t primary_gid;
        size_t n;
        id_range want[4];
        const char *rule;
} held_case;

static const held_case cases[] = {
        /* ranges of one kind come by first id, whatever the insert order */
        { ID_KIND_UID, 1001, NOUSER, 1001, 2, { { 100000, 65536 }, { 300000, 10 } }, "uid ranges, sorted" },
        /* delegations are gids only: never in a uid answer */
        { ID_KIND_UID, 1002, NOUSER, 2000, 1, { { 200000, 65536 } }, "no delegation among uids" },
        /* rule 1: a delegated gid counts while the user is a member (here: primary group) */
        { ID_KIND_GID, 1001, NOUSER, 2000, 2, { { 100000, 65536 }, { 2000, 1 } }, "member: range, then gid" },
        /* rule 1: ... and not once the user left the group (NSS knows no membership) */
        { ID_KIND_GID, 1001, NOUSER, 1001, 1, { { 100000, 65536 } }, "non-member: range only" },
        /* a delegation alone, no range */
        { ID_KIND_GID, 1002, NOUSER, 2000, 1, { { 2000, 1 } }, "delegation without a range" },
        /* nothing held: an empty answer, not an error */
        { ID_KIND_UID, 4242, NOUSER, 4242, 0, {}, "nothing held" },
        { ID_KIND_GID, 1002, NOUSER, 1002, 0, {}, "only a lapsed delegation" },
};

static void test_held_ranges(void **state) {
        testenv *t = *state;

        assert_int_equal(policy_db_exec(t->db, FIXTURE), 0);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const held_case *c = &cases[i];
                id_range *held = NULL;
                size_t n = 99;

                assert_int_equal(policy_held_ranges(t->db, c->kind, c->uid, c->user, c->primary_gid, &held, &n), 0);
                if (n != c->n)
                        fail_msg("%s: %zu ranges, want %zu", c->rule, n, c->n);
                if (n == 0 && held)
                        fail_msg("%s: empty answer with an array", c->rule);
                for (size_t k = 0; k < n; k++)
                        if (held[k].first != c->want[k].first || held[k].count != c->want[k].count)
                                fail_msg("%s: range %zu is %u+%u, want %u+%u", c->rule, k, held[k].first,
                                         held[k].count, c->want[k].first, c->want[k].count);
                free(held);
        }
}

/* The primary group is membership without asking NSS; an unknown user is
 * in no other group. */
static void test_user_in_group(void **state) {
        (void) state;
        assert_int_equal(user_in_group(NOUSER, 5000, 5000), 1);
        assert_int_equal(user_in_group(NOUSER, 5000, 5001), 0);
        assert_int_equal(user_in_group("root", 0, 0), 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_held_ranges, testenv_setup, testenv_teardown),
                cmocka_unit_test(test_user_in_group),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
