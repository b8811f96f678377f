/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subidctl requests, approve, reject: deciding delegation requests. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "../common/parse.h"
#include "../common/proto.h"
#include "ctl_common.h"
#include "ctl_group.h"
#include "req_render.h"

static int column_width(json_object *list, const char *key, int min) {
        int w = min;

        for (size_t i = 0; i < json_object_array_length(list); i++) {
                const char *s = req_string(json_object_array_get_idx(list, i), key);
                int len = s ? (int) strlen(s) : 1;

                if (len > w)
                        w = len;
        }
        return w > 64 ? 64 : w;
}

static void print_table(json_object *list, bool all) {
        int wu = column_width(list, "user", 4), wg = column_width(list, "group", 5);
        char created[64], decided[64];

        /* The last column is not padded: no trailing blanks. */
        printf("%-6s %-*s %-*s %-10s %-9s %s", "ID", wu, "USER", wg, "GROUP", "GID", "STATE",
               all ? "CREATED              DECIDED              BY         REASON" : "CREATED");
        putchar('\n');
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *q = json_object_array_get_idx(list, i);
                const char *user = req_string(q, "user"), *group = req_string(q, "group"),
                           *state = req_string(q, "state"), *reason = req_string(q, "reason");
                int64_t decided_at = req_int(q, "decided_at"), by = req_int(q, "decided_by");
                char id[24], gid[24], who[24];

                snprintf(id, sizeof id, "%lld", (long long) req_int(q, "id"));
                snprintf(gid, sizeof gid, "%lld", (long long) req_int(q, "gid"));
                req_format_time(req_int(q, "created_at"), created, sizeof created);
                printf("%-6s %-*s %-*s %-10s %-9s %s", id, wu, user ? user : "?", wg, group ? group : "?", gid,
                       state ? state : "?", created);
                if (all) {
                        if (decided_at >= 0)
                                req_format_time(decided_at, decided, sizeof decided);
                        else
                                snprintf(decided, sizeof decided, "-");
                        if (by >= 0)
                                snprintf(who, sizeof who, "uid %lld", (long long) by);
                        else
                                snprintf(who, sizeof who, decided_at >= 0 ? "policy" : "-");
                        printf(" %-20s %-10s", decided, who);
                        if (reason)
                                printf(" %s", reason);
                        else
                                printf(" -");
                }
                putchar('\n');
        }
}

int ctl_requests(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "all", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_json_ json_object *data = NULL;
        json_object *args = NULL, *list;
        bool json = false, all = false;
        size_t omitted;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'j':
                        json = true;
                        break;
                case 'a':
                        all = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("requests", argc, argv, opt);
                }
        }
        if (argc - optind != 0) {
                log_error("requests: unexpected argument '%s' (see subidctl --help)", argv[optind]);
                return 1;
        }
        if (ctl_args_new(&args) < 0)
                return 1;
        if (ctl_args_add_string(args, "state", all ? "all" : "pending") < 0) {
                json_object_put(args);
                return 1;
        }
        r = ctl_request("requests", args, NULL, 0, CTL_TIMEOUT_MS, &data);
        if (r < 0)
                return 1;
        if (json)
                return ctl_print_json(data) < 0 || ctl_flush("requests") < 0 ? 1 : 0;
        if (ctl_reply_array(data, "requests", &list) < 0)
                return 1;
        if (json_object_array_length(list) == 0)
                printf(all ? "no requests\n" : "no pending requests\n");
        else
                print_table(list, all);
        omitted = ctl_reply_optional_size(data, "requests_omitted");
        if (omitted > 0)
                printf("(and %zu more, not listed: the answer has a size limit)\n", omitted);
        return ctl_flush("requests") < 0 ? 1 : 0;
}

/* The REQUEST-ID of approve / reject. */
static int parse_request_id(const char *command, const char *arg, uint32_t *ret) {
        uint64_t v;

        if (parse_u64_max(arg, UINT32_MAX, &v) < 0 || v == 0) {
                log_error("%s: invalid request id '%s': expected the number subidctl requests shows", command, arg);
                return -EINVAL;
        }
        *ret = (uint32_t) v;
        return 0;
}

/* Options of approve and reject: --reason (reject only), --json, --help. */
static int decide(int argc, char **argv, const char *command, bool with_reason) {
        static const struct option options[] = {
                { "reason", required_argument, NULL, 'r' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_json_ json_object *data = NULL;
        json_object *args = NULL, *request = NULL, *delegation = NULL;
        const char *reason = NULL;
        bool json = false;
        uint32_t id;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'r':
                        if (!with_reason) {
                                log_error("%s: --reason is for reject", command);
                                return 1;
                        }
                        reason = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error(command, argc, argv, opt);
                }
        }
        if (argc - optind != 1) {
                log_error("%s: expected exactly one REQUEST-ID (see subidctl requests)", command);
                return 1;
        }
        if (parse_request_id(command, argv[optind], &id) < 0)
                return 1;
        if (ctl_args_new(&args) < 0)
                return 1;
        r = ctl_args_add_u32(args, "id", id);
        if (r >= 0 && reason)
                r = ctl_args_add_string(args, "reason", reason);
        if (r < 0) {
                json_object_put(args);
                return 1;
        }
        r = ctl_request(command, args, NULL, 0, CTL_TIMEOUT_MS, &data);
        if (r < 0)
                return 1;
        if (json)
                return ctl_print_json(data) < 0 || ctl_flush(command) < 0 ? 1 : 0;

        json_object_object_get_ex(data, "request", &request);
        if (json_object_object_get_ex(data, "delegation", &delegation)) {
                printf("approved request #%u: ", id);
                ctl_print_delegation("delegated ", delegation);
                ctl_print_recipe_for(data, req_string(delegation, "user"));
        } else {
                const char *group = req_string(request, "group"), *user = req_string(request, "user");

                printf("%s request #%u: group %s (gid %lld) for %s (uid %lld)\n", with_reason ? "rejected" : "decided",
                       id, group ? group : "?", (long long) req_int(request, "gid"), user ? user : "?",
                       (long long) req_int(request, "uid"));
        }
        return ctl_flush(command) < 0 ? 1 : 0;
}

int ctl_approve(int argc, char **argv) {
        return decide(argc, argv, "approve", false);
}

int ctl_reject(int argc, char **argv) {
        return decide(argc, argv, "reject", true);
}
