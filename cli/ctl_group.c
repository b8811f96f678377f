/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subidctl grant USER --group GROUP, subidctl group allow|deny. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "../common/proto.h"
#include "ctl_common.h"
#include "ctl_group.h"
#include "req_render.h"

void ctl_print_delegation(const char *prefix, json_object *d) {
        const char *user = req_string(d, "user"), *group = req_string(d, "group");

        printf("%sgroup %s (gid %lld) to %s (uid %lld)\n", prefix, group ? group : "?", (long long) req_int(d, "gid"),
               user ? user : "?", (long long) req_int(d, "uid"));
}

void ctl_print_recipe_for(json_object *data, const char *user) {
        json_object *recipe;

        if (!json_object_object_get_ex(data, "recipe", &recipe) || !json_object_is_type(recipe, json_type_object))
                return;
        printf("\nFor %s (who also sees this with `subid-request --status`):\n", user ? user : "the user");
        req_print_recipe(recipe, "  ");
}

/* `grant USER --group GROUP`: the whole grant argv, options parsed afresh. */
int ctl_delegate(int argc, char **argv) {
        static const struct option options[] = {
                { "group", required_argument, NULL, 'G' },
                { "json", no_argument, NULL, 'j' },
                { "subuids", required_argument, NULL, 'x' },
                { "subgids", required_argument, NULL, 'x' },
                { "count", required_argument, NULL, 'x' },
                { "force", no_argument, NULL, 'x' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_json_ json_object *data = NULL;
        json_object *args = NULL;
        const char *group = NULL;
        bool json = false;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'G':
                        if (group) {
                                log_error("option --group given twice");
                                return 1;
                        }
                        group = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'x':
                        log_error("grant: --group delegates one gid; it takes no --subuids, --subgids, --count or "
                                  "--force");
                        return 1;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("grant", argc, argv, opt);
                }
        }
        if (argc - optind != 1) {
                log_error("grant: expected exactly one USER (see subidctl --help)");
                return 1;
        }
        if (!group || !*group) {
                log_error("grant: --group needs a group name or gid");
                return 1;
        }

        if (ctl_args_new(&args) < 0)
                return 1;
        r = ctl_args_add_string(args, "user", argv[optind]);
        if (r >= 0)
                r = ctl_args_add_string(args, "group", group);
        if (r < 0) {
                json_object_put(args);
                return 1;
        }
        r = ctl_request("delegate", args, NULL, 0, CTL_TIMEOUT_MS, &data);
        if (r < 0)
                return 1;
        if (json)
                r = ctl_print_json(data);
        else {
                ctl_print_delegation("delegated ", data);
                ctl_print_recipe_for(data, req_string(data, "user"));
        }
        return r < 0 || ctl_flush("grant") < 0 ? 1 : 0;
}

static int group_allow(int argc, char **argv) {
        static const struct option options[] = {
                { "policy", required_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_json_ json_object *data = NULL;
        json_object *args = NULL;
        const char *policy = NULL, *name, *stored;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'p':
                        if (strcmp(optarg, "self") != 0 && strcmp(optarg, "approve") != 0) {
                                log_error("group allow: --policy must be 'self' (granted at once) or 'approve' (an "
                                          "administrator decides), not '%s'",
                                          optarg);
                                return 1;
                        }
                        policy = optarg;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("group allow", argc, argv, opt);
                }
        }
        if (argc - optind != 1) {
                log_error("group allow: expected exactly one GROUP (see subidctl --help)");
                return 1;
        }
        if (!policy) {
                log_error("group allow: --policy self|approve is required");
                return 1;
        }
        if (ctl_args_new(&args) < 0)
                return 1;
        r = ctl_args_add_string(args, "group", argv[optind]);
        if (r >= 0)
                r = ctl_args_add_string(args, "policy", policy);
        if (r < 0) {
                json_object_put(args);
                return 1;
        }
        r = ctl_request("group-allow", args, NULL, 0, CTL_TIMEOUT_MS, &data);
        if (r < 0)
                return 1;
        name = req_string(data, "group");
        stored = req_string(data, "policy");
        printf("members of group %s (gid %lld) may request its delegation with subid-request: %s\n",
               name ? name : "?", (long long) req_int(data, "gid"),
               stored && strcmp(stored, "self") == 0 ? "granted at once (policy self)"
                                                     : "an administrator approves each request (policy approve)");
        return ctl_flush("group allow") < 0 ? 1 : 0;
}

static int group_deny(int argc, char **argv) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_json_ json_object *data = NULL;
        json_object *args = NULL;
        const char *name;
        int64_t rejected;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("group deny", argc, argv, opt);
                }
        }
        if (argc - optind != 1) {
                log_error("group deny: expected exactly one GROUP (see subidctl --help)");
                return 1;
        }
        if (ctl_args_new(&args) < 0)
                return 1;
        if (ctl_args_add_string(args, "group", argv[optind]) < 0) {
                json_object_put(args);
                return 1;
        }
        r = ctl_request("group-deny", args, NULL, 0, CTL_TIMEOUT_MS, &data);
        if (r < 0)
                return 1;
        name = req_string(data, "group");
        rejected = req_int(data, "rejected_requests");
        printf("group %s (gid %lld) is closed to requests", name ? name : "?", (long long) req_int(data, "gid"));
        if (rejected > 0)
                printf("; %lld pending request%s rejected", (long long) rejected, rejected == 1 ? "" : "s");
        printf("\n(delegations already granted stay: subidctl revoke USER --group %s)\n", name ? name : "GROUP");
        return ctl_flush("group deny") < 0 ? 1 : 0;
}

int ctl_group(int argc, char **argv) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                ctl_usage(stdout);
                return 0;
        }
        if (argc < 2) {
                log_error("group: expected 'allow' or 'deny' (see subidctl --help)");
                return 1;
        }
        if (strcmp(argv[1], "allow") == 0)
                return group_allow(argc - 1, argv + 1);
        if (strcmp(argv[1], "deny") == 0)
                return group_deny(argc - 1, argv + 1);
        log_error("group: unknown subcommand '%s': expected 'allow' or 'deny'", argv[1]);
        return 1;
}
