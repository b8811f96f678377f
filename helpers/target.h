/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sys/types.h>

/* The process whose maps are written, named as shadow names it: "PID", or
 * "fd:N" for an fd open on a /proc/PID directory. */
typedef struct target_spec {
        pid_t pid; /* > 0 for the PID form */
        int fd;    /* ≥ 0 for the fd:N form */
} target_spec;

/* Parses argv[1]. Returns 0 or -EINVAL. */
int target_spec_parse(const char *s, target_spec *ret);

/* Opens the target's /proc directory and returns a directory fd that stays
 * bound to that one process (if it exits, every later openat() fails, so a
 * reused pid can never receive the map). For the PID form a pidfd is taken
 * first and checked alive after the directory is open. Refuses anything
 * that is not a procfs directory. Logs and returns -errno. */
int target_open(const target_spec *spec, const char *display, int *ret_dirfd);

/* The shadow ownership rule: the caller's real uid and real gid must be
 * its passwd entry's and the target's /proc directory's owner (that is, the
 * target's effective ids). Logs and returns -EPERM on mismatch. */
int target_check_owner(int dirfd, const char *display, uid_t ruid, gid_t rgid, uid_t pw_uid, gid_t pw_gid);
