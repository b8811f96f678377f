/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "../common/parse.h"
#include "../common/proto.h"
#include "ctl_common.h"

static void format_date(int64_t t, char *buf, size_t size) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
                snprintf(buf, size, "@%lld", (long long) t);
}

static int print_owner(const char *k, uint32_t id, json_object *o) {
        const char *type, *user, *group;
        uint32_t uid, gid;
        id_range range;

        if (ctl_reply_string(o, "type", &type) < 0 || ctl_reply_string(o, "user", &user) < 0 ||
            ctl_reply_u32(o, "uid", &uid) < 0)
                return -EBADMSG;
        if (strcmp(type, "range") == 0) {
                if (ctl_reply_range(o, &range) < 0)
                        return -EBADMSG;
                printf("%s %u: subordinate %s of %s (uid %u), range %u-%u\n", k, id, k, user, uid, range.first,
                       range_last(&range));
                return 0;
        }
        if (ctl_reply_string(o, "group", &group) < 0 || ctl_reply_u32(o, "gid", &gid) < 0)
                return -EBADMSG;
        printf("%s %u: delegated to %s (uid %u) as group %s\n", k, id, user, uid, group);
        return 0;
}

static int print_quarantine(const char *k, uint32_t id, json_object *q) {
        const char *former, *reason;
        json_object *since;
        uint32_t former_uid;
        id_range range;
        char date[32];

        if (ctl_reply_string(q, "former_user", &former) < 0 || ctl_reply_u32(q, "former_uid", &former_uid) < 0 ||
            ctl_reply_range(q, &range) < 0 || ctl_reply_string(q, "reason", &reason) < 0)
                return -EBADMSG;
        if (!json_object_object_get_ex(q, "since", &since) || !json_object_is_type(since, json_type_int)) {
                log_error("subid-admind sent a malformed answer (bad or missing \"since\")");
                return -EBADMSG;
        }
        format_date(json_object_get_int64(since), date, sizeof date);
        printf("%s %u: quarantined, formerly of %s (uid %u), range %u-%u, since %s (%s)\n", k, id, former, former_uid,
               range.first, range_last(&range), date, reason);
        return 0;
}

static int print_text(id_kind kind, uint32_t id, json_object *data) {
        const char *k = id_kind_to_string(kind);
        json_object *owners, *q = NULL;
        size_t n, omitted;

        if (ctl_reply_array(data, "owners", &owners) < 0)
                return -EBADMSG;
        n = json_object_array_length(owners);
        for (size_t i = 0; i < n; i++)
                if (print_owner(k, id, json_object_array_get_idx(owners, i)) < 0)
                        return -EBADMSG;
        omitted = ctl_reply_optional_size(data, "owners_omitted");
        if (omitted > 0)
                printf("%s %u: and %zu more holders, not listed\n", k, id, omitted);
        if (json_object_object_get_ex(data, "quarantine", &q) && q && print_quarantine(k, id, q) < 0)
                return -EBADMSG;
        if (n == 0 && !q)
                printf("%s %u: not a subordinate id of any user\n", k, id);
        return 0;
}

int ctl_who_owns(int argc, char **argv) {
        static const struct option options[] = {
                { "gid", no_argument, NULL, 'g' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_json_ json_object *data = NULL;
        json_object *args = NULL;
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

        if (ctl_args_new(&args) < 0)
                return 1;
        r = ctl_args_add_u32(args, "id", id);
        if (r >= 0)
                r = ctl_args_add_string(args, "kind", id_kind_to_string(kind));
        if (r < 0) {
                json_object_put(args);
                return 1;
        }
        r = ctl_request("who-owns", args, NULL, 0, CTL_TIMEOUT_MS, &data);
        if (r < 0)
                return 1;
        r = json ? ctl_print_json(data) : print_text(kind, id, data);
        if (r < 0 || ctl_flush("who-owns") < 0)
                return 1;
        return 0;
}
