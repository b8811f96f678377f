/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log_time.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../common/parse.h"

/* A field of exactly width digits, max at most: "05" is 5 here, where
 * parse_u64_max (no leading zeros) would refuse it. */
static int parse_fixed(const char *s, size_t width, uint64_t max, int *ret) {
        char digits[8];
        size_t skip = 0;
        uint64_t v;
        int r;

        if (width >= sizeof digits || strnlen(s, width) != width)
                return -EINVAL;
        for (size_t i = 0; i < width; i++)
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
        while (skip + 1 < width && s[skip] == '0')
                skip++;
        memcpy(digits, s + skip, width - skip);
        digits[width - skip] = '\0';
        r = parse_u64_max(digits, max, &v);
        if (r < 0)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

/* "HH:MM" or "HH:MM:SS", the whole of s. */
static int parse_clock(const char *s, struct tm *tm) {
        size_t len = strlen(s);

        if (len != 5 && len != 8)
                return -EINVAL;
        if (s[2] != ':' || (len == 8 && s[5] != ':'))
                return -EINVAL;
        if (parse_fixed(s, 2, 23, &tm->tm_hour) < 0 || parse_fixed(s + 3, 2, 59, &tm->tm_min) < 0)
                return -EINVAL;
        tm->tm_sec = 0;
        if (len == 8 && parse_fixed(s + 6, 2, 59, &tm->tm_sec) < 0)
                return -EINVAL;
        return 0;
}

/* "YYYY-MM-DD" at the start of s (exactly 10 characters). */
static int parse_date(const char *s, struct tm *tm) {
        int year, month, day;

        if (strnlen(s, 10) != 10 || s[4] != '-' || s[7] != '-')
                return -EINVAL;
        if (parse_fixed(s, 4, 9999, &year) < 0 || year < 1970 || parse_fixed(s + 5, 2, 12, &month) < 0 ||
            month < 1 || parse_fixed(s + 8, 2, 31, &day) < 0 || day < 1)
                return -EINVAL;
        tm->tm_year = year - 1900;
        tm->tm_mon = month - 1;
        tm->tm_mday = day;
        return 0;
}

/* mktime in local time, refusing what it would have to normalise. */
static int make_time(struct tm *tm, time_t *ret) {
        struct tm want = *tm;
        time_t t;

        tm->tm_isdst = -1;
        t = mktime(tm);
        if (t == (time_t) -1)
                return -EINVAL;
        if (tm->tm_mday != want.tm_mday || tm->tm_mon != want.tm_mon || tm->tm_year != want.tm_year)
                return -EINVAL; /* February 30 and the like */
        *ret = t;
        return 0;
}

static int midnight(time_t now, int days_back, time_t *ret) {
        struct tm tm;

        if (!localtime_r(&now, &tm))
                return -EINVAL;
        tm.tm_mday -= days_back;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_isdst = -1;
        *ret = mktime(&tm);
        return *ret == (time_t) -1 ? -EINVAL : 0;
}

static int keyword(const char *s, time_t now, time_t *ret) {
        struct tm tm;

        if (strcmp(s, "now") == 0) {
                *ret = now;
                return 0;
        }
        if (strcmp(s, "recent") == 0) {
                *ret = now - 10 * 60;
                return 0;
        }
        if (strcmp(s, "today") == 0)
                return midnight(now, 0, ret);
        if (strcmp(s, "yesterday") == 0)
                return midnight(now, 1, ret);
        if (strcmp(s, "week-ago") == 0)
                return midnight(now, 7, ret);
        if (!localtime_r(&now, &tm))
                return -EINVAL;
        if (strcmp(s, "this-week") == 0)
                return midnight(now, tm.tm_wday, ret);
        if (strcmp(s, "this-month") == 0)
                return midnight(now, tm.tm_mday - 1, ret);
        if (strcmp(s, "this-year") == 0)
                return midnight(now, tm.tm_yday, ret);
        return -ENOENT;
}

int log_time_parse(const char *s, time_t now, time_t *ret) {
        struct tm tm = {};
        uint64_t epoch;
        int r;

        r = keyword(s, now, ret);
        if (r != -ENOENT)
                return r;

        if (s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s)) {
                r = parse_u64_max(s, INT64_MAX, &epoch);
                if (r < 0)
                        return -EINVAL;
                *ret = (time_t) epoch;
                return 0;
        }

        if (strlen(s) <= 8) { /* a time of day alone: today */
                if (!localtime_r(&now, &tm))
                        return -EINVAL;
                if (parse_clock(s, &tm) < 0)
                        return -EINVAL;
                return make_time(&tm, ret);
        }

        if (parse_date(s, &tm) < 0)
                return -EINVAL;
        if (s[10] == '\0')
                return make_time(&tm, ret);
        if (s[10] != ' ' && s[10] != 'T')
                return -EINVAL;
        if (parse_clock(s + 11, &tm) < 0)
                return -EINVAL;
        return make_time(&tm, ret);
}
