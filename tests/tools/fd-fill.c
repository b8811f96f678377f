/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fd-fill: starts a program with its fd table full, for
 * tests/integration/t_helper_adversarial.sh.
 *
 *   fd-fill LIMIT FREE PROGRAM [ARG...]
 *
 * Sets the soft RLIMIT_NOFILE to LIMIT (0: leave it), opens /dev/null
 * (without close-on-exec) until only FREE fds below the limit are left,
 * then execs PROGRAM: it starts with LIMIT - FREE open fds it did not ask
 * for. Exit status 2 when that cannot be arranged. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../../common/parse.h"

int main(int argc, char **argv) {
        struct rlimit rl;
        uint64_t limit, free_fds;
        long opened = 0;

        if (argc < 4 || parse_u64_max(argv[1], 1 << 20, &limit) < 0 || parse_u64_max(argv[2], 1 << 20, &free_fds) < 0) {
                fprintf(stderr, "usage: fd-fill LIMIT FREE PROGRAM [ARG...]\n");
                return 2;
        }
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return 2;
        if (limit > 0) {
                rl.rlim_cur = limit;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
                        fprintf(stderr, "fd-fill: setrlimit: %s\n", strerror(errno));
                        return 2;
                }
        }
        for (;;) {
                int fd = open("/dev/null", O_RDONLY);

                if (fd < 0) {
                        if (errno != EMFILE) {
                                fprintf(stderr, "fd-fill: open: %s\n", strerror(errno));
                                return 2;
                        }
                        break;
                }
                opened++;
        }
        /* Now full: give back the FREE highest ones. */
        for (long fd = (long) rl.rlim_cur - 1; free_fds > 0 && fd >= 3; fd--, free_fds--)
                close((int) fd);
        execv(argv[3], argv + 3);
        fprintf(stderr, "fd-fill: exec %s: %s\n", argv[3], strerror(errno));
        return 2;
}
