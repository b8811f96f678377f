/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "../common/log.h"
#include "../policy/db.h"
#include "../policy/grant.h"
#include "ctl_common.h"

static void print_result(const account_user *u, const id_range *subuids, const id_range *subgids,
                         const grant_result *result) {
        const id_range *granted[] = { [ID_KIND_UID] = subuids, [ID_KIND_GID] = subgids };

        for (id_kind kind = ID_KIND_UID; kind <= ID_KIND_GID; kind++)
                if (granted[kind])
                        printf("granted %s %u-%u (%u) to %s (uid %u)\n", id_kind_to_plural(kind), granted[kind]->first,
                               range_last(granted[kind]), granted[kind]->count, u->name, u->uid);
        for (size_t i = 0; i < result->n_reclaimed; i++) {
                const grant_reclaim *q = &result->reclaimed[i];

                printf("%s %s %u-%u from quarantine (former owner %s, uid %u)\n",
                       q->forced ? "forced: took" : "reclaimed", id_kind_to_plural(q->kind), q->range.first,
                       range_last(&q->range), q->former_name, q->former_uid);
        }
}

int ctl_grant(int argc, char **argv) {
        static const struct option options[] = {
                { "subuids", required_argument, NULL, 'u' },
                { "subgids", required_argument, NULL, 'g' },
                { "force", no_argument, NULL, 'f' },
                { "count", required_argument, NULL, 'c' },
                { "group", required_argument, NULL, 'G' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_db_ sqlite3 *db = NULL;
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_user_ account_user user = {};
        grant_result result = {};
        id_range subuids, subgids;
        bool has_uids = false, has_gids = false, force = false, count = false, group = false;
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
                        count = true;
                        break;
                case 'G':
                        group = true;
                        break;
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
        if (group) {
                log_error("grant --group (delegating a group's gid) is not implemented yet");
                return 1;
        }
        if (count || (!has_uids && !has_gids)) {
                log_error("grant %s(allocation from the pool) is not implemented yet; give --subuids/--subgids",
                          count ? "--count " : "without --subuids/--subgids ");
                return 1;
        }

        r = ctl_open_db(&db);
        if (r < 0)
                return 1;
        r = accounts_load_nss(&acc);
        if (r < 0)
                return 1;
        r = accounts_resolve_user(&acc, argv[optind], &user);
        if (r == -ENOENT) {
                log_error("grant: no such user '%s'", argv[optind]);
                return 1;
        }
        if (r < 0) {
                log_error_errno(r, "grant: cannot look up user '%s'", argv[optind]);
                return 1;
        }

        r = policy_grant_ranges(db,
                                &(grant_request) {
                                        .owner_uid = user.uid,
                                        .owner_name = user.name,
                                        .subuids = has_uids ? &subuids : NULL,
                                        .subgids = has_gids ? &subgids : NULL,
                                        .force = force,
                                },
                                &acc, ctl_export_paths(), &result);
        if (r < 0)
                return 1;
        print_result(&user, has_uids ? &subuids : NULL, has_gids ? &subgids : NULL, &result);
        grant_result_done(&result);
        return 0;
}
