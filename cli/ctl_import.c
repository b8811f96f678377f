/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "../common/log.h"
#include "../policy/db.h"
#include "../policy/import.h"
#include "ctl_common.h"

static void import_set_donep(import_set *s) {
        import_set_done(s);
}

/* A file named on the command line must exist; a default one that does not
 * simply has nothing to import. */
static int parse_source(import_set *s, const char *path, id_kind kind, bool is_default) {
        int r = import_parse_file(s, path, kind);

        if (r == -ENOENT && is_default)
                return 0;
        if (r == -ENOENT)
                return log_error_errno(r, "import: cannot open %s", path);
        return r;
}

int ctl_import(int argc, char **argv) {
        static const struct option options[] = {
                { "subuid", required_argument, NULL, 'u' },
                { "subgid", required_argument, NULL, 'g' },
                { "skip-bad", no_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        __attribute__((cleanup(import_set_donep))) import_set set = {};
        _cleanup_db_ sqlite3 *db = NULL;
        _cleanup_accounts_ accounts acc = {};
        const export_paths *paths = ctl_export_paths();
        const char *subuid = NULL, *subgid = NULL;
        import_result result = {};
        bool skip_bad = false, defaults;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'u':
                case 'g': {
                        const char **slot = opt == 'u' ? &subuid : &subgid;

                        if (*slot) {
                                log_error("option --%s given twice", opt == 'u' ? "subuid" : "subgid");
                                return 1;
                        }
                        if (optarg[0] == '\0') {
                                log_error("import: --%s needs a file name", opt == 'u' ? "subuid" : "subgid");
                                return 1;
                        }
                        *slot = optarg;
                        break;
                }
                case 's':
                        skip_bad = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("import", argc, argv, opt);
                }
        }
        if (optind < argc) {
                log_error("import: unexpected argument '%s' (see subidctl --help)", argv[optind]);
                return 1;
        }

        /* Files are read completely before anything is written: the
         * default sources are the very files the import re-exports. */
        defaults = !subuid && !subgid;
        if (defaults) {
                subuid = paths->subuid;
                subgid = paths->subgid;
        }
        if (subuid && parse_source(&set, subuid, ID_KIND_UID, defaults) < 0)
                return 1;
        if (subgid && parse_source(&set, subgid, ID_KIND_GID, defaults) < 0)
                return 1;

        r = ctl_open_db(&db);
        if (r < 0)
                return 1;
        r = accounts_load_nss(&acc);
        if (r < 0)
                return 1;
        r = policy_import(db, &set, &acc, &(import_options) { .skip_bad = skip_bad, .admin_uid = (uint32_t) getuid() },
                          paths, &result);
        if (r < 0)
                return 1;

        for (size_t i = 0; i < set.n_refusals; i++)
                log_error("%s:%zu: %s", set.sources[set.refusals[i].source], set.refusals[i].line,
                          set.refusals[i].reason);
        if (result.refused > 0 && !skip_bad) {
                log_error("import refused: %zu bad %s, nothing imported (fix them, or use --skip-bad)",
                          result.refused, result.refused == 1 ? "entry" : "entries");
                return 1;
        }
        printf("imported %zu subuid %s, %zu subgid %s, %zu %s; %zu already present",
               result.ranges[ID_KIND_UID], result.ranges[ID_KIND_UID] == 1 ? "range" : "ranges",
               result.ranges[ID_KIND_GID], result.ranges[ID_KIND_GID] == 1 ? "range" : "ranges",
               result.delegations, result.delegations == 1 ? "delegation" : "delegations", result.present);
        if (result.duplicates > 0)
                printf(", %zu duplicate %s skipped", result.duplicates, result.duplicates == 1 ? "line" : "lines");
        if (result.reclaimed > 0)
                printf(", %zu reclaimed from quarantine", result.reclaimed);
        if (result.refused > 0)
                printf(", %zu refused", result.refused);
        printf("\n");
        if (fflush(stdout) != 0) {
                log_error("import: cannot write output");
                return 1;
        }
        return result.refused > 0 ? 1 : 0;
}
