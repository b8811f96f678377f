/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subidctl: the admin CLI. Today it works on the policy database directly
 * and must run as root; the commands live in cli/ctl_*.c and all database
 * logic in policy/, so moving the writes behind subid-admind later changes
 * only how each command reaches the library. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "ctl_common.h"
#include "paths.h"

typedef struct ctl_command {
        const char *name;
        int (*run)(int argc, char **argv);
} ctl_command;

static const ctl_command commands[] = {
        { "grant", ctl_grant },
        { "revoke", ctl_revoke },
        { "list", ctl_list },
        { "who-owns", ctl_who_owns },
        { "import", ctl_import },
};

/* Commands of DESIGN.md that later issues bring. */
static const char *const later[] = {
        "group", "requests", "approve", "reject", "sync", "doctor",
};

int main(int argc, char **argv) {
        log_set_program("subidctl");
        /* Everything subidctl creates (the database's directory, the
         * database, exported files) is meant to be world-readable: the
         * helpers read the database as the calling user. */
        umask(022);

        if (argc < 2) {
                log_error("missing command (see subidctl --help)");
                return 1;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                ctl_usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("subidctl %s\n", SUBID_VERSION);
                return 0;
        }

        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                if (strcmp(argv[1], commands[i].name) != 0)
                        continue;
                /* The real uid: a subidctl wrongly installed setuid root
                 * must not work for everyone. */
                if (getuid() != 0 || geteuid() != 0) {
                        log_error("must be run as root");
                        return 1;
                }
                return commands[i].run(argc - 1, argv + 1);
        }
        for (size_t i = 0; i < ELEMENTSOF(later); i++)
                if (strcmp(argv[1], later[i]) == 0) {
                        log_error("'%s' is not implemented yet", argv[1]);
                        return 1;
                }
        log_error("unknown command '%s' (see subidctl --help)", argv[1]);
        return 1;
}
