/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <errno.h>
#include <stdlib.h>

/* Makes room for element n of *array (elements of size elem, *capacity of
 * them allocated), doubling the allocation. Returns 0 or -ENOMEM. */
static inline int grow_array(void **array, size_t n, size_t *capacity, size_t elem) {
        void *p;
        size_t c;

        if (n < *capacity)
                return 0;
        c = *capacity ? *capacity * 2 : 16;
        p = reallocarray(*array, c, elem);
        if (!p)
                return -ENOMEM;
        *array = p;
        *capacity = c;
        return 0;
}

#define GROW(array, n, capacity) grow_array((void **) &(array), (n), &(capacity), sizeof *(array))
