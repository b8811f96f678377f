/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helpers/mapargs.c: the UPPER LOWER COUNT triples of newuidmap/newgidmap.
 * Everything here is refused before any policy lookup or kernel write, with
 * a one-line reason naming the bad argument. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "../helpers/mapargs.h"

#define MAX_ARGS 12

typedef struct mapargs_case {
        const char *argv[MAX_ARGS + 1]; /* NULL-terminated */
        int r;
        size_t n;                   /* on success */
        id_mapping maps[MAX_ARGS / 3]; /* on success */
        const char *err;            /* on failure: a substring of the reason */
        const char *rule;
} mapargs_case;

static const mapargs_case cases[] = {
        /* Accepted. */
        { { "0", "100000", "65536" }, 0, 1, { { 0, 100000, 65536 } }, NULL, "one triple" },
        { { "0", "1000", "1", "1", "100000", "65536" }, 0, 2, { { 0, 1000, 1 }, { 1, 100000, 65536 } }, NULL,
          "self map plus a range, as podman writes it" },
        { { "0", "100000", "10", "10", "100010", "10" }, 0, 2, { { 0, 100000, 10 }, { 10, 100010, 10 } }, NULL,
          "adjacent (touching, not overlapping) on both sides" },
        { { "10", "100000", "10", "0", "200000", "10" }, 0, 2, { { 10, 100000, 10 }, { 0, 200000, 10 } }, NULL,
          "adjacent upper ranges in reverse order" },
        { { "0", "0", "4294967295" }, 0, 1, { { 0, 0, UINT32_MAX } }, NULL,
          "the kernel's own full map 0 0 4294967295 parses (authorisation decides)" },
        { { "4294967294", "4294967294", "1" }, 0, 1, { { UINT32_MAX - 1, UINT32_MAX - 1, 1 } }, NULL,
          "the top id on both sides" },
        { { "0", "4294967290", "5" }, 0, 1, { { 0, 4294967290, 5 } }, NULL, "lower range ending at ID_MAX" },
        { { "1", "2", "3", "4", "5", "6", "10", "11", "12", "30", "31", "32" }, 0, 4,
          { { 1, 2, 3 }, { 4, 5, 6 }, { 10, 11, 12 }, { 30, 31, 32 } }, NULL, "four triples, order kept" },

        /* Argument count. */
        { { NULL }, -EINVAL, 0, { { 0 } }, "triples", "zero triples" },
        { { "0" }, -EINVAL, 0, { { 0 } }, "got 1 argument", "one argument is not a triple" },
        { { "0", "100000" }, -EINVAL, 0, { { 0 } }, "got 2 arguments", "two arguments are not a triple" },
        { { "0", "100000", "1", "1" }, -EINVAL, 0, { { 0 } }, "got 4 arguments", "argc not a multiple of 3" },
        { { "0", "100000", "1", "1", "2" }, -EINVAL, 0, { { 0 } }, "got 5 arguments", "argc not a multiple of 3" },

        /* Count 0. */
        { { "0", "100000", "0" }, -EINVAL, 0, { { 0 } }, "count '0' of mapping 1", "rule 2: COUNT 0" },
        { { "0", "100000", "1", "1", "100001", "0" }, -EINVAL, 0, { { 0 } }, "count '0' of mapping 2",
          "rule 2: COUNT 0 in the second triple, named as mapping 2" },

        /* Signs, spaces, bases (rule 2). */
        { { "-1", "100000", "1" }, -EINVAL, 0, { { 0 } }, "upper id '-1' of mapping 1", "sign on upper" },
        { { "0", "-1", "1" }, -EINVAL, 0, { { 0 } }, "lower id '-1'", "sign on lower: strtoul makes it ULONG_MAX" },
        { { "0", "100000", "-1" }, -EINVAL, 0, { { 0 } }, "count '-1'", "negative count" },
        { { "+0", "100000", "1" }, -EINVAL, 0, { { 0 } }, "upper id '+0'", "plus sign" },
        { { "0", "+100000", "1" }, -EINVAL, 0, { { 0 } }, "lower id '+100000'", "plus sign on lower" },
        { { " 0", "100000", "1" }, -EINVAL, 0, { { 0 } }, "upper id", "leading space" },
        { { "0", "100000 ", "1" }, -EINVAL, 0, { { 0 } }, "lower id", "trailing space" },
        { { "0", "\t100000", "1" }, -EINVAL, 0, { { 0 } }, "lower id", "leading tab" },
        { { "0", "100000", "1\n" }, -EINVAL, 0, { { 0 } }, "count", "trailing newline must not split the message" },
        { { "0", "100000\n0 0 1", "1" }, -EINVAL, 0, { { 0 } }, "lower id",
          "an embedded map line (uid_map injection) in one argument" },
        { { "0", "100000 1", "1" }, -EINVAL, 0, { { 0 } }, "lower id", "two numbers in one argument" },
        { { "0", "0x186a0", "1" }, -EINVAL, 0, { { 0 } }, "lower id '0x186a0'", "hex" },
        { { "0", "0303240", "1" }, -EINVAL, 0, { { 0 } }, "lower id '0303240'", "octal 100000 to strtoul(…,0)" },
        { { "0", "100000", "010" }, -EINVAL, 0, { { 0 } }, "count '010'", "octal count" },
        { { "", "100000", "1" }, -EINVAL, 0, { { 0 } }, "upper id ''", "empty argument" },
        { { "0", "\033[2J", "1" }, -EINVAL, 0, { { 0 } }, "lower id",
          "terminal escape must not reach the message raw" },

        /* Overflow (CVE-2016-6252: shadow let lower + count wrap). */
        { { "0", "4294967295", "1" }, -ERANGE, 0, { { 0 } }, "lower id '4294967295' of mapping 1 is out of range",
          "lower (uint32_t)-1" },
        { { "4294967295", "100000", "1" }, -ERANGE, 0, { { 0 } }, "upper id '4294967295'", "upper (uint32_t)-1" },
        { { "0", "99999999999999999999999\n", "1" }, -ERANGE, 0, { { 0 } }, "out of range",
          "an out-of-range reason is one line too" },
        { { "0", "4294967296", "1" }, -ERANGE, 0, { { 0 } }, "out of range", "lower 2^32 truncates to 0" },
        { { "0", "100000", "4294967296" }, -ERANGE, 0, { { 0 } }, "count '4294967296'", "count 2^32 truncates to 0" },
        { { "0", "18446744073709551617", "1" }, -ERANGE, 0, { { 0 } }, "out of range", "2^64+1 wraps to 1" },
        { { "0", "4294967294", "2" }, -ERANGE, 0, { { 0 } }, "overflows the 32-bit id space",
          "CVE-2016-6252: lower + count > 2^32-1" },
        { { "0", "1", "4294967295" }, -ERANGE, 0, { { 0 } }, "mapping 1 (0 1 4294967295) overflows",
          "CVE-2016-6252: lower + count wraps past 2^32" },
        { { "0", "4294967295", "4294967295" }, -ERANGE, 0, { { 0 } }, "out of range",
          "CVE-2016-6252: wraps to a small range in 32 bits" },
        { { "4294967294", "100000", "2" }, -ERANGE, 0, { { 0 } }, "overflows", "upper + count > 2^32-1" },
        { { "1", "0", "4294967295" }, -ERANGE, 0, { { 0 } }, "overflows", "upper wraps past 2^32" },
        { { "0", "100000", "1", "1", "4294967294", "2" }, -ERANGE, 0, { { 0 } }, "mapping 2", "overflow in triple 2" },

        /* Overlaps, which the kernel refuses with a bare EINVAL. */
        { { "0", "100000", "10", "5", "200000", "10" }, -EINVAL, 0, { { 0 } },
          "mappings 1 and 2 overlap inside the namespace", "rule 2: overlapping upper ranges" },
        { { "0", "100000", "10", "100", "100005", "10" }, -EINVAL, 0, { { 0 } },
          "mappings 1 and 2 overlap on the host", "overlapping lower ranges" },
        { { "0", "100000", "10", "0", "100000", "10" }, -EINVAL, 0, { { 0 } }, "overlap", "identical triples" },
        { { "0", "100000", "10", "9", "200000", "1" }, -EINVAL, 0, { { 0 } }, "inside the namespace",
          "upper ranges sharing one id" },
        { { "0", "1000", "1", "1", "100000", "10", "100", "1000", "1" }, -EINVAL, 0, { { 0 } },
          "mappings 1 and 3 overlap on the host", "non-neighbouring triples overlap" },
        { { "100", "100000", "10", "0", "200000", "101" }, -EINVAL, 0, { { 0 } }, "inside the namespace",
          "a later triple's range contains an earlier one's" },
};

static int argv_count(const char *const *argv) {
        int n = 0;

        while (argv[n])
                n++;
        return n;
}

/* A reason is one printable line: it goes to the caller's terminal. */
static bool one_printable_line(const char *s) {
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static void test_table(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const mapargs_case *c = &cases[i];
                id_mapping *maps = (id_mapping *) (uintptr_t) 0x1;
                size_t n = 999;
                char err[256] = "";
                int r;

                r = mapargs_parse(argv_count(c->argv), (char *const *) c->argv, &maps, &n, err, sizeof err);
                if (r != c->r) {
                        print_error("row %zu: returned %d, expected %d (err '%s'): %s\n", i, r, c->r, err, c->rule);
                        failures++;
                        if (r == 0)
                                free(maps);
                        continue;
                }
                if (r == 0) {
                        if (n != c->n || memcmp(maps, c->maps, n * sizeof *maps) != 0) {
                                print_error("row %zu: wrong mappings (%zu of them): %s\n", i, n, c->rule);
                                failures++;
                        }
                        free(maps);
                        continue;
                }
                if (maps != (id_mapping *) (uintptr_t) 0x1 || n != 999) {
                        print_error("row %zu: outputs changed on failure: %s\n", i, c->rule);
                        failures++;
                }
                if (!*err || !strstr(err, c->err)) {
                        print_error("row %zu: reason '%s' does not say '%s': %s\n", i, err, c->err, c->rule);
                        failures++;
                }
                if (!one_printable_line(err)) {
                        print_error("row %zu: reason is not one printable line: %s\n", i, c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

/* n triples with disjoint, non-adjacent ranges on both sides. */
static char **make_argv(size_t n) {
        char **argv = calloc(3 * n + 1, sizeof *argv);

        assert_non_null(argv);
        for (size_t i = 0; i < n; i++) {
                assert_true(asprintf(&argv[3 * i], "%zu", 10 * i) > 0);
                assert_true(asprintf(&argv[3 * i + 1], "%zu", 100000 + 10 * i) > 0);
                assert_true(asprintf(&argv[3 * i + 2], "%d", 5) > 0);
        }
        return argv;
}

static void free_argv(char **argv) {
        for (char **p = argv; *p; p++)
                free(*p);
        free(argv);
}

/* Rule 2: at most 340 extents, the kernel's limit since 4.15. */
static void test_extents(void **state) {
        _cleanup_free_ id_mapping *maps = NULL;
        char **argv, err[256] = "";
        size_t n = 0;

        argv = make_argv(340);
        assert_int_equal(mapargs_parse(3 * 340, argv, &maps, &n, err, sizeof err), 0);
        assert_int_equal(n, 340);
        assert_int_equal(maps[339].upper, 3390);
        assert_int_equal(maps[339].lower, 100000 + 3390);
        assert_int_equal(maps[339].count, 5);
        free_argv(argv);

        argv = make_argv(341);
        assert_int_equal(mapargs_parse(3 * 341, argv, &maps, &n, err, sizeof err), -E2BIG);
        assert_non_null(strstr(err, "341 mappings exceed the kernel's limit of 340"));
        free_argv(argv);

        /* The overlap check reaches the last of 340: triple 340 repeats
         * triple 1's upper id. */
        argv = make_argv(340);
        free(argv[3 * 339]);
        assert_true(asprintf(&argv[3 * 339], "%d", 2) > 0);
        assert_int_equal(mapargs_parse(3 * 340, argv, &maps, &n, err, sizeof err), -EINVAL);
        assert_non_null(strstr(err, "mappings 1 and 340 overlap inside the namespace"));
        free_argv(argv);
}

/* A negative argc (impossible from main, but it is an int) is refused. */
static void test_negative_argc(void **state) {
        id_mapping *maps = NULL;
        char *argv[] = { NULL };
        char err[256] = "";
        size_t n = 0;

        assert_int_equal(mapargs_parse(-3, argv, &maps, &n, err, sizeof err), -EINVAL);
        assert_null(maps);
        assert_non_null(strstr(err, "got 0 arguments"));
}

/* A small err buffer truncates the reason, it never overruns. */
static void test_small_err(void **state) {
        char *argv[] = { (char *) "0", (char *) "-100000000000000000000000000000000000000000000000000", (char *) "1",
                         NULL };
        id_mapping *maps = NULL;
        char err[24];
        size_t n = 0;

        memset(err, 'X', sizeof err);
        assert_int_equal(mapargs_parse(3, argv, &maps, &n, err, 16), -EINVAL);
        assert_int_equal(strlen(err), 15);
        for (size_t i = 16; i < sizeof err; i++)
                assert_int_equal(err[i], 'X');
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_extents),
                cmocka_unit_test(test_negative_argc),
                cmocka_unit_test(test_small_err),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
