/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy/export.c: what podman and util-linux read. Order matters
 * (unshare --map-auto uses the first entry under a name), names must not
 * break the format, and replacement is atomic. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "policy_testlib.h"

#include "../../policy/export.h"

typedef struct export_case {
        const char *rule;
        const char *fixture;
        const char *subuid;
        const char *subgid;
} export_case;

#define INS_RANGE(kind, uid, name, first, count)                                                      \
        "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) VALUES ('" kind "', " \
        #uid ", '" name "', " #first ", " #count ", 1);"
#define INS_DELEGATION(uid, name, gid, group)                                                           \
        "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at) VALUES (" #gid ", '" \
        group "', " #uid ", '" name "', 1);"

static const export_case cases[] = {
        { "empty database: empty files", "", "", "" },
        { "sorted by name, then first, whatever the insertion order",
          INS_RANGE("uid", 1002, "bob", 300000, 10) INS_RANGE("uid", 1001, "alice", 200000, 10)
                  INS_RANGE("uid", 1001, "alice", 100000, 10),
          "alice:100000:10\nalice:200000:10\nbob:300000:10\n", "" },
        { "delegations after all ranges, even when their owner's name sorts first",
          INS_RANGE("gid", 1003, "zed", 100000, 65536) INS_DELEGATION(1001, "aaron", 2000, "rfriends")
                  INS_RANGE("gid", 1001, "aaron", 200000, 65536),
          "", "aaron:200000:65536\nzed:100000:65536\naaron:2000:1\n" },
        { "delegations sorted by name, then gid",
          INS_DELEGATION(1002, "bob", 2001, "b") INS_DELEGATION(1001, "alice", 2002, "c")
                  INS_DELEGATION(1001, "alice", 2000, "a"),
          "", "alice:2000:1\nalice:2002:1\nbob:2001:1\n" },
        { "uid and gid ranges go to their own files",
          INS_RANGE("uid", 1001, "alice", 100000, 65536) INS_RANGE("gid", 1001, "alice", 165536, 65536),
          "alice:100000:65536\n", "alice:165536:65536\n" },
        { "the highest range is written in full", INS_RANGE("uid", 1001, "alice", 4294901759, 65536),
          "alice:4294901759:65536\n", "" },
};

static void test_export_table(void **state) {
        testenv *t = *state;

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const export_case *c = &cases[i];

                exec_sql(t->db, "DELETE FROM ranges; DELETE FROM delegations;");
                exec_sql(t->db, c->fixture);
                assert_int_equal(policy_export(t->db, &t->paths), 0);
                assert_file(t->subuid, c->subuid, c->rule);
                assert_file(t->subgid, c->subgid, c->rule);
        }
}

static size_t count_dir_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

/* Mode 0644, root-owned (when run as root), the directory created 0755,
 * no temp file left behind, the previous file kept as NAME-. */
static void test_export_file_properties(void **state) {
        testenv *t = *state;
        char etc[160], backup[160];
        struct stat st;

        snprintf(etc, sizeof etc, "%s/etc", t->dir);
        snprintf(backup, sizeof backup, "%s-", t->subuid);
        exec_sql(t->db, INS_RANGE("uid", 1001, "alice", 100000, 10));
        umask(077); /* the mode must not depend on the caller's umask */
        assert_int_equal(policy_export(t->db, &t->paths), 0);
        umask(022);

        assert_int_equal(stat(etc, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        assert_int_equal(stat(t->subuid, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        assert_true(S_ISREG(st.st_mode));
        if (geteuid() == 0) {
                assert_int_equal(st.st_uid, 0);
                assert_int_equal(st.st_gid, 0);
        }
        assert_int_equal(count_dir_entries(etc), 2); /* subuid, subgid: no temp files */

        exec_sql(t->db, INS_RANGE("uid", 1002, "bob", 200000, 10));
        assert_int_equal(policy_export(t->db, &t->paths), 0);
        assert_file(t->subuid, "alice:100000:10\nbob:200000:10\n", "second export");
        assert_file(backup, "alice:100000:10\n", "the previous file is kept as subuid-");
        assert_int_equal(count_dir_entries(etc), 4);
}

/* Temp files of a writer killed between staging and rename are removed by
 * the next export; files that merely look similar are left alone. */
static void test_export_removes_stale_temps(void **state) {
        testenv *t = *state;
        const char *stale[] = { ".subuid.0123456789abcdef", ".subgid.fedcba9876543210" };
        const char *keep[] = { ".subuid.notatempfile", ".subuid.0123456789ABCDEF", "subuid.0123456789abcdef" };
        char etc[160], path[256];
        struct stat st;

        snprintf(etc, sizeof etc, "%s/etc", t->dir);
        assert_int_equal(policy_export(t->db, &t->paths), 0);
        for (size_t i = 0; i < 2; i++) {
                snprintf(path, sizeof path, "%s/%s", etc, stale[i]);
                close(open(path, O_WRONLY | O_CREAT, 0600));
        }
        for (size_t i = 0; i < 3; i++) {
                snprintf(path, sizeof path, "%s/%s", etc, keep[i]);
                close(open(path, O_WRONLY | O_CREAT, 0600));
        }
        assert_int_equal(policy_export(t->db, &t->paths), 0);
        for (size_t i = 0; i < 2; i++) {
                snprintf(path, sizeof path, "%s/%s", etc, stale[i]);
                assert_int_not_equal(stat(path, &st), 0);
        }
        for (size_t i = 0; i < 3; i++) {
                snprintf(path, sizeof path, "%s/%s", etc, keep[i]);
                assert_int_equal(stat(path, &st), 0);
        }
}

/* export_is_current: equal after an export; not after a hand edit, a
 * truncation, an appended line or a lost file; equal again after export. */
static void test_export_is_current(void **state) {
        testenv *t = *state;
        FILE *f;

        exec_sql(t->db, INS_RANGE("uid", 1001, "alice", 100000, 10));
        assert_int_equal(export_is_current(t->db, &t->paths), 0); /* never exported */
        assert_int_equal(policy_export(t->db, &t->paths), 0);
        assert_int_equal(export_is_current(t->db, &t->paths), 1);

        f = fopen(t->subuid, "a");
        assert_non_null(f);
        fputs("mallory:0:1\n", f); /* an appended line */
        fclose(f);
        assert_int_equal(export_is_current(t->db, &t->paths), 0);
        assert_int_equal(policy_export(t->db, &t->paths), 0);
        assert_int_equal(export_is_current(t->db, &t->paths), 1);

        assert_int_equal(truncate(t->subgid, 0), 0); /* subgid is empty anyway: still equal */
        assert_int_equal(export_is_current(t->db, &t->paths), 1);
        assert_int_equal(truncate(t->subuid, 5), 0); /* cut short */
        assert_int_equal(export_is_current(t->db, &t->paths), 0);
        assert_int_equal(unlink(t->subuid), 0); /* lost */
        assert_int_equal(export_is_current(t->db, &t->paths), 0);
        assert_int_equal(policy_export(t->db, &t->paths), 0);
        assert_int_equal(export_is_current(t->db, &t->paths), 1);
}

/* A stored name that would forge a line is never written: the export
 * fails and the old files stay. */
static void test_export_refuses_unsafe_names(void **state) {
        static const char *const fixtures[] = {
                "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at)"
                " VALUES ('uid', 1001, 'evil:0:1', 100000, 10, 1)",
                "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at)"
                " VALUES ('uid', 1001, 'evil' || char(10) || 'root', 100000, 10, 1)",
                "INSERT INTO delegations (gid, group_name, owner_uid, owner_name, created_at)"
                " VALUES (2000, 'g', 1001, 'x:2000', 1)",
        };
        testenv *t = *state;

        exec_sql(t->db, INS_RANGE("uid", 1001, "alice", 100000, 10));
        assert_int_equal(policy_export(t->db, &t->paths), 0);
        for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
                exec_sql(t->db, "DELETE FROM delegations");
                exec_sql(t->db, fixtures[i]);
                assert_int_equal(policy_export(t->db, &t->paths), -EBADMSG);
                assert_file(t->subuid, "alice:100000:10\n", "unsafe name: old file kept");
                exec_sql(t->db, "DELETE FROM ranges WHERE owner_name != 'alice'");
        }
}

/* If the export cannot be staged, the write transaction is rolled back:
 * database and files stay as they were. */
static void test_commit_and_export_rolls_back(void **state) {
        testenv *t = *state;
        char blocker[160], bad_subuid[200];
        export_paths bad;
        FILE *f;

        snprintf(blocker, sizeof blocker, "%s/notadir", t->dir);
        snprintf(bad_subuid, sizeof bad_subuid, "%s/subuid", blocker);
        f = fopen(blocker, "we");
        assert_non_null(f);
        fclose(f);
        bad = (export_paths) { bad_subuid, t->subgid };

        assert_int_equal(policy_db_begin(t->db), 0);
        exec_sql(t->db, INS_RANGE("uid", 1001, "alice", 100000, 10));
        assert_true(policy_commit_and_export(t->db, &bad) < 0);
        assert_true(sqlite3_get_autocommit(t->db));
        assert_view(t->db, RANGES_VIEW, "", "rolled back");
        assert_file(t->subgid, NULL, "no file written");

        /* and the good path commits and writes both */
        assert_int_equal(policy_db_begin(t->db), 0);
        exec_sql(t->db, INS_RANGE("uid", 1001, "alice", 100000, 10));
        assert_int_equal(policy_commit_and_export(t->db, &t->paths), 0);
        assert_view(t->db, RANGES_VIEW, "uid:alice:100000:10", "committed");
        assert_file(t->subuid, "alice:100000:10\n", "exported");
        assert_file(t->subgid, "", "exported");
}

/* The export shows the transaction's own, uncommitted changes: it is
 * rendered before COMMIT so that files and database agree. */
static void test_render_inside_transaction(void **state) {
        testenv *t = *state;
        char *u = NULL, *g = NULL;
        size_t ul, gl;

        assert_int_equal(policy_db_begin(t->db), 0);
        exec_sql(t->db, INS_RANGE("gid", 1001, "alice", 100000, 10));
        assert_int_equal(export_render(t->db, &u, &ul, &g, &gl), 0);
        policy_db_rollback(t->db);
        assert_string_equal(u, "");
        assert_string_equal(g, "alice:100000:10\n");
        assert_int_equal(gl, strlen(g));
        free(u);
        free(g);
}

/* The export lock is held from staging until the staged files are
 * released, so concurrent writers publish in commit order. */
static void test_export_lock_held_until_done(void **state) {
        testenv *t = *state;
        char etc[160];
        export_staged s;
        int probe;

        snprintf(etc, sizeof etc, "%s/etc", t->dir);
        assert_int_equal(policy_db_begin(t->db), 0);
        assert_int_equal(export_stage(t->db, &t->paths, &s), 0);
        policy_db_rollback(t->db);

        probe = open(etc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(probe >= 0);
        assert_int_equal(flock(probe, LOCK_EX | LOCK_NB), -1);
        assert_int_equal(errno, EWOULDBLOCK);
        assert_int_equal(export_publish(&s), 0);
        assert_int_equal(flock(probe, LOCK_EX | LOCK_NB), -1); /* still held until done */
        export_staged_done(&s);
        assert_int_equal(flock(probe, LOCK_EX | LOCK_NB), 0);
        close(probe);
        assert_file(t->subuid, "", "published");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_export_table, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_export_file_properties, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_export_removes_stale_temps, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_export_is_current, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_export_refuses_unsafe_names, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_commit_and_export_rolls_back, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_render_inside_transaction, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_export_lock_held_until_done, testenv_setup, testenv_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
