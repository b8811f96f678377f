/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "dispatch.h"

/* One declaration per operation of docs/protocol.md. */
#define HANDLER(name) \
        int name(request_ctx *ctx, json_object *args, json_object **ret_data, char *err, size_t err_size)

/* admind/handle_session.c */
HANDLER(handle_ping);
HANDLER(handle_whoami);

/* subordinate ranges (admin): grant and revoke in handle_ranges.c, list and
 * who-owns in handle_list.c, import in handle_import.c */
HANDLER(handle_grant);
HANDLER(handle_revoke);
HANDLER(handle_list);
HANDLER(handle_who_owns);
HANDLER(handle_import);

/* reconciliation with the user database and the quarantine (admin):
 * admind/handle_sync.c */
HANDLER(handle_sync);
HANDLER(handle_quarantine_list);
HANDLER(handle_quarantine_release);

/* pam_subid's allocation at login (admin): admind/handle_ensure.c */
HANDLER(handle_ensure);

/* group delegations, policies and requests: admind/handle_group*.c */
HANDLER(handle_delegate);
HANDLER(handle_group_allow);
HANDLER(handle_group_deny);
HANDLER(handle_requests);
HANDLER(handle_approve);
HANDLER(handle_reject);
HANDLER(handle_request); /* any user, about themselves */
HANDLER(handle_status);  /* any user, about themselves */
