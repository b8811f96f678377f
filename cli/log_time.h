/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <time.h>

/* The start time of `subidctl log --since`, in the words `ausearch -ts`
 * takes, relative to now and in local time:
 *   now, recent (10 minutes ago), today, yesterday, this-week (last
 *   Sunday), week-ago, this-month, this-year (each at 00:00:00);
 *   YYYY-MM-DD, YYYY-MM-DD HH:MM, YYYY-MM-DD HH:MM:SS (also with a 'T');
 *   HH:MM[:SS] alone (today at that time);
 *   epoch seconds (plain digits).
 * Numbers are plain decimal, fields of fixed width; out-of-range fields
 * (month 13, February 30, 24:00) are refused, not normalised. Returns 0 and
 * sets *ret, or -EINVAL. */
int log_time_parse(const char *s, time_t now, time_t *ret);
