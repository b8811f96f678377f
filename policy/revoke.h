/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "ranges.h"

/* `subidctl revoke USER [--subuids F-L] [--subgids F-L] [--group GROUP]`.
 * Revoked ranges go to the quarantine (reason "revoke", former owner
 * recorded) so automatic allocation never hands them to someone else. A
 * given F-L must lie inside ranges USER holds (adjacent ranges may chain);
 * a range revoked in part is split. --group removes a delegation. With no
 * option, everything USER holds goes. Revoking anything USER does not hold
 * is an error and changes nothing. */

typedef struct revoke_request {
        uint32_t owner_uid;
        const char *owner_name;   /* for messages */
        const id_range *subuids;  /* NULL: none */
        const id_range *subgids;  /* NULL: none */
        const char *group;        /* delegated group as given, NULL: none */
        const uint32_t *group_gid; /* its gid when known (NSS or numeric), else NULL */
        bool everything;          /* no option: all ranges and delegations */
} revoke_request;

typedef enum revoke_item_type {
        REVOKED_RANGE,
        REVOKED_DELEGATION,
} revoke_item_type;

typedef struct revoke_item {
        revoke_item_type type;
        id_kind kind;     /* REVOKED_RANGE */
        id_range range;   /* REVOKED_RANGE: the part moved to quarantine */
        uint32_t gid;     /* REVOKED_DELEGATION */
        char *group_name; /* REVOKED_DELEGATION */
} revoke_item;

typedef struct revoke_result {
        revoke_item *items;
        size_t n_items;
} revoke_result;

void revoke_result_done(revoke_result *r);

/* One BEGIN IMMEDIATE transaction, then export and commit. Returns -ENOENT
 * (logged) when something asked for is not held. */
int policy_revoke(sqlite3 *db, const revoke_request *req, const export_paths *paths, revoke_result *ret);
