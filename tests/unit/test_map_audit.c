/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helpers/map_audit.c: the message text of the helpers' audit records
 * (docs/audit.md). Every value must stay one space-free token, because
 * auparse and ausearch split the message at spaces, quotes or not: a
 * caller-chosen argument must never become a field of its own. */
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
#include "../helpers/map_audit.h"
#include "../helpers/mapargs.h"

typedef struct message_case {
        map_audit_info info;
        const char *want;
        const char *rule;
} message_case;

static const message_case messages[] = {
        { { ID_KIND_UID, "1234", "0:1000:1,1:100000:65536", false, NULL },
          "op=newuidmap tpid=1234 map=\"0:1000:1,1:100000:65536\"", "an allowed newuidmap run" },
        { { ID_KIND_GID, "1234", "0:1000:1", false, NULL }, "op=newgidmap tpid=1234 map=\"0:1000:1\" setgroups=deny",
          "newgidmap says setgroups=deny" },
        { { ID_KIND_GID, "1234", "0:1000:1,1:100000:65536", true, NULL },
          "op=newgidmap tpid=1234 map=\"0:1000:1,1:100000:65536\" setgroups=allow",
          "setgroups=allow when a gid range from the database was used" },
        { { ID_KIND_UID, "?", "?", false, "usage" }, "op=newuidmap tpid=? map=? reason=\"usage\"",
          "no target, no triples: ?; a reason without spaces is quoted" },
        { { ID_KIND_UID, "1", "0:1:1", false, "not allowed" }, "op=newuidmap tpid=1 map=\"0:1:1\" reason=6E6F7420616C6C6F776564",
          "a reason with spaces is hex-encoded, the libaudit way" },
        { { ID_KIND_UID, "1", "0:x auid=0:1", false, "x" }, "op=newuidmap tpid=1 map=303A7820617569643D303A31 reason=\"x\"",
          "an argument 'x auid=0' is hex, never a field auid=0 of its own" },
        { { ID_KIND_UID, "1", "0:\"a\":1", false, "x" }, "op=newuidmap tpid=1 map=303A2261223A31 reason=\"x\"",
          "a quote in an argument: hex" },
        { { ID_KIND_UID, "1", "0:1:1", false, "" }, "op=newuidmap tpid=1 map=\"0:1:1\" reason=\"refused\"",
          "a refusal always has a reason" },
};

static void test_messages(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(messages); i++) {
                const message_case *c = &messages[i];
                _cleanup_free_ char *text = NULL;
                const char *want = c->want;

                assert_int_equal(map_audit_message(&c->info, &text), 0);
                if (strcmp(text, want) != 0) {
                        print_error("row %zu: got '%s', want '%s': %s\n", i, text, want, c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

static void test_render_maps(void **state) {
        id_mapping maps[MAP_MAX_EXTENTS];
        char buf[MAP_AUDIT_MAP_MAX + 8];

        /* Parsed triples, in argv order. */
        maps[0] = (id_mapping) { 0, 1000, 1 };
        maps[1] = (id_mapping) { 1, 100000, 65536 };
        map_audit_render_maps(maps, 2, buf, sizeof buf);
        assert_string_equal(buf, "0:1000:1,1:100000:65536");

        /* 340 triples of the longest numbers do not fit: cut at a whole
         * triple, marked with ",...", below the limit. */
        for (size_t i = 0; i < MAP_MAX_EXTENTS; i++)
                maps[i] = (id_mapping) { 4000000000U + (uint32_t) i, 4100000000U + (uint32_t) i, 1 };
        map_audit_render_maps(maps, MAP_MAX_EXTENTS, buf, sizeof buf);
        assert_true(strlen(buf) < MAP_AUDIT_MAP_MAX);
        assert_string_equal(buf + strlen(buf) - 4, ",...");
        assert_non_null(strstr(buf, ":1,..."));
        assert_int_equal(strncmp(buf, "4000000000:4100000000:1,4000000001:", 35), 0);
}

static void test_render_args(void **state) {
        char a0[] = "0", a1[] = "abc", a2[] = "1", a3[] = "2", a4[] = "x y";
        char *argv[] = { a0, a1, a2, a3, a4 };
        char *big[400];
        char buf[MAP_AUDIT_MAP_MAX + 8];
        char word[] = "1234567890";

        map_audit_render_args(5, argv, buf, sizeof buf);
        assert_string_equal(buf, "0:abc:1,2:x y"); /* as given; the message hex-encodes it */

        map_audit_render_args(0, argv, buf, sizeof buf);
        assert_string_equal(buf, "?");

        for (size_t i = 0; i < ELEMENTSOF(big); i++)
                big[i] = word;
        map_audit_render_args((int) ELEMENTSOF(big), big, buf, sizeof buf);
        assert_true(strlen(buf) < MAP_AUDIT_MAP_MAX);
        assert_string_equal(buf + strlen(buf) - 14, "1234567890,...");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_messages),
                cmocka_unit_test(test_render_maps),
                cmocka_unit_test(test_render_args),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
