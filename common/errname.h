/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* "EEXIST" for -EEXIST (or EEXIST); "EIO" for anything unlisted. Stable
 * names for the protocol's error codes. */
const char *errno_name(int r);

/* The inverse: -errno for a name, -EIO for an unknown one. */
int errno_from_name(const char *name);
