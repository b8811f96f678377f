/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "req_render.h"

#include <stdio.h>
#include <time.h>

void req_format_time(int64_t t, char *buf, size_t size) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
                snprintf(buf, size, "@%lld", (long long) t);
}

const char *req_string(json_object *o, const char *key) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

int64_t req_int(json_object *o, const char *key) {
        json_object *v;
        int64_t n;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return -1;
        n = json_object_get_int64(v);
        return n < 0 ? -1 : n;
}

void req_print_recipe(json_object *recipe, const char *indent) {
        const char *podman = req_string(recipe, "podman"), *legacy = req_string(recipe, "podman_legacy"),
                   *migrate = req_string(recipe, "migrate"), *check = req_string(recipe, "check"),
                   *warning = req_string(recipe, "warning"), *note = req_string(recipe, "note");
        int64_t gid = req_int(recipe, "gid"), container = req_int(recipe, "container_gid");

        if (!recipe)
                return;
        printf("%sTo use it in rootless podman:\n", indent);
        if (migrate)
                printf("%s  once now, and again after any change to your delegations:\n%s      %s\n", indent,
                       indent, migrate);
        if (podman)
                printf("%s  then, with podman 4.7 or later:\n%s      %s\n", indent, indent, podman);
        if (legacy)
                printf("%s  or, with older podman:\n%s      %s\n", indent, indent, legacy);
        if (podman && container >= 0 && gid >= 0)
                printf("%s  Inside the container the group is gid %lld (host gid %lld).\n", indent,
                       (long long) container, (long long) gid);
        if (check)
                printf("%s  To see the mapping podman uses: %s\n", indent, check);
        if (warning)
                printf("%s  Note: %s.\n", indent, warning);
        if (note)
                printf("%s  Note: %s.\n", indent, note);
}

void req_print_request(json_object *q, const char *indent) {
        const char *user = req_string(q, "user"), *group = req_string(q, "group"), *state = req_string(q, "state"),
                   *reason = req_string(q, "reason");
        int64_t id = req_int(q, "id"), uid = req_int(q, "uid"), gid = req_int(q, "gid"),
                created = req_int(q, "created_at"), decided = req_int(q, "decided_at"),
                by = req_int(q, "decided_by");
        char when[64];

        printf("%srequest #%lld: group %s (gid %lld) for %s (uid %lld), ", indent, (long long) id,
               group ? group : "?", (long long) gid, user ? user : "?", (long long) uid);
        if (!state || decided < 0) {
                req_format_time(created, when, sizeof when);
                printf("%s since %s\n", state ? state : "?", when);
                return;
        }
        req_format_time(decided, when, sizeof when);
        printf("%s %s", state, when);
        if (by >= 0)
                printf(" by uid %lld", (long long) by);
        else
                printf(" by group policy");
        if (reason)
                printf(": %s", reason);
        putchar('\n');
}
