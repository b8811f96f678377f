/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pam_subid: a session module that asks subid-admind to allocate
 * subordinate ids for a user who has none yet (directory users that no
 * `useradd` ever announced), with the protocol's "ensure" operation.
 *
 * It never blocks or fails a login: the daemon being down, slow (a bounded
 * wait, 1 s by default, connect included) or refusing all end in
 * PAM_SUCCESS and one warning in syslog. It runs inside sshd, login, su...:
 * it writes nothing to their stdout or stderr, changes no signal handling
 * (sends use MSG_NOSIGNAL) and keeps no fd or memory across calls. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "../common/cleanup.h"
#include "../common/errname.h"
#include "../common/log.h" /* negative_errno() only: this module logs to syslog, never stderr */
#include "../common/parse.h"
#include "../common/proto.h"
#include "paths.h"

#define DEFAULT_TIMEOUT_MS 1000
#define MAX_TIMEOUT_MS 10000

typedef struct options {
        bool debug;
        int timeout_ms;
} options;

static void parse_options(pam_handle_t *pamh, int argc, const char **argv, options *ret) {
        *ret = (options) { .timeout_ms = DEFAULT_TIMEOUT_MS };
        for (int i = 0; i < argc; i++) {
                uint64_t ms;

                if (strcmp(argv[i], "debug") == 0)
                        ret->debug = true;
                else if (strncmp(argv[i], "timeout=", 8) == 0) {
                        if (parse_u64_max(argv[i] + 8, MAX_TIMEOUT_MS, &ms) < 0 || ms == 0)
                                pam_syslog(pamh, LOG_WARNING, "ignoring %s: timeout= takes 1 to %d milliseconds",
                                           argv[i], MAX_TIMEOUT_MS);
                        else
                                ret->timeout_ms = (int) ms;
                } else
                        pam_syslog(pamh, LOG_WARNING, "ignoring unknown option '%s'", argv[i]);
        }
}

static int64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until deadline: 0, -ETIMEDOUT or -errno. */
static int wait_for(int fd, short events, int64_t deadline) {
        for (;;) {
                struct pollfd p = { .fd = fd, .events = events };
                int64_t left = deadline - now_ms();
                int n;

                if (left <= 0)
                        return -ETIMEDOUT;
                n = poll(&p, 1, (int) left);
                if (n > 0)
                        return 0;
                if (n == 0)
                        return -ETIMEDOUT;
                if (errno != EINTR)
                        return negative_errno();
        }
}

/* One request, one reply, all before deadline. *ret is the whole reply. */
static int call_admind(const char *socket_path, json_object *request, int64_t deadline, json_object **ret) {
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int r;

        if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", socket_path) >= (int) sizeof sa.sun_path)
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        /* A non-blocking AF_UNIX connect never waits: it connects, or fails
         * (ENOENT, ECONNREFUSED; EAGAIN when the backlog is full). */
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return negative_errno();
        for (;;) {
                r = proto_send(fd, request, NULL, 0);
                if (r != -EAGAIN)
                        break;
                r = wait_for(fd, POLLOUT, deadline);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        for (;;) {
                r = wait_for(fd, POLLIN, deadline);
                if (r < 0)
                        return r;
                r = proto_recv(fd, ret, NULL, NULL);
                if (r != -EAGAIN && r != -EINTR)
                        return r;
        }
}

/* The reply's error message and errno, or 0 for success (*ret_data set). */
static int reply_result(json_object *reply, json_object **ret_data, const char **ret_message) {
        json_object *ok, *error, *field;

        *ret_message = "malformed answer";
        if (!json_object_object_get_ex(reply, "ok", &ok) || !json_object_is_type(ok, json_type_boolean))
                return -EBADMSG;
        if (json_object_get_boolean(ok)) {
                if (!json_object_object_get_ex(reply, "data", ret_data))
                        *ret_data = NULL;
                return 0;
        }
        if (!json_object_object_get_ex(reply, "error", &error))
                return -EIO;
        if (json_object_object_get_ex(error, "message", &field) && json_object_is_type(field, json_type_string))
                *ret_message = json_object_get_string(field);
        if (json_object_object_get_ex(error, "code", &field) && json_object_is_type(field, json_type_string))
                return errno_from_name(json_object_get_string(field));
        return -EIO;
}

/* Logs each range the daemon allocated (an empty "granted": the user holds
 * ranges already, or is a system account: "skipped" says so). */
static void log_granted(pam_handle_t *pamh, const options *o, const char *user, json_object *data) {
        json_object *granted, *skipped;
        size_t n;

        if (data && json_object_object_get_ex(data, "skipped", &skipped)) {
                if (o->debug)
                        pam_syslog(pamh, LOG_DEBUG, "nothing to allocate for %s: %s", user,
                                   json_object_get_string(skipped));
                return;
        }
        if (!data || !json_object_object_get_ex(data, "granted", &granted) ||
            !json_object_is_type(granted, json_type_array))
                return;
        n = json_object_array_length(granted);
        if (n == 0 && o->debug)
                pam_syslog(pamh, LOG_DEBUG, "%s holds subordinate ids already", user);
        for (size_t i = 0; i < n; i++) {
                json_object *g = json_object_array_get_idx(granted, i), *kind, *first, *last;

                if (json_object_object_get_ex(g, "kind", &kind) && json_object_object_get_ex(g, "first", &first) &&
                    json_object_object_get_ex(g, "last", &last))
                        pam_syslog(pamh, LOG_INFO, "allocated sub%ss %s-%s to %s", json_object_get_string(kind),
                                   json_object_get_string(first), json_object_get_string(last), user);
        }
}

static void ensure_range(pam_handle_t *pamh, const options *o, const char *user) {
        _cleanup_json_ json_object *request = NULL, *reply = NULL;
        json_object *args = json_object_new_object(), *data = NULL;
        const char *message;
        int64_t start = now_ms();
        int r;

        if (!args || json_object_object_add(args, "user", json_object_new_string(user)) < 0) {
                json_object_put(args);
                pam_syslog(pamh, LOG_WARNING, "out of memory; %s gets no subordinate ids now", user);
                return;
        }
        request = proto_request("ensure", args);
        if (!request) {
                pam_syslog(pamh, LOG_WARNING, "out of memory; %s gets no subordinate ids now", user);
                return;
        }
        r = call_admind(SUBID_SOCKET_PATH, request, start + o->timeout_ms, &reply);
        if (r == -ENOENT || r == -ECONNREFUSED) {
                pam_syslog(pamh, LOG_WARNING, "subid-admind is not running (nothing listens on %s); "
                           "%s gets no subordinate ids now", SUBID_SOCKET_PATH, user);
                return;
        }
        if (r == -ETIMEDOUT) {
                pam_syslog(pamh, LOG_WARNING, "subid-admind did not answer within %d ms; %s gets no subordinate "
                           "ids now", o->timeout_ms, user);
                return;
        }
        if (r < 0) {
                pam_syslog(pamh, LOG_WARNING, "cannot ask subid-admind at %s: %s; %s gets no subordinate ids now",
                           SUBID_SOCKET_PATH, strerror(-r), user);
                return;
        }
        r = reply_result(reply, &data, &message);
        if (r < 0) {
                pam_syslog(pamh, LOG_WARNING, "subid-admind allocated nothing for %s: %s (%s)", user, message,
                           errno_name(-r));
                return;
        }
        log_granted(pamh, o, user, data);
        if (o->debug)
                pam_syslog(pamh, LOG_DEBUG, "asked subid-admind about %s in %lld ms", user,
                           (long long) (now_ms() - start));
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        const char *user = NULL;
        options o;

        parse_options(pamh, argc, argv, &o);
        if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user || !*user) {
                pam_syslog(pamh, LOG_WARNING, "cannot tell which user opens the session; nothing to allocate");
                return PAM_SUCCESS;
        }
        ensure_range(pamh, &o, user);
        return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        return PAM_SUCCESS;
}
