/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Who is on the other end of a connection, as the kernel says: nothing a
 * client sends is ever used to identify it. */
typedef struct peer_identity {
        pid_t pid;
        uid_t uid;
        gid_t gid;
        int pidfd;         /* pins the peer process: SO_PEERPIDFD, or pidfd_open() on older kernels */
        bool pidfd_exact;  /* true when the kernel gave the pidfd (no pid-reuse window) */
        gid_t *groups;     /* supplementary groups at connect time (SO_PEERGROUPS) */
        int n_groups;
} peer_identity;

/* Reads SO_PEERCRED, SO_PEERPIDFD (falling back to pidfd_open) and
 * SO_PEERGROUPS of a connected socket. */
int peer_identity_read(int sock, peer_identity *ret);
void peer_identity_done(peer_identity *p);

/* 0 while the peer process is alive, -ESRCH once it has exited (its pid
 * may then belong to someone else). */
int peer_alive(const peer_identity *p);

/* The peer's loginuid (the kernel's audit login uid, UINT32_MAX when
 * unset), read now from its /proc entry. The /proc/PID directory is opened
 * first and the pidfd checked after: if the process is still alive then,
 * the directory was its own and not that of a process that got its pid
 * later. -ESRCH when the peer has exited. */
int peer_loginuid(const peer_identity *p, uint32_t *ret);

/* Whether the peer had gid among its groups (primary or supplementary)
 * when it connected. */
bool peer_in_group(const peer_identity *p, gid_t gid);
