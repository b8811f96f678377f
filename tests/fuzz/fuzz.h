/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c). Each target is linked
 * either with libFuzzer (make fuzz) or with tests/fuzz/replay.c, which
 * feeds it the files of its corpus and regressions (make check). */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a crash, so the fuzzer keeps the input. */
#define FUZZ_ASSERT(cond)                                                                             \
        do {                                                                                          \
                if (!(cond)) {                                                                        \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                      \
                }                                                                                     \
        } while (0)
