/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common/parse.c: the one number parser. Every id, count, fd and pid a
 * privileged helper takes from its caller goes through it, so each row
 * below is a trick some other parser has fallen for. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "parse.h"

/* A value no successful parse of these inputs can produce, to see that a
 * refused input leaves the caller's variable alone. */
#define SENTINEL_U64 UINT64_C(0xdeadbeefcafe)
#define SENTINEL_U32 UINT32_C(0xdeadbeef)
#define SENTINEL_INT 0x5eadbeef

#define OK 0

/* One input, what each entry point must make of it, and why. */
typedef struct parse_case {
        const char *in;
        int u64;        /* parse_u64_max(in, UINT64_MAX) */
        int id;         /* parse_id: 0 … 4294967294 */
        int count;      /* parse_count: 1 … 4294967295 */
        int fd;         /* parse_fd: 0 … INT_MAX */
        int pid;        /* parse_pid: 1 … INT_MAX */
        uint64_t value; /* when accepted */
        const char *rule;
} parse_case;

static const parse_case cases[] = {
        /* in                      u64      id       count    fd       pid      value */
        { "0", OK, OK, -EINVAL, OK, -EINVAL, 0, "plain 0: a valid id and fd, but count 0 and pid 0 are refused" },
        { "1", OK, OK, OK, OK, OK, 1, "plain decimal" },
        { "42", OK, OK, OK, OK, OK, 42, "plain decimal" },
        { "100000", OK, OK, OK, OK, OK, 100000, "SUB_UID_MIN, the usual first subordinate id" },
        { "65536", OK, OK, OK, OK, OK, 65536, "SUB_UID_COUNT" },
        { "10", OK, OK, OK, OK, OK, 10, "a zero that is not leading is fine" },

        /* Leading zeros: strtoul(s, NULL, 0), as shadow 4.13 parses map
         * arguments, reads "010" as octal 8. */
        { "00", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "leading zero: 00 is not 0" },
        { "010", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "leading zero: strtoul(…,0) reads 010 as octal 8" },
        { "007", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "leading zeros" },
        { "08", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "leading zero with a non-octal digit" },
        { "0100000", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "leading zero on a subordinate id" },

        /* Signs: strtoul accepts "-1" and returns ULONG_MAX. */
        { "+1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "sign: + refused" },
        { "-1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "sign: strtoul turns -1 into ULONG_MAX" },
        { "-0", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "sign on zero" },
        { "+0", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "sign on zero" },
        { "--1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "double sign" },
        { "1-", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "trailing sign" },

        /* Whitespace: strtoul skips leading spaces; sscanf stops at trailing ones. */
        { " 1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "whitespace: leading space" },
        { "1 ", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "whitespace: trailing space" },
        { "\t1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "whitespace: leading tab" },
        { "1\n", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "whitespace: trailing newline" },
        { "\n1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "whitespace: leading newline" },
        { "1 2", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "whitespace inside: two numbers in one argument" },
        { " ", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "whitespace only" },
        { "\v1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "whitespace: vertical tab (isspace)" },

        /* Base prefixes and other number syntaxes. */
        { "0x10", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "hex prefix: strtoul(…,0) reads 16" },
        { "0X10", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "hex prefix, upper case" },
        { "0x0", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "hex zero" },
        { "0x", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "bare hex prefix" },
        { "0o7", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "octal prefix" },
        { "0b1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "binary prefix (C23 strtoul)" },
        { "ff", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "hex digits without prefix" },
        { "1e3", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "exponent" },
        { "1.0", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "decimal point" },
        { "1,000", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "thousands separator" },
        { "1_000", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "digit separator" },
        { "1a", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "trailing junk: strtoul stops and returns 1" },
        { "a1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "leading junk" },
        { "fd:3", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "the fd:N target form is not a number" },
        { "", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "empty string" },

        /* Non-ASCII bytes: a signed char compare must not let them through,
         * and Unicode digits are not digits. */
        { "\xc2\xb9", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "non-ASCII: superscript one" },
        { "\xd9\xa1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "non-ASCII: Arabic-Indic digit one" },
        { "\xef\xbc\x91", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "non-ASCII: fullwidth digit one" },
        { "1\xff", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "non-ASCII: byte 0xff after a digit" },
        { "\x80", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "non-ASCII: lone byte 0x80" },
        { "\xb1", -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0, "non-ASCII: 0xb1 is '1' + 0x80" },

        /* Boundaries of each type. */
        { "2147483647", OK, OK, OK, OK, OK, INT_MAX, "INT_MAX: largest fd and pid" },
        { "2147483648", OK, OK, OK, -ERANGE, -ERANGE, UINT64_C(2147483648), "INT_MAX+1: too big for fd and pid" },
        { "4294967294", OK, OK, OK, -ERANGE, -ERANGE, UINT64_C(4294967294), "ID_MAX: the largest valid id" },
        { "4294967295", OK, -ERANGE, OK, -ERANGE, -ERANGE, UINT64_C(4294967295),
          "(uint32_t)-1 is the kernel's invalid id, but a valid count (0 0 4294967295 is the full map)" },
        { "4294967296", OK, -ERANGE, -ERANGE, -ERANGE, -ERANGE, UINT64_C(4294967296),
          "2^32: would truncate to 0 in a uint32_t (CVE-2016-6252 family)" },
        { "4294967297", OK, -ERANGE, -ERANGE, -ERANGE, -ERANGE, UINT64_C(4294967297),
          "2^32+1: would truncate to 1 in a uint32_t" },
        { "18446744073709551615", OK, -ERANGE, -ERANGE, -ERANGE, -ERANGE, UINT64_MAX, "UINT64_MAX itself" },
        { "18446744073709551616", -ERANGE, -ERANGE, -ERANGE, -ERANGE, -ERANGE, 0,
          "UINT64_MAX+1: overflow in the last addition" },
        { "18446744073709551620", -ERANGE, -ERANGE, -ERANGE, -ERANGE, -ERANGE, 0,
          "overflow in the last digit by more than one" },
        { "184467440737095516150", -ERANGE, -ERANGE, -ERANGE, -ERANGE, -ERANGE, 0,
          "overflow in the last multiplication" },
        { "36893488147419103232", -ERANGE, -ERANGE, -ERANGE, -ERANGE, -ERANGE, 0, "2^65: would wrap to 0 mod 2^64" },
        { "99999999999999999999999999999999999999", -ERANGE, -ERANGE, -ERANGE, -ERANGE, -ERANGE, 0,
          "far beyond 64 bits" },
        { "99999999999999999999999999999999999999x", -ERANGE, -ERANGE, -ERANGE, -ERANGE, -ERANGE, 0,
          "overflow is noticed before trailing junk (both are refusals)" },
};

static void check_result(const parse_case *c, const char *fn, int want, int got, uint64_t value, bool changed,
                         int *failures) {
        if (got != want) {
                print_error("%s(\"%s\") returned %d, expected %d: %s\n", fn, c->in, got, want, c->rule);
                (*failures)++;
        } else if (want == 0 && value != c->value) {
                print_error("%s(\"%s\") gave %llu, expected %llu: %s\n", fn, c->in, (unsigned long long) value,
                            (unsigned long long) c->value, c->rule);
                (*failures)++;
        } else if (want < 0 && changed) {
                print_error("%s(\"%s\") changed *ret on failure: %s\n", fn, c->in, c->rule);
                (*failures)++;
        }
}

static void test_table(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const parse_case *c = &cases[i];
                uint64_t v64 = SENTINEL_U64;
                uint32_t v32 = SENTINEL_U32;
                int vint = SENTINEL_INT, r;

                r = parse_u64_max(c->in, UINT64_MAX, &v64);
                check_result(c, "parse_u64_max", c->u64, r, v64, v64 != SENTINEL_U64, &failures);

                r = parse_id(c->in, &v32);
                check_result(c, "parse_id", c->id, r, v32, v32 != SENTINEL_U32, &failures);
                v32 = SENTINEL_U32;
                r = parse_count(c->in, &v32);
                check_result(c, "parse_count", c->count, r, v32, v32 != SENTINEL_U32, &failures);

                r = parse_fd(c->in, &vint);
                check_result(c, "parse_fd", c->fd, r, (uint64_t) vint, vint != SENTINEL_INT, &failures);
                vint = SENTINEL_INT;
                r = parse_pid(c->in, &vint);
                check_result(c, "parse_pid", c->pid, r, (uint64_t) vint, vint != SENTINEL_INT, &failures);
        }
        assert_int_equal(failures, 0);
}

/* A NULL string (a missing argv element) is malformed, not a crash. */
static void test_null(void **state) {
        uint64_t v64 = SENTINEL_U64;
        uint32_t v32 = SENTINEL_U32;
        int vint = SENTINEL_INT;

        assert_int_equal(parse_u64_max(NULL, UINT64_MAX, &v64), -EINVAL);
        assert_int_equal(parse_id(NULL, &v32), -EINVAL);
        assert_int_equal(parse_count(NULL, &v32), -EINVAL);
        assert_true(v32 == SENTINEL_U32);
        assert_int_equal(parse_fd(NULL, &vint), -EINVAL);
        assert_int_equal(parse_pid(NULL, &vint), -EINVAL);
        assert_true(v64 == SENTINEL_U64);
        assert_int_equal(vint, SENTINEL_INT);
}

/* parse_u64_max with a caller's bound: the bound is inclusive. */
typedef struct max_case {
        const char *in;
        uint64_t max;
        int r;
        uint64_t value; /* when accepted */
        const char *rule;
} max_case;

static const max_case max_cases[] = {
        { "0", 0, OK, 0, "max 0 still takes 0" },
        { "1", 0, -ERANGE, 0, "max 0 refuses 1" },
        { "10", 10, OK, 10, "the bound itself is allowed" },
        { "11", 10, -ERANGE, 0, "one above the bound" },
        { "100", 10, -ERANGE, 0, "an order of magnitude above the bound" },
        { "00", 10, -EINVAL, 0, "malformed is refused as malformed: leading zero" },
        { "65535", 65535, OK, 65535, "a 16-bit bound, at the bound" },
        { "65536", 65535, -ERANGE, 0, "a 16-bit bound, one above" },
        { "18446744073709551614", UINT64_MAX - 1, OK, UINT64_MAX - 1, "UINT64_MAX-1 as the bound, at the bound" },
        { "18446744073709551615", UINT64_MAX - 1, -ERANGE, 0, "one above UINT64_MAX-1" },
};

static void test_max(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(max_cases); i++) {
                const max_case *c = &max_cases[i];
                uint64_t v = SENTINEL_U64;
                int r = parse_u64_max(c->in, c->max, &v);

                if (r != c->r || (r == 0 && v != c->value) || (r < 0 && v != SENTINEL_U64)) {
                        print_error("parse_u64_max(\"%s\", %llu) returned %d (value %llu), expected %d: %s\n",
                                    c->in, (unsigned long long) c->max, r, (unsigned long long) v, c->r, c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

/* Every value 0 … 100000 round-trips through its own decimal text, so the
 * digit loop has no off-by-one at a power of ten. */
static void test_roundtrip(void **state) {
        char buf[32];

        for (uint32_t i = 0; i <= 100000; i++) {
                uint32_t v = SENTINEL_U32;

                snprintf(buf, sizeof buf, "%u", i);
                assert_int_equal(parse_id(buf, &v), 0);
                assert_int_equal(v, i);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_null),
                cmocka_unit_test(test_max),
                cmocka_unit_test(test_roundtrip),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
