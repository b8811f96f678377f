/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

/* Connects to subid-admind at socket_path with a timeout for each later
 * send/receive. When nothing listens, logs "subid-admind is not running"
 * naming the socket and returns -ECONNREFUSED (or -ENOENT). */
int admind_connect(const char *socket_path, int timeout_ms, int *ret_fd);

/* Sends {op, args} (args is consumed; NULL for {}) with fds attached,
 * waits for the reply. On an error reply logs its message once
 * and returns the -errno its code names; *ret_data is set only on success. */
int admind_call(int fd, const char *op, json_object *args, const int *fds, size_t n_fds, json_object **ret_data);
