/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `subidctl sync [--dry-run] [--json]`: reconcile the database with the
 * user database (policy/sync.h says what that means). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "../common/proto.h"
#include "../policy/grant.h"
#include "ctl_common.h"

/* " (deleted)", " (uid reused by bob)", " (not a member)". */
static void print_cause(json_object *a) {
        const char *cause, *account;

        /* Both optional: no cause for a rename or an allocation. */
        if (proto_get_string(a, "cause", 256, &cause) < 0)
                return;
        if (proto_get_string(a, "account", 256, &account) >= 0)
                printf(" (%s by %s)", cause, account);
        else
                printf(" (%s)", cause);
}

static int print_action(json_object *a, const char *prefix) {
        const char *action, *user, *new_user, *group;
        uint32_t uid, gid;
        id_range range;
        id_kind kind;

        if (ctl_reply_string(a, "action", &action) < 0 || ctl_reply_string(a, "user", &user) < 0 ||
            ctl_reply_u32(a, "uid", &uid) < 0)
                return -EBADMSG;
        if (strcmp(action, "rename") == 0) {
                if (ctl_reply_string(a, "new_user", &new_user) < 0)
                        return -EBADMSG;
                printf("%srenamed %s (uid %u) to %s\n", prefix, user, uid, new_user);
                return 0;
        }
        if (strcmp(action, "remove-delegation") == 0) {
                if (ctl_reply_u32(a, "gid", &gid) < 0 || ctl_reply_string(a, "group", &group) < 0)
                        return -EBADMSG;
                printf("%sremoved delegation of gid %u (%s) from %s (uid %u)", prefix, gid, group, user, uid);
                print_cause(a);
                putchar('\n');
                return 0;
        }
        if (ctl_reply_kind(a, "kind", &kind) < 0 || ctl_reply_range(a, &range) < 0)
                return -EBADMSG;
        if (strcmp(action, "quarantine") == 0) {
                printf("%squarantined %s %u-%u (%u) of %s (uid %u)", prefix, id_kind_to_plural(kind), range.first,
                       range_last(&range), range.count, user, uid);
                print_cause(a);
                putchar('\n');
                return 0;
        }
        if (strcmp(action, "allocate") != 0) {
                log_error("subid-admind sent a malformed answer (unknown action \"%s\")", action);
                return -EBADMSG;
        }
        printf("%sallocated %s %u-%u (%u) to %s (uid %u)\n", prefix, id_kind_to_plural(kind), range.first,
               range_last(&range), range.count, user, uid);
        return 0;
}

static int print_result(json_object *data) {
        size_t allocated, quarantined, renamed, removed, omitted;
        const char *prefix = "";
        json_object *actions;
        bool dry_run, reexported = false;

        if (ctl_reply_bool(data, "dry_run", &dry_run) < 0 || ctl_reply_size(data, "allocated", &allocated) < 0 ||
            ctl_reply_size(data, "quarantined", &quarantined) < 0 || ctl_reply_size(data, "renamed", &renamed) < 0 ||
            ctl_reply_size(data, "delegations_removed", &removed) < 0 ||
            ctl_reply_array(data, "actions", &actions) < 0)
                return -EBADMSG;
        if (dry_run)
                prefix = "would have ";
        for (size_t i = 0; i < json_object_array_length(actions); i++)
                if (print_action(json_object_array_get_idx(actions, i), prefix) < 0)
                        return -EBADMSG;
        omitted = ctl_reply_optional_size(data, "actions_omitted");
        if (omitted > 0)
                printf("(and %zu more actions, not listed)\n", omitted);
        (void) ctl_reply_bool(data, "reexported", &reexported);
        if (reexported)
                printf("%sre-exported the subuid and subgid files: they differed from the database\n", prefix);
        if (allocated + quarantined + renamed + removed == 0) {
                if (!reexported)
                        printf("sync: nothing to do\n");
                return 0;
        }
        printf("sync%s: %zu allocated, %zu quarantined, %zu renamed, %zu delegation%s removed\n",
               dry_run ? " (dry run, nothing changed)" : "", allocated, quarantined, renamed, removed,
               removed == 1 ? "" : "s");
        return 0;
}

int ctl_sync(int argc, char **argv) {
        static const struct option options[] = {
                { "dry-run", no_argument, NULL, 'n' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        json_object *args = NULL;
        bool json = false, dry_run = false;
        int opt;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'n':
                        dry_run = true;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("sync", argc, argv, opt);
                }
        }
        if (optind < argc) {
                log_error("sync: unexpected argument '%s' (see subidctl --help)", argv[optind]);
                return 1;
        }
        if (ctl_args_new(&args) < 0)
                return 1;
        if (dry_run && ctl_args_add_bool(args, "dry_run", true) < 0) {
                json_object_put(args);
                return 1;
        }
        return ctl_run("sync", "sync", args, json, print_result);
}
