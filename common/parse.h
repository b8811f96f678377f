/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

/* The one number parser of the project. Accepts only plain decimal digits:
 * no sign, no whitespace, no base prefix, no leading zero (so "010" is not
 * silently read as octal 8 the way strtoul(…, 0) would), and checks overflow
 * against max. Returns 0 and sets *ret, -EINVAL for malformed text, -ERANGE
 * when the value exceeds max. */
int parse_u64_max(const char *s, uint64_t max, uint64_t *ret);

/* A host id: 0 … 4294967294 ((uint32_t)-1 is the kernel's invalid id). */
int parse_id(const char *s, uint32_t *ret);

/* A count of ids: 1 … 4294967295. Zero is -EINVAL. */
int parse_count(const char *s, uint32_t *ret);

/* A file descriptor number: 0 … INT_MAX. */
int parse_fd(const char *s, int *ret);

/* A pid: 1 … INT_MAX. */
int parse_pid(const char *s, int *ret);
