/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of operations subid-admind serves. One handler per operation,
 * each in its own file under admind/handlers/ once it grows. */
#include "dispatch.h"
#include "handlers.h"

const handler handlers[] = {
        { "ping", handle_ping, ACCESS_ANY },
        { "whoami", handle_whoami, ACCESS_ANY },
};
const size_t n_handlers = sizeof handlers / sizeof handlers[0];
