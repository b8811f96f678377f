/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Scope-bound cleanup: the variable is released on every return path. */
#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void closep(const int *fd) {
        if (*fd >= 0)
                close(*fd);
}

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Move ownership out of a cleanup-scoped variable. */
#define TAKE_PTR(p)                                     \
        ({                                              \
                __typeof__(p) _taken_ = (p);            \
                (p) = NULL;                             \
                _taken_;                                \
        })

#define TAKE_FD(fd)                                     \
        ({                                              \
                int _taken_fd_ = (fd);                  \
                (fd) = -1;                              \
                _taken_fd_;                             \
        })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
