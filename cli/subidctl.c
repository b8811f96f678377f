/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subidctl: the admin CLI. Every command is a request to subid-admind, the
 * only writer of the policy database; the daemon decides from the
 * kernel's view of the caller (uid 0 or group subidadm) whether it may.
 * The commands live in cli/ctl_*.c. */
#include <stdio.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "ctl_common.h"
#include "paths.h"

typedef struct ctl_command {
        const char *name;
        int (*run)(int argc, char **argv);
} ctl_command;

static const ctl_command commands[] = {
        { "grant", ctl_grant },       { "revoke", ctl_revoke },     { "list", ctl_list },
        { "who-owns", ctl_who_owns }, { "import", ctl_import },     { "group", ctl_group },
        { "requests", ctl_requests }, { "approve", ctl_approve },   { "reject", ctl_reject },
        { "sync", ctl_sync },         { "quarantine", ctl_quarantine }, { "doctor", ctl_doctor },
        { "log", ctl_log },
};


int main(int argc, char **argv) {
        log_set_program("subidctl");

        if (argc < 2) {
                log_error("missing command (see subidctl --help)");
                return 1;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                ctl_usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("subidctl (subid) %s\n", SUBID_VERSION);
                return 0;
        }

        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        return commands[i].run(argc - 1, argv + 1);
        log_error("unknown command '%s' (see subidctl --help)", argv[1]);
        return 1;
}
