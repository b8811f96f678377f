/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Group delegations, group policies and delegation requests. */
#include <errno.h>

#include "../common/log.h"
#include "handlers.h"

#define NOT_YET(name, op)                                        \
        HANDLER(name) {                                          \
                log_error("%s is not implemented yet", op);      \
                return -ENOSYS;                                  \
        }

NOT_YET(handle_delegate, "delegate")
NOT_YET(handle_group_allow, "group-allow")
NOT_YET(handle_group_deny, "group-deny")
NOT_YET(handle_requests, "requests")
NOT_YET(handle_approve, "approve")
NOT_YET(handle_reject, "reject")
NOT_YET(handle_request, "request")
NOT_YET(handle_status, "status")
