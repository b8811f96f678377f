/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/mkdirp.h"
#include "../common/proto.h"
#include "autoalloc.h"
#include "dispatch.h"
#include "peer.h"
#include "watch.h"

#define ADMIN_GROUP "subidadm"
#define LISTEN_BACKLOG 256
/* Each peer costs two fds (its socket and its pidfd); the rest is the
 * database, the listener and what the handlers open for a moment. */
#define SERVER_WANT_FDS (2 * SERVER_MAX_PEERS + 256)
/* After accept() fails for lack of fds or memory, the listener is left
 * alone this long (or until a peer goes away) instead of being retried in
 * a busy loop: the pending connection keeps it readable. */
#define ACCEPT_RETRY_MS 200

enum { TAG_LISTEN = UINT32_MAX, TAG_SIGNAL = UINT32_MAX - 1, TAG_WATCH = UINT32_MAX - 2 };

typedef struct peer_slot {
        int fd; /* -1 when free */
        peer_identity id;
        bool is_admin;
        uint64_t deadline_ms;
} peer_slot;

typedef struct server {
        const server_config *config;
        int epoll_fd;
        int listen_fd;
        peer_slot peers[SERVER_MAX_PEERS];
        size_t n_peers;
        uint64_t accept_resume_ms; /* 0: the listener is polled */
        bool accept_starved;       /* said once per episode, not per attempt */
        int reserve_fd;            /* given up to accept a client just to refuse it */
        account_watch watch;       /* auto_allocate: the user database and the exported files */
} server;

static uint64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* One daemon per socket: a lock next to it, held for the process's life. */
static int take_lock(const char *socket_path, int *ret_fd) {
        char lock_path[PATH_MAX];
        int fd;

        if (snprintf(lock_path, sizeof lock_path, "%s.lock", socket_path) >= (int) sizeof lock_path)
                return -ENAMETOOLONG;
        fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot open %s", lock_path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                close(fd);
                if (errno == EWOULDBLOCK) {
                        log_error("another subid-admind is already serving %s", socket_path);
                        return -EADDRINUSE;
                }
                return log_error_errno(negative_errno(), "cannot lock %s", lock_path);
        }
        *ret_fd = fd;
        return 0;
}

static int make_listener(const char *path, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char tmp[sizeof sa.sun_path];

        if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int) sizeof tmp)
                return log_error_errno(-ENAMETOOLONG, "socket path %s is too long", path);
        memcpy(sa.sun_path, tmp, sizeof tmp);

        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot create socket");
        (void) unlink(tmp);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return log_error_errno(negative_errno(), "cannot bind %s", tmp);
        /* Anyone may connect; what they may do is decided per request from
         * their kernel credentials. */
        if (chmod(tmp, 0666) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
                int r = negative_errno();
                (void) unlink(tmp);
                return log_error_errno(r, "cannot listen on %s", tmp);
        }
        /* The socket appears under its real name only once it accepts. */
        if (rename(tmp, path) < 0) {
                int r = negative_errno();
                (void) unlink(tmp);
                return log_error_errno(r, "cannot install socket %s", path);
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int make_signalfd(int *ret_fd) {
        sigset_t mask;
        int fd;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();
        fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        *ret_fd = fd;
        return 0;
}

/* The limit a shell or init gives (often 1024) is too low for
 * SERVER_MAX_PEERS peers: take what the hard limit allows. */
static void raise_fd_limit(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= SERVER_WANT_FDS)
                return;
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= SERVER_WANT_FDS ? SERVER_WANT_FDS : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                log_warning("cannot raise the open file limit to %llu: %s", (unsigned long long) rl.rlim_cur,
                            strerror(errno));
}

static void listener_poll(server *s, bool on) {
        struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.u32 = TAG_LISTEN };

        if (epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, s->listen_fd, &ev) < 0)
                log_error_errno(negative_errno(), "epoll_ctl failed");
        s->accept_resume_ms = on ? 0 : now_ms() + ACCEPT_RETRY_MS;
}

static bool peer_is_admin(const peer_identity *p) {
        struct group *g;

        if (p->uid == 0)
                return true;
        g = getgrnam(ADMIN_GROUP);
        return g && peer_in_group(p, g->gr_gid);
}

static void peer_close(server *s, size_t slot) {
        peer_slot *p = &s->peers[slot];

        if (p->fd < 0)
                return;
        (void) epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, p->fd, NULL);
        close(p->fd);
        peer_identity_done(&p->id);
        p->fd = -1;
        s->n_peers--;
        /* fds were freed: a paused listener may accept again */
        if (s->accept_resume_ms != 0)
                listener_poll(s, true);
}

/* Tells a client we cannot serve it now, rather than leave it hanging. */
static void refuse_with(int fd, const char *message) {
        _cleanup_json_ json_object *reply = proto_reply_error(-EBUSY, message);

        (void) proto_send(fd, reply, NULL, 0);
        close(fd);
}

static void refuse_busy(int fd) {
        refuse_with(fd, "subid-admind is busy, retry");
}

static size_t peers_of_uid(const server *s, uid_t uid) {
        size_t n = 0;

        for (size_t i = 0; i < SERVER_MAX_PEERS; i++)
                if (s->peers[i].fd >= 0 && s->peers[i].id.uid == uid)
                        n++;
        return n;
}

static void accept_starved(server *s, int r) {
        if (!s->accept_starved)
                log_error_errno(r, "cannot serve new connections, refusing them");
        s->accept_starved = true;
}

/* Out of fds: gives up the one kept in reserve to accept a waiting client
 * just to tell it EBUSY, rather than leave it queued until it times out.
 * Returns 0 when one was refused, -EAGAIN when none is waiting, or -errno. */
static int refuse_one_waiting(server *s) {
        int fd, r = 0;

        if (s->reserve_fd < 0)
                return -EMFILE;
        close(s->reserve_fd);
        s->reserve_fd = -1;
        fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
                r = negative_errno();
        else
                refuse_busy(fd);
        s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        return r;
}

static void accept_peers(server *s) {
        for (;;) {
                int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                size_t slot;
                int r;

                if (fd < 0) {
                        r = negative_errno();
                        if (r == -EAGAIN || r == -EINTR || r == -ECONNABORTED)
                                return;
                        accept_starved(s, r);
                        if (r == -EMFILE || r == -ENFILE) {
                                r = refuse_one_waiting(s);
                                if (r >= 0)
                                        continue;
                                if (r == -EAGAIN)
                                        return;
                        }
                        /* A queued connection keeps the listener readable:
                         * polling it again at once would spin. */
                        listener_poll(s, false);
                        return;
                }
                if (s->n_peers >= SERVER_MAX_PEERS) {
                        refuse_busy(fd);
                        continue;
                }
                for (slot = 0; s->peers[slot].fd >= 0; slot++)
                        ;
                peer_slot *p = &s->peers[slot];
                r = peer_identity_read(fd, &p->id);
                if (r == -EMFILE || r == -ENFILE || r == -ENOMEM) {
                        /* No fd left for its pidfd: we cannot serve it. */
                        accept_starved(s, r);
                        refuse_busy(fd);
                        continue;
                }
                if (r < 0) {
                        close(fd);
                        continue;
                }
                /* One user must not be able to take every slot and lock the
                 * admins out; root is not limited. */
                if (p->id.uid != 0 && peers_of_uid(s, p->id.uid) >= SERVER_MAX_PEERS_PER_UID) {
                        peer_identity_done(&p->id);
                        refuse_with(fd, "too many connections from your user to subid-admind, retry");
                        continue;
                }
                struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t) slot };
                if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                        peer_identity_done(&p->id);
                        close(fd);
                        continue;
                }
                s->accept_starved = false;
                p->fd = fd;
                p->is_admin = peer_is_admin(&p->id);
                p->deadline_ms = now_ms() + SERVER_IDLE_TIMEOUT_MS;
                s->n_peers++;
        }
}

/* One request in, one reply out. Returns false when the connection must be
 * closed (end of stream, protocol violation, unwritable client). */
static bool serve_peer(server *s, size_t slot) {
        peer_slot *p = &s->peers[slot];
        _cleanup_json_ json_object *request = NULL, *reply = NULL;
        int passed_fds[PROTO_MAX_FDS];
        size_t n_passed_fds = 0;
        bool keep = true;
        int r;

        r = proto_recv(p->fd, &request, passed_fds, &n_passed_fds);
        if (r == -EAGAIN || r == -EINTR)
                return true;
        if (r == -ECONNRESET)
                return false;
        if (r == -EMSGSIZE) {
                reply = proto_reply_error(r, "request larger than the protocol's 64 KiB limit");
                keep = false;
        } else if (r == -EBADMSG) {
                reply = proto_reply_error(r, "request is not a single JSON object");
                keep = false;
        } else if (r == -ETOOMANYREFS) {
                reply = proto_reply_error(r, "request carries more file descriptors than allowed");
                keep = false;
        } else if (r < 0)
                return false;
        else {
                request_ctx ctx = {
                        .peer = &p->id,
                        .is_admin = p->is_admin,
                        .db = s->config->db,
                        .passed_fds = passed_fds,
                        .n_passed_fds = n_passed_fds,
                        .config = s->config->config,
                        .export_paths = s->config->export_paths,
                };
                reply = dispatch_request(&ctx, request);
                /* Whatever the handler did not take is closed here. */
                for (size_t i = 0; i < n_passed_fds; i++)
                        if (passed_fds[i] >= 0)
                                close(passed_fds[i]);
        }

        /* Never block on a client: one that does not read its replies is dropped. */
        r = proto_send(p->fd, reply, NULL, 0);
        if (r == -EMSGSIZE) {
                /* Handlers bound their replies; if one did not, say so rather
                 * than leave the client without an answer. */
                json_object_put(reply);
                reply = proto_reply_error(r, "the answer is larger than the protocol's 64 KiB limit");
                r = proto_send(p->fd, reply, NULL, 0);
        }
        if (r < 0)
                return false;
        p->deadline_ms = now_ms() + SERVER_IDLE_TIMEOUT_MS;
        return keep;
}

/* Something changed in /etc/passwd, /etc/group or the exported files:
 * reacted to at once, so that a `userdel alice` is seen on its own before a
 * later `useradd` can reuse alice's uid or name (docs/decisions.md,
 * "Following the user database"). */
static void follow_changes(server *s) {
        const server_config *c = s->config;
        watch_events ev;
        int r;

        r = watch_read(&s->watch, &ev);
        if (r < 0)
                return;
        if (ev.accounts) {
                /* Two replacements of passwd seen as one change may hide a
                 * userdel and a useradd that reused the uid under another
                 * name: that must never pass for a rename. */
                bool distrust = ev.overflow || ev.passwd_writes > 1;

                if (distrust)
                        log_warning("auto: /etc/passwd changed several times at once; a vanished name whose uid "
                                    "has another name now is treated as deleted, not renamed");
                (void) autoalloc_follow_accounts(c->db, c->config, c->export_paths, AUTOALLOC_ACCOUNTS, distrust);
        } else if (ev.exported)
                (void) autoalloc_repair_export(c->db, c->export_paths);
}

/* auto_allocate: watch before the first reconciliation, so that nothing
 * changed during it goes unseen. */
static int start_following(server *s) {
        const server_config *c = s->config;
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = TAG_WATCH };
        int r;

        r = watch_open(&s->watch, WATCH_ACCOUNTS_DIR, c->export_paths);
        if (r < 0)
                return r;
        if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->watch.fd, &ev) < 0)
                return log_error_errno(negative_errno(), "epoll_ctl failed");
        log_info("following the user database in %s (auto_allocate = yes)", WATCH_ACCOUNTS_DIR);
        /* Whatever changed while the daemon was down; a failure (say, an
         * unreachable directory) is logged and retried at the next change. */
        (void) autoalloc_follow_accounts(c->db, c->config, c->export_paths, AUTOALLOC_STARTUP, false);
        return 0;
}

static int next_timeout(const server *s) {
        uint64_t now = now_ms(), first = s->accept_resume_ms != 0 ? s->accept_resume_ms : UINT64_MAX;

        if (s->n_peers == 0 && first == UINT64_MAX)
                return -1;
        for (size_t i = 0; i < SERVER_MAX_PEERS && s->n_peers > 0; i++)
                if (s->peers[i].fd >= 0 && s->peers[i].deadline_ms < first)
                        first = s->peers[i].deadline_ms;
        return first <= now ? 0 : (int) (first - now);
}

static void expire_idle(server *s) {
        uint64_t now = now_ms();

        for (size_t i = 0; i < SERVER_MAX_PEERS; i++)
                if (s->peers[i].fd >= 0 && s->peers[i].deadline_ms <= now)
                        peer_close(s, i);
}

int server_run(const server_config *config) {
        _cleanup_close_ int lock_fd = -1, listen_fd = -1, signal_fd = -1, epoll_fd = -1;
        static server s; /* large: keep it off the stack */
        struct epoll_event ev;
        int r;

        s = (server) { .config = config, .listen_fd = -1, .watch = { .fd = -1 } };
        s.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        for (size_t i = 0; i < SERVER_MAX_PEERS; i++)
                s.peers[i].fd = -1;

        signal(SIGPIPE, SIG_IGN);
        raise_fd_limit();
        r = make_signalfd(&signal_fd);
        if (r < 0)
                return log_error_errno(r, "cannot set up signal handling");
        r = mkdir_parent_of(config->socket_path, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create the directory of %s", config->socket_path);
        r = take_lock(config->socket_path, &lock_fd);
        if (r < 0)
                return r;
        epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (epoll_fd < 0)
                return log_error_errno(negative_errno(), "cannot create epoll instance");
        s.epoll_fd = epoll_fd;

        ev = (struct epoll_event) { .events = EPOLLIN, .data.u32 = TAG_SIGNAL };
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, signal_fd, &ev) < 0)
                return log_error_errno(negative_errno(), "epoll_ctl failed");
        if (config->config->auto_allocate) {
                r = start_following(&s);
                if (r < 0)
                        return r;
        }
        r = make_listener(config->socket_path, &listen_fd);
        if (r < 0)
                return r;
        s.listen_fd = listen_fd;
        ev = (struct epoll_event) { .events = EPOLLIN, .data.u32 = TAG_LISTEN };
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev) < 0)
                return log_error_errno(negative_errno(), "epoll_ctl failed");

        log_info("serving on %s", config->socket_path);
        for (bool running = true; running;) {
                struct epoll_event events[64];
                int n = epoll_wait(epoll_fd, events, (int) ELEMENTSOF(events), next_timeout(&s));

                if (n < 0 && errno != EINTR) {
                        r = log_error_errno(negative_errno(), "epoll_wait failed");
                        break;
                }
                for (int i = 0; i < n; i++) {
                        uint32_t tag = events[i].data.u32;

                        if (tag == TAG_LISTEN)
                                accept_peers(&s);
                        else if (tag == TAG_WATCH)
                                follow_changes(&s);
                        else if (tag == TAG_SIGNAL) {
                                struct signalfd_siginfo si;

                                while (read(signal_fd, &si, sizeof si) == (ssize_t) sizeof si)
                                        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
                                                running = false;
                        } else if (s.peers[tag].fd >= 0) {
                                if ((events[i].events & EPOLLIN) ? !serve_peer(&s, tag)
                                                                  : (events[i].events & (EPOLLHUP | EPOLLERR)) != 0)
                                        peer_close(&s, tag);
                        }
                }
                expire_idle(&s);
                if (s.accept_resume_ms != 0 && now_ms() >= s.accept_resume_ms)
                        listener_poll(&s, true);
        }

        for (size_t i = 0; i < SERVER_MAX_PEERS; i++)
                peer_close(&s, i);
        if (s.reserve_fd >= 0)
                close(s.reserve_fd);
        watch_close(&s.watch);
        (void) unlink(config->socket_path);
        log_info("stopped");
        return r < 0 ? r : 0;
}
