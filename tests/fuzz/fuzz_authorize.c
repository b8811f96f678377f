/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The helpers' decision (policy/authorize.c with ranges_cover) for a
 * subject and a request built from the input, checked against a second,
 * deliberately naive implementation of DESIGN.md's policy rules 1 and 2.
 *
 * The input is text, one directive a line (unknown lines are ignored):
 *   root                  the caller is uid 0
 *   self ID               the caller's own uid/gid
 *   held FIRST COUNT      a range the database gives the caller
 *   member GID            a delegated gid whose group the caller is in now
 *   nonmember GID         a delegated gid of a group the caller left
 *   map U L C [U L C]...  the request, as the helper's argv
 * The subject is built the way helpers/policy_load.c builds it (ranges,
 * then delegations of groups the caller is a member of, as ranges of one);
 * no database is opened, to keep thousands of executions a second. */
#include <string.h>

#include "../../common/parse.h"
#include "../../helpers/mapargs.h"
#include "fuzz.h"

#define MAX_HELD 256
#define MAX_ARGS (3 * MAP_MAX_EXTENTS + 3)

/* Naive coverage: keep jumping to the end of any held range that contains
 * the cursor. Quadratic, no sorting, no shared code with ranges_cover. */
static bool naive_covered(const id_range *held, size_t n, uint32_t first, uint32_t count) {
        uint64_t cursor = first, end = (uint64_t) first + count;
        bool moved = true;

        while (cursor < end && moved) {
                moved = false;
                for (size_t i = 0; i < n; i++) {
                        uint64_t hs = held[i].first, he = (uint64_t) held[i].first + held[i].count;

                        if (hs <= cursor && cursor < he) {
                                cursor = he;
                                moved = true;
                        }
                }
        }
        return cursor >= end;
}

static authz_result expected(const authz_subject *s, const id_mapping *m) {
        if (!s->caller_is_root && m->lower == 0)
                return AUTHZ_DENIED_HOST_ROOT;
        if (naive_covered(s->held, s->n_held, m->lower, m->count))
                return AUTHZ_ALLOWED_DB;
        if (m->count == 1 && m->lower == s->self_id)
                return AUTHZ_ALLOWED_SELF;
        return AUTHZ_DENIED_NOT_HELD;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        id_range held[MAX_HELD];
        char *text, *line, *save = NULL, *argv[MAX_ARGS + 1];
        id_mapping *maps = NULL;
        authz_subject s = { .self_id = 1000, .held = held };
        size_t n_maps = 0;
        char err[256];
        int argc = -1;

        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *w, *wsave = NULL, *tok[3] = {};
                int k = 0;

                w = strtok_r(line, " ", &wsave);
                if (!w)
                        continue;
                if (strcmp(w, "map") == 0) {
                        argc = 0;
                        while (argc < MAX_ARGS && (w = strtok_r(NULL, " ", &wsave)))
                                argv[argc++] = w;
                        argv[argc] = NULL;
                        continue;
                }
                if (strcmp(w, "root") == 0) {
                        s.caller_is_root = true;
                        continue;
                }
                while (k < 3 && (tok[k] = strtok_r(NULL, " ", &wsave)))
                        k++;
                uint32_t a, b;
                if (strcmp(w, "self") == 0 && k >= 1 && parse_id(tok[0], &a) == 0)
                        s.self_id = a;
                else if (strcmp(w, "held") == 0 && k >= 2 && s.n_held < MAX_HELD && parse_id(tok[0], &a) == 0 &&
                         parse_count(tok[1], &b) == 0) {
                        id_range r = { a, b };

                        /* The database's CHECK constraints and query.c refuse anything else. */
                        if (range_is_valid(&r))
                                held[s.n_held++] = r;
                } else if (strcmp(w, "member") == 0 && k >= 1 && s.n_held < MAX_HELD && parse_id(tok[0], &a) == 0)
                        held[s.n_held++] = (id_range) { a, 1 };
                /* nonmember: policy_load_held leaves it out; nothing to add. */
        }

        if (argc >= 0 && mapargs_parse(argc, argv, &maps, &n_maps, err, sizeof err) == 0) {
                for (size_t i = 0; i < n_maps; i++) {
                        authz_result got = authorize_mapping(&s, &maps[i]);
                        id_range want = { maps[i].lower, maps[i].count };

                        FUZZ_ASSERT(got == expected(&s, &maps[i]));
                        FUZZ_ASSERT(authz_result_to_string(got)[0] != '\0');
                        /* Never host root for anyone but root. */
                        if (!s.caller_is_root && range_contains_id(&want, 0))
                                FUZZ_ASSERT(!authz_allowed(got));
                        /* Allowed by the database: both ends are in some held range. */
                        if (got == AUTHZ_ALLOWED_DB) {
                                bool lo = false, hi = false;

                                for (size_t j = 0; j < s.n_held; j++) {
                                        lo = lo || range_contains_id(&held[j], want.first);
                                        hi = hi || range_contains_id(&held[j], range_last(&want));
                                }
                                FUZZ_ASSERT(lo && hi);
                        }
                }
        }
        free(maps);
        free(text);
        return 0;
}
