/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared fixture of the policy unit tests: a fresh database in a mkdtemp
 * directory under /tmp, exported files next to it, and a table-built
 * accounts snapshot, so no test depends on the machine's users. */
#pragma once

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../policy/db.h"
#include "../../policy/export.h"
#include "../../policy/idsinuse.h"

#define UNUSED __attribute__((unused))

/* The accounts every test sees. svc (uid 170000) and bigg (gid 400000) are
 * accounts inside id space a subordinate range could otherwise use. */
static const account_user test_users[] UNUSED = {
        { (char *) "root", 0, 0 },       { (char *) "alice", 1001, 1001 }, { (char *) "bob", 1002, 1002 },
        { (char *) "carol", 1003, 1003 }, { (char *) "svc", 170000, 170000 }, { (char *) "nobody", 65534, 65534 },
};
static const account_group test_groups[] UNUSED = {
        { (char *) "root", 0 },     { (char *) "alice", 1001 },   { (char *) "bob", 1002 },
        { (char *) "carol", 1003 }, { (char *) "rfriends", 2000 }, { (char *) "svc", 170000 },
        { (char *) "bigg", 400000 }, { (char *) "nogroup", 65534 },
};
/* alice is in rfriends; bob is not. */
static const account_member test_members[] UNUSED = {
        { "alice", 2000 },
};

typedef struct testenv {
        char dir[64];
        char db_path[128];
        char subuid[128];
        char subgid[128];
        export_paths paths;
        sqlite3 *db;
        accounts acc;
} testenv;

static int UNUSED testenv_setup(void **state) {
        testenv *t = calloc(1, sizeof *t);

        assert_non_null(t);
        snprintf(t->dir, sizeof t->dir, "/tmp/subid-unit-XXXXXX");
        assert_non_null(mkdtemp(t->dir));
        snprintf(t->db_path, sizeof t->db_path, "%s/db/subid.db", t->dir);
        snprintf(t->subuid, sizeof t->subuid, "%s/etc/subuid", t->dir);
        snprintf(t->subgid, sizeof t->subgid, "%s/etc/subgid", t->dir);
        t->paths = (export_paths) { t->subuid, t->subgid };
        assert_int_equal(policy_db_open_rw(t->db_path, &t->db), 0);
        assert_int_equal(accounts_from_tables(test_users, sizeof test_users / sizeof test_users[0], test_groups,
                                              sizeof test_groups / sizeof test_groups[0], test_members,
                                              sizeof test_members / sizeof test_members[0], &t->acc),
                         0);
        *state = t;
        return 0;
}

static int UNUSED rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) st;
        (void) type;
        (void) ftw;
        return remove(path);
}

static int UNUSED testenv_teardown(void **state) {
        testenv *t = *state;

        sqlite3_close_v2(t->db);
        accounts_done(&t->acc);
        nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(t);
        return 0;
}

/* Runs SQL that must succeed (fixtures). */
static void UNUSED exec_sql(sqlite3 *db, const char *sql) {
        char *err = NULL;
        int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

        if (rc != SQLITE_OK)
                fail_msg("fixture SQL failed: %s: %s", err ? err : "?", sql);
}

/* The single text value of a query ("" for NULL); caller frees. */
static char UNUSED *query_text(sqlite3 *db, const char *sql) {
        sqlite3_stmt *st = NULL;
        const unsigned char *v;
        char *out;

        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        v = sqlite3_column_text(st, 0);
        out = strdup(v ? (const char *) v : "");
        sqlite3_finalize(st);
        assert_non_null(out);
        return out;
}

/* Compact views of the tables, ordered, for comparing with expectations. */
#define RANGES_VIEW                                                                                        \
        "SELECT coalesce(group_concat(kind || ':' || owner_name || ':' || first || ':' || count, ' '), '')" \
        " FROM (SELECT * FROM ranges ORDER BY kind DESC, first)"
#define QUARANTINE_VIEW                                                                                    \
        "SELECT coalesce(group_concat(kind || ':' || former_name || ':' || first || ':' || count, ' '), '')" \
        " FROM (SELECT * FROM quarantine ORDER BY kind DESC, first)"
#define DELEGATIONS_VIEW                                                                           \
        "SELECT coalesce(group_concat(owner_name || ':' || gid || ':' || group_name, ' '), '')"   \
        " FROM (SELECT * FROM delegations ORDER BY owner_name, gid)"

static void UNUSED assert_view(sqlite3 *db, const char *view, const char *expected, const char *rule) {
        char *got = query_text(db, view);

        if (strcmp(got, expected) != 0)
                fail_msg("%s:\n  got      '%s'\n  expected '%s'", rule, got, expected);
        free(got);
}

/* Everything the database holds, for "nothing changed" checks. */
static char UNUSED *db_state(sqlite3 *db) {
        char *a = query_text(db, RANGES_VIEW), *b = query_text(db, QUARANTINE_VIEW),
             *c = query_text(db, DELEGATIONS_VIEW), *out = NULL;

        assert_true(asprintf(&out, "ranges[%s] quarantine[%s] delegations[%s]", a, b, c) > 0);
        free(a);
        free(b);
        free(c);
        return out;
}

/* A file's whole content, or NULL when it does not exist. */
static char UNUSED *file_text(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0;
        ssize_t n;

        if (!f)
                return NULL;
        n = getdelim(&buf, &size, '\0', f);
        fclose(f);
        if (n < 0) {
                free(buf);
                return strdup("");
        }
        return buf;
}

static void UNUSED assert_file(const char *path, const char *expected, const char *rule) {
        char *got = file_text(path);

        if (!expected && got)
                fail_msg("%s: %s exists:\n%s", rule, path, got);
        if (expected && !got)
                fail_msg("%s: %s does not exist", rule, path);
        if (expected && strcmp(got, expected) != 0)
                fail_msg("%s: %s:\n--- got\n%s--- expected\n%s---", rule, path, got, expected);
        free(got);
}
