/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mapwrite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"

int map_format(const id_mapping *maps, size_t n, char *buf, size_t limit) {
        size_t len = 0;

        for (size_t i = 0; i < n; i++) {
                int k = snprintf(buf + len, limit - len, "%u %u %u\n", maps[i].upper, maps[i].lower, maps[i].count);

                if (k < 0 || (size_t) k >= limit - len)
                        return -E2BIG;
                len += (size_t) k;
        }
        /* "Shorter than a page", and our own int return. */
        if (len == 0 || len > 0x7fffffff)
                return -EINVAL;
        return (int) len;
}

int setgroups_deny(int dirfd) {
        _cleanup_close_ int fd = -1;
        char current[16] = "";
        ssize_t k;

        fd = openat(dirfd, "setgroups", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT) {
                        log_warning("kernel has no setgroups restriction");
                        return 0;
                }
                return log_error_errno(negative_errno(), "cannot open the target's setgroups");
        }
        k = read(fd, current, sizeof current - 1);
        if (k < 0)
                return log_error_errno(negative_errno(), "cannot read the target's setgroups");
        /* setgroups is write-once once a map exists; don't rewrite a deny. */
        if (strncmp(current, "deny", 4) == 0)
                return 0;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return log_error_errno(negative_errno(), "cannot rewind the target's setgroups");
        k = write(fd, "deny\n", 5);
        if (k != 5)
                return log_error_errno(k < 0 ? negative_errno() : -EIO, "cannot set the target's setgroups to deny");
        return 0;
}

int map_write_once(int dirfd, const char *map_file, const char *buf, size_t len) {
        _cleanup_close_ int fd = -1;
        ssize_t k;

        fd = openat(dirfd, map_file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot open the target's %s", map_file);
        k = write(fd, buf, len);
        if (k < 0)
                return log_error_errno(negative_errno(), "write to the target's %s failed", map_file);
        if ((size_t) k != len) {
                log_error("write to the target's %s was short (%zd of %zu bytes)", map_file, k, len);
                return -EIO;
        }
        return 0;
}
