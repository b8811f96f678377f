/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Host ids are 32-bit and (uint32_t)-1 is never a valid id, so a range's
 * last id is at most 4294967294 and first + count never exceeds UINT32_MAX. */
#define ID_MAX ((uint32_t) UINT32_MAX - 1)

typedef struct id_range {
        uint32_t first;
        uint32_t count;
} id_range;

/* End of the range, exclusive, computed without overflow. */
static inline uint64_t range_end(const id_range *r) {
        return (uint64_t) r->first + r->count;
}

static inline uint32_t range_last(const id_range *r) {
        return (uint32_t) (range_end(r) - 1);
}

/* count ≥ 1 and the last id ≤ ID_MAX. */
bool range_is_valid(const id_range *r);
bool ranges_overlap(const id_range *a, const id_range *b);
bool range_contains_id(const id_range *r, uint32_t id);
bool range_contains(const id_range *outer, const id_range *inner);

/* Whether want lies entirely inside the union of held, where held ranges may
 * touch end to start ("chaining", as shadow's have_range allows) or overlap.
 * held need not be sorted. */
bool ranges_cover(const id_range *held, size_t n_held, const id_range *want);

/* a minus b: zero, one or two pieces, written to ret[0..*ret_n). */
void range_subtract(const id_range *a, const id_range *b, id_range ret[2], size_t *ret_n);

/* Parses "FIRST-LAST" (inclusive, as usermod --add-subuids takes it) or
 * "FIRST:COUNT". Returns 0, -EINVAL or -ERANGE. */
int range_parse(const char *s, id_range *ret);

typedef enum id_kind {
        ID_KIND_UID,
        ID_KIND_GID,
} id_kind;

/* "uid" / "gid", as stored in the database's kind column. */
const char *id_kind_to_string(id_kind kind);
