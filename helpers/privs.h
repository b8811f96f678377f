/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/capability.h>

/* Opens /dev/null on any of fds 0, 1, 2 that is closed, so that nothing the
 * helper opens later (a map file!) can land on a standard stream and receive
 * an error message. */
int ensure_stdio_open(void);

/* Closes every fd above 2 except keep (-1 for none). */
int close_inherited_fds(int keep);

/* Empties the environment and sets no_new_privs. */
int sanitize_process(void);

/* Whether cap is in the permitted set (i.e. the file capability was
 * granted at exec, or the caller is root). */
bool capability_permitted(cap_value_t cap);

/* Shrinks the permitted set to keep[] (those of them that are permitted),
 * empties the effective and inheritable sets and the ambient set. */
int capabilities_restrict(const cap_value_t *keep, int n_keep);

/* Makes caps[] effective (they must be permitted), or drops all effective
 * capabilities when n is 0. */
int capabilities_set_effective(const cap_value_t *caps, int n);

/* Shrinks the permitted and effective sets to exactly caps[] (which must
 * be permitted), in one capset: what a helper keeps once the map is written
 * and only the audit record is left to send. */
int capabilities_keep_only(const cap_value_t *caps, int n);

/* Drops every capability from every set: the last step of a helper. */
int capabilities_drop_all(void);
