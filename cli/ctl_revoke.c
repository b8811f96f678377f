/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "../common/proto.h"
#include "../policy/grant.h"
#include "ctl_common.h"

static int print_item(json_object *it, const char *user, uint32_t uid) {
        const char *type, *group;
        id_range range;
        id_kind kind;
        uint32_t gid;

        if (ctl_reply_string(it, "type", &type) < 0)
                return -EBADMSG;
        if (strcmp(type, "range") == 0) {
                if (ctl_reply_kind(it, "kind", &kind) < 0 || ctl_reply_range(it, &range) < 0)
                        return -EBADMSG;
                printf("revoked %s %u-%u (%u) from %s (uid %u), now quarantined\n", id_kind_to_plural(kind),
                       range.first, range_last(&range), range.count, user, uid);
                return 0;
        }
        if (ctl_reply_u32(it, "gid", &gid) < 0 || ctl_reply_string(it, "group", &group) < 0)
                return -EBADMSG;
        printf("revoked delegation of gid %u (%s) from %s (uid %u)\n", gid, group, user, uid);
        return 0;
}

static int print_result(json_object *data) {
        json_object *items;
        const char *user;
        uint32_t uid;
        size_t omitted;

        if (ctl_reply_string(data, "user", &user) < 0 || ctl_reply_u32(data, "uid", &uid) < 0 ||
            ctl_reply_array(data, "revoked", &items) < 0)
                return -EBADMSG;
        for (size_t i = 0; i < json_object_array_length(items); i++)
                if (print_item(json_object_array_get_idx(items, i), user, uid) < 0)
                        return -EBADMSG;
        omitted = ctl_reply_optional_size(data, "revoked_omitted");
        if (omitted > 0)
                printf("(and %zu more revoked, not listed)\n", omitted);
        return 0;
}

int ctl_revoke(int argc, char **argv) {
        static const struct option options[] = {
                { "subuids", required_argument, NULL, 'u' },
                { "subgids", required_argument, NULL, 'g' },
                { "group", required_argument, NULL, 'G' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        json_object *args = NULL;
        id_range subuids, subgids;
        const char *group = NULL;
        bool has_uids = false, has_gids = false, json = false;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'u':
                        if (ctl_parse_range_once("--subuids", optarg, &has_uids, &subuids) < 0)
                                return 1;
                        break;
                case 'g':
                        if (ctl_parse_range_once("--subgids", optarg, &has_gids, &subgids) < 0)
                                return 1;
                        break;
                case 'G':
                        if (group) {
                                log_error("option --group given twice");
                                return 1;
                        }
                        if (optarg[0] == '\0') {
                                log_error("revoke: --group needs a group name");
                                return 1;
                        }
                        group = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("revoke", argc, argv, opt);
                }
        }
        if (argc - optind != 1) {
                log_error("revoke: expected exactly one USER (see subidctl --help)");
                return 1;
        }

        if (ctl_args_new(&args) < 0)
                return 1;
        r = ctl_args_add_string(args, "user", argv[optind]);
        if (r >= 0 && has_uids)
                r = ctl_args_add_range(args, "subuids", &subuids);
        if (r >= 0 && has_gids)
                r = ctl_args_add_range(args, "subgids", &subgids);
        if (r >= 0 && group)
                r = ctl_args_add_string(args, "group", group);
        if (r < 0) {
                json_object_put(args);
                return 1;
        }
        return ctl_run("revoke", "revoke", args, json, print_result);
}
