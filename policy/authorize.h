/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ranges.h"

/* One line of a uid_map/gid_map: ids [lower, lower+count) of the parent
 * namespace appear as [upper, upper+count) inside the new one. */
typedef struct id_mapping {
        uint32_t upper;
        uint32_t lower;
        uint32_t count;
} id_mapping;

/* Who asks, and what the policy grants them right now. */
typedef struct authz_subject {
        uint32_t self_id;     /* real uid (newuidmap) or real gid (newgidmap) of the caller */
        bool caller_is_root;  /* real uid 0 */
        const id_range *held; /* database ranges, plus delegated gids of groups the caller is in now */
        size_t n_held;
} authz_subject;

typedef enum authz_result {
        AUTHZ_ALLOWED_DB,       /* inside ranges the database gives the caller */
        AUTHZ_ALLOWED_SELF,     /* the caller's own id, count 1 */
        AUTHZ_DENIED_HOST_ROOT, /* maps host id 0 and the caller is not root */
        AUTHZ_DENIED_NOT_HELD,  /* some id is neither held nor the caller's own */
} authz_result;

static inline bool authz_allowed(authz_result r) {
        return r == AUTHZ_ALLOWED_DB || r == AUTHZ_ALLOWED_SELF;
}

/* Decides one mapping by the rules of DESIGN.md "Policy rules". */
authz_result authorize_mapping(const authz_subject *s, const id_mapping *m);

/* Short human reason for a refusal, for the one-line error. */
const char *authz_result_to_string(authz_result r);
