/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>

/* subid-request's text for each reply (the reply data of docs/protocol.md). */

/* `subid-request --group GROUP`: granted (with the podman recipe) or
 * pending (with who decides). */
void req_print_group_reply(json_object *data);

/* `subid-request`: the range granted from the pool. */
void req_print_range_reply(json_object *data);

/* `subid-request --status`. */
void req_print_status(json_object *data);
