/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sys/types.h>

/* Creates path and any missing parent directories with mode (like mkdir -p).
 * Directories it creates get exactly mode, whatever the umask; existing
 * ones are left as they are. Returns 0 or -errno. */
int mkdir_p(const char *path, mode_t mode);

/* Creates the directory that holds file (its dirname) as mkdir_p does. */
int mkdir_parent_of(const char *file, mode_t mode);
