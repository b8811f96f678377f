/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Reading shadow's /etc/login.defs, for `subidctl doctor`: whether useradd
 * would allocate subordinate ids of its own (SUB_UID_COUNT, SUB_GID_COUNT)
 * next to subid's database. */

/* The value of key in the text of a login.defs: "KEY VALUE" lines, '#'
 * comments; the last definition counts, as in shadow. Returns 0 and sets
 * *ret, -ENOENT when key is not defined (useradd then uses its built-in
 * default), -EINVAL when the value is not a plain decimal number. */
int login_defs_u32(const char *text, size_t len, const char *key, uint32_t *ret);

/* useradd's default when login.defs does not set SUB_UID_COUNT/SUB_GID_COUNT. */
#define LOGIN_DEFS_SUB_COUNT_DEFAULT 65536u
