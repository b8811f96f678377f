/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "../common/log.h"
#include "../common/proto.h"
#include "../policy/db.h"
#include "../policy/lookup.h"
#include "ctl_common.h"

static void print_ranges(const char *word, const id_range *ranges, size_t n) {
        for (size_t i = 0; i < n; i++)
                printf("  %s %u-%u (%u)\n", word, ranges[i].first, range_last(&ranges[i]), ranges[i].count);
}

static void print_owner_text(const owner_summary *o) {
        printf("%s (uid %u)\n", o->name, o->uid);
        print_ranges("subuid", o->subuids, o->n_subuids);
        print_ranges("subgid", o->subgids, o->n_subgids);
        for (size_t i = 0; i < o->n_delegations; i++)
                printf("  delegated gid %u (%s)\n", o->delegations[i].gid, o->delegations[i].group_name);
        if (o->n_subuids + o->n_subgids + o->n_delegations == 0)
                printf("  no subordinate ids or delegations\n");
}

static json_object *ranges_json(const id_range *ranges, size_t n) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < n; i++) {
                json_object *r = json_object_new_object();

                if (!r)
                        break;
                json_object_object_add(r, "first", json_object_new_int64(ranges[i].first));
                json_object_object_add(r, "last", json_object_new_int64(range_last(&ranges[i])));
                json_object_object_add(r, "count", json_object_new_int64(ranges[i].count));
                json_object_array_add(a, r);
        }
        return a;
}

static json_object *owner_json(const owner_summary *o) {
        json_object *j = json_object_new_object(), *dels = json_object_new_array();

        if (!j || !dels) {
                json_object_put(j);
                json_object_put(dels);
                return NULL;
        }
        json_object_object_add(j, "name", json_object_new_string(o->name));
        json_object_object_add(j, "uid", json_object_new_int64(o->uid));
        json_object_object_add(j, "subuids", ranges_json(o->subuids, o->n_subuids));
        json_object_object_add(j, "subgids", ranges_json(o->subgids, o->n_subgids));
        for (size_t i = 0; i < o->n_delegations; i++) {
                json_object *d = json_object_new_object();

                if (!d)
                        break;
                json_object_object_add(d, "gid", json_object_new_int64(o->delegations[i].gid));
                json_object_object_add(d, "group", json_object_new_string(o->delegations[i].group_name));
                json_object_array_add(dels, d);
        }
        json_object_object_add(j, "delegations", dels);
        return j;
}

static int print_json(const owner_summary *owners, size_t n) {
        _cleanup_json_ json_object *root = json_object_new_object();
        json_object *users = json_object_new_array();

        if (!root || !users) {
                json_object_put(users);
                return log_error_errno(-ENOMEM, "cannot format JSON");
        }
        json_object_object_add(root, "users", users);
        for (size_t i = 0; i < n; i++) {
                json_object *o = owner_json(&owners[i]);

                if (!o)
                        return log_error_errno(-ENOMEM, "cannot format JSON");
                json_object_array_add(users, o);
        }
        return ctl_print_json(root);
}

int ctl_list(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_db_ sqlite3 *db = NULL;
        _cleanup_accounts_ accounts acc = {};
        _cleanup_account_user_ account_user user = {};
        owner_summary *owners = NULL;
        owner_summary empty = {};
        size_t n = 0;
        bool json = false;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'j':
                        json = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("list", argc, argv, opt);
                }
        }
        if (argc - optind > 1) {
                log_error("list: expected at most one USER (see subidctl --help)");
                return 1;
        }

        r = ctl_open_db(&db);
        if (r < 0)
                return 1;
        if (optind < argc) {
                r = accounts_load_nss(&acc);
                if (r < 0)
                        return 1;
                r = policy_resolve_owner(db, &acc, argv[optind], &user);
                if (r == -ENOENT) {
                        log_error("list: no such user '%s', and the database has nothing under that name",
                                  argv[optind]);
                        return 1;
                }
                if (r == -ENOTUNIQ) {
                        log_error("list: '%s' is stored for several uids; give the uid instead", argv[optind]);
                        return 1;
                }
                if (r < 0) {
                        log_error_errno(r, "list: cannot look up user '%s'", argv[optind]);
                        return 1;
                }
                r = policy_list_owners(db, &user.uid, &owners, &n);
        } else
                r = policy_list_owners(db, NULL, &owners, &n);
        if (r < 0)
                return 1;

        /* An existing user who holds nothing is still shown, as such. */
        if (user.name && n == 0) {
                empty = (owner_summary) { .uid = user.uid, .name = user.name };
                r = json ? print_json(&empty, 1) : (print_owner_text(&empty), 0);
        } else if (json)
                r = print_json(owners, n);
        else
                for (size_t i = 0; i < n; i++)
                        print_owner_text(&owners[i]);
        owner_summaries_free(owners, n);
        if (fflush(stdout) != 0) {
                log_error("list: cannot write output");
                return 1;
        }
        return r < 0 ? 1 : 0;
}
