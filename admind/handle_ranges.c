/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Subordinate ranges: grant, revoke, list, who-owns, import. */
#include <errno.h>

#include "../common/log.h"
#include "handlers.h"

HANDLER(handle_grant) {
        log_error("grant is not implemented yet");
        return -ENOSYS;
}

HANDLER(handle_revoke) {
        log_error("revoke is not implemented yet");
        return -ENOSYS;
}

HANDLER(handle_list) {
        log_error("list is not implemented yet");
        return -ENOSYS;
}

HANDLER(handle_who_owns) {
        log_error("who-owns is not implemented yet");
        return -ENOSYS;
}

HANDLER(handle_import) {
        log_error("import is not implemented yet");
        return -ENOSYS;
}
