/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../policy/config.h"

static void test_defaults_mirror_login_defs(void **state) {
        subid_config c;

        config_defaults(&c);
        assert_int_equal(c.sub_uid_min, 100000);
        assert_int_equal(c.sub_uid_max, 600100000);
        assert_int_equal(c.sub_uid_count, 65536);
        assert_int_equal(c.sub_gid_min, 100000);
        assert_int_equal(c.sub_gid_max, 600100000);
        assert_int_equal(c.sub_gid_count, 65536);
        assert_int_equal(c.auto_uid_min, 1000);
        assert_false(c.self_service);
}

static const struct {
        const char *text;
        int expect;         /* 0 or -EINVAL */
        const char *errpart; /* substring of the error */
} cases[] = {
        /* empty file: defaults */
        { "", 0, NULL },
        /* comments, blank lines, spaces around '=' */
        { "# c\n\n  sub_uid_count = 1000  \n", 0, NULL },
        /* CRLF line ends are tolerated */
        { "sub_uid_count = 1000\r\n", 0, NULL },
        { "self_service = yes\n", 0, NULL },
        /* automatic allocation can be switched off (and on) */
        { "auto_allocate = no\n", 0, NULL },
        { "auto_allocate = yes\n", 0, NULL },
        { "auto_allocate = sometimes\n", -EINVAL, "invalid value" },
        /* unknown keys are errors, not silently ignored typos */
        { "sub_uid_cuont = 5\n", -EINVAL, ":1: unknown key" },
        /* the checked parser: no signs, spaces inside, hex */
        { "sub_uid_count = -5\n", -EINVAL, "invalid value" },
        { "sub_uid_count = 0x10\n", -EINVAL, "invalid value" },
        { "sub_uid_count = 1 0\n", -EINVAL, "invalid value" },
        /* count 0 is meaningless */
        { "sub_uid_count = 0\n", -EINVAL, "invalid value" },
        /* duplicates are ambiguous */
        { "sub_uid_min = 200000\nsub_uid_min = 300000\n", -EINVAL, ":2: 'sub_uid_min' set twice" },
        /* a pool must never contain host id 0 */
        { "sub_uid_min = 0\n", -EINVAL, "must not include id 0" },
        { "sub_gid_min = 700000000\n", -EINVAL, "above its maximum" },
        { "sub_uid_min = 100000\nsub_uid_max = 100009\nsub_uid_count = 11\n", -EINVAL, "does not fit" },
        { "auto_uid_min = 5000\nauto_uid_max = 10\n", -EINVAL, "auto_uid_min" },
        { "self_service = maybe\n", -EINVAL, "invalid value" },
        { "no equals sign\n", -EINVAL, "expected 'key = value'" },
        /* a pool at the very top of the id space is fine */
        { "sub_uid_min = 4294901759\nsub_uid_max = 4294967294\n", 0, NULL },
        /* beyond the last valid id */
        { "sub_uid_max = 4294967295\n", -EINVAL, "invalid value" },
};

static void test_parse_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                subid_config c;
                char err[256] = "";
                int r = config_parse(cases[i].text, strlen(cases[i].text), "subid.conf", &c, err, sizeof err);

                if (r != cases[i].expect)
                        fail_msg("case %zu (%s): got %d, want %d (%s)", i, cases[i].text, r, cases[i].expect, err);
                if (cases[i].errpart && !strstr(err, cases[i].errpart))
                        fail_msg("case %zu: error '%s' lacks '%s'", i, err, cases[i].errpart);
        }
}

static void test_values_applied(void **state) {
        const char *text = "sub_gid_min = 200000\nsub_gid_count = 1000\nauto_uid_min = 2000\n";
        subid_config c;
        char err[128];

        assert_int_equal(config_parse(text, strlen(text), "x", &c, err, sizeof err), 0);
        assert_int_equal(c.sub_gid_min, 200000);
        assert_int_equal(c.sub_gid_count, 1000);
        assert_int_equal(c.auto_uid_min, 2000);
        assert_int_equal(c.sub_uid_min, 100000); /* untouched keys keep defaults */
}

static void test_nul_byte_refused(void **state) {
        const char text[] = "sub_uid_count = 5\0junk\n";
        subid_config c;
        char err[128];

        assert_int_equal(config_parse(text, sizeof text - 1, "x", &c, err, sizeof err), -EINVAL);
}

static void test_missing_file_means_defaults(void **state) {
        subid_config c;

        assert_int_equal(config_load("/nonexistent/subid.conf", &c), 0);
        assert_int_equal(c.sub_uid_count, 65536);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults_mirror_login_defs),
                cmocka_unit_test(test_parse_table),
                cmocka_unit_test(test_values_applied),
                cmocka_unit_test(test_nul_byte_refused),
                cmocka_unit_test(test_missing_file_means_defaults),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
