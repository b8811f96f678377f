/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ranges.h"

/* The host's user and group database as the policy checks see it: which
 * uids and gids are taken by real accounts (a subordinate range must not
 * contain one), and name/id lookups for owners and groups.
 *
 * It is a snapshot built once per command, so that checking 100,000 import
 * lines costs 100,000 binary searches instead of 100,000 NSS scans. A snapshot
 * loaded from NSS also asks NSS directly (getpwnam, getpwuid, getgrgid,
 * getgrouplist) for what enumeration did not list: LDAP/SSSD setups often
 * disable enumeration. Unit tests build snapshots from tables instead, so
 * they never depend on the machine's accounts. */

/* Sorted ids without duplicates. */
typedef struct id_set {
        uint32_t *ids;
        size_t n;
} id_set;

/* Copies, sorts and de-duplicates ids. */
int id_set_from_array(const uint32_t *ids, size_t n, id_set *ret);
void id_set_done(id_set *s);
bool id_set_contains(const id_set *s, uint32_t id);
/* Whether some id of s lies inside r (binary search); *ret_id gets the
 * smallest such id. */
bool id_set_find_in_range(const id_set *s, const id_range *r, uint32_t *ret_id);

typedef struct account_user {
        char *name;
        uint32_t uid;
        uint32_t gid; /* primary group */
} account_user;

typedef struct account_group {
        char *name;
        uint32_t gid;
} account_group;

/* Group membership beyond the primary group, for table-built snapshots. */
typedef struct account_member {
        const char *user;
        uint32_t gid;
} account_member;

typedef struct accounts {
        account_user *users; /* sorted by name */
        size_t n_users;
        account_user **users_by_uid; /* the same entries, sorted by uid */
        account_group *groups;       /* sorted by gid */
        size_t n_groups;
        id_set uids; /* every uid of a user */
        id_set gids; /* every gid of a group */
        account_member *members;
        size_t n_members;
        bool nss; /* ask NSS for misses and for membership */
} accounts;

/* Enumerates NSS (getpwent, getgrent) once. */
int accounts_load_nss(accounts *ret);

/* A snapshot made of tables only (for tests). Strings are copied. */
int accounts_from_tables(const account_user *users, size_t n_users, const account_group *groups, size_t n_groups,
                         const account_member *members, size_t n_members, accounts *ret);

void accounts_done(accounts *a);

void account_user_done(account_user *u);

/* Lookups fill a copy the caller releases with account_user_done / free.
 * They return 0, -ENOENT when there is no such account, or another -errno
 * when NSS failed (an unreachable directory is not "no such user"). */
int accounts_user_by_name(const accounts *a, const char *name, account_user *ret);
int accounts_user_by_uid(const accounts *a, uint32_t uid, account_user *ret);
/* A user given as a name, or as a numeric uid when no user has that name
 * (shadow's subuid files accept both). */
int accounts_resolve_user(const accounts *a, const char *text, account_user *ret);
int accounts_group_name(const accounts *a, uint32_t gid, char **ret);
int accounts_group_by_name(const accounts *a, const char *name, account_group *ret);

/* 1 when user is a member of gid now (primary group included), 0 when not. */
int accounts_user_in_group(const accounts *a, const account_user *user, uint32_t gid);
