/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/ranges.c: id range arithmetic. All of it must hold at the very top
 * of the 32-bit id space, where first + count no longer fits a uint32_t. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "../policy/ranges.h"

#define R(f, c) ((id_range) { (f), (c) })
#define TOP UINT32_C(4294967294) /* ID_MAX, the largest valid id */

static void test_range_end(void **state) {
        id_range full = R(0, UINT32_MAX), top = R(TOP, 1);

        /* The end of a range ending at ID_MAX is 2^32-1: no 32-bit wrap. */
        assert_true(range_end(&top) == UINT64_C(4294967295));
        assert_int_equal(range_last(&top), TOP);
        assert_true(range_end(&full) == UINT64_C(4294967295));
        assert_int_equal(range_last(&full), TOP);
}

typedef struct valid_case {
        id_range r;
        bool valid;
        const char *rule;
} valid_case;

static const valid_case valid_cases[] = {
        { R(0, 1), true, "a single id" },
        { R(100000, 65536), true, "the default subordinate range" },
        { R(0, 0), false, "count 0 is never a range (rule 2: refuse COUNT 0)" },
        { R(100000, 0), false, "count 0 anywhere" },
        { R(TOP, 1), true, "last id ID_MAX = 4294967294" },
        { R(UINT32_MAX, 1), false, "(uint32_t)-1 is the kernel's invalid id" },
        { R(TOP, 2), false, "would include (uint32_t)-1" },
        { R(0, UINT32_MAX), true, "the whole id space 0 … 4294967294" },
        { R(1, UINT32_MAX), false, "one past the whole id space: first + count wraps in 32 bits" },
        { R(UINT32_MAX, UINT32_MAX), false, "both fields maximal: 64-bit end arithmetic" },
        { R(4294967000, 295), true, "ends exactly at ID_MAX" },
        { R(4294967000, 296), false, "ends one past ID_MAX" },
};

static void test_is_valid(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(valid_cases); i++) {
                const valid_case *c = &valid_cases[i];

                if (range_is_valid(&c->r) != c->valid) {
                        print_error("range_is_valid(%u+%u) != %d: %s\n", c->r.first, c->r.count, c->valid, c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

typedef struct overlap_case {
        id_range a, b;
        bool overlap;
        const char *rule;
} overlap_case;

static const overlap_case overlap_cases[] = {
        { R(0, 10), R(20, 10), false, "disjoint with a gap" },
        { R(0, 10), R(10, 10), false, "adjacent: [0,10) and [10,20) share no id (the kernel accepts them)" },
        { R(0, 10), R(9, 10), true, "one shared id at the seam" },
        { R(0, 100), R(40, 10), true, "nested" },
        { R(5, 5), R(5, 5), true, "identical" },
        { R(5, 1), R(5, 1), true, "identical single ids" },
        { R(5, 1), R(6, 1), false, "neighbouring single ids" },
        { R(0, UINT32_MAX), R(TOP, 1), true, "the whole space contains its top id" },
        { R(4294967000, 295), R(0, 10), false, "a range ending at the top does not wrap round to 0" },
        { R(TOP, 1), R(0, 1), false, "top id and bottom id" },
        { R(4294967290, 5), R(TOP, 1), true, "overlap at the very top" },
        { R(100000, 65536), R(165536, 65536), false, "two consecutive default allocations" },
        { R(100000, 65536), R(165535, 1), true, "the last id of an allocation" },
};

static void test_overlap(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(overlap_cases); i++) {
                const overlap_case *c = &overlap_cases[i];

                /* Overlap is symmetric: test both orders. */
                if (ranges_overlap(&c->a, &c->b) != c->overlap || ranges_overlap(&c->b, &c->a) != c->overlap) {
                        print_error("ranges_overlap(%u+%u, %u+%u) != %d: %s\n", c->a.first, c->a.count, c->b.first,
                                    c->b.count, c->overlap, c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

typedef struct contains_id_case {
        id_range r;
        uint32_t id;
        bool in;
        const char *rule;
} contains_id_case;

static const contains_id_case contains_id_cases[] = {
        { R(10, 5), 10, true, "first id is inside" },
        { R(10, 5), 14, true, "last id is inside" },
        { R(10, 5), 15, false, "end is exclusive" },
        { R(10, 5), 9, false, "below first" },
        { R(0, 1), 0, true, "host root in a range starting at 0 (rule 2 relies on this)" },
        { R(1, 10), 0, false, "host root is not in a range starting at 1" },
        { R(0, UINT32_MAX), TOP, true, "whole space holds ID_MAX" },
        { R(0, UINT32_MAX), UINT32_MAX, false, "whole space does not hold (uint32_t)-1" },
        { R(TOP, 1), TOP, true, "top range holds ID_MAX" },
        { R(TOP, 1), UINT32_MAX, false, "top range does not hold (uint32_t)-1" },
        { R(TOP, 1), 0, false, "top range does not wrap to 0" },
        { R(UINT32_MAX, 1), UINT32_MAX, true, "even an invalid range's end is 64-bit: 2^32 does not wrap to 0" },
};

static void test_contains_id(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(contains_id_cases); i++) {
                const contains_id_case *c = &contains_id_cases[i];

                if (range_contains_id(&c->r, c->id) != c->in) {
                        print_error("range_contains_id(%u+%u, %u) != %d: %s\n", c->r.first, c->r.count, c->id, c->in,
                                    c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

typedef struct contains_case {
        id_range outer, inner;
        bool in;
        const char *rule;
} contains_case;

static const contains_case contains_cases[] = {
        { R(100, 100), R(100, 100), true, "equal ranges" },
        { R(100, 100), R(100, 1), true, "at the start" },
        { R(100, 100), R(199, 1), true, "at the end" },
        { R(100, 100), R(150, 10), true, "strictly inside" },
        { R(100, 100), R(199, 2), false, "runs one past the end" },
        { R(100, 100), R(99, 2), false, "starts one before" },
        { R(100, 100), R(50, 200), false, "inner larger than outer" },
        { R(100, 100), R(300, 1), false, "disjoint" },
        { R(4294967290, 5), R(TOP, 1), true, "at the very top" },
        { R(0, UINT32_MAX), R(TOP, 1), true, "whole space holds the top id" },
        { R(TOP, 1), R(TOP, 2), false, "an inner range past ID_MAX is not inside" },
};

static void test_contains(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(contains_cases); i++) {
                const contains_case *c = &contains_cases[i];

                if (range_contains(&c->outer, &c->inner) != c->in) {
                        print_error("range_contains(%u+%u, %u+%u) != %d: %s\n", c->outer.first, c->outer.count,
                                    c->inner.first, c->inner.count, c->in, c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

#define MAX_HELD 6

typedef struct cover_case {
        id_range held[MAX_HELD];
        size_t n_held;
        id_range want;
        bool covered;
        const char *rule;
} cover_case;

static const cover_case cover_cases[] = {
        { { R(100000, 65536) }, 1, R(100000, 65536), true, "rule 1: exactly the held range" },
        { { R(100000, 65536) }, 1, R(100000, 1), true, "rule 1: first id" },
        { { R(100000, 65536) }, 1, R(165535, 1), true, "rule 1: last id" },
        { { R(100000, 65536) }, 1, R(120000, 1000), true, "rule 1: strictly inside" },
        { { R(100000, 65536) }, 1, R(100000, 65537), false, "runs one id past the held range" },
        { { R(100000, 65536) }, 1, R(99999, 2), false, "starts one id before the held range" },
        { { R(100000, 65536) }, 1, R(165536, 1), false, "first id after the held range" },
        { { R(100000, 65536) }, 1, R(0, 1), false, "host root, not held" },
        { { R(100000, 65536) }, 1, R(0, UINT32_MAX), false, "the whole id space" },

        /* Chaining, as shadow's have_range: a want may span ranges that touch. */
        { { R(100000, 65536), R(165536, 65536) }, 2, R(150000, 30000), true, "rule 1: adjacent ranges chain" },
        { { R(165536, 65536), R(100000, 65536) }, 2, R(150000, 30000), true, "chaining with unsorted held ranges" },
        { { R(300, 100), R(100, 100), R(200, 100) }, 3, R(100, 300), true, "three unsorted ranges chain end to end" },
        { { R(300, 100), R(100, 100), R(200, 100) }, 3, R(150, 200), true, "spanning the middle of three" },
        { { R(300, 100), R(100, 100), R(200, 100) }, 3, R(100, 301), false, "one past three chained ranges" },
        { { R(100, 10), R(111, 10) }, 2, R(105, 10), false, "a one-id gap breaks the chain" },
        { { R(100, 10), R(111, 10) }, 2, R(111, 10), true, "the range after a gap on its own" },
        { { R(100, 10), R(200, 10), R(111, 10) }, 3, R(100, 21), false, "gap with unrelated ranges around" },

        /* Overlapping and duplicate held ranges (hand-edited or imported). */
        { { R(100, 50), R(120, 50) }, 2, R(100, 70), true, "overlapping held ranges chain" },
        { { R(120, 50), R(100, 50) }, 2, R(100, 70), true, "overlapping held ranges, unsorted" },
        { { R(100, 100), R(120, 10) }, 2, R(150, 40), true, "a nested held range must not pull the cursor back" },
        { { R(100, 100), R(120, 10), R(200, 10) }, 3, R(150, 55), true,
          "nested range then an adjacent one: the chain continues from the outer end" },
        { { R(100, 10), R(100, 10) }, 2, R(100, 10), true, "duplicate held ranges" },
        { { R(100, 10), R(100, 5) }, 2, R(100, 10), true, "same start, different lengths: the longer counts" },
        { { R(100, 5), R(100, 10) }, 2, R(100, 10), true, "same start, shorter first" },

        /* The top of the id space: 64-bit ends. */
        { { R(4294967290, 5) }, 1, R(TOP, 1), true, "want at the very top: the id 4294967294" },
        { { R(4294967290, 5) }, 1, R(4294967290, 5), true, "want ending exactly at ID_MAX" },
        { { R(4294967290, 5) }, 1, R(TOP, 2), false, "want past ID_MAX is never covered" },
        { { R(4294967290, 5), R(0, 10) }, 2, R(TOP, 2), false, "a range at 0 does not continue the top one" },
        { { R(0, UINT32_MAX) }, 1, R(TOP, 1), true, "whole space held" },
        { { R(0, UINT32_MAX) }, 1, R(0, UINT32_MAX), true, "whole space held and wanted" },
        { { R(TOP, 1), R(4000000000, 294967294) }, 2, R(4000000000, 294967295), true, "chaining up to ID_MAX" },

        /* Fail closed. */
        { { R(0, 0) }, 0, R(100, 1), false, "nothing held" },
        { { R(100, 10) }, 1, R(100, 0), false, "want of count 0 is never covered" },
        { { R(100, 0), R(100, 0) }, 2, R(100, 1), false, "held ranges of count 0 hold nothing" },
        { { R(100, 0), R(100, 10) }, 2, R(100, 10), true, "a count-0 held range does not hide the real one" },
        { { R(200, 10), R(300, 10) }, 2, R(100, 5), false, "want below every held range" },
        { { R(200, 10), R(300, 10) }, 2, R(400, 5), false, "want above every held range" },
};

static void test_cover(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(cover_cases); i++) {
                const cover_case *c = &cover_cases[i];
                id_range held[MAX_HELD];

                memcpy(held, c->held, sizeof held);
                if (ranges_cover(held, c->n_held, &c->want) != c->covered) {
                        print_error("row %zu: ranges_cover(want %u+%u) != %d: %s\n", i, c->want.first,
                                    c->want.count, c->covered, c->rule);
                        failures++;
                }
                /* held is const: sorting must happen on a copy. */
                if (memcmp(held, c->held, sizeof held) != 0) {
                        print_error("row %zu: ranges_cover reordered the caller's array: %s\n", i, c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

/* Many small unsorted ranges chained end to end cover their union. */
static void test_cover_many(void **state) {
        id_range held[1000];
        size_t n = ELEMENTSOF(held);

        /* Range k is [1000 + 7k, 1000 + 7k + 7), stored in a scrambled order. */
        for (size_t i = 0; i < n; i++) {
                size_t k = (i * 389) % n; /* 389 is coprime with 1000: a permutation */

                held[i] = R((uint32_t) (1000 + 7 * k), 7);
        }
        assert_true(ranges_cover(held, n, &R(1000, 7000)));
        assert_true(ranges_cover(held, n, &R(1003, 6990)));
        assert_false(ranges_cover(held, n, &R(999, 2)));
        assert_false(ranges_cover(held, n, &R(7999, 2)));

        /* Punch out one range: the union now has a gap. */
        held[500] = R(1, 1);
        assert_false(ranges_cover(held, n, &R(1000, 7000)));
}

typedef struct subtract_case {
        id_range a, b;
        size_t n;
        id_range out[2];
        const char *rule;
} subtract_case;

static const subtract_case subtract_cases[] = {
        { R(100, 100), R(300, 10), 1, { R(100, 100) }, "disjoint, b after a: a unchanged" },
        { R(100, 100), R(0, 10), 1, { R(100, 100) }, "disjoint, b before a: a unchanged" },
        { R(100, 100), R(200, 10), 1, { R(100, 100) }, "b adjacent after a shares no id" },
        { R(100, 100), R(90, 10), 1, { R(100, 100) }, "b adjacent before a shares no id" },
        { R(100, 100), R(120, 10), 2, { R(100, 20), R(130, 70) }, "inner split into two pieces" },
        { R(100, 100), R(150, 1), 2, { R(100, 50), R(151, 49) }, "one id punched out of the middle" },
        { R(100, 100), R(50, 60), 1, { R(110, 90) }, "left trim: b covers a's start" },
        { R(100, 100), R(100, 10), 1, { R(110, 90) }, "left trim: b starts exactly at a" },
        { R(100, 100), R(150, 100), 1, { R(100, 50) }, "right trim: b covers a's end" },
        { R(100, 100), R(190, 10), 1, { R(100, 90) }, "right trim: b ends exactly with a" },
        { R(100, 100), R(50, 200), 0, { R(0, 0) }, "full cover: nothing left" },
        { R(100, 100), R(100, 100), 0, { R(0, 0) }, "b equals a: nothing left" },
        { R(5, 1), R(5, 1), 0, { R(0, 0) }, "single id removed" },
        { R(4294967290, 5), R(TOP, 1), 1, { R(4294967290, 4) }, "right trim at the top of the id space" },
        { R(4294967290, 5), R(4294967291, 1), 2, { R(4294967290, 1), R(4294967292, 3) }, "split at the top" },
        { R(0, UINT32_MAX), R(1, 4294967293), 2, { R(0, 1), R(TOP, 1) }, "whole space minus all but its ends" },
        { R(0, UINT32_MAX), R(0, UINT32_MAX), 0, { R(0, 0) }, "whole space minus itself" },
};

static void test_subtract(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(subtract_cases); i++) {
                const subtract_case *c = &subtract_cases[i];
                id_range out[2] = { R(0xdead, 0xbeef), R(0xdead, 0xbeef) };
                size_t n = 99;
                bool bad;

                range_subtract(&c->a, &c->b, out, &n);
                bad = n != c->n;
                for (size_t k = 0; !bad && k < n; k++)
                        bad = out[k].first != c->out[k].first || out[k].count != c->out[k].count ||
                              !range_is_valid(&out[k]) || ranges_overlap(&out[k], &c->b);
                if (bad) {
                        print_error("range_subtract(%u+%u, %u+%u) gave %zu piece(s) [%u+%u, %u+%u]: %s\n",
                                    c->a.first, c->a.count, c->b.first, c->b.count, n, out[0].first, out[0].count,
                                    out[1].first, out[1].count, c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

typedef struct parse_case {
        const char *in;
        int r;
        id_range want;
        const char *rule;
} parse_case;

static const parse_case parse_cases[] = {
        { "100000-165535", 0, R(100000, 65536), "FIRST-LAST is inclusive, as usermod --add-subuids" },
        { "100000:65536", 0, R(100000, 65536), "FIRST:COUNT, as /etc/subuid" },
        { "5-5", 0, R(5, 1), "single id as F-L" },
        { "5:1", 0, R(5, 1), "single id as F:COUNT" },
        { "0-0", 0, R(0, 1), "host id 0 parses; refusing it is authorisation's job" },
        { "0-4294967294", 0, R(0, UINT32_MAX), "the whole id space, count 2^32-1" },
        { "0:4294967295", 0, R(0, UINT32_MAX), "the whole id space as F:COUNT" },
        { "4294967294-4294967294", 0, R(TOP, 1), "the top id as F-L" },
        { "4294967294:1", 0, R(TOP, 1), "the top id as F:COUNT" },
        { "4294967294:2", -ERANGE, R(0, 0), "F:COUNT running past ID_MAX" },
        { "1:4294967295", -ERANGE, R(0, 0), "F:COUNT wrapping past 2^32" },
        { "4294967295:1", -ERANGE, R(0, 0), "first (uint32_t)-1" },
        { "4294967295-4294967295", -ERANGE, R(0, 0), "F-L with (uint32_t)-1" },
        { "0-4294967295", -ERANGE, R(0, 0), "last (uint32_t)-1" },
        { "4294967296:1", -ERANGE, R(0, 0), "first 2^32 would truncate to 0" },
        { "0:4294967296", -ERANGE, R(0, 0), "count 2^32 would truncate to 0" },
        { "99999999999-1", -ERANGE, R(0, 0), "overflow in FIRST" },
        { "10-5", -EINVAL, R(0, 0), "reversed F-L" },
        { "6-5", -EINVAL, R(0, 0), "reversed by one" },
        { "5:0", -EINVAL, R(0, 0), "count 0" },
        { "", -EINVAL, R(0, 0), "empty" },
        { "100000", -EINVAL, R(0, 0), "no separator" },
        { "-", -EINVAL, R(0, 0), "separator only" },
        { ":", -EINVAL, R(0, 0), "separator only" },
        { "-5", -EINVAL, R(0, 0), "missing FIRST (or a negative number)" },
        { "5-", -EINVAL, R(0, 0), "missing LAST" },
        { "5:", -EINVAL, R(0, 0), "missing COUNT" },
        { "5--6", -EINVAL, R(0, 0), "negative LAST" },
        { "5:-1", -EINVAL, R(0, 0), "negative COUNT" },
        { "5:+1", -EINVAL, R(0, 0), "signed COUNT" },
        { "+5-6", -EINVAL, R(0, 0), "signed FIRST" },
        { "5-6-7", -EINVAL, R(0, 0), "two separators" },
        { "5:6:7", -EINVAL, R(0, 0), "two separators" },
        { "5-6:7", -EINVAL, R(0, 0), "mixed separators" },
        { "5:6-7", -EINVAL, R(0, 0), "mixed separators" },
        { " 5-6", -EINVAL, R(0, 0), "leading space" },
        { "5 -6", -EINVAL, R(0, 0), "space before the separator" },
        { "5- 6", -EINVAL, R(0, 0), "space after the separator" },
        { "5-6 ", -EINVAL, R(0, 0), "trailing space" },
        { "5-6\n", -EINVAL, R(0, 0), "trailing newline" },
        { "0x10-0x20", -EINVAL, R(0, 0), "hex" },
        { "010-020", -EINVAL, R(0, 0), "leading zeros (octal to strtoul)" },
        { "a-b", -EINVAL, R(0, 0), "junk" },
        { "5;6", -EINVAL, R(0, 0), "wrong separator" },
        { "5\xe2\x80\x94" "6", -EINVAL, R(0, 0), "non-ASCII separator (em dash)" },
        { "100000-165535x", -EINVAL, R(0, 0), "trailing junk" },
        { "0000000000000000000000000000001-2", -EINVAL, R(0, 0), "over-long text is refused outright" },
        { "1-00000000000000000000000000000002", -EINVAL, R(0, 0), "over-long text after the separator" },
};

static void test_parse(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(parse_cases); i++) {
                const parse_case *c = &parse_cases[i];
                id_range got = R(0xdead, 0xbeef);
                int r = range_parse(c->in, &got);

                if (r != c->r || (r == 0 && (got.first != c->want.first || got.count != c->want.count)) ||
                    (r < 0 && (got.first != 0xdead || got.count != 0xbeef))) {
                        print_error("range_parse(\"%s\") returned %d (%u+%u), expected %d (%u+%u): %s\n", c->in, r,
                                    got.first, got.count, c->r, c->want.first, c->want.count, c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

/* The strings stored in the database's kind column. */
static void test_kind_to_string(void **state) {
        assert_string_equal(id_kind_to_string(ID_KIND_UID), "uid");
        assert_string_equal(id_kind_to_string(ID_KIND_GID), "gid");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_range_end),   cmocka_unit_test(test_is_valid),
                cmocka_unit_test(test_overlap),     cmocka_unit_test(test_contains_id),
                cmocka_unit_test(test_contains),    cmocka_unit_test(test_cover),
                cmocka_unit_test(test_cover_many),  cmocka_unit_test(test_subtract),
                cmocka_unit_test(test_parse),       cmocka_unit_test(test_kind_to_string),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
