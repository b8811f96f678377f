/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subid-pidreuse: sends a request to subid-admind on a connection whose
 * connecting process has exited and whose pid now belongs to another
 * process with another loginuid (tests/integration/t_audit_admind.sh).
 *
 *   subid-pidreuse DAEMON SOCKET UID LOGINUID_P LOGINUID_Q OP ARGS-JSON [keep]
 *
 * Runs as root. In a new pid namespace (with its own /proc, so the daemon
 * sees the namespace's pids and its pid counter is ours alone) it starts
 * DAEMON, then:
 *   P  takes loginuid LOGINUID_P and uid UID, connects to SOCKET, pings
 *      (so the daemon has accepted it), and exits; its parent keeps the
 *      connected socket;
 *   Q  is forked with ns_last_pid set so that it gets P's pid, takes
 *      loginuid LOGINUID_Q and uid UID, and waits;
 * then the parent sends OP with ARGS-JSON on P's connection. With "keep",
 * P stays alive instead and no Q is made (the control case).
 *
 * Prints "connected pid N", "reused pid N" (not with keep) and the reply:
 * "reply ok DATA-JSON" or "reply error CODE MESSAGE". Exit status 0 when
 * all of that happened, 1 when the pid could not be reused, 2 on other
 * errors. Every wait is bounded (5 s). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/log.h"
#include "../../common/parse.h"
#include "../../common/proto.h"

#define TIMEOUT_MS 5000

typedef struct options {
        const char *daemon, *socket_path, *op, *args;
        uint32_t uid, loginuid_p, loginuid_q;
        bool keep;
} options;

static int write_file(const char *path, const char *text) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n = (ssize_t) strlen(text);

        if (fd < 0 || write(fd, text, (size_t) n) != n)
                return negative_errno();
        return 0;
}

/* What pam_loginuid and then the login's setuid do. */
static int become(uint32_t loginuid, uint32_t uid) {
        char text[16];
        int r;

        snprintf(text, sizeof text, "%u", loginuid);
        r = write_file("/proc/self/loginuid", text);
        if (r < 0)
                return log_error_errno(r, "cannot set loginuid %u", loginuid);
        if (uid != 0 && (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0))
                return log_error_errno(negative_errno(), "cannot become uid %u", uid);
        return 0;
}

static int wait_readable(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, TIMEOUT_MS);

        return r > 0 ? 0 : r == 0 ? -ETIMEDOUT : negative_errno();
}

static int call(int fd, const char *op, json_object *args, json_object **ret) {
        _cleanup_json_ json_object *req = proto_request(op, args);
        int r;

        if (!req)
                return -ENOMEM;
        r = proto_send(fd, req, NULL, 0);
        if (r >= 0)
                r = wait_readable(fd);
        if (r >= 0)
                r = proto_recv(fd, ret, NULL, NULL);
        return r;
}

static int connect_to(const char *path, int *ret) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return negative_errno();
        if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path) >= (int) sizeof sa.sun_path)
                return -ENAMETOOLONG;
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return negative_errno();
        *ret = TAKE_FD(fd);
        return 0;
}

/* Until the daemon answers a ping. */
static int wait_for_daemon(const char *path) {
        for (int i = 0; i < TIMEOUT_MS / 50; i++) {
                _cleanup_close_ int fd = -1;
                _cleanup_json_ json_object *reply = NULL;

                if (connect_to(path, &fd) >= 0 && call(fd, "ping", json_object_new_object(), &reply) >= 0)
                        return 0;
                usleep(50 * 1000);
        }
        return log_error_errno(-ETIMEDOUT, "%s does not answer", path);
}

static int start_daemon(const char *daemon, pid_t *ret) {
        pid_t pid = fork();

        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                execl(daemon, daemon, (char *) NULL);
                _exit(127);
        }
        *ret = pid;
        return 0;
}

/* P: connects as (loginuid_p, uid), pings (so the daemon has accepted it
 * while it was alive), says so on ready, then exits or (keep) waits for
 * hold to close. *ret_fd is the connection, kept by the caller. */
static int fork_p(const options *o, int hold, int hold_w, pid_t *ret_pid, int *ret_fd) {
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), ready_r = -1, ready_w = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int pipefd[2], status;
        char c = 0;
        pid_t pid;

        if (fd < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        ready_r = pipefd[0];
        ready_w = pipefd[1];
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", o->socket_path);
        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                _cleanup_json_ json_object *reply = NULL;

                close(hold_w); /* hold ends when the parent closes its end */
                if (become(o->loginuid_p, o->uid) < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0 ||
                    call(fd, "ping", json_object_new_object(), &reply) < 0 || write(ready_w, "1", 1) != 1)
                        _exit(1);
                if (o->keep)
                        (void) !read(hold, &c, 1);
                _exit(0);
        }
        close(TAKE_FD(ready_w));
        if (wait_readable(ready_r) < 0 || read(ready_r, &c, 1) != 1) {
                (void) waitpid(pid, NULL, 0);
                return log_error_errno(-ECHILD, "the connecting process failed");
        }
        if (!o->keep && (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
                return log_error_errno(-ECHILD, "the connecting process failed");
        *ret_pid = pid;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Q: gets pid want (the namespace's pid counter is set just before it),
 * takes (loginuid_q, uid) and waits until hold closes. */
static int fork_q(const options *o, pid_t want, int hold, int hold_w, pid_t *ret) {
        char text[16];
        pid_t pid;
        int r;

        snprintf(text, sizeof text, "%d", (int) want - 1);
        r = write_file("/proc/sys/kernel/ns_last_pid", text);
        if (r < 0)
                return log_error_errno(r, "cannot set ns_last_pid");
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                char c;

                close(hold_w);
                if (become(o->loginuid_q, o->uid) < 0)
                        _exit(1);
                (void) !read(hold, &c, 1);
                _exit(0);
        }
        *ret = pid;
        return 0;
}

static void print_reply(json_object *reply) {
        json_object *ok, *data, *error, *code, *message;

        if (json_object_object_get_ex(reply, "ok", &ok) && json_object_get_boolean(ok)) {
                json_object_object_get_ex(reply, "data", &data);
                printf("reply ok %s\n", json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN));
                return;
        }
        json_object_object_get_ex(reply, "error", &error);
        json_object_object_get_ex(error, "code", &code);
        json_object_object_get_ex(error, "message", &message);
        printf("reply error %s %s\n", json_object_get_string(code), json_object_get_string(message));
}

/* pid 1 of the new namespace. */
static int run_init(const options *o) {
        _cleanup_close_ int conn = -1, hold_r = -1, hold_w = -1;
        _cleanup_json_ json_object *args = NULL, *reply = NULL;
        pid_t daemon = -1, p = -1, q = -1;
        int pipefd[2], r;

        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return log_error_errno(negative_errno(), "cannot mount this namespace's /proc");
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        hold_r = pipefd[0];
        hold_w = pipefd[1];
        r = proto_parse(o->args, strlen(o->args), &args);
        if (r < 0)
                return log_error_errno(r, "ARGS-JSON is not a JSON object");

        r = start_daemon(o->daemon, &daemon);
        if (r >= 0)
                r = wait_for_daemon(o->socket_path);
        if (r >= 0)
                r = fork_p(o, hold_r, hold_w, &p, &conn);
        if (r >= 0)
                printf("connected pid %d\n", (int) p);
        if (r >= 0 && !o->keep) {
                r = fork_q(o, p, hold_r, hold_w, &q);
                if (r >= 0 && q != p) {
                        printf("pid not reused: P was %d, Q is %d\n", (int) p, (int) q);
                        r = -EAGAIN;
                } else if (r >= 0)
                        printf("reused pid %d\n", (int) q);
        }
        if (r >= 0) {
                r = call(conn, o->op, TAKE_PTR(args), &reply);
                if (r >= 0)
                        print_reply(reply);
                else
                        log_error_errno(r, "no reply to %s", o->op);
        }
        fflush(stdout);

        /* Release P or Q, stop the daemon: leave nothing running. */
        close(TAKE_FD(hold_w));
        if (q > 0)
                (void) waitpid(q, NULL, 0);
        if (p > 0 && o->keep)
                (void) waitpid(p, NULL, 0);
        if (daemon > 0) {
                kill(daemon, SIGTERM);
                (void) waitpid(daemon, NULL, 0);
        }
        return r;
}

int main(int argc, char **argv) {
        options o = {};
        uint64_t loginuid_p, loginuid_q;
        pid_t init;
        int status;

        log_set_program("subid-pidreuse");
        if (argc < 8 || argc > 9 || (argc == 9 && strcmp(argv[8], "keep") != 0)) {
                log_error("usage: subid-pidreuse DAEMON SOCKET UID LOGINUID_P LOGINUID_Q OP ARGS-JSON [keep]");
                return 2;
        }
        o.daemon = argv[1];
        o.socket_path = argv[2];
        if (parse_id(argv[3], &o.uid) < 0 || parse_u64_max(argv[4], UINT32_MAX, &loginuid_p) < 0 ||
            parse_u64_max(argv[5], UINT32_MAX, &loginuid_q) < 0) {
                log_error("bad UID, LOGINUID_P or LOGINUID_Q");
                return 2;
        }
        o.loginuid_p = (uint32_t) loginuid_p;
        o.loginuid_q = (uint32_t) loginuid_q;
        o.op = argv[6];
        o.args = argv[7];
        o.keep = argc == 9;

        if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0) {
                log_error_errno(negative_errno(), "cannot create pid and mount namespaces");
                return 2;
        }
        fflush(stdout);
        init = fork();
        if (init < 0)
                return 2;
        if (init == 0) {
                int r = run_init(&o);
                _exit(r >= 0 ? 0 : r == -EAGAIN ? 1 : 2);
        }
        if (waitpid(init, &status, 0) < 0 || !WIFEXITED(status))
                return 2;
        return WEXITSTATUS(status);
}
