/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* Text shown for the group operations' replies, shared by subidctl and
 * subid-request. Replies are read defensively: a field missing from an
 * older or newer daemon is left out, never guessed. */

/* "2024-05-01 10:00 UTC" (or "@SECONDS" when it cannot be formatted). */
void req_format_time(int64_t t, char *buf, size_t size);

/* A string / integer field, or NULL / -1 when missing or of another type. */
const char *req_string(json_object *o, const char *key);
int64_t req_int(json_object *o, const char *key);

/* The podman commands of a reply's "recipe" object, for the user who holds
 * the delegation ("you" in the text), each line starting with indent. */
void req_print_recipe(json_object *recipe, const char *indent);

/* One line about a request object: "request #3: group rfriends (gid 2000)
 * for alice (uid 1001), pending since ..." */
void req_print_request(json_object *request, const char *indent);
