/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "../policy/config.h"
#include "../policy/db.h"
#include "../policy/export.h"
#include "audit.h"
#include "paths.h"
#include "server.h"

static void help(void) {
        printf("usage: subid-admind [--foreground]\n"
               "\n"
               "The subid admin daemon: the only writer of the policy database\n"
               "(%s). Serves subidctl and subid-request on %s.\n"
               "Runs in the foreground; ready once the socket exists.\n"
               "\n"
               "  --foreground   run in the foreground (the default; accepted for scripts)\n"
               "  --help         show this help\n"
               "  --version      show the version\n",
               SUBID_DB_PATH, SUBID_SOCKET_PATH);
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "foreground", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        static const export_paths paths = { .subuid = SUBID_SUBUID_PATH, .subgid = SUBID_SUBGID_PATH };
        _cleanup_db_ sqlite3 *db = NULL;
        subid_config settings;
        int c, r;

        log_set_program("subid-admind");
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        break;
                case 'h':
                        help();
                        return 0;
                case 'V':
                        printf("subid-admind (subid) %s\n", SUBID_VERSION);
                        return 0;
                default:
                        log_error("unknown option; see --help");
                        return 1;
                }
        if (optind < argc) {
                log_error("unexpected argument '%s'; see --help", argv[optind]);
                return 1;
        }
        if (geteuid() != 0) {
                log_error("must run as root");
                return 1;
        }
        /* Line-buffered so a supervisor's log sees each line at once. */
        setvbuf(stderr, NULL, _IOLBF, 0);

        r = config_load(SUBID_CONFIG_PATH, &settings);
        if (r < 0)
                return 1;
        /* Whatever the caller's umask, files we create are readable by the
         * helpers (they run as the calling user). */
        umask(022);
        r = policy_db_open_rw(SUBID_DB_PATH, &db);
        if (r < 0)
                return 1;

        admind_audit_init();
        server_config config = {
                .socket_path = SUBID_SOCKET_PATH,
                .db = db,
                .config = &settings,
                .export_paths = &paths,
        };
        r = server_run(&config);
        return r < 0 ? 1 : 0;
}
