/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mapargs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/cleanup.h"
#include "../common/parse.h"

/* The reason quotes the caller's argument: a newline or terminal escape in
 * it must not split the one-line reason or reach the terminal raw. */
static void replace_control_chars(char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        *s = '?';
}

static int parse_field(const char *s, const char *what, size_t index, bool is_count, uint32_t *ret, char *err,
                       size_t err_size) {
        int r;

        r = is_count ? parse_count(s, ret) : parse_id(s, ret);
        if (r == -ERANGE)
                snprintf(err, err_size, "%s '%s' of mapping %zu is out of range", what, s, index + 1);
        else if (r < 0)
                snprintf(err, err_size, "%s '%s' of mapping %zu is not a plain decimal number%s", what, s,
                         index + 1, is_count ? " above 0" : "");
        if (r < 0 && err_size > 0)
                replace_control_chars(err);
        return r;
}

int mapargs_parse(int argc, char *const *argv, id_mapping **ret, size_t *ret_n, char *err, size_t err_size) {
        _cleanup_free_ id_mapping *maps = NULL;
        size_t n;
        int r;

        if (argc <= 0 || argc % 3 != 0) {
                snprintf(err, err_size, "expected UPPER LOWER COUNT triples, got %d argument%s", argc < 0 ? 0 : argc,
                         argc == 1 ? "" : "s");
                return -EINVAL;
        }
        n = (size_t) argc / 3;
        if (n > MAP_MAX_EXTENTS) {
                snprintf(err, err_size, "%zu mappings exceed the kernel's limit of %d", n, MAP_MAX_EXTENTS);
                return -E2BIG;
        }

        maps = calloc(n, sizeof *maps);
        if (!maps) {
                snprintf(err, err_size, "out of memory");
                return -ENOMEM;
        }

        for (size_t i = 0; i < n; i++) {
                id_mapping *m = &maps[i];

                r = parse_field(argv[3 * i], "upper id", i, false, &m->upper, err, err_size);
                if (r < 0)
                        return r;
                r = parse_field(argv[3 * i + 1], "lower id", i, false, &m->lower, err, err_size);
                if (r < 0)
                        return r;
                r = parse_field(argv[3 * i + 2], "count", i, true, &m->count, err, err_size);
                if (r < 0)
                        return r;
                /* Both ends must stay below (uint32_t)-1, the invalid id. */
                if ((uint64_t) m->upper + m->count - 1 > ID_MAX || (uint64_t) m->lower + m->count - 1 > ID_MAX) {
                        snprintf(err, err_size, "mapping %zu (%u %u %u) overflows the 32-bit id space", i + 1,
                                 m->upper, m->lower, m->count);
                        return -ERANGE;
                }
        }

        /* The kernel refuses overlapping extents on either side; saying so
         * here gives a clear message instead of "Invalid argument". n ≤ 340,
         * so the quadratic check is bounded. */
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++) {
                        id_range ui = { maps[i].upper, maps[i].count }, uj = { maps[j].upper, maps[j].count };
                        id_range li = { maps[i].lower, maps[i].count }, lj = { maps[j].lower, maps[j].count };

                        if (ranges_overlap(&ui, &uj)) {
                                snprintf(err, err_size, "mappings %zu and %zu overlap inside the namespace", i + 1,
                                         j + 1);
                                return -EINVAL;
                        }
                        if (ranges_overlap(&li, &lj)) {
                                snprintf(err, err_size, "mappings %zu and %zu overlap on the host", i + 1, j + 1);
                                return -EINVAL;
                        }
                }

        *ret = TAKE_PTR(maps);
        *ret_n = n;
        return 0;
}
