/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* $(SYSCONFDIR)/subid/subid.conf. Defaults mirror login.defs. */
typedef struct subid_config {
        uint32_t sub_uid_min, sub_uid_max, sub_uid_count;
        uint32_t sub_gid_min, sub_gid_max, sub_gid_count;
        /* Accounts in [auto_uid_min, auto_uid_max] get ranges automatically
         * (useradd, pam_subid, sync); below are system accounts. */
        uint32_t auto_uid_min, auto_uid_max;
        /* Whether users may ask for their own range with subid-request. */
        bool self_service;
        /* Whether subid-admind follows the user database as it changes
         * (allocating for new accounts, quarantining deleted ones, following
         * renames, repairing foreign edits of the exported files) and
         * pam_subid may allocate at login. Default: yes (the build's
         * AUTO_ALLOCATE; the test build says no). */
        bool auto_allocate;
} subid_config;

void config_defaults(subid_config *ret);

/* Parses text ("key = value" lines, '#' comments, blank lines). Unknown
 * keys, bad numbers, duplicate keys and inconsistent pools (min > max,
 * count larger than the pool, count 0, pool reaching id 0) are errors,
 * reported as "PATH:LINE: reason" into err. */
int config_parse(const char *text, size_t len, const char *path, subid_config *ret, char *err, size_t err_size);

/* Reads and parses path; a missing file means the defaults. */
int config_load(const char *path, subid_config *ret);
