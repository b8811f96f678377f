/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "../policy/authorize.h"

/* The kernel accepts at most this many lines in a uid_map/gid_map (4.15+). */
#define MAP_MAX_EXTENTS 340

/* Parses the triples of newuidmap/newgidmap's argv (everything after the
 * target) into *ret. Refuses what shadow 4.13 lets through to the kernel or
 * gets wrong: a count that is not a multiple of three or zero triples,
 * numbers with signs, spaces, base prefixes or leading zeros, count 0,
 * ids that overflow 32 bits (CVE-2016-6252), more than 340 extents, and
 * overlapping upper or lower ranges. On failure writes a one-line reason to
 * err and returns -EINVAL or -E2BIG. */
int mapargs_parse(int argc, char *const *argv, id_mapping **ret, size_t *ret_n, char *err, size_t err_size);
