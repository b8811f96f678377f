/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../policy/alloc.h"
#include "../../policy/db.h"
#include "policy_testlib.h"

static void add(sqlite3 *db, const char *table, const char *kind, uint32_t first, uint32_t count) {
        char sql[300];

        if (strcmp(table, "ranges") == 0)
                snprintf(sql, sizeof sql,
                         "INSERT INTO ranges (kind, owner_uid, owner_name, first, count, created_at) "
                         "VALUES ('%s', 1000, 'u', %u, %u, 0)",
                         kind, first, count);
        else
                snprintf(sql, sizeof sql,
                         "INSERT INTO quarantine (kind, first, count, former_uid, former_name, reason, since) "
                         "VALUES ('%s', %u, %u, 1000, 'u', 'revoke', 0)",
                         kind, first, count);
        exec_sql(db, sql);
}

static uint32_t alloc_first(sqlite3 *db, id_kind kind, uint32_t min, uint32_t max, uint32_t count,
                            const id_set *taken) {
        id_range r;

        assert_int_equal(alloc_find_free(db, kind, min, max, count, taken, &r), 0);
        assert_int_equal(r.count, count);
        return r.first;
}

/* An empty pool allocates at its minimum (login.defs SUB_UID_MIN). */
static void test_empty_pool(void **state) {
        testenv *f = *state;

        assert_int_equal(alloc_first(f->db, ID_KIND_UID, 100000, 600100000, 65536, NULL), 100000);
}

/* Allocation continues above the highest range. */
static void test_above_high_water(void **state) {
        testenv *f = *state;

        add(f->db, "ranges", "uid", 100000, 65536);
        add(f->db, "ranges", "uid", 165536, 65536);
        assert_int_equal(alloc_first(f->db, ID_KIND_UID, 100000, 600100000, 65536, NULL), 231072);
        /* gid ranges are a separate space */
        assert_int_equal(alloc_first(f->db, ID_KIND_GID, 100000, 600100000, 65536, NULL), 100000);
}

/* Quarantined ids are never handed out again, even at the top. */
static void test_quarantine_blocks(void **state) {
        testenv *f = *state;

        add(f->db, "ranges", "uid", 100000, 65536);
        add(f->db, "quarantine", "uid", 165536, 65536);
        assert_int_equal(alloc_first(f->db, ID_KIND_UID, 100000, 600100000, 65536, NULL), 231072);
}

/* A window containing an existing account's uid is skipped past it. */
static void test_taken_ids_skipped(void **state) {
        testenv *f = *state;
        uint32_t ids[] = { 100500, 5, 200000 };
        id_set taken;

        assert_int_equal(id_set_from_array(ids, 3, &taken), 0);
        assert_int_equal(alloc_first(f->db, ID_KIND_UID, 100000, 600100000, 1000, &taken), 100501);
        id_set_done(&taken);
}

/* When the top of the pool is full, gaps below are used, never overlapping. */
static void test_gap_search(void **state) {
        testenv *f = *state;

        add(f->db, "ranges", "uid", 100000, 10);
        add(f->db, "ranges", "uid", 100020, 10);
        add(f->db, "quarantine", "uid", 100030, 5);
        add(f->db, "ranges", "uid", 100090, 10); /* reaches the pool's end */
        /* 10 fit at 100010 */
        assert_int_equal(alloc_first(f->db, ID_KIND_UID, 100000, 100099, 10, NULL), 100010);
        /* 20 don't fit at 100010 (10 free) nor below the quarantine: after it */
        assert_int_equal(alloc_first(f->db, ID_KIND_UID, 100000, 100099, 20, NULL), 100035);
}

/* A full pool is -ENOSPC, not an overlapping range. */
static void test_pool_exhausted(void **state) {
        testenv *f = *state;
        id_range r;

        add(f->db, "ranges", "uid", 100000, 100);
        assert_int_equal(alloc_find_free(f->db, ID_KIND_UID, 100000, 100099, 1, NULL, &r), -ENOSPC);
        assert_int_equal(alloc_find_free(f->db, ID_KIND_UID, 100000, 100199, 101, NULL, &r), -ENOSPC);
        assert_int_equal(alloc_first(f->db, ID_KIND_UID, 100000, 100199, 100, NULL), 100100);
}

/* Ranges outside the pool (explicit grants) straddling its edge still block. */
static void test_straddling_range(void **state) {
        testenv *f = *state;

        add(f->db, "ranges", "uid", 99990, 20);
        assert_int_equal(alloc_first(f->db, ID_KIND_UID, 100000, 200000, 10, NULL), 100010);
}

/* The pool may end at the last valid id. */
static void test_top_of_id_space(void **state) {
        testenv *f = *state;

        assert_int_equal(alloc_first(f->db, ID_KIND_GID, 4294967285, 4294967294, 10, NULL), 4294967285);
}

/* Invalid arguments: count 0, empty pool, a pool containing id 0. */
static void test_invalid(void **state) {
        testenv *f = *state;
        id_range r;

        assert_int_equal(alloc_find_free(f->db, ID_KIND_UID, 100000, 200000, 0, NULL, &r), -EINVAL);
        assert_int_equal(alloc_find_free(f->db, ID_KIND_UID, 200000, 100000, 1, NULL, &r), -EINVAL);
        assert_int_equal(alloc_find_free(f->db, ID_KIND_UID, 0, 100000, 1, NULL, &r), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_empty_pool, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_above_high_water, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_quarantine_blocks, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_taken_ids_skipped, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_gap_search, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_pool_exhausted, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_straddling_range, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_top_of_id_space, testenv_setup, testenv_teardown),
                cmocka_unit_test_setup_teardown(test_invalid, testenv_setup, testenv_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
