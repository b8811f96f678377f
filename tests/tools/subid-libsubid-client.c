/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subid-libsubid-client: a small program linked against shadow's libsubid
 * (libsubid-dev), for tests/integration/t_libsubid.sh. libsubid picks its
 * backend from /etc/nsswitch.conf, so with `subid: subid` every call below
 * goes to libsubid_subid.so.
 *
 *   subid-libsubid-client ranges uid|gid USER         subid_get_{u,g}id_ranges: "START COUNT" lines
 *   subid-libsubid-client owners uid|gid ID           subid_get_{u,g}id_owners: one uid a line
 *   subid-libsubid-client grant uid|gid USER COUNT    subid_grant_{u,g}id_range: "granted START" or "refused"
 *   subid-libsubid-client ungrant uid|gid USER START COUNT
 *                                                     subid_ungrant_{u,g}id_range: "ungranted" or "refused"
 *   subid-libsubid-client has uid|gid USER START COUNT
 *                                                     shadow_subid_has_range of libsubid_subid.so,
 *                                                     loaded the way libsubid loads it: "yes" or "no"
 *
 * libsubid has no public has-range call (only shadow's own newuidmap asks
 * it), hence the dlopen for `has`. Exit status: 0 when the call answered
 * (for grant/ungrant: when it succeeded), 1 when it failed or refused,
 * 2 on usage errors. */
#include <dlfcn.h>
#include <shadow/subid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/parse.h"

typedef enum subid_status (*has_range_fn)(const char *owner, unsigned long start, unsigned long count,
                                          enum subid_type idtype, bool *result);

static int usage(void) {
        fputs("usage: subid-libsubid-client ranges|owners|grant|ungrant|has uid|gid ARGS...\n", stderr);
        return 2;
}

static int number(const char *s, unsigned long *ret) {
        uint32_t v;

        if (parse_id(s, &v) < 0) {
                fprintf(stderr, "subid-libsubid-client: bad number '%s'\n", s);
                return -1;
        }
        *ret = v;
        return 0;
}

static int do_ranges(bool gid, const char *user) {
        struct subid_range *ranges = NULL;
        int n = gid ? subid_get_gid_ranges(user, &ranges) : subid_get_uid_ranges(user, &ranges);

        if (n < 0) {
                fprintf(stderr, "subid-libsubid-client: cannot get the ranges of %s\n", user);
                return 1;
        }
        for (int i = 0; i < n; i++)
                printf("%lu %lu\n", ranges[i].start, ranges[i].count);
        free(ranges);
        return 0;
}

static int do_owners(bool gid, const char *id_text) {
        unsigned long id;
        uid_t *owners = NULL;
        int n;

        if (number(id_text, &id) < 0)
                return 2;
        n = gid ? subid_get_gid_owners((gid_t) id, &owners) : subid_get_uid_owners((uid_t) id, &owners);
        if (n < 0) {
                fprintf(stderr, "subid-libsubid-client: cannot get the owners of %lu\n", id);
                return 1;
        }
        for (int i = 0; i < n; i++)
                printf("%u\n", (unsigned) owners[i]);
        free(owners);
        return 0;
}

static int do_grant(bool gid, const char *user, const char *count_text) {
        struct subordinate_range r = { .owner = user };

        if (number(count_text, &r.count) < 0)
                return 2;
        if (!(gid ? subid_grant_gid_range(&r, false) : subid_grant_uid_range(&r, false))) {
                puts("refused");
                return 1;
        }
        printf("granted %lu\n", r.start);
        return 0;
}

static int do_ungrant(bool gid, const char *user, const char *start_text, const char *count_text) {
        struct subordinate_range r = { .owner = user };

        if (number(start_text, &r.start) < 0 || number(count_text, &r.count) < 0)
                return 2;
        if (!(gid ? subid_ungrant_gid_range(&r) : subid_ungrant_uid_range(&r))) {
                puts("refused");
                return 1;
        }
        puts("ungranted");
        return 0;
}

static int do_has(bool gid, const char *user, const char *start_text, const char *count_text) {
        unsigned long start, count;
        has_range_fn has;
        bool result = false;
        void *h;

        if (number(start_text, &start) < 0 || number(count_text, &count) < 0)
                return 2;
        h = dlopen("libsubid_subid.so", RTLD_NOW);
        if (!h) {
                fprintf(stderr, "subid-libsubid-client: %s\n", dlerror());
                return 1;
        }
        has = (has_range_fn) (uintptr_t) dlsym(h, "shadow_subid_has_range");
        if (!has) {
                fprintf(stderr, "subid-libsubid-client: no shadow_subid_has_range\n");
                dlclose(h);
                return 1;
        }
        if (has(user, start, count, gid ? ID_TYPE_GID : ID_TYPE_UID, &result) != SUBID_STATUS_SUCCESS) {
                fprintf(stderr, "subid-libsubid-client: has_range failed for %s\n", user);
                dlclose(h);
                return 1;
        }
        puts(result ? "yes" : "no");
        dlclose(h);
        return 0;
}

int main(int argc, char **argv) {
        bool gid;

        if (argc < 4)
                return usage();
        if (strcmp(argv[2], "uid") != 0 && strcmp(argv[2], "gid") != 0)
                return usage();
        gid = strcmp(argv[2], "gid") == 0;
        subid_init("subid-libsubid-client", stderr);

        if (strcmp(argv[1], "ranges") == 0 && argc == 4)
                return do_ranges(gid, argv[3]);
        if (strcmp(argv[1], "owners") == 0 && argc == 4)
                return do_owners(gid, argv[3]);
        if (strcmp(argv[1], "grant") == 0 && argc == 5)
                return do_grant(gid, argv[3], argv[4]);
        if (strcmp(argv[1], "ungrant") == 0 && argc == 6)
                return do_ungrant(gid, argv[3], argv[4], argv[5]);
        if (strcmp(argv[1], "has") == 0 && argc == 6)
                return do_has(gid, argv[3], argv[4], argv[5]);
        return usage();
}
