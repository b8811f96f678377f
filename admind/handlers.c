/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of operations subid-admind serves (docs/protocol.md). Access
 * is checked by dispatch before a handler runs; ACCESS_ANY handlers act
 * only on the requesting user's own account. Every operation that changes
 * the policy is audited, allowed or refused (docs/protocol.md, "Audit"):
 * delegate is `subidctl grant USER --group GROUP`, hence op=grant, grp=. */
#include "handlers.h"

const handler handlers[] = {
        { "approve", handle_approve, ACCESS_ADMIN, "approve" },
        { "delegate", handle_delegate, ACCESS_ADMIN, "grant" },
        { "ensure", handle_ensure, ACCESS_ADMIN, "auto-allocate" },
        { "grant", handle_grant, ACCESS_ADMIN, "grant" },
        { "group-allow", handle_group_allow, ACCESS_ADMIN, "group-allow" },
        { "group-deny", handle_group_deny, ACCESS_ADMIN, "group-deny" },
        { "import", handle_import, ACCESS_ADMIN, "import" },
        { "list", handle_list, ACCESS_ADMIN, NULL },
        { "ping", handle_ping, ACCESS_ANY, NULL },
        { "quarantine-list", handle_quarantine_list, ACCESS_ADMIN, NULL },
        { "quarantine-release", handle_quarantine_release, ACCESS_ADMIN, "quarantine-release" },
        { "reject", handle_reject, ACCESS_ADMIN, "reject" },
        { "request", handle_request, ACCESS_ANY, "request" },
        { "requests", handle_requests, ACCESS_ADMIN, NULL },
        { "revoke", handle_revoke, ACCESS_ADMIN, "revoke" },
        { "status", handle_status, ACCESS_ANY, NULL },
        { "sync", handle_sync, ACCESS_ADMIN, "sync" },
        { "who-owns", handle_who_owns, ACCESS_ADMIN, NULL },
        { "whoami", handle_whoami, ACCESS_ANY, NULL },
};
const size_t n_handlers = sizeof handlers / sizeof handlers[0];
