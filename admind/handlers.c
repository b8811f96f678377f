/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of operations subid-admind serves (docs/protocol.md). Access
 * is checked by dispatch before a handler runs; ACCESS_ANY handlers act
 * only on the requesting user's own account. */
#include "handlers.h"

const handler handlers[] = {
        { "approve", handle_approve, ACCESS_ADMIN },
        { "delegate", handle_delegate, ACCESS_ADMIN },
        { "ensure", handle_ensure, ACCESS_ADMIN },
        { "grant", handle_grant, ACCESS_ADMIN },
        { "group-allow", handle_group_allow, ACCESS_ADMIN },
        { "group-deny", handle_group_deny, ACCESS_ADMIN },
        { "import", handle_import, ACCESS_ADMIN },
        { "list", handle_list, ACCESS_ADMIN },
        { "ping", handle_ping, ACCESS_ANY },
        { "quarantine-list", handle_quarantine_list, ACCESS_ADMIN },
        { "quarantine-release", handle_quarantine_release, ACCESS_ADMIN },
        { "reject", handle_reject, ACCESS_ADMIN },
        { "request", handle_request, ACCESS_ANY },
        { "requests", handle_requests, ACCESS_ADMIN },
        { "revoke", handle_revoke, ACCESS_ADMIN },
        { "status", handle_status, ACCESS_ANY },
        { "sync", handle_sync, ACCESS_ADMIN },
        { "who-owns", handle_who_owns, ACCESS_ADMIN },
        { "whoami", handle_whoami, ACCESS_ANY },
};
const size_t n_handlers = sizeof handlers / sizeof handlers[0];
