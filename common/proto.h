/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* The subid-admind protocol (docs/protocol.md): one JSON object per
 * SOCK_SEQPACKET message, so the kernel keeps message boundaries and a
 * message is never read half. */
#define PROTO_VERSION 1
#define PROTO_MAX_MESSAGE (64 * 1024)
/* Nesting deeper than this is refused by the parser. */
#define PROTO_MAX_DEPTH 8

static inline void json_object_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_object_putp)))

/* At most this many fds ride along with one message (import passes the
 * subuid and the subgid file it opened with the client's own rights). */
#define PROTO_MAX_FDS 2

/* Sends msg as one message, with fds attached (SCM_RIGHTS) when n_fds > 0.
 * Non-blocking sockets return -EAGAIN rather than wait. */
int proto_send(int sock, json_object *msg, const int *fds, size_t n_fds);

/* Receives one message. Returns -EMSGSIZE when it exceeds
 * PROTO_MAX_MESSAGE, -EBADMSG when it is not a JSON object, -ETOOMANYREFS
 * when it carries more than PROTO_MAX_FDS fds (or any when ret_fds is NULL), -ECONNRESET at
 * end of stream. Passed fds land in ret_fds[0..*ret_n_fds); on any error
 * every passed fd has been closed. */
int proto_recv(int sock, json_object **ret, int ret_fds[PROTO_MAX_FDS], size_t *ret_n_fds);

/* Parses a complete message body. */
int proto_parse(const char *buf, size_t len, json_object **ret);

/* Field access with bounds: a missing field is -ENOENT, a wrong type or
 * out-of-range value -EINVAL. Strings must be valid, NUL-free and at most
 * max_len bytes. */
int proto_get_string(json_object *o, const char *key, size_t max_len, const char **ret);
int proto_get_u32(json_object *o, const char *key, uint32_t max, uint32_t *ret);
int proto_get_bool(json_object *o, const char *key, bool *ret);

/* Builds {"v":1,"op":op,"args":args} (takes ownership of args; NULL → {}). */
json_object *proto_request(const char *op, json_object *args);
/* Builds {"v":1,"ok":true,"data":data} (takes ownership of data; NULL → {}). */
json_object *proto_reply_ok(json_object *data);
/* Builds {"v":1,"ok":false,"error":{"code":"EEXIST","message":message}}. */
json_object *proto_reply_error(int r, const char *message);
