/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * maplat: latency of newuidmap-style helpers, for `make bench`.
 *
 *   maplat WARMUP FIRST COUNT RUNS HELPER [RUNS HELPER]...
 *
 * For every run: start a target child in a fresh user namespace, time only
 * `HELPER PID 0 FIRST COUNT` (spawn to reap), check that it exited 0 and
 * that the child's uid_map now says exactly that, then kill the child.
 * Runs of the helpers are interleaved so that drift (frequency scaling, page
 * cache, other load) hits them alike; a helper is timed only after an untimed
 * run of its own, never in the wake of the other one (shadow's 140 MB pass
 * over a million-line /etc/subuid leaves the CPU caches cold for whatever
 * runs next, which would be charged to us). Prints one tab-separated line per
 * helper: path, runs, median, p90 and min latency and median CPU time (user +
 * system, from wait4) in nanoseconds, max RSS in KiB.
 *
 * A helper that fails aborts the whole benchmark: the latency of a refusal
 * says nothing about the latency of a mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "parse.h"

#define MAX_HELPERS 4
/* Enough for hours of runs; a typo in RUNS should not allocate gigabytes. */
#define MAX_RUNS 100000

typedef struct helper {
        const char *path;
        uint32_t runs;
        uint64_t *ns;  /* one latency per timed run */
        uint64_t *cpu; /* the helper's user + system time per timed run */
        size_t n;
        long maxrss_kb;
} helper;

typedef struct target {
        pid_t pid;
        int release_fd; /* closing it lets the child exit */
} target;

static uint64_t now_ns(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* The target's side: own a user namespace (with no map yet, which the helper
 * is about to write), say so, then wait until the parent lets go. */
static int target_child(int ready_fd, int release_fd) {
        char c;

        if (unshare(CLONE_NEWUSER) < 0)
                return log_error_errno(negative_errno(), "target: cannot create a user namespace");
        if (write(ready_fd, "r", 1) != 1)
                return -EIO;
        /* EOF (or the SIGKILL) when the parent is done with us. */
        return read(release_fd, &c, 1) < 0 ? negative_errno() : 0;
}

static int target_start(target *ret) {
        _cleanup_close_ int ready_r = -1, ready_w = -1, release_r = -1, release_w = -1;
        int fds[2];
        pid_t pid;
        char c;

        /* Close-on-exec: the helpers under test must not inherit them. */
        if (pipe2(fds, O_CLOEXEC) < 0)
                return log_error_errno(negative_errno(), "pipe");
        ready_r = fds[0];
        ready_w = fds[1];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return log_error_errno(negative_errno(), "pipe");
        release_r = fds[0];
        release_w = fds[1];

        pid = fork();
        if (pid < 0)
                return log_error_errno(negative_errno(), "fork");
        if (pid == 0) {
                /* A forked child has no caller to return to. */
                close(ready_r);
                close(release_w);
                _exit(target_child(ready_w, release_r) < 0 ? 1 : 0);
        }

        close(TAKE_FD(ready_w));
        if (read(ready_r, &c, 1) != 1) {
                (void) waitpid(pid, NULL, 0);
                log_error("target child %d died before creating its user namespace", (int) pid);
                return -ECHILD;
        }
        *ret = (target) { .pid = pid, .release_fd = TAKE_FD(release_w) };
        return 0;
}

static void target_stop(target *t) {
        if (t->pid <= 0)
                return;
        (void) kill(t->pid, SIGKILL);
        (void) close(t->release_fd);
        (void) waitpid(t->pid, NULL, 0);
        t->pid = -1;
}

/* The helper said 0; make sure the kernel agrees, so a helper that "succeeds"
 * without writing the map cannot win the benchmark. */
static int uid_map_check(pid_t pid, uint32_t first, uint32_t count) {
        _cleanup_close_ int fd = -1;
        char path[64], want[64], got[128];
        ssize_t k;

        snprintf(path, sizeof path, "/proc/%d/uid_map", (int) pid);
        /* The kernel's own format: three %10u columns. */
        snprintf(want, sizeof want, "%10u %10u %10u\n", 0u, first, count);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot open %s", path);
        k = read(fd, got, sizeof got - 1);
        if (k < 0)
                return log_error_errno(negative_errno(), "cannot read %s", path);
        got[k] = '\0';
        if (strcmp(got, want) != 0) {
                log_error("%s is '%.*s' after a successful helper run, expected '%.*s'", path,
                          (int) strcspn(got, "\n"), got, (int) strcspn(want, "\n"), want);
                return -EPROTO;
        }
        return 0;
}

/* Spawn to reap, nothing else, is what gets timed. */
static uint64_t timeval_ns(const struct timeval *tv) {
        return (uint64_t) tv->tv_sec * 1000000000u + (uint64_t) tv->tv_usec * 1000u;
}

static int helper_run(helper *h, const target *t, uint32_t first, uint32_t count, uint64_t *ret_ns,
                      uint64_t *ret_cpu) {
        char pid_s[16], first_s[16], count_s[16];
        char *const argv[] = { (char *) h->path, pid_s, (char *) "0", first_s, count_s, NULL };
        char *const envp[] = { NULL };
        struct rusage ru;
        uint64_t t0, t1;
        pid_t pid;
        int status, e;

        snprintf(pid_s, sizeof pid_s, "%d", (int) t->pid);
        snprintf(first_s, sizeof first_s, "%u", first);
        snprintf(count_s, sizeof count_s, "%u", count);

        t0 = now_ns();
        e = posix_spawn(&pid, h->path, NULL, NULL, argv, envp);
        if (e != 0)
                return log_error_errno(-e, "cannot run %s", h->path);
        if (wait4(pid, &status, 0, &ru) < 0)
                return log_error_errno(negative_errno(), "wait for %s", h->path);
        t1 = now_ns();

        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                log_error("%s %s 0 %s %s failed (%s %d): a failing helper cannot be benchmarked", h->path, pid_s,
                          first_s, count_s, WIFEXITED(status) ? "exit status" : "signal",
                          WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                return -EIO;
        }
        if (ru.ru_maxrss > h->maxrss_kb)
                h->maxrss_kb = ru.ru_maxrss;
        *ret_ns = t1 - t0;
        *ret_cpu = timeval_ns(&ru.ru_utime) + timeval_ns(&ru.ru_stime);
        return 0;
}

static int measure_once(helper *h, uint32_t first, uint32_t count, bool record) {
        target t = { .pid = -1, .release_fd = -1 };
        uint64_t ns, cpu;
        int r;

        r = target_start(&t);
        if (r < 0)
                return r;
        r = helper_run(h, &t, first, count, &ns, &cpu);
        if (r >= 0)
                r = uid_map_check(t.pid, first, count);
        target_stop(&t);
        if (r < 0)
                return r;
        if (record) {
                h->cpu[h->n] = cpu;
                h->ns[h->n++] = ns;
        }
        return 0;
}

/* Run helper i in round `round` of `rounds` when that keeps its runs spread
 * evenly over the rounds (a helper with fewer runs skips some rounds). */
static bool due(const helper *h, uint32_t round, uint32_t rounds) {
        return (uint64_t) (round + 1) * h->runs / rounds > (uint64_t) round * h->runs / rounds;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return (x > y) - (x < y);
}

/* Nearest rank on sorted samples: the smallest value with at least p% of the
 * samples at or below it. */
static uint64_t percentile(const uint64_t *sorted, size_t n, unsigned p) {
        size_t rank = (n * p + 99) / 100;

        return sorted[rank > 0 ? rank - 1 : 0];
}

static int usage(void) {
        fprintf(stderr, "usage: maplat WARMUP FIRST COUNT RUNS HELPER [RUNS HELPER]...\n");
        return 2;
}

int main(int argc, char **argv) {
        helper helpers[MAX_HELPERS] = { 0 };
        uint32_t warmup, first, count, rounds = 0;
        size_t n_helpers, last = SIZE_MAX;
        uint64_t v;
        int r = 0;

        log_set_program("maplat");
        if (argc < 6 || (argc - 4) % 2 != 0 || (size_t) (argc - 4) / 2 > MAX_HELPERS)
                return usage();
        if (parse_u64_max(argv[1], 1000, &v) < 0 || parse_id(argv[2], &first) < 0 ||
            parse_count(argv[3], &count) < 0)
                return usage();
        warmup = (uint32_t) v;

        n_helpers = (size_t) (argc - 4) / 2;
        for (size_t i = 0; i < n_helpers; i++) {
                helper *h = &helpers[i];

                if (parse_u64_max(argv[4 + 2 * i], MAX_RUNS, &v) < 0 || v == 0)
                        return usage();
                h->runs = (uint32_t) v;
                h->path = argv[5 + 2 * i];
                h->ns = calloc(h->runs, sizeof *h->ns);
                h->cpu = calloc(h->runs, sizeof *h->cpu);
                if (!h->ns || !h->cpu) {
                        log_error("out of memory");
                        return 1;
                }
                if (h->runs > rounds)
                        rounds = h->runs;
        }

        /* Warm-up: page cache, dentries, the dynamic loader's caches. */
        for (uint32_t w = 0; w < warmup && r >= 0; w++)
                for (size_t i = 0; i < n_helpers && r >= 0; i++)
                        r = measure_once(&helpers[i], first, count, false);
        for (uint32_t round = 0; round < rounds && r >= 0; round++)
                for (size_t i = 0; i < n_helpers && r >= 0; i++) {
                        if (!due(&helpers[i], round, rounds))
                                continue;
                        if (last != i)
                                r = measure_once(&helpers[i], first, count, false);
                        if (r >= 0)
                                r = measure_once(&helpers[i], first, count, true);
                        last = i;
                }
        if (r < 0) {
                for (size_t i = 0; i < n_helpers; i++) {
                        free(helpers[i].ns);
                        free(helpers[i].cpu);
                }
                return 1;
        }

        for (size_t i = 0; i < n_helpers; i++) {
                helper *h = &helpers[i];

                qsort(h->ns, h->n, sizeof *h->ns, cmp_u64);
                qsort(h->cpu, h->n, sizeof *h->cpu, cmp_u64);
                printf("%s\t%zu\t%llu\t%llu\t%llu\t%llu\t%ld\n", h->path, h->n,
                       (unsigned long long) percentile(h->ns, h->n, 50),
                       (unsigned long long) percentile(h->ns, h->n, 90), (unsigned long long) h->ns[0],
                       (unsigned long long) percentile(h->cpu, h->n, 50), h->maxrss_kb);
                free(h->ns);
                free(h->cpu);
        }
        return 0;
}
