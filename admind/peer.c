/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "peer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/parse.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux 6.5 */
#endif

/* More supplementary groups than this is refused rather than truncated. */
#define PEER_MAX_GROUPS 65536

static int read_groups(int sock, gid_t **ret, int *ret_n) {
        socklen_t len = 64 * sizeof(gid_t);

        for (;;) {
                gid_t *g = malloc(len);
                socklen_t got = len;

                if (!g)
                        return -ENOMEM;
                if (getsockopt(sock, SOL_SOCKET, SO_PEERGROUPS, g, &got) == 0) {
                        *ret = g;
                        *ret_n = (int) (got / sizeof(gid_t));
                        return 0;
                }
                free(g);
                /* ERANGE: the kernel told us the size it needs in got. */
                if (errno != ERANGE || got <= len || got > PEER_MAX_GROUPS * sizeof(gid_t))
                        return negative_errno();
                len = got;
        }
}

int peer_identity_read(int sock, peer_identity *ret) {
        struct ucred cred;
        socklen_t len = sizeof cred;
        peer_identity p = { .pidfd = -1 };
        int pidfd = -1, r;

        if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return negative_errno();
        if (cred.pid <= 0)
                return -ESRCH; /* peer in a pid namespace we cannot see */

        len = sizeof pidfd;
        if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 && pidfd >= 0)
                p.pidfd_exact = true;
        else {
                /* Older kernel: pin the pid now and check below that the
                 * process is still the peer's (still alive). */
                pidfd = (int) syscall(SYS_pidfd_open, cred.pid, 0);
                if (pidfd < 0)
                        return negative_errno();
        }
        p.pid = cred.pid;
        p.uid = cred.uid;
        p.gid = cred.gid;
        p.pidfd = pidfd;

        r = read_groups(sock, &p.groups, &p.n_groups);
        if (r < 0) {
                peer_identity_done(&p);
                return r;
        }
        r = peer_alive(&p);
        if (r < 0) {
                peer_identity_done(&p);
                return r;
        }
        *ret = p;
        return 0;
}

void peer_identity_done(peer_identity *p) {
        if (p->pidfd >= 0)
                close(p->pidfd);
        free(p->groups);
        *p = (peer_identity) { .pidfd = -1 };
}

int peer_alive(const peer_identity *p) {
        struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };

        if (syscall(SYS_pidfd_send_signal, p->pidfd, 0, NULL, 0) == 0)
                return 0;
        /* EPERM means alive but not ours to signal; we are root, so rare. */
        if (errno == EPERM)
                return 0;
        /* ENOSYS with a pidfd in hand: no real kernel, but a seccomp
         * filter or an emulator (valgrind 3.19) that does not know the
         * call. A pidfd polls readable once its process has exited. */
        if (errno == ENOSYS && poll(&pfd, 1, 0) == 0)
                return 0;
        return -ESRCH;
}

int peer_loginuid(const peer_identity *p, uint32_t *ret) {
        _cleanup_close_ int dir = -1, fd = -1;
        char path[32], buf[16];
        uint64_t v;
        ssize_t n;

        snprintf(path, sizeof path, "/proc/%d", (int) p->pid);
        dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return errno == ENOENT ? -ESRCH : negative_errno();
        /* Alive now: then it was alive when dir was opened, and its pid
         * cannot have been anyone else's. */
        if (peer_alive(p) < 0)
                return -ESRCH;
        fd = openat(dir, "loginuid", O_RDONLY | O_CLOEXEC);
        n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (n < 0) {
                int r = negative_errno();

                /* It may have exited since; else a kernel without audit
                 * has no loginuid file: nobody's loginuid is set. */
                if (peer_alive(p) < 0)
                        return -ESRCH;
                if (fd < 0 && r == -ENOENT) {
                        *ret = UINT32_MAX;
                        return 0;
                }
                return r;
        }
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        if (parse_u64_max(buf, UINT32_MAX, &v) < 0)
                return -EIO;
        *ret = (uint32_t) v;
        return 0;
}

bool peer_in_group(const peer_identity *p, gid_t gid) {
        if (p->gid == gid)
                return true;
        for (int i = 0; i < p->n_groups; i++)
                if (p->groups[i] == gid)
                        return true;
        return false;
}
