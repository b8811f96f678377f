/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/log.h"
#include "../common/parse.h"
#include "../policy/db.h"
#include "../policy/grant.h"
#include "../policy/lookup.h"
#include "../policy/revoke.h"
#include "ctl_common.h"

static void print_result(const account_user *u, const revoke_result *result) {
        for (size_t i = 0; i < result->n_items; i++) {
                const revoke_item *it = &result->items[i];

                if (it->type == REVOKED_RANGE)
                        printf("revoked %s %u-%u (%u) from %s (uid %u), now quarantined\n",
                               id_kind_to_plural(it->kind), it->range.first, range_last(&it->range), it->range.count,
                               u->name, u->uid);
                else
                        printf("revoked delegation of gid %u (%s) from %s (uid %u)\n", it->gid, it->group_name, u->name,
                               u->uid);
        }
}

int ctl_revoke(int argc, char **argv) {
        static const struct option options[] = {
                { "subuids", required_argument, NULL, 'u' },
                { "subgids", required_argument, NULL, 'g' },
                { "group", required_argument, NULL, 'G' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_db_ sqlite3 *db = NULL;
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_user_ account_user user = {};
        account_group group = {};
        revoke_result result = {};
        id_range subuids, subgids;
        const char *group_text = NULL;
        uint32_t gid;
        bool has_uids = false, has_gids = false, has_gid = false;
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
                        if (group_text) {
                                log_error("option --group given twice");
                                return 1;
                        }
                        if (optarg[0] == '\0') {
                                log_error("revoke: --group needs a group name");
                                return 1;
                        }
                        group_text = optarg;
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

        r = ctl_open_db(&db);
        if (r < 0)
                return 1;
        r = accounts_load_nss(&acc);
        if (r < 0)
                return 1;
        /* A deleted account's ranges must still be revocable: the owner may
         * be known only to the database. */
        r = policy_resolve_owner(db, &acc, argv[optind], &user);
        if (r == -ENOENT) {
                log_error("revoke: no such user '%s', and the database has nothing under that name", argv[optind]);
                return 1;
        }
        if (r == -ENOTUNIQ) {
                log_error("revoke: '%s' is stored for several uids; give the uid instead", argv[optind]);
                return 1;
        }
        if (r < 0) {
                log_error_errno(r, "revoke: cannot look up user '%s'", argv[optind]);
                return 1;
        }
        if (group_text) {
                r = accounts_group_by_name(&acc, group_text, &group);
                if (r >= 0) {
                        gid = group.gid;
                        has_gid = true;
                        free(group.name);
                } else if (r == -ENOENT)
                        has_gid = parse_id(group_text, &gid) >= 0;
                else {
                        log_error_errno(r, "revoke: cannot look up group '%s'", group_text);
                        return 1;
                }
        }

        r = policy_revoke(db,
                          &(revoke_request) {
                                  .owner_uid = user.uid,
                                  .owner_name = user.name,
                                  .subuids = has_uids ? &subuids : NULL,
                                  .subgids = has_gids ? &subgids : NULL,
                                  .group = group_text,
                                  .group_gid = has_gid ? &gid : NULL,
                                  .everything = !has_uids && !has_gids && !group_text,
                          },
                          ctl_export_paths(), &result);
        if (r < 0)
                return 1;
        print_result(&user, &result);
        revoke_result_done(&result);
        return 0;
}
