/* SPDX-License-Identifier: GPL-2.0-or-later */
/* audit-send success|failed TEXT: sends one AUDIT_USER_MGMT record with
 * message TEXT through libaudit, as subid-admind does, so that tests of
 * `subidctl log` can write admind's records without the daemon. Needs
 * CAP_AUDIT_WRITE; the kernel stamps the caller's loginuid as auid. */
#include <errno.h>
#include <libaudit.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
        int fd, r;

        if (argc != 3 || (strcmp(argv[1], "success") != 0 && strcmp(argv[1], "failed") != 0)) {
                fprintf(stderr, "usage: audit-send success|failed TEXT\n");
                return 2;
        }
        fd = audit_open();
        if (fd < 0) {
                fprintf(stderr, "audit-send: cannot open the audit socket: %s\n", strerror(errno));
                return 1;
        }
        r = audit_log_user_message(fd, AUDIT_USER_MGMT, argv[2], NULL, NULL, "", strcmp(argv[1], "success") == 0);
        close(fd);
        if (r <= 0) {
                fprintf(stderr, "audit-send: the record was not sent (%d)\n", r);
                return 1;
        }
        return 0;
}
