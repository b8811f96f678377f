/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *program = "subid";
static char *capture_buf;
static size_t capture_size;

void log_set_program(const char *name) {
        const char *slash = strrchr(name, '/');

        program = slash ? slash + 1 : name;
}

const char *log_program(void) {
        return program;
}

static void log_line(const char *level, bool is_error, const char *fmt, va_list ap, int r)
        __attribute__((format(printf, 3, 0)));

static void log_line(const char *level, bool is_error, const char *fmt, va_list ap, int r) {
        char msg[1024];

        vsnprintf(msg, sizeof msg, fmt, ap);
        /* One line, always: a caller-controlled string must not be able to
         * forge a second log line. */
        for (char *p = msg; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        /* Formatted here and written with one write(): the line cannot be
         * interleaved with another process's, and unbuffered stdio would
         * take an 8 KiB buffer off the stack (a helper run with a tiny
         * RLIMIT_STACK must still be able to say why it refuses). */
        char line[sizeof msg + 256];
        int n = r < 0 ? snprintf(line, sizeof line, "%s: %s%s: %s\n", program, level, msg, strerror(-r))
                      : snprintf(line, sizeof line, "%s: %s%s\n", program, level, msg);
        if (n >= (int) sizeof line) {
                n = (int) sizeof line - 1;
                line[n - 1] = '\n';
        }
        if (n > 0)
                (void) !write(STDERR_FILENO, line, (size_t) n);

        /* The first error is the cause; later ones are consequences. */
        if (capture_buf && !capture_buf[0] && is_error) {
                if (r < 0)
                        snprintf(capture_buf, capture_size, "%s: %s", msg, strerror(-r));
                else
                        snprintf(capture_buf, capture_size, "%s", msg);
        }
}

void log_capture_begin(char *buf, size_t size) {
        capture_buf = buf;
        capture_size = size;
        if (size > 0)
                buf[0] = '\0';
}

void log_capture_end(void) {
        capture_buf = NULL;
        capture_size = 0;
}

void log_error(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_line("", true, fmt, ap, 0);
        va_end(ap);
}

void log_warning(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_line("warning: ", false, fmt, ap, 0);
        va_end(ap);
}

void log_info(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_line("", false, fmt, ap, 0);
        va_end(ap);
}

int log_error_errno(int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_line("", true, fmt, ap, r);
        va_end(ap);
        return r;
}
