/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli/log_time.c: what `subidctl log --since` accepts, in ausearch -ts's
 * words, and what it refuses instead of normalising. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cleanup.h"
#include "../cli/log_time.h"

/* 2026-11-25 15:04:05 UTC, a Wednesday; the tests run with TZ=UTC. */
#define NOW ((time_t) 1795619045)
#define DAY 86400
#define MIDNIGHT (NOW - (15 * 3600 + 4 * 60 + 5))

typedef struct time_case {
        const char *s;
        int r;
        time_t want;
        const char *rule;
} time_case;

static const time_case cases[] = {
        /* Keywords (ausearch -ts). */
        { "now", 0, NOW, "now" },
        { "recent", 0, NOW - 600, "recent is ten minutes ago" },
        { "today", 0, MIDNIGHT, "today is 00:00:00 local" },
        { "yesterday", 0, MIDNIGHT - DAY, "yesterday at midnight" },
        { "this-week", 0, MIDNIGHT - 3 * DAY, "this-week starts on Sunday, as ausearch's does" },
        { "week-ago", 0, MIDNIGHT - 7 * DAY, "week-ago: midnight seven days back" },
        { "this-month", 0, MIDNIGHT - 24 * DAY, "this-month: the 1st at midnight" },
        { "this-year", 0, 1767225600, "this-year: January 1st at midnight" },

        /* Dates and times. */
        { "2026-11-25", 0, MIDNIGHT, "a date alone is its midnight" },
        { "2026-11-25 15:04", 0, NOW - 5, "date and HH:MM" },
        { "2026-11-25 15:04:05", 0, NOW, "date and HH:MM:SS" },
        { "2026-11-25T15:04:05", 0, NOW, "ISO 8601 with a T" },
        { "2026-01-05", 0, 1767571200, "leading zeros in month and day are fine here" },
        { "2024-02-29", 0, 1709164800, "a real leap day" },
        { "15:04:05", 0, NOW, "a time alone is today at that time" },
        { "00:00", 0, MIDNIGHT, "midnight as a time" },

        /* Epoch seconds. */
        { "1795619045", 0, NOW, "epoch seconds" },
        { "0", 0, 0, "epoch zero" },

        /* Refused rather than normalised. */
        { "2026-02-30", -EINVAL, 0, "February 30 does not become March 2" },
        { "2025-02-29", -EINVAL, 0, "no leap day in 2025" },
        { "2026-13-01", -EINVAL, 0, "month 13" },
        { "2026-00-10", -EINVAL, 0, "month 0" },
        { "2026-11-00", -EINVAL, 0, "day 0" },
        { "2026-11-25 24:00", -EINVAL, 0, "hour 24" },
        { "2026-11-25 12:60", -EINVAL, 0, "minute 60" },
        { "2026-11-25 12:00:60", -EINVAL, 0, "second 60" },
        { "2026-11-25 1:00", -EINVAL, 0, "fixed-width fields only" },
        { "2026-11-25  12:00", -EINVAL, 0, "two spaces" },
        { "2026-11-25 12:00 ", -EINVAL, 0, "trailing space" },
        { "2026-1-25", -EINVAL, 0, "one-digit month" },
        { "26-11-25", -EINVAL, 0, "two-digit year" },
        { "1969-12-31", -EINVAL, 0, "before the epoch" },
        { "11/25/2026", -EINVAL, 0, "locale dates are not guessed" },
        { "+1795619045", -EINVAL, 0, "sign on epoch seconds" },
        { "01795619045", -EINVAL, 0, "leading zero on epoch seconds" },
        { "99999999999999999999", -EINVAL, 0, "epoch seconds out of range" },
        { "2026-11-2a", -EINVAL, 0, "a letter in the day" },
        { "2026-11-+5", -EINVAL, 0, "a sign in the day" },
        { "", -EINVAL, 0, "empty" },
        { "Today", -EINVAL, 0, "keywords are lower case, as ausearch's" },
        { "soon", -EINVAL, 0, "unknown word" },
};

static void test_table(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const time_case *c = &cases[i];
                time_t got = (time_t) -1;
                int r = log_time_parse(c->s, NOW, &got);

                if (r != c->r || (r == 0 && got != c->want)) {
                        print_error("row %zu '%s': returned %d (%lld), expected %d (%lld): %s\n", i, c->s, r,
                                    (long long) got, c->r, (long long) c->want, c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
        };

        setenv("TZ", "UTC", 1);
        tzset();
        return cmocka_run_group_tests(tests, NULL, NULL);
}
