/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The entry points shadow's libsubid looks up (dlsym) in libsubid_NAME.so
 * when /etc/nsswitch.conf says `subid: NAME`: the signatures of struct
 * subid_nss_ops in shadow's lib/prototypes.h (4.13 and later). The types
 * come from libsubid-dev's <shadow/subid.h>. Nothing else is exported
 * (libsubid/libsubid_subid.sym). */

#include <shadow/subid.h>
#include <stdbool.h>
#include <sys/types.h>

enum subid_status shadow_subid_has_range(const char *owner, unsigned long start, unsigned long count,
                                         enum subid_type idtype, bool *result);
enum subid_status shadow_subid_list_owner_ranges(const char *owner, enum subid_type id_type,
                                                 struct subid_range **ranges, int *count);
enum subid_status shadow_subid_find_subid_owners(unsigned long id, enum subid_type id_type, uid_t **uids,
                                                 int *count);
/* Newer libsubid (4.14+) frees what the calls above return through this;
 * 4.13 calls free() itself. Both work because everything is malloc'd. */
void shadow_subid_free(void *ptr);
