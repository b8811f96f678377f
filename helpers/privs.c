/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "privs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"

static inline void cap_freep(cap_t *c) {
        if (*c)
                cap_free(*c);
}
#define _cleanup_cap_ __attribute__((cleanup(cap_freep)))

int ensure_stdio_open(void) {
        for (int fd = 0; fd <= 2; fd++) {
                int n;

                if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
                        continue;
                n = open("/dev/null", O_RDWR);
                if (n < 0)
                        return negative_errno();
                /* open returns the lowest free fd, which is this one. */
                if (n != fd) {
                        close(n);
                        return -EBADF;
                }
        }
        return 0;
}

static int close_from_to(unsigned first, unsigned last) {
        if (first > last)
                return 0;
        if (syscall(SYS_close_range, first, last, 0) == 0)
                return 0;
        if (errno != ENOSYS)
                return negative_errno();
        /* Kernels before 5.9: close one by one up to the fd limit. */
        for (long fd = first, max = sysconf(_SC_OPEN_MAX); fd <= (long) last && fd < max; fd++)
                (void) close((int) fd);
        return 0;
}

int close_inherited_fds(int keep) {
        int r;

        if (keep < 3)
                return close_from_to(3, ~0U);
        r = close_from_to(3, (unsigned) keep - 1);
        if (r < 0)
                return r;
        return close_from_to((unsigned) keep + 1, ~0U);
}

int sanitize_process(void) {
        if (clearenv() != 0)
                return -ENOMEM;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return negative_errno();
        /* The file-capability exec already made us non-dumpable; say it
         * explicitly so nothing later (e.g. a setuid/setgid call) resets it. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return negative_errno();
        return 0;
}

bool capability_permitted(cap_value_t cap) {
        _cleanup_cap_ cap_t caps = cap_get_proc();
        cap_flag_value_t v = CAP_CLEAR;

        if (!caps)
                return false;
        if (cap_get_flag(caps, cap, CAP_PERMITTED, &v) < 0)
                return false;
        return v == CAP_SET;
}

int capabilities_restrict(const cap_value_t *keep, int n_keep) {
        _cleanup_cap_ cap_t current = cap_get_proc(), caps = cap_init(); /* caps: all clear */
        cap_value_t permitted[8];
        int n = 0;

        if (!current || !caps)
                return negative_errno();
        /* One snapshot of the current sets, not a capget per capability. */
        for (int i = 0; i < n_keep && n < (int) ELEMENTSOF(permitted); i++) {
                cap_flag_value_t v = CAP_CLEAR;

                if (cap_get_flag(current, keep[i], CAP_PERMITTED, &v) == 0 && v == CAP_SET)
                        permitted[n++] = keep[i];
        }
        if (n > 0 && cap_set_flag(caps, CAP_PERMITTED, n, permitted, CAP_SET) < 0)
                return negative_errno();
        if (cap_set_proc(caps) < 0)
                return negative_errno();
        /* One prctl instead of libcap's loop over every capability: this
         * runs on every container start. EINVAL: no ambient set (< 4.3). */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return negative_errno();
        return 0;
}

int capabilities_set_effective(const cap_value_t *set, int n) {
        _cleanup_cap_ cap_t caps = cap_get_proc();

        if (!caps)
                return negative_errno();
        if (cap_clear_flag(caps, CAP_EFFECTIVE) < 0)
                return negative_errno();
        if (n > 0 && cap_set_flag(caps, CAP_EFFECTIVE, n, set, CAP_SET) < 0)
                return negative_errno();
        if (cap_set_proc(caps) < 0)
                return negative_errno();
        return 0;
}

int capabilities_keep_only(const cap_value_t *set, int n) {
        _cleanup_cap_ cap_t caps = cap_init(); /* all clear */

        if (!caps)
                return negative_errno();
        if (n > 0 && (cap_set_flag(caps, CAP_PERMITTED, n, set, CAP_SET) < 0 ||
                      cap_set_flag(caps, CAP_EFFECTIVE, n, set, CAP_SET) < 0))
                return negative_errno();
        if (cap_set_proc(caps) < 0)
                return negative_errno();
        return 0;
}

int capabilities_drop_all(void) {
        _cleanup_cap_ cap_t caps = cap_init();

        if (!caps)
                return negative_errno();
        if (cap_set_proc(caps) < 0)
                return negative_errno();
        return 0;
}
