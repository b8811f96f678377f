/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mkdirp.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

/* mkdir() applies the umask; a directory we create gets exactly mode, so
 * that e.g. /etc's replacement stays readable by everyone under umask 077. */
static int mkdir_exact(const char *path, mode_t mode) {
        if (mkdir(path, mode) < 0)
                return errno == EEXIST ? 0 : negative_errno();
        if (chmod(path, mode) < 0)
                return negative_errno();
        return 0;
}

int mkdir_p(const char *path, mode_t mode) {
        char buf[PATH_MAX];
        size_t len = strlen(path);
        int r;

        if (len == 0)
                return -EINVAL;
        if (len >= sizeof buf)
                return -ENAMETOOLONG;
        memcpy(buf, path, len + 1);

        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                r = mkdir_exact(buf, mode);
                if (r < 0)
                        return r;
                *p = '/';
        }
        return mkdir_exact(buf, mode);
}

int mkdir_parent_of(const char *file, mode_t mode) {
        char buf[PATH_MAX];
        char *slash;

        if (snprintf(buf, sizeof buf, "%s", file) >= (int) sizeof buf)
                return -ENAMETOOLONG;
        slash = strrchr(buf, '/');
        if (!slash || slash == buf)
                return 0;
        *slash = '\0';
        return mkdir_p(buf, mode);
}
