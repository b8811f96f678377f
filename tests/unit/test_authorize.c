/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/authorize.c: the decision for one mapping, by DESIGN.md "Policy
 * rules" 1 and 2. The subject's held ranges are what the database (and
 * current group membership) give the caller, and nothing else: another
 * owner's ranges never appear in them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "../policy/authorize.h"

#define R(f, c) ((id_range) { (f), (c) })
#define M(u, l, c) ((id_mapping) { (u), (l), (c) })
#define TOP UINT32_C(4294967294)
#define MAX_HELD 4

/* alice is uid/gid 1000 and holds the default range 100000+65536; bob holds
 * the next one, 165536+65536, which never appears in alice's held list. */
#define ALICE 1000
#define ALICE_RANGE R(100000, 65536)

typedef struct authz_case {
        uint32_t self_id;
        bool root;
        id_range held[MAX_HELD];
        size_t n_held;
        id_mapping m;
        authz_result want;
        const char *rule;
} authz_case;

static const authz_case cases[] = {
        /* Rule 1: database ranges. */
        { ALICE, false, { ALICE_RANGE }, 1, M(0, 100000, 65536), AUTHZ_ALLOWED_DB, "rule 1: the whole held range" },
        { ALICE, false, { ALICE_RANGE }, 1, M(1, 100000, 65536), AUTHZ_ALLOWED_DB,
          "rule 1: the upper side is the namespace's business" },
        { ALICE, false, { ALICE_RANGE }, 1, M(0, 120000, 1000), AUTHZ_ALLOWED_DB, "rule 1: part of the held range" },
        { ALICE, false, { ALICE_RANGE }, 1, M(0, 165535, 1), AUTHZ_ALLOWED_DB, "rule 1: the last held id" },
        { ALICE, false, { ALICE_RANGE }, 1, M(0, 100000, 65537), AUTHZ_DENIED_NOT_HELD,
          "partial cover: one id past the held range" },
        { ALICE, false, { ALICE_RANGE }, 1, M(0, 99999, 65536), AUTHZ_DENIED_NOT_HELD,
          "partial cover: one id before the held range" },
        { ALICE, false, { ALICE_RANGE }, 1, M(0, 165536, 65536), AUTHZ_DENIED_NOT_HELD,
          "another owner's range (bob's) is not held: denied" },
        { ALICE, false, { ALICE_RANGE }, 1, M(0, 165000, 1000), AUTHZ_DENIED_NOT_HELD,
          "straddling alice's and bob's ranges: denied" },
        { ALICE, false, { ALICE_RANGE, R(165536, 65536) }, 2, M(0, 150000, 30000), AUTHZ_ALLOWED_DB,
          "rule 1: adjacent ranges of the same caller chain" },
        { ALICE, false, { R(165536, 65536), ALICE_RANGE }, 2, M(0, 100000, 131072), AUTHZ_ALLOWED_DB,
          "rule 1: chaining does not depend on order" },
        { ALICE, false, { R(100000, 1000), R(101001, 1000) }, 2, M(0, 100000, 2001), AUTHZ_DENIED_NOT_HELD,
          "a one-id gap between held ranges: denied" },
        { ALICE, false, { R(0, 0) }, 0, M(0, 100000, 1), AUTHZ_DENIED_NOT_HELD, "nothing held, not self: denied" },
        { ALICE, false, { R(4294967290, 5) }, 1, M(0, TOP, 1), AUTHZ_ALLOWED_DB,
          "held range at the top of the id space" },
        { ALICE, false, { R(2000, 1) }, 1, M(0, 2000, 1), AUTHZ_ALLOWED_DB,
          "rule 1: a delegated group gid, passed in as a range of one" },

        /* Rule 1: the caller's own id, count 1 only. */
        { ALICE, false, { R(0, 0) }, 0, M(0, ALICE, 1), AUTHZ_ALLOWED_SELF, "rule 1: own id, count 1" },
        { ALICE, false, { ALICE_RANGE }, 1, M(5000, ALICE, 1), AUTHZ_ALLOWED_SELF,
          "rule 1: own id at any upper id" },
        { ALICE, false, { R(0, 0) }, 0, M(0, ALICE, 2), AUTHZ_DENIED_NOT_HELD,
          "own id with count 2 would take id 1001 too: denied" },
        { ALICE, false, { R(0, 0) }, 0, M(0, ALICE - 1, 2), AUTHZ_DENIED_NOT_HELD,
          "own id as the last of two: denied" },
        { ALICE, false, { R(0, 0) }, 0, M(0, ALICE + 1, 1), AUTHZ_DENIED_NOT_HELD, "someone else's id: denied" },
        { ALICE, false, { R(0, 0) }, 0, M(0, ALICE, 0), AUTHZ_DENIED_NOT_HELD, "count 0 fails closed" },
        { ALICE, false, { ALICE_RANGE }, 1, M(0, 100000, 0), AUTHZ_DENIED_NOT_HELD,
          "count 0 inside a held range fails closed" },

        /* Rule 1, database first (CVE-2018-7169): a gid allowed by the
         * database permits setgroups, a self-mapped one does not, so when
         * both apply the answer must be the database. */
        { ALICE, false, { R(ALICE, 1) }, 1, M(0, ALICE, 1), AUTHZ_ALLOWED_DB,
          "own id also held in the database: DB takes precedence (setgroups)" },
        { ALICE, false, { R(900, 200) }, 1, M(0, ALICE, 1), AUTHZ_ALLOWED_DB,
          "own id inside a held range: DB takes precedence" },

        /* Rule 2: host id 0 only for root. */
        { ALICE, false, { R(0, 65536) }, 1, M(0, 0, 1), AUTHZ_DENIED_HOST_ROOT,
          "rule 2: host id 0 refused even though a held range contains it" },
        { ALICE, false, { R(0, 65536) }, 1, M(0, 0, 65536), AUTHZ_DENIED_HOST_ROOT,
          "rule 2: a range starting at host id 0, held" },
        { ALICE, false, { R(0, 0) }, 0, M(0, 0, 100), AUTHZ_DENIED_HOST_ROOT,
          "rule 2: host id 0 is named as the cause, not 'not held'" },
        { 0, false, { R(0, 0) }, 0, M(0, 0, 1), AUTHZ_DENIED_HOST_ROOT,
          "rule 2: a non-root caller whose gid is 0 may not self-map gid 0" },
        { ALICE, false, { R(0, 65536) }, 1, M(0, 1, 65535), AUTHZ_ALLOWED_DB,
          "rule 2 is about id 0 only: the rest of a range at 0 is fine" },
        { 0, true, { R(0, 0) }, 0, M(0, 0, 1), AUTHZ_ALLOWED_SELF, "rule 2: root may map host id 0 as its own" },
        { 0, true, { R(0, 0) }, 0, M(0, 0, 2), AUTHZ_DENIED_NOT_HELD,
          "root's self-map is count 1 like everyone's" },
        { 0, true, { R(0, 65536) }, 1, M(0, 0, 65536), AUTHZ_ALLOWED_DB, "rule 2: root with a range at 0 in the DB" },
        { 0, true, { ALICE_RANGE }, 1, M(0, 100000, 10), AUTHZ_ALLOWED_DB, "root with ordinary held ranges" },
};

static void test_table(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const authz_case *c = &cases[i];
                authz_subject s = {
                        .self_id = c->self_id,
                        .caller_is_root = c->root,
                        .held = c->held,
                        .n_held = c->n_held,
                };
                authz_result r = authorize_mapping(&s, &c->m);

                if (r != c->want) {
                        print_error("row %zu: mapping %u %u %u for self %u%s gave '%s', expected '%s': %s\n", i,
                                    c->m.upper, c->m.lower, c->m.count, c->self_id, c->root ? " (root)" : "",
                                    authz_result_to_string(r), authz_result_to_string(c->want), c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

/* Each result has its own message and only the two ALLOWED ones allow. */
static void test_strings(void **state) {
        static const struct {
                authz_result r;
                bool allowed;
        } results[] = {
                { AUTHZ_ALLOWED_DB, true },
                { AUTHZ_ALLOWED_SELF, true },
                { AUTHZ_DENIED_HOST_ROOT, false },
                { AUTHZ_DENIED_NOT_HELD, false },
        };

        for (size_t i = 0; i < ELEMENTSOF(results); i++) {
                const char *s = authz_result_to_string(results[i].r);

                assert_int_equal(authz_allowed(results[i].r), results[i].allowed);
                assert_non_null(s);
                assert_true(strlen(s) > 0);
                assert_null(strchr(s, '\n'));
                assert_string_not_equal(s, "unknown");
                for (size_t j = 0; j < i; j++)
                        assert_string_not_equal(s, authz_result_to_string(results[j].r));
        }
        /* A value outside the enum (memory corruption, a future result
         * nobody named) neither crashes nor allows. */
        assert_string_equal(authz_result_to_string((authz_result) 99), "unknown");
        assert_false(authz_allowed((authz_result) 99));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_strings),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
