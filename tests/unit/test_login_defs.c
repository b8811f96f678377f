/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli/login_defs.c: reading SUB_UID_COUNT from shadow's login.defs, as
 * useradd does, for subidctl doctor. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../cli/login_defs.h"

static const struct {
        const char *text;
        int expect;
        uint32_t value;
} cases[] = {
        /* Debian's default line, tabs and spaces */
        { "SUB_UID_MIN\t\t   100000\nSUB_UID_COUNT\t\t    65536\n", 0, 65536 },
        /* the admin's setting that keeps useradd out of /etc/subuid */
        { "SUB_UID_COUNT 0\n", 0, 0 },
        /* a commented-out line is not a definition: useradd's default applies */
        { "#SUB_UID_COUNT 0\n", -ENOENT, 0 },
        { "", -ENOENT, 0 },
        /* a longer key with the same prefix is another key */
        { "SUB_UID_COUNTX 5\n", -ENOENT, 0 },
        /* the last definition counts, as in shadow's getdef */
        { "SUB_UID_COUNT 65536\nSUB_UID_COUNT 0\n", 0, 0 },
        /* leading blanks, CRLF, no final newline */
        { "  SUB_UID_COUNT 10\r\n", 0, 10 },
        { "SUB_UID_COUNT 7", 0, 7 },
        /* not a plain decimal: reported, not guessed */
        { "SUB_UID_COUNT 0x10\n", -EINVAL, 0 },
        { "SUB_UID_COUNT -1\n", -EINVAL, 0 },
        { "SUB_UID_COUNT\n", -ENOENT, 0 },
};

static void test_login_defs_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                uint32_t v = 12345;
                int r = login_defs_u32(cases[i].text, strlen(cases[i].text), "SUB_UID_COUNT", &v);

                if (r != cases[i].expect)
                        fail_msg("row %zu: returned %d, expected %d", i, r, cases[i].expect);
                if (r == 0 && v != cases[i].value)
                        fail_msg("row %zu: value %u, expected %u", i, v, cases[i].value);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_login_defs_table),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
