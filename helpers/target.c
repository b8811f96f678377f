/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/parse.h"

int target_spec_parse(const char *s, target_spec *ret) {
        int r;

        if (strncmp(s, "fd:", 3) == 0) {
                int fd;

                r = parse_fd(s + 3, &fd);
                if (r < 0)
                        return -EINVAL;
                *ret = (target_spec) { .pid = 0, .fd = fd };
                return 0;
        }

        pid_t pid;
        r = parse_pid(s, &pid);
        if (r < 0)
                return -EINVAL;
        *ret = (target_spec) { .pid = pid, .fd = -1 };
        return 0;
}

static int check_proc_dir(int fd, const char *display) {
        struct statfs sfs;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return log_error_errno(negative_errno(), "cannot stat target %s", display);
        if (!S_ISDIR(st.st_mode)) {
                log_error("target %s is not a /proc/PID directory", display);
                return -ENOTDIR;
        }
        if (fstatfs(fd, &sfs) < 0)
                return log_error_errno(negative_errno(), "cannot stat target %s", display);
        if (sfs.f_type != PROC_SUPER_MAGIC) {
                log_error("target %s is not on procfs", display);
                return -EXDEV;
        }
        /* Other procfs directories a user owns (/proc/PID/ns, fd, task,
         * net, ...) are no process, and a dead process's directory is
         * empty: neither has a uid_map. Say so here, rather than fail later
         * at the map after a warning about a missing setgroups. */
        if (fstatat(fd, "uid_map", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
                log_error("target %s is not the /proc/PID directory of a running process", display);
                return -ENOTDIR;
        }
        return 0;
}

int target_open(const target_spec *spec, const char *display, int *ret_dirfd) {
        _cleanup_close_ int pidfd = -1, dirfd = -1;
        char path[32];
        int r;

        if (spec->fd >= 0) {
                /* Re-open through the fd (not a path), close-on-exec, so the
                 * caller's fd number cannot be swapped under us. */
                dirfd = fcntl(spec->fd, F_DUPFD_CLOEXEC, 3);
                if (dirfd < 0)
                        return log_error_errno(negative_errno(), "target %s is not an open file descriptor", display);
                r = check_proc_dir(dirfd, display);
                if (r < 0)
                        return r;
                *ret_dirfd = TAKE_FD(dirfd);
                return 0;
        }

        pidfd = (int) syscall(SYS_pidfd_open, spec->pid, 0);
        if (pidfd < 0) {
                if (errno == ESRCH) {
                        log_error("target process %d does not exist", (int) spec->pid);
                        return -ESRCH;
                }
                if (errno != ENOSYS)
                        return log_error_errno(negative_errno(), "cannot open target process %d", (int) spec->pid);
                /* Kernels before 5.3: the /proc dirfd alone still pins the
                 * process, only the liveness cross-check is lost. */
        }

        snprintf(path, sizeof path, "/proc/%d", (int) spec->pid);
        dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dirfd < 0) {
                if (errno == ENOENT) {
                        log_error("target process %d does not exist", (int) spec->pid);
                        return -ESRCH;
                }
                return log_error_errno(negative_errno(), "cannot open %s", path);
        }
        r = check_proc_dir(dirfd, display);
        if (r < 0)
                return r;

        /* If the pidfd's process is still alive, its pid cannot have been
         * reused between pidfd_open() and open(), so the directory is the
         * same process's. */
        if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
                if (errno == ESRCH) {
                        log_error("target process %d exited", (int) spec->pid);
                        return -ESRCH;
                }
                /* EPERM: alive but not ours to signal; the owner check says why. */
                if (errno != EPERM)
                        return log_error_errno(negative_errno(), "cannot check target process %d",
                                               (int) spec->pid);
        }

        *ret_dirfd = TAKE_FD(dirfd);
        return 0;
}

int target_check_owner(int dirfd, const char *display, uid_t ruid, gid_t rgid, uid_t pw_uid, gid_t pw_gid) {
        struct stat st;

        if (fstat(dirfd, &st) < 0)
                return log_error_errno(negative_errno(), "cannot stat target %s", display);
        if (ruid != pw_uid || rgid != pw_gid || st.st_uid != ruid || st.st_gid != rgid) {
                log_error("target process %s is owned by a different user (uid %u gid %u, you are uid %u gid %u, "
                          "passwd says uid %u gid %u)",
                          display, (unsigned) st.st_uid, (unsigned) st.st_gid, (unsigned) ruid, (unsigned) rgid,
                          (unsigned) pw_uid, (unsigned) pw_gid);
                return -EPERM;
        }
        return 0;
}
