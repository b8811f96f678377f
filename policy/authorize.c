/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "authorize.h"

authz_result authorize_mapping(const authz_subject *s, const id_mapping *m) {
        id_range lower = { m->lower, m->count };

        /* Host root is never handed out, whatever a (hand-edited or imported)
         * range says; only root may map it, and root can write maps anyway. */
        if (!s->caller_is_root && range_contains_id(&lower, 0))
                return AUTHZ_DENIED_HOST_ROOT;

        /* Database first, as shadow checks /etc/subuid before the self-map:
         * a database range is what permits setgroups in newgidmap. */
        if (ranges_cover(s->held, s->n_held, &lower))
                return AUTHZ_ALLOWED_DB;

        if (m->count == 1 && m->lower == s->self_id)
                return AUTHZ_ALLOWED_SELF;

        return AUTHZ_DENIED_NOT_HELD;
}

const char *authz_result_to_string(authz_result r) {
        switch (r) {
        case AUTHZ_ALLOWED_DB:
                return "allowed by the policy database";
        case AUTHZ_ALLOWED_SELF:
                return "allowed as your own id";
        case AUTHZ_DENIED_HOST_ROOT:
                return "host id 0 may only be mapped by root";
        case AUTHZ_DENIED_NOT_HELD:
                return "not in your subordinate ranges or delegations";
        }
        return "unknown";
}
