/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subid-load: a bounded load generator for subid-admind, on its local
 * socket only (tests/bench/load.sh, tests/integration/t_admind_memory.sh).
 *
 *   subid-load SOCKET CONNS READS WRITES USER-UID OWNERS WRITERS MIX [DAEMON-PID]
 *
 * CONNS reader processes, each on its own connection, share READS read
 * requests; half of them run as USER-UID (not an admin), half as root:
 *   not admin: whoami, status, and list / who-owns (refused: EPERM)
 *   admin:     whoami, list USER (an owner of OWNERS), who-owns ID
 * At the same time one writer (root, its own connection) makes WRITES
 * requests alternating `grant USER --subuids F-L --subgids F-L` and `revoke
 * USER` over the accounts listed in WRITERS (comma-separated, real users).
 * OWNERS is a file with one "NAME FIRST" line per owner in the database
 * (the names list USER asks for, the ids who-owns asks for). MIX "full" is
 * the mix above; "light" asks who-owns ID instead of list USER (which
 * reads every account through NSS, ~12 ms): many requests in little time.
 *
 * Every reply is checked (ok, or the expected refusal); any other answer
 * counts as a failure. Prints requests per second and p50/p99/max latency
 * for reads and writes; with DAEMON-PID, also the daemon's VmRSS at each
 * tenth of the run and its VmHWM, as "rss" lines. Exit status: 0 when every
 * request got the expected reply, 1 otherwise, 2 on usage errors. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/admind_client.h"
#include "../../common/cleanup.h"
#include "../../common/log.h"
#include "../../common/parse.h"
#include "../../common/proto.h"

#define TIMEOUT_MS 30000
#define MAX_OWNERS 2000000
#define MAX_WRITERS 64
/* Explicit ranges of the writes: far above any pool. */
#define WRITE_BASE 3000000000u
#define WRITE_COUNT 1000u

enum { OP_WHOAMI, OP_STATUS, OP_LIST, OP_WHO_OWNS, OP_REFUSED, OP_GRANT, OP_REVOKE, N_OPS };
static const char *const op_names[N_OPS] = { "whoami", "status", "list USER", "who-owns ID", "refused (EPERM)",
                                             "grant", "revoke" };

typedef struct sample {
        uint64_t lat_ns;
        uint8_t op;
} sample;

typedef struct shared {
        atomic_ulong done;     /* requests answered so far, all processes */
        atomic_ulong failures; /* unexpected replies */
        sample s[];            /* one per request: reads, then writes */
} shared;

typedef struct owner {
        char name[32];
        uint32_t first;
} owner;

static owner *owners;
static size_t n_owners;
static bool light;

static uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int load_owners(const char *path) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[128], num[16];

        if (!f)
                return log_error_errno(negative_errno(), "cannot open %s", path);
        owners = calloc(MAX_OWNERS, sizeof *owners);
        if (!owners)
                return -ENOMEM;
        while (n_owners < MAX_OWNERS && fgets(line, sizeof line, f)) {
                char *sp = strchr(line, ' ');
                owner *o = &owners[n_owners];

                if (!sp || (size_t) (sp - line) >= sizeof o->name)
                        continue;
                memcpy(o->name, line, (size_t) (sp - line));
                snprintf(num, sizeof num, "%.*s", (int) strcspn(sp + 1, "\n"), sp + 1);
                if (parse_id(num, &o->first) < 0)
                        continue;
                n_owners++;
        }
        if (n_owners == 0) {
                log_error("%s lists no owners", path);
                return -EINVAL;
        }
        return 0;
}

/* One request; returns 0 if the reply is ok (want_code NULL) or the error
 * want_code. */
static int call(int fd, const char *op, json_object *args, const char *want_code) {
        _cleanup_json_ json_object *req = proto_request(op, args), *reply = NULL;
        json_object *v, *e, *code;
        int r;

        if (!req)
                return -ENOMEM;
        r = proto_send(fd, req, NULL, 0);
        if (r < 0)
                return r;
        r = proto_recv(fd, &reply, NULL, NULL);
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(reply, "ok", &v))
                return -EBADMSG;
        if (json_object_get_boolean(v))
                return want_code ? -EPROTO : 0;
        if (!want_code || !json_object_object_get_ex(reply, "error", &e) ||
            !json_object_object_get_ex(e, "code", &code) || strcmp(json_object_get_string(code), want_code) != 0) {
                if (json_object_object_get_ex(reply, "error", &e))
                        fprintf(stderr, "subid-load: %s: %s\n", op, json_object_to_json_string(e));
                return -EPROTO;
        }
        return 0;
}

static json_object *args_user(const char *name) {
        json_object *a = json_object_new_object();

        json_object_object_add(a, "user", json_object_new_string(name));
        return a;
}

static json_object *args_id(uint32_t id) {
        json_object *a = json_object_new_object();

        json_object_object_add(a, "id", json_object_new_int64(id));
        json_object_object_add(a, "kind", json_object_new_string("uid"));
        return a;
}

static json_object *args_grant(const char *name, uint32_t first) {
        json_object *a = args_user(name), *r;

        for (const char *const *k = (const char *const[]) { "subuids", "subgids", NULL }; *k; k++) {
                r = json_object_new_object();
                json_object_object_add(r, "first", json_object_new_int64(first));
                json_object_object_add(r, "count", json_object_new_int64(WRITE_COUNT));
                json_object_object_add(a, *k, r);
        }
        return a;
}

/* Reader: requests [from, to) of the read slots. */
static int reader(const char *sock, shared *sh, size_t from, size_t to, bool admin, unsigned seed) {
        _cleanup_close_ int fd = -1;
        int r;

        r = admind_connect(sock, TIMEOUT_MS, &fd);
        if (r < 0)
                return r;
        for (size_t i = from; i < to; i++) {
                const owner *o = &owners[rand_r(&seed) % n_owners];
                uint64_t t0 = now_ns();

                uint8_t op;

                switch (i % 3) {
                case 0:
                        op = OP_WHOAMI;
                        r = call(fd, "whoami", NULL, NULL);
                        break;
                case 1:
                        op = !admin ? OP_STATUS : light ? OP_WHO_OWNS : OP_LIST;
                        r = !admin ? call(fd, "status", NULL, NULL)
                            : light ? call(fd, "who-owns", args_id(o->first), NULL)
                                    : call(fd, "list", args_user(o->name), NULL);
                        break;
                default:
                        bool owns = light || (i / 3) % 2;

                        op = !admin ? OP_REFUSED : owns ? OP_WHO_OWNS : OP_LIST;
                        r = call(fd, owns ? "who-owns" : "list", owns ? args_id(o->first + 1) : args_user(o->name),
                                 admin ? NULL : "EPERM");
                }
                sh->s[i] = (sample) { now_ns() - t0, op };
                if (r < 0)
                        atomic_fetch_add(&sh->failures, 1);
                atomic_fetch_add(&sh->done, 1);
        }
        return 0;
}

static int writer(const char *sock, shared *sh, size_t from, size_t to, char **users, size_t n_users) {
        _cleanup_close_ int fd = -1;
        int r;

        r = admind_connect(sock, TIMEOUT_MS, &fd);
        if (r < 0)
                return r;
        for (size_t i = from; i < to; i++) {
                size_t k = (i - from) / 2, u = k % n_users;
                uint64_t t0 = now_ns();

                bool grant = (i - from) % 2 == 0;

                if (grant)
                        r = call(fd, "grant", args_grant(users[u], WRITE_BASE + (uint32_t) u * WRITE_COUNT), NULL);
                else
                        r = call(fd, "revoke", args_user(users[u]), NULL);
                sh->s[i] = (sample) { now_ns() - t0, grant ? OP_GRANT : OP_REVOKE };
                if (r < 0)
                        atomic_fetch_add(&sh->failures, 1);
                atomic_fetch_add(&sh->done, 1);
        }
        return 0;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

static void report_line(const char *what, uint64_t *lat, size_t n, uint64_t wall_ns) {
        if (n == 0)
                return;
        qsort(lat, n, sizeof *lat, cmp_u64);
        /* nearest rank */
        printf("%-18s %8zu  %9.1f/s  p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms\n", what, n,
               (double) n / ((double) wall_ns / 1e9), (double) lat[(n - 1) / 2] / 1e6,
               (double) lat[(n * 99 + 99) / 100 - 1] / 1e6, (double) lat[n - 1] / 1e6);
}

/* One line for all of samples[0, n), then one per operation. */
static void report(const char *what, const sample *samples, size_t n, uint64_t wall_ns) {
        _cleanup_free_ uint64_t *lat = malloc((n + 1) * sizeof *lat);
        size_t k;

        if (!lat || n == 0)
                return;
        for (size_t i = 0; i < n; i++)
                lat[i] = samples[i].lat_ns;
        report_line(what, lat, n, wall_ns);
        for (int op = 0; op < N_OPS; op++) {
                char label[32];

                k = 0;
                for (size_t i = 0; i < n; i++)
                        if (samples[i].op == op)
                                lat[k++] = samples[i].lat_ns;
                snprintf(label, sizeof label, "  %s", op_names[op]);
                if (k > 0 && k < n)
                        report_line(label, lat, k, wall_ns);
        }
}

static long vm_kib(pid_t pid, const char *key) {
        char path[64], line[256];
        _cleanup_fclose_ FILE *f = NULL;
        size_t klen = strlen(key);
        long v = -1;

        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
                        uint64_t k;
                        char num[32];

                        snprintf(num, sizeof num, "%.*s", (int) strspn(line + klen + 1 + strspn(line + klen + 1, " \t"),
                                                                       "0123456789"),
                                 line + klen + 1 + strspn(line + klen + 1, " \t"));
                        if (parse_u64_max(num, UINT64_MAX, &k) == 0)
                                v = (long) k;
                }
        return v;
}

int main(int argc, char **argv) {
        uint64_t conns, reads, writes, user_uid, daemon_pid = 0;
        char *users[MAX_WRITERS], *list;
        size_t n_users = 0, total;
        shared *sh;
        pid_t pids[1025];
        size_t n_pids = 0;
        int failed = 0;

        log_set_program("subid-load");
        if (argc < 9 || parse_u64_max(argv[2], 1024, &conns) < 0 || conns < 2 ||
            (strcmp(argv[8], "full") != 0 && strcmp(argv[8], "light") != 0) ||
            parse_u64_max(argv[3], 100000000, &reads) < 0 || parse_u64_max(argv[4], 1000000, &writes) < 0 ||
            parse_u64_max(argv[5], UINT32_MAX - 1, &user_uid) < 0 ||
            (argc > 9 && parse_u64_max(argv[9], INT32_MAX, &daemon_pid) < 0)) {
                fprintf(stderr, "usage: subid-load SOCKET CONNS READS WRITES USER-UID OWNERS WRITERS full|light "
                                "[DAEMON-PID]\n");
                return 2;
        }
        light = strcmp(argv[8], "light") == 0;
        if (load_owners(argv[6]) < 0)
                return 2;
        list = argv[7];
        for (char *s = strtok(list, ","); s && n_users < MAX_WRITERS; s = strtok(NULL, ","))
                users[n_users++] = s;
        if (writes > 0 && n_users == 0)
                return 2;

        total = reads + writes;
        sh = mmap(NULL, sizeof *sh + total * sizeof(sample), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (sh == MAP_FAILED)
                return 2;
        setvbuf(stdout, NULL, _IOLBF, 0);

        uint64_t t0 = now_ns();
        for (size_t c = 0; c < conns; c++) {
                size_t from = reads * c / conns, to = reads * (c + 1) / conns;
                pid_t pid = fork();

                if (pid < 0)
                        return 2;
                if (pid == 0) {
                        bool admin = c % 2 == 0;

                        if (!admin && (setgroups(0, NULL) < 0 || setresgid((gid_t) user_uid, (gid_t) user_uid, (gid_t) user_uid) < 0 ||
                                       setresuid((uid_t) user_uid, (uid_t) user_uid, (uid_t) user_uid) < 0))
                                _exit(2);
                        _exit(reader(argv[1], sh, from, to, admin, (unsigned) c + 1) < 0 ? 1 : 0);
                }
                pids[n_pids++] = pid;
        }
        if (writes > 0) {
                pid_t pid = fork();

                if (pid < 0)
                        return 2;
                if (pid == 0)
                        _exit(writer(argv[1], sh, reads, total, users, n_users) < 0 ? 1 : 0);
                pids[n_pids++] = pid;
        }

        /* The daemon's memory at every tenth of the run. */
        if (daemon_pid > 0) {
                unsigned long next = 0;

                while (next <= total) {
                        unsigned long done = atomic_load(&sh->done);

                        if (done >= next) {
                                printf("rss %lu %ld\n", done, vm_kib((pid_t) daemon_pid, "VmRSS"));
                                next += total / 10 > 0 ? total / 10 : 1;
                                continue;
                        }
                        /* Stop sampling once every client has ended
                         * (one may have failed early); not reaped here. */
                        bool alive = false;
                        for (size_t i = 0; i < n_pids && !alive; i++) {
                                siginfo_t si = {};

                                alive = waitid(P_PID, (id_t) pids[i], &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                                        si.si_pid == 0;
                        }
                        if (!alive)
                                break;
                        usleep(2000);
                }
        }
        for (size_t i = 0; i < n_pids; i++) {
                int status;

                if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        failed = 1;
        }
        uint64_t wall = now_ns() - t0;
        if (daemon_pid > 0) {
                printf("rss %lu %ld\n", (unsigned long) atomic_load(&sh->done), vm_kib((pid_t) daemon_pid, "VmRSS"));
                printf("hwm %ld\n", vm_kib((pid_t) daemon_pid, "VmHWM"));
        }

        printf("wall %.3f s, %lu connections\n", (double) wall / 1e9, (unsigned long) conns + (writes > 0));
        report("reads", sh->s, reads, wall);
        report("writes", sh->s + reads, writes, wall);
        printf("failures %lu\n", (unsigned long) atomic_load(&sh->failures));
        return failed || atomic_load(&sh->failures) > 0 ? 1 : 0;
}
