/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "parse.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>

int parse_u64_max(const char *s, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;

        if (!s || !*s)
                return -EINVAL;
        /* "0" is fine, "00" and "012" are not: leading zeros mean octal to
         * strtoul(…, 0), and we refuse to guess which the caller meant. */
        if (s[0] == '0' && s[1] != '\0')
                return -EINVAL;

        for (const char *p = s; *p; p++) {
                unsigned d;

                if (*p < '0' || *p > '9')
                        return -EINVAL;
                d = (unsigned) (*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        if (v > max)
                return -ERANGE;

        *ret = v;
        return 0;
}

int parse_id(const char *s, uint32_t *ret) {
        uint64_t v;
        int r;

        r = parse_u64_max(s, UINT32_MAX - 1, &v);
        if (r < 0)
                return r;
        *ret = (uint32_t) v;
        return 0;
}

int parse_count(const char *s, uint32_t *ret) {
        uint64_t v;
        int r;

        r = parse_u64_max(s, UINT32_MAX, &v);
        if (r < 0)
                return r;
        if (v == 0)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

int parse_fd(const char *s, int *ret) {
        uint64_t v;
        int r;

        r = parse_u64_max(s, INT_MAX, &v);
        if (r < 0)
                return r;
        *ret = (int) v;
        return 0;
}

int parse_pid(const char *s, int *ret) {
        uint64_t v;
        int r;

        r = parse_u64_max(s, INT_MAX, &v);
        if (r < 0)
                return r;
        if (v == 0)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}
