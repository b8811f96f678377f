/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *program = "subid";

void log_set_program(const char *name) {
        const char *slash = strrchr(name, '/');

        program = slash ? slash + 1 : name;
}

const char *log_program(void) {
        return program;
}

static void log_line(const char *level, const char *fmt, va_list ap, int r) {
        char msg[1024];

        vsnprintf(msg, sizeof msg, fmt, ap);
        /* One line, always: a caller-controlled string must not be able to
         * forge a second log line. */
        for (char *p = msg; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        if (r < 0)
                fprintf(stderr, "%s: %s%s: %s\n", program, level, msg, strerror(-r));
        else
                fprintf(stderr, "%s: %s%s\n", program, level, msg);
}

void log_error(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_line("", fmt, ap, 0);
        va_end(ap);
}

void log_warning(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_line("warning: ", fmt, ap, 0);
        va_end(ap);
}

void log_info(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_line("", fmt, ap, 0);
        va_end(ap);
}

int log_error_errno(int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        log_line("", fmt, ap, r);
        va_end(ap);
        return r;
}
