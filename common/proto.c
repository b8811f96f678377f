/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "proto.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "errname.h"
#include "log.h"

int proto_send(int sock, json_object *msg, const int *fds, size_t n_fds) {
        size_t len;
        const char *text = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN, &len);
        struct iovec iov = { .iov_base = (void *) text, .iov_len = len };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * PROTO_MAX_FDS)];
        } control;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t k;

        if (!text)
                return -ENOMEM;
        if (len > PROTO_MAX_MESSAGE || n_fds > PROTO_MAX_FDS)
                return -EMSGSIZE;
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
        k = sendmsg(sock, &mh, MSG_NOSIGNAL);
        if (k < 0)
                return negative_errno();
        if ((size_t) k != len)
                return -EIO;
        return 0;
}

int proto_parse(const char *buf, size_t len, json_object **ret) {
        json_tokener *tok;
        json_object *o;

        if (len == 0 || memchr(buf, '\0', len))
                return -EBADMSG;
        tok = json_tokener_new_ex(PROTO_MAX_DEPTH);
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, buf, (int) len);
        /* The whole message must be exactly one complete JSON object. */
        if (!o || json_tokener_get_error(tok) != json_tokener_success ||
            json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                json_tokener_free(tok);
                return -EBADMSG;
        }
        json_tokener_free(tok);
        *ret = o;
        return 0;
}

/* Collects every fd of every SCM_RIGHTS message into fds (up to max, the
 * rest are closed at once); returns how many there were in all. */
static size_t collect_fds(struct msghdr *mh, int *fds, size_t max) {
        size_t total = 0;

        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++, total++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                        if (total < max)
                                fds[total] = fd;
                        else
                                close(fd);
                }
        }
        return total;
}

static void close_fds(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
}

int proto_recv(int sock, json_object **ret, int ret_fds[PROTO_MAX_FDS], size_t *ret_n_fds) {
        _cleanup_free_ char *buf = malloc(PROTO_MAX_MESSAGE + 1);
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * (PROTO_MAX_FDS + 2))];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = PROTO_MAX_MESSAGE + 1 };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = control.buf,
                .msg_controllen = sizeof control.buf,
        };
        int fds[PROTO_MAX_FDS];
        size_t n_fds, max = ret_fds ? PROTO_MAX_FDS : 0;
        ssize_t k;
        int r;

        if (!buf)
                return -ENOMEM;
        if (ret_n_fds)
                *ret_n_fds = 0;
        k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (k < 0)
                return negative_errno();
        n_fds = collect_fds(&mh, fds, max);
        if (k == 0) {
                close_fds(fds, n_fds < max ? n_fds : max);
                return -ECONNRESET;
        }
        /* Too many fds (or cut off by the control buffer): refuse them all,
         * so a client cannot make us hold descriptors. */
        if (n_fds > max || (mh.msg_flags & MSG_CTRUNC)) {
                close_fds(fds, n_fds < max ? n_fds : max);
                return -ETOOMANYREFS;
        }
        if ((size_t) k > PROTO_MAX_MESSAGE || (mh.msg_flags & MSG_TRUNC)) {
                close_fds(fds, n_fds);
                return -EMSGSIZE;
        }
        r = proto_parse(buf, (size_t) k, ret);
        if (r < 0) {
                close_fds(fds, n_fds);
                return r;
        }
        for (size_t i = 0; i < n_fds; i++)
                ret_fds[i] = fds[i];
        if (ret_n_fds)
                *ret_n_fds = n_fds;
        return 0;
}

int proto_get_string(json_object *o, const char *key, size_t max_len, const char **ret) {
        json_object *v;
        const char *s;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return -ENOENT;
        if (!json_object_is_type(v, json_type_string))
                return -EINVAL;
        s = json_object_get_string(v);
        if ((size_t) json_object_get_string_len(v) > max_len || strlen(s) != (size_t) json_object_get_string_len(v))
                return -EINVAL;
        *ret = s;
        return 0;
}

int proto_get_u32(json_object *o, const char *key, uint32_t max, uint32_t *ret) {
        json_object *v;
        int64_t n;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return -ENOENT;
        if (!json_object_is_type(v, json_type_int))
                return -EINVAL;
        errno = 0;
        n = json_object_get_int64(v);
        if (errno != 0 || n < 0 || (uint64_t) n > max)
                return -EINVAL;
        *ret = (uint32_t) n;
        return 0;
}

int proto_get_bool(json_object *o, const char *key, bool *ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return -ENOENT;
        if (!json_object_is_type(v, json_type_boolean))
                return -EINVAL;
        *ret = json_object_get_boolean(v);
        return 0;
}

json_object *proto_request(const char *op, json_object *args) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "v", json_object_new_int(PROTO_VERSION));
        json_object_object_add(o, "op", json_object_new_string(op));
        json_object_object_add(o, "args", args ? args : json_object_new_object());
        return o;
}

json_object *proto_reply_ok(json_object *data) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "v", json_object_new_int(PROTO_VERSION));
        json_object_object_add(o, "ok", json_object_new_boolean(1));
        json_object_object_add(o, "data", data ? data : json_object_new_object());
        return o;
}

json_object *proto_reply_error(int r, const char *message) {
        json_object *o = json_object_new_object(), *e = json_object_new_object();

        json_object_object_add(e, "code", json_object_new_string(errno_name(r)));
        json_object_object_add(e, "message", json_object_new_string(message ? message : strerror(-r)));
        json_object_object_add(o, "v", json_object_new_int(PROTO_VERSION));
        json_object_object_add(o, "ok", json_object_new_boolean(0));
        json_object_object_add(o, "error", e);
        return o;
}
