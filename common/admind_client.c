/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "admind_client.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "errname.h"
#include "log.h"
#include "proto.h"

int admind_connect(const char *socket_path, int timeout_ms, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };

        if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", socket_path) >= (int) sizeof sa.sun_path)
                return log_error_errno(-ENAMETOOLONG, "socket path %s", socket_path);

        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot create socket");
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
                return log_error_errno(negative_errno(), "cannot set socket timeouts");
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int r = negative_errno();

                if (r == -ENOENT || r == -ECONNREFUSED) {
                        log_error("subid-admind is not running (nothing listens on %s)", socket_path);
                        return r;
                }
                return log_error_errno(r, "cannot connect to subid-admind at %s", socket_path);
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int admind_call(int fd, const char *op, json_object *args, const int *fds, size_t n_fds, json_object **ret_data) {
        _cleanup_json_ json_object *request = proto_request(op, args), *reply = NULL;
        json_object *ok, *data, *error, *field;
        int r;

        r = proto_send(fd, request, fds, n_fds);
        if (r < 0)
                return log_error_errno(r, "cannot send the request to subid-admind");
        r = proto_recv(fd, &reply, NULL, NULL);
        if (r == -EAGAIN || r == -EWOULDBLOCK) {
                log_error("subid-admind did not answer in time");
                return -ETIMEDOUT;
        }
        if (r == -ECONNRESET) {
                log_error("subid-admind closed the connection without an answer");
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "cannot read the answer of subid-admind");

        if (!json_object_object_get_ex(reply, "ok", &ok) || !json_object_is_type(ok, json_type_boolean)) {
                log_error("subid-admind sent a malformed answer");
                return -EBADMSG;
        }
        if (!json_object_get_boolean(ok)) {
                const char *message = "unknown error", *code = "EIO";

                if (json_object_object_get_ex(reply, "error", &error)) {
                        if (json_object_object_get_ex(error, "message", &field) &&
                            json_object_is_type(field, json_type_string))
                                message = json_object_get_string(field);
                        if (json_object_object_get_ex(error, "code", &field) &&
                            json_object_is_type(field, json_type_string))
                                code = json_object_get_string(field);
                }
                log_error("%s", message);
                return errno_from_name(code);
        }
        if (ret_data) {
                if (!json_object_object_get_ex(reply, "data", &data))
                        data = NULL;
                *ret_data = data ? json_object_get(data) : json_object_new_object();
        }
        return 0;
}
