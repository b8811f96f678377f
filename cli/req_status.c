/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "req_status.h"

#include <stdio.h>
#include <string.h>

#include "req_render.h"

static json_object *field(json_object *o, const char *key, json_type type) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
                return NULL;
        return v;
}

static const char *or_unknown(const char *s) {
        return s ? s : "?";
}

void req_print_group_reply(json_object *data) {
        json_object *q = field(data, "request", json_type_object), *recipe = field(data, "recipe", json_type_object);
        const char *state = req_string(q, "state"), *group = or_unknown(req_string(q, "group"));
        long long id = (long long) req_int(q, "id"), gid = (long long) req_int(q, "gid");

        if (state && strcmp(state, "approved") == 0) {
                printf("Group %s (gid %lld) is now delegated to you (request #%lld, granted by the group's policy).\n",
                       group, gid, id);
                if (recipe) {
                        putchar('\n');
                        req_print_recipe(recipe, "");
                }
                return;
        }
        printf("Request #%lld for group %s (gid %lld) is %s.\n", id, group, gid, or_unknown(state));
        if (state && strcmp(state, "pending") == 0)
                printf("An administrator (root or a member of group subidadm) decides with\n"
                       "  subidctl approve %lld   or   subidctl reject %lld\n"
                       "Check on it with: subid-request --status\n",
                       id, id);
}

static const char *plural(const char *kind) {
        return kind && strcmp(kind, "uid") == 0 ? "subuids" : "subgids";
}

void req_print_range_reply(json_object *data) {
        json_object *granted = field(data, "granted", json_type_array);

        for (size_t i = 0; granted && i < json_object_array_length(granted); i++) {
                json_object *g = json_object_array_get_idx(granted, i);

                printf("granted you %s %lld-%lld (%lld)\n", plural(req_string(g, "kind")),
                       (long long) req_int(g, "first"), (long long) req_int(g, "last"),
                       (long long) req_int(g, "count"));
        }
        printf("Rootless podman uses them after: podman system migrate\n");
}

static void print_ranges(json_object *data, const char *key, const char *label) {
        json_object *a = field(data, key, json_type_array);

        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                json_object *r = json_object_array_get_idx(a, i);

                printf("  %s %lld-%lld (%lld)\n", label, (long long) req_int(r, "first"), (long long) req_int(r, "last"),
                       (long long) req_int(r, "count"));
        }
}

void req_print_status(json_object *data) {
        json_object *subuids = field(data, "subuids", json_type_array), *subgids = field(data, "subgids", json_type_array),
                    *delegations = field(data, "delegations", json_type_array),
                    *requests = field(data, "requests", json_type_array);
        size_t n_delegations = delegations ? json_object_array_length(delegations) : 0;
        size_t n_requests = requests ? json_object_array_length(requests) : 0, inactive = 0;

        printf("%s (uid %lld)\n", or_unknown(req_string(data, "user")), (long long) req_int(data, "uid"));
        if ((!subuids || json_object_array_length(subuids) == 0) && (!subgids || json_object_array_length(subgids) == 0))
                printf("  no subordinate uids or gids\n");
        print_ranges(data, "subuids", "subuid");
        print_ranges(data, "subgids", "subgid");
        for (size_t i = 0; i < n_delegations; i++) {
                json_object *d = json_object_array_get_idx(delegations, i);
                json_object *active = field(d, "active", json_type_boolean);
                const char *group = or_unknown(req_string(d, "group"));

                if (active && json_object_get_boolean(active)) {
                        printf("  delegated group %s (gid %lld): active\n", group, (long long) req_int(d, "gid"));
                } else {
                        inactive++;
                        printf("  delegated group %s (gid %lld): inactive, you are not a member of %s now\n", group,
                               (long long) req_int(d, "gid"), group);
                }
        }
        if (inactive > 0)
                printf("  (while /etc/subgid lists an inactive delegation, podman cannot set up its user\n"
                       "   namespace: ask an administrator to revoke it, then run podman system migrate)\n");
        for (size_t i = 0; i < n_requests; i++)
                req_print_request(json_object_array_get_idx(requests, i), "  ");
        if (req_int(data, "requests_omitted") > 0)
                printf("  (and %lld older requests)\n", (long long) req_int(data, "requests_omitted"));
        for (size_t i = 0; i < n_delegations; i++) {
                json_object *d = json_object_array_get_idx(delegations, i);
                json_object *recipe = field(d, "recipe", json_type_object);

                if (!recipe)
                        continue;
                printf("\nGroup %s (gid %lld):\n", or_unknown(req_string(d, "group")), (long long) req_int(d, "gid"));
                req_print_recipe(recipe, "  ");
        }
}
