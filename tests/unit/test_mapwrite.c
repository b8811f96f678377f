/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helpers/mapwrite.c: the text written to /proc/PID/{uid,gid}_map. The
 * kernel takes a map in a single write shorter than a page and refuses it
 * whole otherwise, so map_format must produce the exact bytes and say E2BIG
 * rather than truncate. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "../helpers/mapwrite.h"

#define M(u, l, c) ((id_mapping) { (u), (l), (c) })
#define PAGE 4096
#define MAX_MAPS 4

typedef struct format_case {
        id_mapping maps[MAX_MAPS];
        size_t n;
        size_t limit;
        int r;              /* the length, or -errno */
        const char *text;   /* when r > 0 */
        const char *rule;
} format_case;

static const format_case cases[] = {
        { { M(0, 100000, 65536) }, 1, PAGE, 15, "0 100000 65536\n", "one line, newline-terminated, decimal" },
        { { M(0, 1000, 1), M(1, 100000, 65536) }, 2, PAGE, 24, "0 1000 1\n1 100000 65536\n",
          "lines in argv order, no separator but the newline" },
        { { M(0, 0, 4294967295U) }, 1, PAGE, 15, "0 0 4294967295\n", "count 2^32-1 printed unsigned, not -1" },
        { { M(4294967294U, 4294967294U, 1) }, 1, PAGE, 24, "4294967294 4294967294 1\n",
          "the longest line: top ids printed unsigned" },
        { { M(2147483648U, 2147483648U, 1) }, 1, PAGE, 24, "2147483648 2147483648 1\n",
          "ids above INT_MAX are not printed negative" },
        { { M(0, 100000, 65536) }, 1, 16, 15, "0 100000 65536\n", "limit = length + 1: fits (room for the NUL)" },
        { { M(0, 100000, 65536) }, 1, 15, -E2BIG, NULL, "limit = length: the kernel wants < a page, refused" },
        { { M(0, 100000, 65536) }, 1, 1, -E2BIG, NULL, "tiny limit" },
        { { M(0, 100000, 65536) }, 1, 0, -E2BIG, NULL, "zero limit" },
        { { M(0, 1000, 1), M(1, 100000, 65536) }, 2, 24, -E2BIG, NULL, "the second line does not fit" },
        { { M(0, 0, 0) }, 0, PAGE, -EINVAL, NULL, "an empty map is never written" },
};

static void test_table(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const format_case *c = &cases[i];
                char buf[PAGE + 16];
                int r;

                memset(buf, 'X', sizeof buf);
                r = map_format(c->maps, c->n, buf, c->limit);
                if (r != c->r || (r > 0 && (strlen(buf) != (size_t) r || strcmp(buf, c->text) != 0))) {
                        print_error("row %zu: returned %d, expected %d: %s\n", i, r, c->r, c->rule);
                        failures++;
                }
                /* Never a byte past the limit. */
                for (size_t k = c->limit; k < sizeof buf; k++)
                        if (buf[k] != 'X') {
                                print_error("row %zu: wrote past the limit at %zu: %s\n", i, k, c->rule);
                                failures++;
                                break;
                        }
        }
        assert_int_equal(failures, 0);
}

/* 340 extents are allowed, but 340 long lines are ~8 KiB: the page limit,
 * not the extent limit, refuses them, with E2BIG and not a truncated map. */
static void test_page_limit(void **state) {
        _cleanup_free_ id_mapping *maps = calloc(340, sizeof *maps);
        _cleanup_free_ char *buf = malloc(2 * PAGE);
        size_t expect = 0;
        int r;

        assert_non_null(maps);
        assert_non_null(buf);

        /* Long lines: "4294960000 4294960000 1\n" and the like, 24 bytes. */
        for (uint32_t i = 0; i < 340; i++)
                maps[i] = M(4294960000U + i, 4294960000U + i, 1);
        assert_int_equal(map_format(maps, 340, buf, PAGE), -E2BIG);
        /* The same map does fit a bigger buffer: 340 × 24 bytes. */
        r = map_format(maps, 340, buf, 2 * PAGE);
        assert_int_equal(r, 340 * 24);
        assert_int_equal(strncmp(buf, "4294960000 4294960000 1\n4294960001 4294960001 1\n", 48), 0);

        /* Short lines: 340 extents of "UUU 1UUU 1\n" fit in one page. */
        for (uint32_t i = 0; i < 340; i++) {
                char line[32];

                maps[i] = M(100 + i, 1100 + i, 1);
                expect += (size_t) snprintf(line, sizeof line, "%u %u %u\n", 100 + i, 1100 + i, 1);
        }
        r = map_format(maps, 340, buf, PAGE);
        assert_int_equal(r, (int) expect);
        assert_true(expect < PAGE);
}

/* Exactly a page minus one byte is the largest map the kernel takes. */
static void test_page_boundary(void **state) {
        _cleanup_free_ id_mapping *maps = calloc(315, sizeof *maps);
        _cleanup_free_ char *buf = malloc(PAGE);

        assert_non_null(maps);
        assert_non_null(buf);
        /* "1000 10000 1\n" and its siblings are 13 bytes; 315 × 13 = 4095. */
        for (uint32_t i = 0; i < 315; i++)
                maps[i] = M(1000 + i, 10000 + i, 1);
        assert_int_equal(map_format(maps, 315, buf, PAGE), PAGE - 1);
        assert_int_equal(buf[PAGE - 2], '\n');
        assert_int_equal(buf[PAGE - 1], '\0');

        /* One byte more (count 10 instead of 1 on the last line): refused. */
        maps[314].count = 10;
        assert_int_equal(map_format(maps, 315, buf, PAGE), -E2BIG);
}

/* map_write_once and setgroups_deny against a directory standing in for
 * /proc/PID. */

static char tmpdir[] = "/tmp/subid-test-mapwrite-XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static int setup(void **state) {
        if (!mkdtemp(tmpdir))
                return -1;
        return 0;
}

static int teardown(void **state) {
        return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(int dirfd, const char *name, const char *text) {
        _cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
}

static void read_file(int dirfd, const char *name, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        ssize_t k;

        assert_true(fd >= 0);
        k = read(fd, buf, size - 1);
        assert_true(k >= 0);
        buf[k] = '\0';
}

/* Library errors go to stderr; expected ones are captured and checked
 * (one line, naming the cause) instead of cluttering the test output. */
typedef struct captured {
        int saved;
        FILE *file;
} captured;

static captured stderr_capture(void) {
        captured c;

        fflush(stderr);
        c.file = tmpfile();
        assert_non_null(c.file);
        c.saved = dup(STDERR_FILENO);
        assert_true(c.saved >= 0);
        assert_true(dup2(fileno(c.file), STDERR_FILENO) >= 0);
        return c;
}

/* Restores stderr and checks that exactly one line, containing what, was logged. */
static void stderr_expect(captured *c, const char *what) {
        char text[1024] = "";
        size_t k, lines = 0;

        fflush(stderr);
        assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
        close(c->saved);
        rewind(c->file);
        k = fread(text, 1, sizeof text - 1, c->file);
        fclose(c->file);
        text[k] = '\0';
        for (size_t i = 0; i < k; i++)
                lines += text[i] == '\n';
        if (lines != 1 || !strstr(text, what))
                fail_msg("expected one line with '%s', got '%s'", what, text);
}

static int fresh_dir(const char *name) {
        char path[256];
        int fd;

        snprintf(path, sizeof path, "%s/%s", tmpdir, name);
        assert_int_equal(mkdir(path, 0755), 0);
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

static void test_write_once(void **state) {
        _cleanup_close_ int dirfd = fresh_dir("write");
        captured c;
        char buf[64];

        /* Writes the bytes given, at offset 0. */
        write_file(dirfd, "uid_map", "");
        assert_int_equal(map_write_once(dirfd, "uid_map", "0 100000 65536\n", 15), 0);
        read_file(dirfd, "uid_map", buf, sizeof buf);
        assert_string_equal(buf, "0 100000 65536\n");

        /* Never creates the file: a missing map file means a wrong target. */
        c = stderr_capture();
        assert_int_equal(map_write_once(dirfd, "gid_map", "0 1 1\n", 6), -ENOENT);
        stderr_expect(&c, "cannot open the target's gid_map: No such file");
        assert_int_equal(faccessat(dirfd, "gid_map", F_OK, 0), -1);

        /* Never follows a symlink planted in place of the map file. */
        write_file(dirfd, "elsewhere", "untouched\n");
        assert_int_equal(symlinkat("elsewhere", dirfd, "link_map"), 0);
        c = stderr_capture();
        assert_int_equal(map_write_once(dirfd, "link_map", "0 1 1\n", 6), -ELOOP);
        stderr_expect(&c, "cannot open the target's link_map");
        read_file(dirfd, "elsewhere", buf, sizeof buf);
        assert_string_equal(buf, "untouched\n");
}

static void test_setgroups(void **state) {
        _cleanup_close_ int dirfd = fresh_dir("setgroups");
        struct stat st;
        captured c;
        char buf[64];

        /* CVE-2018-7169: "allow" becomes "deny". */
        write_file(dirfd, "setgroups", "allow\n");
        assert_int_equal(setgroups_deny(dirfd), 0);
        read_file(dirfd, "setgroups", buf, sizeof buf);
        assert_int_equal(strncmp(buf, "deny\n", 5), 0);

        /* An existing "deny" is left alone (the kernel refuses a rewrite
         * once a map exists): the file is not written at all, which an
         * old modification time shows. */
        write_file(dirfd, "setgroups", "deny\n");
        assert_int_equal(utimensat(dirfd, "setgroups", (const struct timespec[]) { { 1000, 0 }, { 1000, 0 } }, 0), 0);
        assert_int_equal(setgroups_deny(dirfd), 0);
        read_file(dirfd, "setgroups", buf, sizeof buf);
        assert_string_equal(buf, "deny\n");
        assert_int_equal(fstatat(dirfd, "setgroups", &st, 0), 0);
        assert_int_equal(st.st_mtim.tv_sec, 1000);
        assert_int_equal(unlinkat(dirfd, "setgroups", 0), 0);

        /* Kernels before 3.19 have no setgroups file: not an error. */
        c = stderr_capture();
        assert_int_equal(setgroups_deny(dirfd), 0);
        stderr_expect(&c, "warning: kernel has no setgroups restriction");

        /* A symlink in its place is refused, not followed. */
        write_file(dirfd, "other", "allow\n");
        assert_int_equal(symlinkat("other", dirfd, "setgroups"), 0);
        c = stderr_capture();
        assert_int_equal(setgroups_deny(dirfd), -ELOOP);
        stderr_expect(&c, "cannot open the target's setgroups");
        read_file(dirfd, "other", buf, sizeof buf);
        assert_string_equal(buf, "allow\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),      cmocka_unit_test(test_page_limit),
                cmocka_unit_test(test_page_boundary), cmocka_unit_test(test_write_once),
                cmocka_unit_test(test_setgroups),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
