/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "../policy/config.h"
#include "../policy/export.h"
#include "audit.h"
#include "peer.h"

/* Everything a handler may use. Identity comes only from the kernel. */
typedef struct request_ctx {
        const peer_identity *peer;
        bool is_admin;  /* uid 0 or member of group subidadm at connect time */
        sqlite3 *db;
        int *passed_fds; /* fds the client attached (SCM_RIGHTS); a handler may take one (set it to -1) */
        size_t n_passed_fds;
        const subid_config *config;        /* pools, automatic allocation, self-service */
        const export_paths *export_paths;  /* the compiled-in /etc/subuid and /etc/subgid */
        audit_event *audit; /* audited ops: what the handler changed (admind/audit.h); else NULL */
} request_ctx;

/* Returns 0 and sets *ret_data (may stay NULL for {}), or -errno; the
 * reason of a failure is whatever the handler logged first (or err if set). */
typedef int (*handler_fn)(request_ctx *ctx, json_object *args, json_object **ret_data, char *err, size_t err_size);

typedef enum handler_access {
        ACCESS_ANY,   /* any local user; the handler restricts to the caller's own account */
        ACCESS_ADMIN, /* uid 0 or group subidadm */
} handler_access;

typedef struct handler {
        const char *op;
        handler_fn fn;
        handler_access access;
        const char *audit_op; /* the op= of its audit record; NULL: read-only, not audited */
} handler;

/* Validates the envelope, checks access, runs the handler, and builds the
 * reply (never NULL). */
json_object *dispatch_request(request_ctx *ctx, json_object *request);

/* The table, sorted by op (admind/handlers.c). */
extern const handler handlers[];
extern const size_t n_handlers;
