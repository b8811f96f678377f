/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "../common/log.h"
#include "../common/parse.h"
#include "../common/proto.h"
#include "../policy/db.h"
#include "../policy/lookup.h"
#include "ctl_common.h"

static void format_date(int64_t t, char *buf, size_t size) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
                snprintf(buf, size, "@%lld", (long long) t);
}

static void print_text(id_kind kind, uint32_t id, const who_owns_result *w) {
        const char *k = id_kind_to_string(kind);
        char date[32];

        if (w->has_range)
                printf("%s %u: subordinate %s of %s (uid %u), range %u-%u\n", k, id, k, w->range.owner_name,
                       w->range.owner_uid, w->range.range.first, range_last(&w->range.range));
        for (size_t i = 0; i < w->n_delegations; i++)
                printf("%s %u: delegated to %s (uid %u) as group %s\n", k, id, w->delegations[i].owner_name,
                       w->delegations[i].owner_uid, w->delegations[i].group_name);
        if (w->has_quarantine) {
                format_date(w->quarantine.since, date, sizeof date);
                printf("%s %u: quarantined, formerly of %s (uid %u), range %u-%u, since %s (%s)\n", k, id,
                       w->quarantine.former_name, w->quarantine.former_uid, w->quarantine.range.first,
                       range_last(&w->quarantine.range), date, w->quarantine.reason);
        }
        if (!w->has_range && w->n_delegations == 0 && !w->has_quarantine)
                printf("%s %u: not a subordinate id of any user\n", k, id);
}

static void add_range_fields(json_object *o, const id_range *r) {
        json_object_object_add(o, "first", json_object_new_int64(r->first));
        json_object_object_add(o, "last", json_object_new_int64(range_last(r)));
        json_object_object_add(o, "count", json_object_new_int64(r->count));
}

static int print_json(id_kind kind, uint32_t id, const who_owns_result *w) {
        _cleanup_json_ json_object *root = json_object_new_object();
        json_object *owners = json_object_new_array(), *q = NULL, *o;

        if (!root || !owners) {
                json_object_put(owners);
                return log_error_errno(-ENOMEM, "cannot format JSON");
        }
        json_object_object_add(root, "kind", json_object_new_string(id_kind_to_string(kind)));
        json_object_object_add(root, "id", json_object_new_int64(id));
        json_object_object_add(root, "owners", owners);
        if (w->has_range) {
                o = json_object_new_object();
                if (!o)
                        return log_error_errno(-ENOMEM, "cannot format JSON");
                json_object_object_add(o, "type", json_object_new_string("range"));
                json_object_object_add(o, "user", json_object_new_string(w->range.owner_name));
                json_object_object_add(o, "uid", json_object_new_int64(w->range.owner_uid));
                add_range_fields(o, &w->range.range);
                json_object_array_add(owners, o);
        }
        for (size_t i = 0; i < w->n_delegations; i++) {
                o = json_object_new_object();
                if (!o)
                        return log_error_errno(-ENOMEM, "cannot format JSON");
                json_object_object_add(o, "type", json_object_new_string("delegation"));
                json_object_object_add(o, "user", json_object_new_string(w->delegations[i].owner_name));
                json_object_object_add(o, "uid", json_object_new_int64(w->delegations[i].owner_uid));
                json_object_object_add(o, "group", json_object_new_string(w->delegations[i].group_name));
                json_object_object_add(o, "gid", json_object_new_int64(w->delegations[i].gid));
                json_object_array_add(owners, o);
        }
        if (w->has_quarantine) {
                q = json_object_new_object();
                if (!q)
                        return log_error_errno(-ENOMEM, "cannot format JSON");
                json_object_object_add(q, "former_user", json_object_new_string(w->quarantine.former_name));
                json_object_object_add(q, "former_uid", json_object_new_int64(w->quarantine.former_uid));
                add_range_fields(q, &w->quarantine.range);
                json_object_object_add(q, "reason", json_object_new_string(w->quarantine.reason));
                json_object_object_add(q, "since", json_object_new_int64(w->quarantine.since));
        }
        json_object_object_add(root, "quarantine", q);
        return ctl_print_json(root);
}

int ctl_who_owns(int argc, char **argv) {
        static const struct option options[] = {
                { "gid", no_argument, NULL, 'g' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_db_ sqlite3 *db = NULL;
        who_owns_result w = {};
        id_kind kind = ID_KIND_UID;
        bool json = false;
        uint32_t id;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'g':
                        kind = ID_KIND_GID;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("who-owns", argc, argv, opt);
                }
        }
        if (argc - optind != 1) {
                log_error("who-owns: expected exactly one ID (see subidctl --help)");
                return 1;
        }
        r = parse_id(argv[optind], &id);
        if (r < 0) {
                log_error("who-owns: invalid id '%s': expected a decimal number 0-%u", argv[optind], ID_MAX);
                return 1;
        }

        r = ctl_open_db(&db);
        if (r < 0)
                return 1;
        r = policy_who_owns(db, kind, id, &w);
        if (r < 0)
                return 1;
        if (json)
                r = print_json(kind, id, &w);
        else
                print_text(kind, id, &w);
        who_owns_result_done(&w);
        if (fflush(stdout) != 0) {
                log_error("who-owns: cannot write output");
                return 1;
        }
        return r < 0 ? 1 : 0;
}
