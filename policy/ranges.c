/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ranges.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/parse.h"

bool range_is_valid(const id_range *r) {
        return r->count >= 1 && range_end(r) - 1 <= ID_MAX;
}

bool ranges_overlap(const id_range *a, const id_range *b) {
        return (uint64_t) a->first < range_end(b) && (uint64_t) b->first < range_end(a);
}

bool range_contains_id(const id_range *r, uint32_t id) {
        return id >= r->first && (uint64_t) id < range_end(r);
}

bool range_contains(const id_range *outer, const id_range *inner) {
        return inner->first >= outer->first && range_end(inner) <= range_end(outer);
}

static int cmp_first(const void *a, const void *b) {
        const id_range *x = a, *y = b;

        return (x->first > y->first) - (x->first < y->first);
}

bool ranges_cover(const id_range *held, size_t n_held, const id_range *want) {
        _cleanup_free_ id_range *sorted = NULL;
        uint64_t cursor = want->first, end = range_end(want);

        if (want->count == 0 || n_held == 0)
                return false;

        sorted = malloc(n_held * sizeof *sorted);
        if (!sorted)
                return false; /* fail closed */
        memcpy(sorted, held, n_held * sizeof *sorted);
        qsort(sorted, n_held, sizeof *sorted, cmp_first);

        /* Walk the sorted ranges, advancing the cursor through every range
         * that starts at or before it; a gap before the cursor reaches the
         * end means some wanted id is not held. */
        for (size_t i = 0; i < n_held && cursor < end; i++) {
                if (sorted[i].first > cursor)
                        break;
                if (range_end(&sorted[i]) > cursor)
                        cursor = range_end(&sorted[i]);
        }
        return cursor >= end;
}

void range_subtract(const id_range *a, const id_range *b, id_range ret[2], size_t *ret_n) {
        size_t n = 0;

        if (!ranges_overlap(a, b)) {
                ret[n++] = *a;
                *ret_n = n;
                return;
        }
        if (b->first > a->first)
                ret[n++] = (id_range) { a->first, b->first - a->first };
        if (range_end(b) < range_end(a))
                ret[n++] = (id_range) { (uint32_t) range_end(b), (uint32_t) (range_end(a) - range_end(b)) };
        *ret_n = n;
}

int range_parse(const char *s, id_range *ret) {
        char buf[32];
        const char *sep;
        uint32_t first, second;
        id_range r;
        int k;

        sep = strpbrk(s, "-:");
        if (!sep || strlen(s) >= sizeof buf)
                return -EINVAL;
        memcpy(buf, s, (size_t) (sep - s));
        buf[sep - s] = '\0';

        k = parse_id(buf, &first);
        if (k < 0)
                return k;
        if (*sep == '-') {
                k = parse_id(sep + 1, &second);
                if (k < 0)
                        return k;
                if (second < first)
                        return -EINVAL;
                r = (id_range) { first, second - first + 1 };
        } else {
                k = parse_count(sep + 1, &second);
                if (k < 0)
                        return k;
                r = (id_range) { first, second };
        }
        if (!range_is_valid(&r))
                return -ERANGE;
        *ret = r;
        return 0;
}

const char *id_kind_to_string(id_kind kind) {
        return kind == ID_KIND_UID ? "uid" : "gid";
}
