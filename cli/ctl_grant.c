/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/parse.h"
#include "../common/proto.h"
#include "../policy/grant.h"
#include "ctl_common.h"

/* One line per range granted and per piece taken out of quarantine. */
static int print_result(json_object *data) {
        json_object *granted, *reclaimed;
        const char *user;
        uint32_t uid;
        size_t omitted;

        if (ctl_reply_string(data, "user", &user) < 0 || ctl_reply_u32(data, "uid", &uid) < 0 ||
            ctl_reply_array(data, "granted", &granted) < 0 || ctl_reply_array(data, "reclaimed", &reclaimed) < 0)
                return -EBADMSG;
        for (size_t i = 0; i < json_object_array_length(granted); i++) {
                json_object *g = json_object_array_get_idx(granted, i);
                id_range range;
                id_kind kind;

                if (ctl_reply_kind(g, "kind", &kind) < 0 || ctl_reply_range(g, &range) < 0)
                        return -EBADMSG;
                printf("granted %s %u-%u (%u) to %s (uid %u)\n", id_kind_to_plural(kind), range.first,
                       range_last(&range), range.count, user, uid);
        }
        for (size_t i = 0; i < json_object_array_length(reclaimed); i++) {
                json_object *q = json_object_array_get_idx(reclaimed, i);
                const char *former;
                uint32_t former_uid;
                id_range range;
                id_kind kind;
                bool forced;

                if (ctl_reply_kind(q, "kind", &kind) < 0 || ctl_reply_range(q, &range) < 0 ||
                    ctl_reply_string(q, "former_user", &former) < 0 || ctl_reply_u32(q, "former_uid", &former_uid) < 0 ||
                    ctl_reply_bool(q, "forced", &forced) < 0)
                        return -EBADMSG;
                printf("%s %s %u-%u from quarantine (former owner %s, uid %u)\n", forced ? "forced: took" : "reclaimed",
                       id_kind_to_plural(kind), range.first, range_last(&range), former, former_uid);
        }
        omitted = ctl_reply_optional_size(data, "reclaimed_omitted");
        if (omitted > 0)
                printf("(and %zu more %s taken out of quarantine, not listed)\n", omitted,
                       omitted == 1 ? "piece" : "pieces");
        return 0;
}

int ctl_grant(int argc, char **argv) {
        static const struct option options[] = {
                { "subuids", required_argument, NULL, 'u' },
                { "subgids", required_argument, NULL, 'g' },
                { "force", no_argument, NULL, 'f' },
                { "count", required_argument, NULL, 'c' },
                { "group", required_argument, NULL, 'G' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        json_object *args = NULL;
        id_range subuids, subgids;
        uint32_t count = 0;
        bool has_uids = false, has_gids = false, force = false, has_count = false, group = false, json = false;
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
                case 'f':
                        force = true;
                        break;
                case 'c':
                        if (has_count) {
                                log_error("option --count given twice");
                                return 1;
                        }
                        if (parse_count(optarg, &count) < 0) {
                                log_error("invalid count '%s' for --count: expected a decimal number 1-%u", optarg,
                                          UINT32_MAX);
                                return 1;
                        }
                        has_count = true;
                        break;
                case 'G':
                        group = true;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("grant", argc, argv, opt);
                }
        }
        /* Delegating a group's gid is its own command with its own
         * options: it parses the same argv afresh. */
        if (group) {
                optind = 0;
                return ctl_delegate(argc, argv);
        }
        if (argc - optind != 1) {
                log_error("grant: expected exactly one USER (see subidctl --help)");
                return 1;
        }
        if (has_count && (has_uids || has_gids)) {
                log_error("grant: --count is for allocation from the pool; with --subuids/--subgids the range says "
                          "the count");
                return 1;
        }
        if (force && !has_uids && !has_gids) {
                log_error("grant: --force applies only to --subuids/--subgids (the pool never hands out "
                          "quarantined ids)");
                return 1;
        }

        if (ctl_args_new(&args) < 0)
                return 1;
        r = ctl_args_add_string(args, "user", argv[optind]);
        if (r >= 0 && has_uids)
                r = ctl_args_add_range(args, "subuids", &subuids);
        if (r >= 0 && has_gids)
                r = ctl_args_add_range(args, "subgids", &subgids);
        if (r >= 0 && has_count)
                r = ctl_args_add_u32(args, "count", count);
        if (r >= 0 && force)
                r = ctl_args_add_bool(args, "force", true);
        if (r < 0) {
                json_object_put(args);
                return 1;
        }
        return ctl_run("grant", "grant", args, json, print_result);
}
