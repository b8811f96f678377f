/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

/* Every message is one line on stderr, prefixed with the program name. */
void log_set_program(const char *name);
const char *log_program(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Logs "<msg>: <strerror(-r)>" and returns r (which must be a -errno), so a
 * caller can write: return log_error_errno(r, "…"); */
int log_error_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* While active, the first error logged is also copied into buf (the
 * daemon returns it to the client as the reason of a failed request). */
void log_capture_begin(char *buf, size_t size);
void log_capture_end(void);

/* -errno of the last libc failure, never 0 (so callers can't return success
 * by accident when errno was left unset). */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}
