/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `subidctl quarantine list [--json]` and `subidctl quarantine release
 * FIRST-LAST [--gid] [--json]`: the ids taken back from revoked or deleted
 * owners, which automatic allocation never hands out, and the
 * administrator's decision to let the pool reuse some of them. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/proto.h"
#include "../policy/grant.h"
#include "ctl_common.h"

static void format_date(int64_t t, char *buf, size_t size) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
                snprintf(buf, size, "@%lld", (long long) t);
}

static int print_piece(json_object *q, const char *verb) {
        const char *former, *reason;
        json_object *since;
        uint32_t former_uid;
        id_range range;
        id_kind kind;
        char date[32];

        if (ctl_reply_kind(q, "kind", &kind) < 0 || ctl_reply_range(q, &range) < 0 ||
            ctl_reply_string(q, "former_user", &former) < 0 || ctl_reply_u32(q, "former_uid", &former_uid) < 0 ||
            ctl_reply_string(q, "reason", &reason) < 0)
                return -EBADMSG;
        if (!json_object_object_get_ex(q, "since", &since) || !json_object_is_type(since, json_type_int)) {
                log_error("subid-admind sent a malformed answer (bad or missing \"since\")");
                return -EBADMSG;
        }
        format_date(json_object_get_int64(since), date, sizeof date);
        printf("%s%s %u-%u (%u), formerly of %s (uid %u), quarantined %s (%s)\n", verb, id_kind_to_plural(kind),
               range.first, range_last(&range), range.count, former, former_uid, date, reason);
        return 0;
}

/* Fetches every page on one connection into all (an array). */
static int fetch_all(json_object *all) {
        _cleanup_close_ int fd = -1;
        _cleanup_json_ json_object *page = NULL;
        json_object *next = NULL, *pieces;
        int r;

        r = ctl_connect(CTL_TIMEOUT_MS, &fd);
        if (r < 0)
                return r;
        for (;;) {
                json_object *args = NULL;

                r = ctl_args_new(&args);
                /* "next" of the previous page goes back as "after", as is. */
                if (r >= 0 && next && json_object_object_add(args, "after", json_object_get(next)) < 0)
                        r = log_error_errno(-ENOMEM, "cannot build the request");
                if (r < 0) {
                        json_object_put(args);
                        return r;
                }
                json_object_put(page);
                page = NULL;
                r = ctl_call(fd, "quarantine-list", args, NULL, 0, &page);
                if (r < 0)
                        return r;
                if (ctl_reply_array(page, "quarantine", &pieces) < 0)
                        return -EBADMSG;
                for (size_t i = 0; i < json_object_array_length(pieces); i++)
                        if (json_object_array_add(all, json_object_get(json_object_array_get_idx(pieces, i))) < 0)
                                return log_error_errno(-ENOMEM, "quarantine list");
                if (!json_object_object_get_ex(page, "next", &next) || json_object_is_type(next, json_type_null))
                        return 0;
        }
}

static int quarantine_list(int argc, char **argv) {
        _cleanup_json_ json_object *root = NULL;
        json_object *all = NULL;
        bool json, help;
        int r;

        if (ctl_parse_json_only("quarantine list", argc, argv, &json, &help) < 0)
                return 1;
        if (help)
                return 0;
        if (optind < argc) {
                log_error("quarantine list: unexpected argument '%s' (see subidctl --help)", argv[optind]);
                return 1;
        }
        root = json_object_new_object();
        all = json_object_new_array();
        if (!root || !all || json_object_object_add(root, "quarantine", all) < 0) {
                json_object_put(all);
                log_error_errno(-ENOMEM, "quarantine list");
                return 1;
        }
        if (fetch_all(all) < 0)
                return 1;
        if (json)
                r = ctl_print_json(root);
        else if (json_object_array_length(all) == 0)
                r = printf("the quarantine is empty\n") < 0 ? -EIO : 0;
        else {
                r = 0;
                for (size_t i = 0; i < json_object_array_length(all) && r >= 0; i++)
                        r = print_piece(json_object_array_get_idx(all, i), "");
        }
        if (r < 0 || ctl_flush("quarantine list") < 0)
                return 1;
        return 0;
}

static int print_released(json_object *data) {
        json_object *released;
        size_t omitted;

        if (ctl_reply_array(data, "released", &released) < 0)
                return -EBADMSG;
        for (size_t i = 0; i < json_object_array_length(released); i++)
                if (print_piece(json_object_array_get_idx(released, i), "released ") < 0)
                        return -EBADMSG;
        omitted = ctl_reply_optional_size(data, "released_omitted");
        if (omitted > 0)
                printf("(and %zu more pieces released, not listed)\n", omitted);
        return 0;
}

static int quarantine_release(int argc, char **argv) {
        static const struct option options[] = {
                { "gid", no_argument, NULL, 'g' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        json_object *args = NULL;
        bool json = false, gid = false;
        id_range range;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'g':
                        gid = true;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("quarantine release", argc, argv, opt);
                }
        }
        if (argc - optind != 1) {
                log_error("quarantine release: expected exactly one FIRST-LAST (see subidctl --help)");
                return 1;
        }
        if (ctl_parse_range("quarantine release", argv[optind], &range) < 0)
                return 1;
        if (ctl_args_new(&args) < 0)
                return 1;
        r = ctl_args_add_string(args, "kind", gid ? "gid" : "uid");
        if (r >= 0)
                r = ctl_args_add_u32(args, "first", range.first);
        if (r >= 0)
                r = ctl_args_add_u32(args, "count", range.count);
        if (r < 0) {
                json_object_put(args);
                return 1;
        }
        return ctl_run("quarantine release", "quarantine-release", args, json, print_released);
}

int ctl_quarantine(int argc, char **argv) {
        if (argc < 2) {
                log_error("quarantine: expected 'list' or 'release' (see subidctl --help)");
                return 1;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                ctl_usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "list") == 0)
                return quarantine_list(argc - 1, argv + 1);
        if (strcmp(argv[1], "release") == 0)
                return quarantine_release(argc - 1, argv + 1);
        log_error("quarantine: unknown subcommand '%s' (expected 'list' or 'release')", argv[1]);
        return 1;
}
