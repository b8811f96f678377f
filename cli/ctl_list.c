/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/proto.h"
#include "ctl_common.h"

static const char *const owner_arrays[] = { "subuids", "subgids", "delegations" };

static int print_ranges(json_object *owner, const char *key, const char *word) {
        json_object *a;

        if (ctl_reply_array(owner, key, &a) < 0)
                return -EBADMSG;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                id_range r;

                if (ctl_reply_range(json_object_array_get_idx(a, i), &r) < 0)
                        return -EBADMSG;
                printf("  %s %u-%u (%u)\n", word, r.first, range_last(&r), r.count);
        }
        return 0;
}

static int print_owner_text(json_object *owner) {
        json_object *dels, *uids, *gids;
        const char *name, *group;
        uint32_t uid, gid;

        if (ctl_reply_string(owner, "name", &name) < 0 || ctl_reply_u32(owner, "uid", &uid) < 0 ||
            ctl_reply_array(owner, "subuids", &uids) < 0 || ctl_reply_array(owner, "subgids", &gids) < 0 ||
            ctl_reply_array(owner, "delegations", &dels) < 0)
                return -EBADMSG;
        printf("%s (uid %u)\n", name, uid);
        if (print_ranges(owner, "subuids", "subuid") < 0 || print_ranges(owner, "subgids", "subgid") < 0)
                return -EBADMSG;
        for (size_t i = 0; i < json_object_array_length(dels); i++) {
                json_object *d = json_object_array_get_idx(dels, i);

                if (ctl_reply_u32(d, "gid", &gid) < 0 || ctl_reply_string(d, "group", &group) < 0)
                        return -EBADMSG;
                printf("  delegated gid %u (%s)\n", gid, group);
        }
        if (json_object_array_length(uids) + json_object_array_length(gids) + json_object_array_length(dels) == 0)
                printf("  no subordinate ids or delegations\n");
        return 0;
}

static bool same_owner(json_object *a, json_object *b) {
        const char *na, *nb;
        uint32_t ua, ub;

        return proto_get_string(a, "name", 64 * 1024, &na) >= 0 && proto_get_string(b, "name", 64 * 1024, &nb) >= 0 &&
               proto_get_u32(a, "uid", UINT32_MAX, &ua) >= 0 && proto_get_u32(b, "uid", UINT32_MAX, &ub) >= 0 &&
               strcmp(na, nb) == 0 && ua == ub;
}

/* Appends a page's users to users. An owner with more items than fit in
 * one reply is cut at the page boundary and appears at the end of one page
 * and the start of the next: its arrays are joined. */
static int merge_page(json_object *users, json_object *page) {
        json_object *page_users;
        size_t n;

        if (ctl_reply_array(page, "users", &page_users) < 0)
                return -EBADMSG;
        n = json_object_array_length(page_users);
        for (size_t i = 0; i < n; i++) {
                json_object *u = json_object_array_get_idx(page_users, i);
                size_t have = json_object_array_length(users);
                json_object *last = have > 0 ? json_object_array_get_idx(users, have - 1) : NULL;

                if (i == 0 && last && same_owner(last, u)) {
                        for (size_t k = 0; k < ELEMENTSOF(owner_arrays); k++) {
                                json_object *to, *from;

                                if (ctl_reply_array(last, owner_arrays[k], &to) < 0 ||
                                    ctl_reply_array(u, owner_arrays[k], &from) < 0)
                                        return -EBADMSG;
                                for (size_t j = 0; j < json_object_array_length(from); j++)
                                        if (json_object_array_add(to, json_object_get(json_object_array_get_idx(
                                                                                from, j))) < 0)
                                                return log_error_errno(-ENOMEM, "list");
                        }
                        continue;
                }
                if (json_object_array_add(users, json_object_get(u)) < 0)
                        return log_error_errno(-ENOMEM, "list");
        }
        return 0;
}

/* Fetches the whole listing, page by page, on one connection. */
static int fetch_all(const char *user, json_object *users) {
        _cleanup_close_ int fd = -1;
        _cleanup_json_ json_object *page = NULL;
        json_object *next = NULL;
        int r;

        r = ctl_connect(CTL_TIMEOUT_MS, &fd);
        if (r < 0)
                return r;
        for (;;) {
                json_object *args = NULL;

                r = ctl_args_new(&args);
                if (r >= 0 && user)
                        r = ctl_args_add_string(args, "user", user);
                /* The cursor of the previous page: "next" is passed back as is. */
                if (r >= 0 && next && json_object_object_add(args, "after", json_object_get(next)) < 0)
                        r = log_error_errno(-ENOMEM, "cannot build the request");
                if (r < 0) {
                        json_object_put(args);
                        return r;
                }
                json_object_put(page);
                page = NULL;
                r = ctl_call(fd, "list", args, NULL, 0, &page);
                if (r < 0)
                        return r;
                r = merge_page(users, page);
                if (r < 0)
                        return r;
                if (!json_object_object_get_ex(page, "next", &next) || json_object_is_type(next, json_type_null))
                        return 0;
        }
}

int ctl_list(int argc, char **argv) {
        _cleanup_json_ json_object *root = NULL;
        json_object *users = NULL;
        bool json, help;
        int r;

        if (ctl_parse_json_only("list", argc, argv, &json, &help) < 0)
                return 1;
        if (help)
                return 0;
        if (argc - optind > 1) {
                log_error("list: expected at most one USER (see subidctl --help)");
                return 1;
        }
        root = json_object_new_object();
        users = json_object_new_array();
        if (!root || !users || json_object_object_add(root, "users", users) < 0) {
                log_error_errno(-ENOMEM, "list");
                return 1;
        }

        r = fetch_all(optind < argc ? argv[optind] : NULL, users);
        if (r < 0)
                return 1;
        if (json)
                r = ctl_print_json(root);
        else
                for (size_t i = 0; i < json_object_array_length(users) && r >= 0; i++)
                        r = print_owner_text(json_object_array_get_idx(users, i));
        if (r < 0 || ctl_flush("list") < 0)
                return 1;
        return 0;
}
