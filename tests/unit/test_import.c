/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/import.c: the shadow-format parser and the validation that keeps
 * a hand-edited /etc/subuid from smuggling dangerous ranges in. */
#include <errno.h>
#include <time.h>

#include "policy_testlib.h"

#include "../../policy/import.h"

/* ---- parser --------------------------------------------------------------- */

typedef struct parse_case {
        const char *line; /* one line, parsed as a subuid file */
        const char *owner; /* NULL: no entry (blank or refused) */
        uint32_t first, count;
        const char *refusal; /* substring of the reason, NULL: not refused */
        const char *rule;
} parse_case;

static const parse_case parse_cases[] = {
        { "alice:100000:65536\n", "alice", 100000, 65536, NULL, "name:first:count" },
        { "1001:100000:65536\n", "1001", 100000, 65536, NULL, "numeric owner (resolved later)" },
        { "alice:100000:65536", "alice", 100000, 65536, NULL, "no newline at the end of the file" },
        { "\n", NULL, 0, 0, NULL, "blank line" },
        { "  \t\n", NULL, 0, 0, NULL, "whitespace-only line counts as blank" },
        { "alice:100000\n", NULL, 0, 0, "expected OWNER:FIRST:COUNT", "two fields" },
        { "alice:1:2:3\n", NULL, 0, 0, "expected OWNER:FIRST:COUNT", "four fields" },
        { "alice\n", NULL, 0, 0, "expected OWNER:FIRST:COUNT", "one field" },
        { "# comment\n", NULL, 0, 0, "expected OWNER:FIRST:COUNT", "comments are not part of the format" },
        { ":100000:65536\n", NULL, 0, 0, "invalid owner", "empty owner" },
        { "al\033ice:100000:65536\n", NULL, 0, 0, "invalid owner", "control character in the owner" },
        { " alice:100000:65536\n", NULL, 0, 0, "invalid owner", "leading space in the owner" },
        { "alice:-1:65536\n", NULL, 0, 0, "invalid first id", "sign: -1 is not 4294967295" },
        { "alice:+100000:65536\n", NULL, 0, 0, "invalid first id", "sign: + refused" },
        { "alice: 100000:65536\n", NULL, 0, 0, "invalid first id", "space before a number" },
        { "alice:100000 :65536\n", NULL, 0, 0, "invalid first id", "space after a number" },
        { "alice:0x186a0:65536\n", NULL, 0, 0, "invalid first id", "hex refused" },
        { "alice:0100000:65536\n", NULL, 0, 0, "invalid first id", "leading zero (octal to strtoul)" },
        { "alice::65536\n", NULL, 0, 0, "invalid first id", "empty first id" },
        { "alice:100000:\n", NULL, 0, 0, "invalid count", "empty count" },
        { "alice:100000:0\n", NULL, 0, 0, "invalid count", "count 0" },
        { "alice:100000:-65536\n", NULL, 0, 0, "invalid count", "negative count" },
        { "alice:100000:65536\r\n", NULL, 0, 0, "invalid count", "CRLF line ending" },
        { "alice:4294967295:1\n", NULL, 0, 0, "out of range", "(uid_t)-1 is not an id" },
        { "alice:99999999999:1\n", NULL, 0, 0, "out of range", "overflowing first id" },
        { "alice:1:4294967296\n", NULL, 0, 0, "count", "count beyond 32 bits" },
        { "alice:4294967294:2\n", NULL, 0, 0, "goes beyond", "range past the last id" },
        { "alice:4294967294:1\n", "alice", 4294967294u, 1, NULL, "the last id itself" },
};

static void test_parse_table(void **state) {
        (void) state;
        for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
                const parse_case *c = &parse_cases[i];
                import_set s = {};
                FILE *f = fmemopen((void *) c->line, strlen(c->line), "r");

                assert_non_null(f);
                assert_int_equal(import_parse(&s, f, "subuid", ID_KIND_UID), 0);
                fclose(f);
                if (c->owner) {
                        if (s.n_entries != 1 || s.n_refusals != 0)
                                fail_msg("%s: %zu entries, %zu refusals", c->rule, s.n_entries, s.n_refusals);
                        assert_string_equal(s.entries[0].owner, c->owner);
                        assert_int_equal(s.entries[0].range.first, c->first);
                        assert_int_equal(s.entries[0].range.count, c->count);
                } else if (c->refusal) {
                        if (s.n_entries != 0 || s.n_refusals != 1)
                                fail_msg("%s: %zu entries, %zu refusals", c->rule, s.n_entries, s.n_refusals);
                        if (!strstr(s.refusals[0].reason, c->refusal))
                                fail_msg("%s: reason '%s' lacks '%s'", c->rule, s.refusals[0].reason, c->refusal);
                        assert_int_equal(s.refusals[0].line, 1);
                } else if (s.n_entries != 0 || s.n_refusals != 0)
                        fail_msg("%s: blank line produced something", c->rule);
                import_set_done(&s);
        }
}

/* A NUL byte inside a line cannot come through a C string table. */
static void test_parse_nul(void **state) {
        static const char text[] = "alice:1000\0000:1\nbob:200000:10\n";
        import_set s = {};
        FILE *f = fmemopen((void *) text, sizeof text - 1, "r");

        (void) state;
        assert_int_equal(import_parse(&s, f, "subuid", ID_KIND_UID), 0);
        fclose(f);
        assert_int_equal(s.n_refusals, 1);
        assert_int_equal(s.refusals[0].line, 1);
        assert_non_null(strstr(s.refusals[0].reason, "NUL"));
        assert_int_equal(s.n_entries, 1);
        assert_int_equal(s.entries[0].line, 2);
        import_set_done(&s);
}

/* ---- validation and writing ------------------------------------------------- */

typedef struct import_case {
        const char *rule;
        const char *fixture;
        const char *subuid; /* file text, NULL: no file */
        const char *subgid;
        bool skip_bad;
        const char *refused; /* "FILE:LINE ..." of refused entries */
        const char *reason;  /* substring of the first refusal's reason */
        const char *ranges;  /* state afterwards */
        const char *quarantine;
        const char *delegations;
} import_case;

#define BOB_RANGE                                                                                        \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES ('uid', 1002, " \
        "'bob', 200000, 65536, 1);"
#define ALICE_RANGE                                                                                      \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES ('uid', 1001, " \
        "'alice', 100000, 65536, 1);"
#define Q_BOB                                                                                               \
        "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since) VALUES ('uid', " \
        "300000, 65536, 1002, 'bob', 'revoke', 1);"
#define Q_ALICE                                                                                             \
        "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since) VALUES ('uid', " \
        "300000, 65536, 1001, 'alice', 'revoke', 1);"

static const import_case import_cases[] = {
        { "clean files are imported", "", "alice:100000:65536\nbob:200000:65536\n", "alice:100000:65536\n", false,
          "", NULL, "uid:alice:100000:65536 uid:bob:200000:65536 gid:alice:100000:65536", "", "" },
        { "blank lines are fine", "", "\nalice:100000:65536\n\n", NULL, false, "", NULL, "uid:alice:100000:65536", "",
          "" },
        { "a numeric owner is stored under its name", "", "1001:100000:65536\n", NULL, false, "", NULL,
          "uid:alice:100000:65536", "", "" },
        { "host id 0: refused, nothing imported", "", "alice:100000:65536\nbob:0:65536\n", NULL, false, "subuid:2",
          "host id 0", "", "", "" },
        { "host id 0 with --skip-bad: the clean entry is imported", "", "alice:100000:65536\nbob:0:65536\n", NULL,
          true, "subuid:2", "host id 0", "uid:alice:100000:65536", "", "" },
        { "two users overlapping in the file: both refused", "", "alice:100000:65536\nbob:150000:10000\n", NULL,
          true, "subuid:1 subuid:2", "overlaps the entry", "", "", "" },
        { "overlap found through an entry reaching further", "",
          "alice:100000:60000\nbob:150000:10\ncarol:155000:10\n", NULL, true, "subuid:1 subuid:2 subuid:3",
          "overlaps the entry", "", "", "" },
        { "overlap with another user's range in the database", BOB_RANGE, "alice:265535:10\n", NULL, false,
          "subuid:1", "overlaps subuids 200000-265535 of bob", "uid:bob:200000:65536", "", "" },
        { "partial overlap with the owner's own database range", ALICE_RANGE, "alice:165535:10\n", NULL, false,
          "subuid:1", "partly overlaps", "uid:alice:100000:65536", "", "" },
        { "identical to the database: already present, no change", ALICE_RANGE, "alice:100000:65536\n", NULL, false,
          "", NULL, "uid:alice:100000:65536", "", "" },
        { "an identical line twice: one import", "", "alice:100000:65536\nalice:100000:65536\n", NULL, false, "",
          NULL, "uid:alice:100000:65536", "", "" },
        { "the same range for two users: both refused", "", "alice:100000:65536\nbob:100000:65536\n", NULL, true,
          "subuid:1 subuid:2", "overlaps", "", "", "" },
        { "contains an existing uid (svc, 170000)", "", "alice:160000:20000\n", NULL, false, "subuid:1",
          "uid 170000 of existing user svc", "", "", "" },
        { "contains an existing gid (bigg, 400000)", "", NULL, "alice:390000:20000\n", false, "subgid:1",
          "gid 400000 of existing group bigg", "", "", "" },
        { "a gid is no uid: fine in subuid", "", "alice:390000:20000\n", NULL, false, "", NULL,
          "uid:alice:390000:20000", "", "" },
        { "unknown owner", "", "mallory:100000:65536\n", NULL, false, "subuid:1", "unknown user", "", "", "" },
        { "unknown numeric owner", "", "4242:100000:65536\n", NULL, false, "subuid:1", "unknown user", "", "", "" },
        { "an entry overlapping an unknown owner's entry is refused too", "",
          "ghost:100000:65536\nalice:100000:65536\n", NULL, true, "subuid:1 subuid:2", NULL, "", "", "" },
        { "someone else's quarantine: refused", Q_BOB, "alice:300000:65536\n", NULL, false, "subuid:1",
          "quarantined subuids 300000-365535 formerly of bob", "", "uid:bob:300000:65536", "" },
        { "the owner's own quarantine is reclaimed", Q_ALICE, "alice:310000:10000\n", NULL, false, "", NULL,
          "uid:alice:310000:10000", "uid:alice:300000:10000 uid:alice:320000:45536", "" },
        { "two entries reclaiming one piece", Q_ALICE, "alice:300000:10\nalice:300020:10\n", NULL, false, "", NULL,
          "uid:alice:300000:10 uid:alice:300020:10", "uid:alice:300010:10 uid:alice:300030:65506", "" },
        { "a member's group gid in subgid is a delegation", "", NULL, "alice:100000:65536\nalice:2000:1\n", false, "",
          NULL, "gid:alice:100000:65536", "", "alice:2000:rfriends" },
        { "a non-member's group gid is refused", "", NULL, "bob:2000:1\n", false, "subgid:1",
          "group rfriends, and bob is not a member", "", "", "" },
        { "the primary group's gid counts as membership", "", NULL, "bob:1002:1\n", false, "", NULL, "", "",
          "bob:1002:bob" },
        { "a group gid with count > 1 is an overlap, not a delegation", "", NULL, "alice:2000:2\n", false,
          "subgid:1", "gid 2000 of existing group rfriends", "", "", "" },
        { "a delegation twice in the files: one row", "", NULL, "alice:2000:1\nalice:2000:1\n", false, "", NULL, "",
          "", "alice:2000:rfriends" },
        { "a group gid in subuid is just a uid range (no user has uid 2000)", "", "alice:2000:1\n", NULL, false, "",
          NULL, "uid:alice:2000:1", "", "" },
        { "host id 0 as a delegation (group root) is refused", "", NULL, "alice:0:1\n", false, "subgid:1",
          "host id 0", "", "", "" },
        { "malformed lines refuse the import", "", "alice:100000:65536\nalice:200000\n", NULL, false, "subuid:2",
          "expected OWNER:FIRST:COUNT", "", "", "" },
        { "malformed lines with --skip-bad", "", "alice:100000:65536\nalice:200000\n", NULL, true, "subuid:2", NULL,
          "uid:alice:100000:65536", "", "" },
        { "refusals are reported in file order, across files", "", "x:1:1\nalice:100000:65536\nbob:0:1\n",
          "y:1:1\n", true, "subuid:1 subuid:3 subgid:1", NULL, "uid:alice:100000:65536", "", "" },
};

static import_set parse_files(const char *subuid, const char *subgid) {
        import_set s = {};

        if (subuid) {
                FILE *f = fmemopen((void *) subuid, strlen(subuid), "r");
                assert_int_equal(import_parse(&s, f, "subuid", ID_KIND_UID), 0);
                fclose(f);
        }
        if (subgid) {
                FILE *f = fmemopen((void *) subgid, strlen(subgid), "r");
                assert_int_equal(import_parse(&s, f, "subgid", ID_KIND_GID), 0);
                fclose(f);
        }
        return s;
}

static char *refused_list(const import_set *s) {
        char *out = strdup(""), *next;

        for (size_t i = 0; i < s->n_refusals; i++) {
                assert_true(asprintf(&next, "%s%s%s:%zu", out, i ? " " : "", s->sources[s->refusals[i].source],
                                     s->refusals[i].line) > 0);
                free(out);
                out = next;
        }
        return out;
}

static void run_import_case(testenv *t, const import_case *c) {
        import_set s = parse_files(c->subuid, c->subgid);
        import_result result = {};
        char *before, *refused;
        int r;

        exec_sql(t->db, "DELETE FROM ranges; DELETE FROM quarantine; DELETE FROM delegations;");
        unlink(t->subuid);
        unlink(t->subgid);
        exec_sql(t->db, c->fixture);
        before = db_state(t->db);

        r = policy_import(t->db, &s, &t->acc, &(import_options) { .skip_bad = c->skip_bad }, &t->paths, &result);
        if (r != 0)
                fail_msg("%s: returned %d", c->rule, r);
        refused = refused_list(&s);
        if (strcmp(refused, c->refused) != 0)
                fail_msg("%s: refused '%s', expected '%s'", c->rule, refused, c->refused);
        if (c->reason && (s.n_refusals == 0 || !strstr(s.refusals[0].reason, c->reason)))
                fail_msg("%s: first reason '%s' lacks '%s'", c->rule, s.n_refusals ? s.refusals[0].reason : "",
                         c->reason);
        assert_int_equal(result.refused, s.n_refusals);
        assert_view(t->db, RANGES_VIEW, c->ranges, c->rule);
        assert_view(t->db, QUARANTINE_VIEW, c->quarantine, c->rule);
        assert_view(t->db, DELEGATIONS_VIEW, c->delegations, c->rule);
        if (!result.changed) {
                char *after = db_state(t->db);

                assert_string_equal(before, after);
                free(after);
                assert_file(t->subuid, NULL, c->rule); /* nothing written, nothing exported */
        } else {
                char *exported = file_text(t->subuid);

                if (!exported)
                        fail_msg("%s: changed but not exported", c->rule);
                free(exported);
        }
        assert_true(sqlite3_get_autocommit(t->db));
        free(refused);
        free(before);
        import_set_done(&s);
}

static void test_import_table(void **state) {
        for (size_t i = 0; i < sizeof import_cases / sizeof import_cases[0]; i++)
                run_import_case(*state, &import_cases[i]);
}

/* Importing our own export changes nothing, delegations included. */
static void test_reimport_own_export(void **state) {
        testenv *t = *state;
        import_set s = parse_files("bob:200000:65536\nalice:100000:65536\n1003:300000:10\n",
                                   "alice:2000:1\nalice:100000:65536\nbob:1002:1\n");
        import_result result = {};
        char *uid_text, *gid_text, *before, *after;

        assert_int_equal(policy_import(t->db, &s, &t->acc, &(import_options) {}, &t->paths, &result), 0);
        assert_true(result.changed);
        assert_int_equal(result.ranges[ID_KIND_UID], 3);
        assert_int_equal(result.ranges[ID_KIND_GID], 1);
        assert_int_equal(result.delegations, 2);
        import_set_done(&s);

        uid_text = file_text(t->subuid);
        gid_text = file_text(t->subgid);
        assert_string_equal(uid_text, "alice:100000:65536\nbob:200000:65536\ncarol:300000:10\n");
        assert_string_equal(gid_text, "alice:100000:65536\nalice:2000:1\nbob:1002:1\n");

        before = db_state(t->db);
        s = parse_files(uid_text, gid_text);
        result = (import_result) {};
        assert_int_equal(policy_import(t->db, &s, &t->acc, &(import_options) {}, &t->paths, &result), 0);
        assert_false(result.changed);
        assert_int_equal(result.present, 6);
        assert_int_equal(result.refused, 0);
        after = db_state(t->db);
        assert_string_equal(before, after);
        import_set_done(&s);
        free(before);
        free(after);
        free(uid_text);
        free(gid_text);
}

/* 100,000 lines per file must take seconds, not minutes: every check is an
 * index search or a binary search. The bound is loose on purpose; a
 * quadratic algorithm would blow it by orders of magnitude. */
static void test_import_100k_lines(void **state) {
        testenv *t = *state;
        char *uid_text = NULL, *gid_text = NULL;
        size_t uid_len = 0, gid_len = 0;
        FILE *fu = open_memstream(&uid_text, &uid_len), *fg = open_memstream(&gid_text, &gid_len);
        import_result result = {};
        struct timespec t0, t1;
        import_set s;
        double seconds;

        for (unsigned i = 0; i < 100000; i++) {
                fprintf(fu, "%s:%u:100\n", i % 2 ? "alice" : "bob", 1000000 + i * 100);
                fprintf(fg, "%s:%u:100\n", i % 2 ? "bob" : "carol", 1000000 + i * 100);
        }
        fclose(fu);
        fclose(fg);

        clock_gettime(CLOCK_MONOTONIC, &t0);
        s = parse_files(uid_text, gid_text);
        assert_int_equal(policy_import(t->db, &s, &t->acc, &(import_options) {}, &t->paths, &result), 0);
        import_set_done(&s);
        s = parse_files(uid_text, gid_text); /* and once more: all present */
        assert_int_equal(policy_import(t->db, &s, &t->acc, &(import_options) {}, &t->paths, &result), 0);
        assert_int_equal(result.present, 200000);
        import_set_done(&s);
        clock_gettime(CLOCK_MONOTONIC, &t1);

        seconds = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
        print_message("imported 2 x 100000 lines and re-imported them in %.2f s\n", seconds);
        assert_true(seconds < 30.0);
        free(uid_text);
        free(gid_text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_table),
                cmocka_unit_test(test_parse_nul),
                cmocka_unit_test_setup_teardown(test_import_table, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_reimport_own_export, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_import_100k_lines, testenv_setup, testenv_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
