/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subid-request: a user asks subid-admind for the delegation of a group
 * they belong to, or for their own range, or shows their status. It runs
 * unprivileged: the daemon knows who asks from the socket (the kernel's
 * SO_PEERCRED), so nothing here can name another user. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "../common/proto.h"
#include "ctl_common.h"
#include "paths.h"
#include "req_status.h"

static void usage(FILE *f) {
        fputs("usage: subid-request [--group GROUP] [--json]\n"
              "       subid-request --status [--json]\n"
              "\n"
              "  --group GROUP   ask for the delegation of host group GROUP (a group you\n"
              "                  are a member of), to map it into rootless containers;\n"
              "                  prints the podman commands once it is granted\n"
              "  (no option)     ask for your own subordinate uid and gid range (when the\n"
              "                  administrator enabled self-service)\n"
              "  --status        show your ranges, delegations and requests\n"
              "  --json          print the answer of subid-admind as JSON\n"
              "  --help, --version\n"
              "\n"
              "Requests go to subid-admind (" SUBID_SOCKET_PATH "), which acts only\n"
              "on the account of the user running this command.\n",
              f);
}

static int option_error(int argc, char **argv, int opt) {
        const char *arg = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : "?";

        if (opt == ':')
                log_error("option %s needs an argument", arg);
        else if (optopt != 0)
                log_error("unknown option -%c (see subid-request --help)", optopt);
        else
                log_error("unknown option %s (see subid-request --help)", arg);
        return 1;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "group", required_argument, NULL, 'g' },
                { "status", no_argument, NULL, 's' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        _cleanup_json_ json_object *data = NULL;
        json_object *args = NULL;
        const char *group = NULL, *op;
        bool status = false, json = false;
        int opt, r;

        log_set_program("subid-request");
        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'g':
                        if (group) {
                                log_error("option --group given twice");
                                return 1;
                        }
                        if (!*optarg) {
                                log_error("--group needs a group name or gid");
                                return 1;
                        }
                        group = optarg;
                        break;
                case 's':
                        status = true;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'V':
                        printf("subid-request (subid) %s\n", SUBID_VERSION);
                        return 0;
                default:
                        return option_error(argc, argv, opt);
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s' (see subid-request --help)", argv[optind]);
                return 1;
        }
        if (status && group) {
                log_error("--status and --group do not go together");
                return 1;
        }

        if (ctl_args_new(&args) < 0)
                return 1;
        if (group && ctl_args_add_string(args, "group", group) < 0) {
                json_object_put(args);
                return 1;
        }
        op = status ? "status" : "request";
        r = ctl_request(op, args, NULL, 0, CTL_TIMEOUT_MS, &data);
        if (r < 0)
                return 1;
        if (json)
                r = ctl_print_json(data);
        else if (status)
                req_print_status(data);
        else if (group)
                req_print_group_reply(data);
        else
                req_print_range_reply(data);
        return r < 0 || ctl_flush(op) < 0 ? 1 : 0;
}
