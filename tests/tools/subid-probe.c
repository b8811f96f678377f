/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subid-probe: a subid-admind client that misbehaves on purpose, for the
 * robustness tests (tests/integration/t_admind_*.sh).
 *
 *   subid-probe SOCKET ping                 one well-formed ping
 *   subid-probe SOCKET op OP [ARGS-JSON]    one well-formed request
 *   subid-probe SOCKET raw FILE             FILE's bytes as one message
 *   subid-probe SOCKET big N                a ping padded to exactly N bytes
 *   subid-probe SOCKET fds N [FILE]         a ping (or FILE) carrying N fds
 *   subid-probe SOCKET orphan FILE          FILE sent on a connection whose
 *                                           connecting process has exited
 *   subid-probe SOCKET silent SECONDS       connect, send nothing, wait for
 *                                           the daemon to close
 *   subid-probe SOCKET hold N SECONDS       N connections at once, each
 *                                           pinging, held for SECONDS
 *   subid-probe SOCKET noread N             N pings, no reply read
 *   subid-probe SOCKET stream               stream and datagram sockets
 *                                           must be refused by the kernel
 *
 * Request modes print the reply on one line ("ok DATA-JSON", "error CODE
 * MESSAGE", or "closed" when the daemon hung up without one), then what a
 * ping on the same connection gets: "then ok", "then error CODE" or "then
 * closed". Every wait is bounded (5 s per send or receive). Exit status: 0
 * when the exchange completed as printed, 1 when the mode's own check
 * failed, 2 on usage or local errors. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/admind_client.h"
#include "../../common/cleanup.h"
#include "../../common/log.h"
#include "../../common/parse.h"
#include "../../common/proto.h"

#define TIMEOUT_MS 5000
/* The kernel's limit of fds in one message (SCM_MAX_FD). */
#define MAX_SEND_FDS 253

static const char *socket_path;

static void json_tokener_freep(json_tokener **t) {
        if (*t)
                json_tokener_free(*t);
}

static uint64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static int connect_daemon(int *ret_fd) {
        return admind_connect(socket_path, TIMEOUT_MS, ret_fd);
}

/* Sends buf as one message with n_fds fds of /dev/null attached. */
static int send_bytes(int fd, const char *buf, size_t len, size_t n_fds) {
        int fds[MAX_SEND_FDS];
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * MAX_SEND_FDS)];
        } control;
        struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t k;
        int r = 0;

        if (n_fds > MAX_SEND_FDS)
                return -EINVAL;
        for (size_t i = 0; i < n_fds; i++) {
                fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0) {
                        r = log_error_errno(negative_errno(), "cannot open /dev/null");
                        for (size_t j = 0; j < i; j++)
                                close(fds[j]);
                        return r;
                }
        }
        if (n_fds > 0) {
                struct cmsghdr *c;

                memset(&control, 0, sizeof control);
                mh.msg_control = control.buf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        }
        k = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (k < 0)
                r = negative_errno();
        else if ((size_t) k != len)
                r = -EIO;
        for (size_t i = 0; i < n_fds; i++)
                close(fds[i]);
        return r;
}

static int send_json(int fd, json_object *o) {
        size_t len;
        const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);

        if (!text)
                return -ENOMEM;
        return send_bytes(fd, text, len, 0);
}

static int send_ping(int fd) {
        _cleanup_json_ json_object *ping = proto_request("ping", NULL);

        return send_json(fd, ping);
}

/* Receives one reply. A reset reported before queued messages (the daemon
 * closed with our unread request in its queue) is skipped once, so a reply
 * sent just before the close is still seen. -ECONNRESET: no reply, closed. */
static int recv_reply(int fd, json_object **ret) {
        int r = proto_recv(fd, ret, NULL, NULL);

        if (r == -ECONNRESET || r == -EPIPE)
                r = proto_recv(fd, ret, NULL, NULL);
        if (r == -EPIPE)
                r = -ECONNRESET;
        return r;
}

typedef struct reply_info {
        bool ok;
        const char *code;    /* on error */
        const char *message; /* on error */
        json_object *data;   /* on success */
} reply_info;

/* Checks the envelope of a reply: {"v":1,"ok":true,"data":{}} or
 * {"v":1,"ok":false,"error":{"code":"E…","message":"…"}}. */
static int reply_decode(json_object *reply, reply_info *ret) {
        json_object *ok, *error, *code, *message, *data;
        uint32_t v;

        if (proto_get_u32(reply, "v", UINT32_MAX, &v) < 0 || v != PROTO_VERSION ||
            !json_object_object_get_ex(reply, "ok", &ok) || !json_object_is_type(ok, json_type_boolean)) {
                log_error("malformed reply envelope: %s", json_object_to_json_string(reply));
                return -EBADMSG;
        }
        if (json_object_get_boolean(ok)) {
                if (!json_object_object_get_ex(reply, "data", &data) || !json_object_is_type(data, json_type_object)) {
                        log_error("reply without a data object: %s", json_object_to_json_string(reply));
                        return -EBADMSG;
                }
                *ret = (reply_info) { .ok = true, .data = data };
                return 0;
        }
        if (!json_object_object_get_ex(reply, "error", &error) ||
            !json_object_object_get_ex(error, "code", &code) || !json_object_is_type(code, json_type_string) ||
            !json_object_object_get_ex(error, "message", &message) ||
            !json_object_is_type(message, json_type_string) || json_object_get_string_len(message) == 0 ||
            strchr(json_object_get_string(message), '\n')) {
                log_error("malformed error reply: %s", json_object_to_json_string(reply));
                return -EBADMSG;
        }
        *ret = (reply_info) { .code = json_object_get_string(code), .message = json_object_get_string(message) };
        return 0;
}

/* Reads the reply to what was just sent and prints it (prefix "" or
 * "then "); with brief, an error prints only its code. */
static int print_reply(int fd, const char *prefix, bool brief) {
        _cleanup_json_ json_object *reply = NULL;
        reply_info info;
        int r;

        r = recv_reply(fd, &reply);
        if (r == -ECONNRESET) {
                printf("%sclosed\n", prefix);
                return 0;
        }
        if (r == -EAGAIN)
                return log_error_errno(-ETIMEDOUT, "no reply within %d ms", TIMEOUT_MS);
        if (r < 0)
                return log_error_errno(r, "cannot receive the reply");
        r = reply_decode(reply, &info);
        if (r < 0)
                return r;
        if (info.ok && brief)
                printf("%sok\n", prefix);
        else if (info.ok)
                printf("%sok %s\n", prefix, json_object_to_json_string_ext(info.data, JSON_C_TO_STRING_PLAIN));
        else if (brief)
                printf("%serror %s\n", prefix, info.code);
        else
                printf("%serror %s %s\n", prefix, info.code, info.message);
        return 0;
}

/* After the exchange: is the connection still served? */
static int print_then(int fd) {
        int r = send_ping(fd);

        if (r == -EPIPE || r == -ECONNRESET) {
                printf("then closed\n");
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "cannot send the follow-up ping");
        return print_reply(fd, "then ", true);
}

/* One message (buf, or a ping when buf is NULL) with n_fds fds on fd. */
static int exchange_on(int fd, const char *buf, size_t len, size_t n_fds) {
        _cleanup_json_ json_object *ping = NULL;
        int r;

        if (!buf) {
                ping = proto_request("ping", NULL);
                buf = json_object_to_json_string_length(ping, JSON_C_TO_STRING_PLAIN, &len);
        }
        r = send_bytes(fd, buf, len, n_fds);
        if (r == -EPIPE || r == -ECONNRESET) {
                /* Hung up at once (e.g. refused at accept): show why. */
                printf("closed\n");
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "cannot send %zu bytes", len);
        r = print_reply(fd, "", false);
        if (r < 0)
                return r;
        return print_then(fd);
}

static int exchange(const char *buf, size_t len, size_t n_fds) {
        _cleanup_close_ int fd = -1;
        int r;

        r = connect_daemon(&fd);
        if (r < 0)
                return r;
        return exchange_on(fd, buf, len, n_fds);
}

/* The mode_* functions return 0 when the exchange went as printed, 1 when
 * the mode's own check failed, or -errno on a local error. */

static int read_file(const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, size = 0;

        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot open %s", path);
        for (;;) {
                ssize_t k;

                if (len == size) {
                        char *n;

                        if (size >= 16 * 1024 * 1024)
                                return log_error_errno(-EFBIG, "%s is too large", path);
                        size = size ? size * 2 : 4096;
                        n = realloc(buf, size);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                }
                k = read(fd, buf + len, size - len);
                if (k < 0)
                        return log_error_errno(negative_errno(), "cannot read %s", path);
                if (k == 0)
                        break;
                len += (size_t) k;
        }
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static int mode_raw(const char *path, size_t n_fds) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        r = read_file(path, &buf, &len);
        if (r < 0)
                return r;
        return exchange(buf ? buf : "", len, n_fds);
}

/* {"v":1,"op":"ping","args":{"pad":"xxx…"}} of exactly n bytes. */
static int mode_big(size_t n) {
        static const char head[] = "{\"v\":1,\"op\":\"ping\",\"args\":{\"pad\":\"", tail[] = "\"}}";
        size_t fixed = strlen(head) + strlen(tail);
        _cleanup_free_ char *buf = NULL;

        if (n < fixed) {
                log_error("big: at least %zu bytes", fixed);
                return -EINVAL;
        }
        buf = malloc(n);
        if (!buf)
                return -ENOMEM;
        memcpy(buf, head, strlen(head));
        memset(buf + strlen(head), 'x', n - fixed);
        memcpy(buf + n - strlen(tail), tail, strlen(tail));
        return exchange(buf, n, 0);
}

/* The connection is made by a child that pings (so the daemon has read its
 * identity) and exits; once it is reaped, the parent sends FILE on it. */
static int mode_orphan(const char *path) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct timeval tv = { .tv_sec = TIMEOUT_MS / 1000 };
        size_t len;
        pid_t pid;
        int r, status;

        r = read_file(path, &buf, &len);
        if (r < 0)
                return r;
        if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", socket_path) >= (int) sizeof sa.sun_path)
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
                return log_error_errno(negative_errno(), "cannot create socket");
        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return log_error_errno(negative_errno(), "fork failed");
        if (pid == 0) {
                _cleanup_json_ json_object *reply = NULL;

                if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || send_ping(fd) < 0 ||
                    proto_recv(fd, &reply, NULL, NULL) < 0)
                        _exit(1);
                _exit(0);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return log_error_errno(-ECHILD, "the connecting child failed");
        return exchange_on(fd, buf ? buf : "", len, 0);
}

static int mode_silent(unsigned seconds) {
        _cleanup_close_ int fd = -1;
        struct pollfd p;
        uint64_t start = now_ms(), deadline = start + (uint64_t) seconds * 1000;
        char c;
        int r;

        r = connect_daemon(&fd);
        if (r < 0)
                return r;
        p = (struct pollfd) { .fd = fd, .events = POLLIN };
        for (;;) {
                uint64_t now = now_ms();

                if (now >= deadline) {
                        printf("still open after %u s\n", seconds);
                        return 1;
                }
                r = poll(&p, 1, (int) (deadline - now));
                if (r < 0 && errno != EINTR)
                        return log_error_errno(negative_errno(), "poll failed");
                if (r > 0)
                        break;
        }
        ssize_t k = recv(fd, &c, 1, MSG_DONTWAIT);
        if (k > 0) {
                printf("unexpected message from the daemon\n");
                return 1;
        }
        if (k < 0 && errno != ECONNRESET)
                return log_error_errno(negative_errno(), "recv failed");
        uint64_t elapsed = now_ms() - start;
        printf("closed after %llu.%llu s\n", (unsigned long long) (elapsed / 1000),
               (unsigned long long) (elapsed % 1000 / 100));
        return 0;
}

/* Lifts the soft fd limit to the hard one, for many connections at once. */
static int raise_fd_limit(size_t need) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return negative_errno();
        if (rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        return negative_errno();
        }
        if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need + 16)
                return log_error_errno(-EMFILE, "need %zu fds, limit is %llu", need + 16,
                                       (unsigned long long) rl.rlim_cur);
        return 0;
}

/* Waits until fd is readable or deadline passes (-ETIMEDOUT). */
static int wait_readable(int fd, uint64_t deadline) {
        struct pollfd p = { .fd = fd, .events = POLLIN };

        for (;;) {
                uint64_t now = now_ms();
                int r = poll(&p, 1, now >= deadline ? 0 : (int) (deadline - now));

                if (r > 0)
                        return 0;
                if (r == 0)
                        return -ETIMEDOUT;
                if (errno != EINTR)
                        return negative_errno();
        }
}

/* Pings on every connection in fds (skipping -1), then reads every reply,
 * all within one TIMEOUT_MS. Connections that got no "ok" are closed and
 * set to -1. */
static int ping_all(int *fds, size_t n, size_t *ret_served, size_t *ret_busy, size_t *ret_failed) {
        size_t served = 0, busy = 0, failed = 0;
        uint64_t deadline = now_ms() + TIMEOUT_MS;

        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0) {
                        int r = send_ping(fds[i]);
                        /* Refused at accept: the EBUSY reply is still queued. */
                        if (r < 0 && r != -EPIPE && r != -ECONNRESET)
                                return log_error_errno(r, "cannot send ping %zu", i);
                }
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ json_object *reply = NULL;
                reply_info info;
                int r;

                if (fds[i] < 0)
                        continue;
                r = wait_readable(fds[i], deadline);
                if (r >= 0)
                        r = recv_reply(fds[i], &reply);
                if (r >= 0)
                        r = reply_decode(reply, &info);
                if (r >= 0 && info.ok)
                        served++;
                else {
                        if (r >= 0 && strcmp(info.code, "EBUSY") == 0)
                                busy++;
                        else {
                                if (failed == 0)
                                        log_error("connection %zu: %s", i,
                                                  r >= 0 ? info.code : strerror(-r));
                                failed++;
                        }
                        close(fds[i]);
                        fds[i] = -1;
                }
        }
        *ret_served = served;
        *ret_busy = busy;
        *ret_failed = failed;
        return 0;
}

/* Opens n connections before the daemon has served any, pings on each,
 * prints "served S busy B failed F" then "holding"; after seconds, pings
 * again on the served ones ("after S s: served S2") and closes them all. */
static int mode_hold(size_t n, unsigned seconds) {
        _cleanup_free_ int *fds = calloc(n, sizeof(int));
        size_t served, busy, failed, served2, busy2, failed2;
        int r;

        if (!fds)
                return -ENOMEM;
        r = raise_fd_limit(n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                fds[i] = -1;
        for (size_t i = 0; i < n && r >= 0; i++)
                r = connect_daemon(&fds[i]);
        if (r >= 0)
                r = ping_all(fds, n, &served, &busy, &failed);
        if (r >= 0) {
                printf("served %zu busy %zu failed %zu\nholding\n", served, busy, failed);
                fflush(stdout);
                sleep(seconds);
                r = ping_all(fds, n, &served2, &busy2, &failed2);
        }
        if (r >= 0)
                printf("after %u s: served %zu\n", seconds, served2);
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        if (r < 0)
                return r;
        return failed == 0 && served2 == served ? 0 : 1;
}

/* Sends n pings without reading a reply. The daemon must drop us rather
 * than wait: prints "dropped after K" (K pings sent) or "sent all N". */
static int mode_noread(size_t n) {
        _cleanup_close_ int fd = -1;
        int r;

        r = connect_daemon(&fd);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = send_ping(fd);
                if (r == -EPIPE || r == -ECONNRESET) {
                        printf("dropped after %zu\n", i);
                        return 0;
                }
                if (r == -EAGAIN) {
                        /* Our send timed out: the daemon stopped reading
                         * but kept the connection. */
                        printf("stalled after %zu\n", i);
                        return 1;
                }
                if (r < 0)
                        return log_error_errno(r, "cannot send ping %zu", i);
        }
        printf("sent all %zu\n", n);
        return 1;
}

/* The socket is SOCK_SEQPACKET: the kernel must refuse other types. */
static int mode_stream(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        static const int types[] = { SOCK_STREAM, SOCK_DGRAM };
        static const char *const names[] = { "stream", "dgram" };
        int bad = 0;

        if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", socket_path) >= (int) sizeof sa.sun_path)
                return -ENAMETOOLONG;
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                _cleanup_close_ int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
                int r;

                if (fd < 0)
                        return log_error_errno(negative_errno(), "cannot create socket");
                if (types[i] == SOCK_STREAM)
                        r = connect(fd, (struct sockaddr *) &sa, sizeof sa);
                else
                        r = (int) sendto(fd, "{}", 2, MSG_NOSIGNAL, (struct sockaddr *) &sa, sizeof sa);
                if (r >= 0) {
                        printf("%s: accepted\n", names[i]);
                        bad++;
                } else
                        printf("%s: refused (%s)\n", names[i], strerror(errno));
        }
        return bad ? 1 : 0;
}

static int parse_size(const char *s, uint64_t max, size_t *ret) {
        uint64_t v;
        int r = parse_u64_max(s, max, &v);

        if (r < 0) {
                log_error("invalid number '%s'", s);
                return r;
        }
        *ret = (size_t) v;
        return 0;
}

static int mode_op(const char *op, const char *args_text) {
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        json_object *args = NULL;
        _cleanup_json_ json_object *request = NULL;
        size_t len;
        const char *text;

        if (args_text) {
                tok = json_tokener_new();
                if (!tok)
                        return -ENOMEM;
                args = json_tokener_parse_ex(tok, args_text, (int) strlen(args_text));
                if (!args || json_tokener_get_error(tok) != json_tokener_success) {
                        json_object_put(args);
                        log_error("ARGS-JSON is not valid JSON: %s", args_text);
                        return -EINVAL;
                }
        }
        request = proto_request(op, args);
        text = json_object_to_json_string_length(request, JSON_C_TO_STRING_PLAIN, &len);
        if (!text)
                return -ENOMEM;
        return exchange(text, len, 0);
}

static int usage(void) {
        fprintf(stderr, "usage: subid-probe SOCKET ping|op OP [ARGS]|raw FILE|big N|fds N [FILE]|orphan FILE|\n"
                        "                          silent SECONDS|hold N SECONDS|noread N|stream\n");
        return 2;
}

int main(int argc, char **argv) {
        const char *mode;
        size_t n = 0, seconds = 0;
        int r;

        log_set_program("subid-probe");
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 3)
                return usage();
        socket_path = argv[1];
        mode = argv[2];

        if (strcmp(mode, "ping") == 0 && argc == 3)
                r = exchange(NULL, 0, 0);
        else if (strcmp(mode, "op") == 0 && (argc == 4 || argc == 5))
                r = mode_op(argv[3], argc == 5 ? argv[4] : NULL);
        else if (strcmp(mode, "raw") == 0 && argc == 4)
                r = mode_raw(argv[3], 0);
        else if (strcmp(mode, "big") == 0 && argc == 4) {
                r = parse_size(argv[3], 16 * 1024 * 1024, &n);
                if (r >= 0)
                        r = mode_big(n);
        } else if (strcmp(mode, "fds") == 0 && (argc == 4 || argc == 5)) {
                r = parse_size(argv[3], MAX_SEND_FDS, &n);
                if (r >= 0)
                        r = argc == 5 ? mode_raw(argv[4], n) : exchange(NULL, 0, n);
        } else if (strcmp(mode, "orphan") == 0 && argc == 4)
                r = mode_orphan(argv[3]);
        else if (strcmp(mode, "silent") == 0 && argc == 4) {
                r = parse_size(argv[3], 3600, &seconds);
                if (r >= 0)
                        r = mode_silent((unsigned) seconds);
        } else if (strcmp(mode, "hold") == 0 && argc == 5) {
                r = parse_size(argv[3], 100000, &n);
                if (r >= 0)
                        r = parse_size(argv[4], 3600, &seconds);
                if (r >= 0)
                        r = mode_hold(n, (unsigned) seconds);
        } else if (strcmp(mode, "noread") == 0 && argc == 4) {
                r = parse_size(argv[3], 1000000, &n);
                if (r >= 0)
                        r = mode_noread(n);
        } else if (strcmp(mode, "stream") == 0 && argc == 3)
                r = mode_stream();
        else
                return usage();

        if (r < 0)
                return 2;
        return r;
}
