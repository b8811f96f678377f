/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../policy/authorize.h"

/* Renders the map as the kernel wants it ("UPPER LOWER COUNT\n" lines).
 * Returns the length, or -E2BIG if it would not fit in limit bytes (the
 * kernel takes a map only in one write shorter than a page). */
int map_format(const id_mapping *maps, size_t n, char *buf, size_t limit);

/* Writes "deny" to the target's setgroups unless it already says so;
 * no-op (with a warning) on kernels without the file. */
int setgroups_deny(int dirfd);

/* Opens map_file ("uid_map"/"gid_map") relative to the target's /proc
 * directory and writes the whole map in exactly one write(2). The needed
 * capability must be effective: the kernel checks it at open and at write. */
int map_write_once(int dirfd, const char *map_file, const char *buf, size_t len);
