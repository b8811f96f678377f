/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Declarations of the group commands live in ctl_common.h (ctl_delegate,
 * ctl_group, ctl_requests, ctl_approve, ctl_reject); this header holds what
 * their files share. */

#include <json-c/json.h>

/* Prints the "delegation" of a reply ({user, uid, group, gid}) as one line
 * after prefix, e.g. "delegated group rfriends (gid 2000) to alice (uid 1001)". */
void ctl_print_delegation(const char *prefix, json_object *delegation);

/* The recipe of a reply, addressed to the user who holds the delegation. */
void ctl_print_recipe_for(json_object *data, const char *user);
