/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libpreload-marker.so: an LD_PRELOAD library whose constructor creates
 * the file named by $SUBIDT_MARKER, for
 * tests/integration/t_helper_adversarial.sh. The helpers must never run
 * it: their file capabilities make the loader ignore LD_PRELOAD (AT_SECURE).
 * A plain program run with it creates the file, which proves it works. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void mark(void) {
        const char *path = getenv("SUBIDT_MARKER");
        int fd;

        if (!path)
                return;
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
                if (write(fd, "loaded\n", 7) != 7)
                        unlink(path);
                close(fd);
        }
}
