/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ctl_common.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "paths.h"

void ctl_usage(FILE *f) {
        fputs("usage: subidctl COMMAND [ARGS]\n"
              "\n"
              "  grant USER [--count N] [--json]\n"
              "                            allocate fresh subuid and subgid ranges from the pool\n"
              "  grant USER --subuids FIRST-LAST [--subgids FIRST-LAST] [--force] [--json]\n"
              "  grant USER --subgids FIRST-LAST [--force] [--json]\n"
              "                            grant explicit subordinate ranges\n"
              "  grant USER --group GROUP [--json]\n"
              "                            delegate host group GROUP's gid to USER\n"
              "  revoke USER [--subuids FIRST-LAST] [--subgids FIRST-LAST] [--group GROUP] [--json]\n"
              "                            revoke (everything USER holds without options)\n"
              "  list [USER] [--json]      show who holds which ranges and delegations\n"
              "  who-owns ID [--gid] [--json]\n"
              "                            show which user holds host uid (gid) ID\n"
              "  import [--subuid FILE] [--subgid FILE] [--skip-bad]\n"
              "                            adopt shadow-format subuid/subgid files\n"
              "                            (default: " SUBID_SUBUID_PATH " and " SUBID_SUBGID_PATH ")\n"
              "  group allow GROUP --policy self|approve\n"
              "  group deny GROUP          let members of GROUP ask for its delegation, or stop it\n"
              "  requests [--all] [--json] show pending (or all) delegation requests\n"
              "  approve REQUEST-ID\n"
              "  reject REQUEST-ID [--reason TEXT]\n"
              "                            decide a delegation request\n"
              "  sync [--dry-run] [--json] reconcile with the user database: allocate for accounts\n"
              "                            holding nothing, quarantine deleted ones, follow renames,\n"
              "                            remove delegations of users who left the group\n"
              "  quarantine list [--json]  show ids taken back from revoked or deleted owners\n"
              "  quarantine release FIRST-LAST [--gid] [--json]\n"
              "                            let the pool hand out quarantined ids again\n"
              "  doctor [USER] [--json]    explain why USER can or cannot run rootless containers,\n"
              "                            with the command that fixes each problem\n"
              "  log [--user USER] [--since TIME] [--input FILE] [--json]\n"
              "                            the audit trail: helper runs and admind changes, allowed or\n"
              "                            refused (reads the audit log itself: root, or a copy as FILE);\n"
              "                            TIME: today, recent, yesterday, this-week, week-ago, this-month,\n"
              "                            this-year, YYYY-MM-DD [HH:MM[:SS]], HH:MM[:SS], epoch seconds\n"
              "\n"
              "  --help, --version\n"
              "\n"
              "Every command but log is carried out by subid-admind (" SUBID_SOCKET_PATH "),\n"
              "for root and members of group subidadm.\n",
              f);
}

int ctl_option_error(const char *command, int argc, char **argv, int opt) {
        const char *arg = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : "?";

        if (opt == ':')
                log_error("%s: option %s needs an argument", command, arg);
        else if (optopt != 0)
                log_error("%s: unknown option -%c (see subidctl --help)", command, optopt);
        else
                log_error("%s: unknown option %s (see subidctl --help)", command, arg);
        return 1;
}

int ctl_parse_json_only(const char *command, int argc, char **argv, bool *ret_json, bool *ret_help) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt;

        *ret_json = *ret_help = false;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (opt) {
                case 'j':
                        *ret_json = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        *ret_help = true;
                        return 0;
                default:
                        (void) ctl_option_error(command, argc, argv, opt);
                        return -EINVAL;
                }
        return 0;
}

int ctl_parse_range(const char *option, const char *arg, id_range *ret) {
        int r = range_parse(arg, ret);

        if (r == -ERANGE) {
                log_error("invalid range '%s' for %s: ids go from 0 to %u", arg, option, ID_MAX);
                return r;
        }
        if (r < 0) {
                log_error("invalid range '%s' for %s: expected FIRST-LAST (inclusive, decimal)", arg, option);
                return r;
        }
        return 0;
}

int ctl_parse_range_once(const char *option, const char *arg, bool *seen, id_range *ret) {
        int r;

        if (*seen) {
                log_error("option %s given twice", option);
                return -EINVAL;
        }
        r = ctl_parse_range(option, arg, ret);
        if (r < 0)
                return r;
        *seen = true;
        return 0;
}

int ctl_print_json(json_object *o) {
        const char *text = json_object_to_json_string_ext(
                o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

        if (!text)
                return log_error_errno(-ENOMEM, "cannot format JSON");
        if (puts(text) == EOF)
                return log_error_errno(-EIO, "cannot write output");
        return 0;
}

int ctl_flush(const char *command) {
        if (fflush(stdout) != 0) {
                log_error("%s: cannot write output", command);
                return -EIO;
        }
        return 0;
}
