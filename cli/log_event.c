/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log_event.h"

#include <errno.h>
#include <libaudit.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/parse.h"

/* docs/audit.md, "subid-admind" */
static const char *const admind_ops[] = {
        "grant",         "revoke",        "request",     "approve",           "reject",
        "import",        "sync",          "group-allow", "group-deny",        "quarantine-release",
        "auto-allocate", "auto-quarantine", "auto-rename", "auto-renumber",   "auto-revoke",
};

bool log_op_is_admind(const char *op) {
        for (size_t i = 0; i < ELEMENTSOF(admind_ops); i++)
                if (strcmp(op, admind_ops[i]) == 0)
                        return true;
        return false;
}

void log_event_clear(log_event *e) {
        char **fields[] = { &e->auid_name, &e->op,    &e->tpid,  &e->map, &e->setgroups, &e->acct, &e->subuids,
                            &e->subgids,   &e->grp,   &e->req,   &e->sauid, &e->reason,  &e->exe };

        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                free(*fields[i]);
                *fields[i] = NULL;
        }
        *e = (log_event) {};
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

static void sanitize(char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        *s = '?';
}

int log_value_decode(const char *raw, bool encoded, char **ret) {
        size_t len = strlen(raw);
        char *out;

        *ret = NULL;
        if (len == 0 || strcmp(raw, "?") == 0)
                return 0;
        if (len >= 2 && raw[0] == '"' && raw[len - 1] == '"')
                out = strndup(raw + 1, len - 2);
        else if (!encoded)
                out = strdup(raw);
        else {
                if (len % 2 != 0)
                        return -EBADMSG;
                for (size_t i = 0; i < len; i++)
                        if (hexval(raw[i]) < 0)
                                return -EBADMSG;
                out = malloc(len / 2 + 1);
                if (out) {
                        for (size_t i = 0; i < len / 2; i++) {
                                char c = (char) (hexval(raw[2 * i]) << 4 | hexval(raw[2 * i + 1]));

                                /* A NUL inside would cut the text short silently. */
                                out[i] = c == '\0' ? '?' : c;
                        }
                        out[len / 2] = '\0';
                }
        }
        if (!out)
                return -ENOMEM;
        sanitize(out);
        *ret = out;
        return 0;
}

/* An id field of the kernel's part: "unset" and 4294967295 mean none. */
static void parse_kernel_id(const char *v, bool *ret_set, uint32_t *ret) {
        uint32_t id;

        *ret_set = parse_id(v, &id) >= 0;
        *ret = *ret_set ? id : 0;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);

        return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Each field name once: the first occurrence is the kernel's (pid, uid,
 * auid come before the message text), a later one is ignored. */
static int take(char **slot, const char *raw, bool encoded) {
        int r;

        if (*slot)
                return 0;
        r = log_value_decode(raw, encoded, slot);
        /* A value that does not decode is shown as it stands. */
        if (r == -EBADMSG)
                r = log_value_decode(raw, false, slot);
        return r;
}

static int read_fields(auparse_state_t *au, log_event *e) {
        bool seen_pid = false, seen_uid = false, seen_auid = false;
        int r;

        if (auparse_first_field(au) <= 0)
                return 0;
        do {
                const char *name = auparse_get_field_name(au), *v = auparse_get_field_str(au);
                char **slot = NULL;
                bool encoded = false;

                if (!name || !v)
                        continue;
                if (strcmp(name, "pid") == 0 && !seen_pid) {
                        seen_pid = true;
                        parse_kernel_id(v, &e->pid_set, &e->pid);
                } else if (strcmp(name, "uid") == 0 && !seen_uid) {
                        seen_uid = true;
                        parse_kernel_id(v, &e->uid_set, &e->uid);
                } else if (strcmp(name, "auid") == 0 && !seen_auid) {
                        const char *interp;

                        seen_auid = true;
                        parse_kernel_id(v, &e->auid_set, &e->auid);
                        /* The name as the log recorded it (ENRICHED format)
                         * or as NSS knows it now: "alice", or "unknown(N)". */
                        interp = e->auid_set ? auparse_interpret_field(au) : NULL;
                        if (interp && !strchr(interp, '(') && strcmp(interp, v) != 0) {
                                e->auid_name = strdup(interp);
                                if (!e->auid_name)
                                        return -ENOMEM;
                        }
                } else if (strcmp(name, "op") == 0)
                        slot = &e->op;
                else if (strcmp(name, "tpid") == 0)
                        slot = &e->tpid;
                else if (strcmp(name, "map") == 0) {
                        slot = &e->map;
                        encoded = true;
                }
                else if (strcmp(name, "setgroups") == 0)
                        slot = &e->setgroups;
                else if (strcmp(name, "acct") == 0) {
                        slot = &e->acct;
                        encoded = true;
                }
                else if (strcmp(name, "subuids") == 0)
                        slot = &e->subuids;
                else if (strcmp(name, "subgids") == 0)
                        slot = &e->subgids;
                else if (strcmp(name, "grp") == 0) {
                        slot = &e->grp;
                        encoded = true;
                }
                else if (strcmp(name, "req") == 0)
                        slot = &e->req;
                else if (strcmp(name, "sauid") == 0)
                        slot = &e->sauid;
                else if (strcmp(name, "reason") == 0) {
                        slot = &e->reason;
                        encoded = true;
                }
                else if (strcmp(name, "exe") == 0) {
                        slot = &e->exe;
                        encoded = true;
                }
                else if (strcmp(name, "res") == 0)
                        e->success = strcmp(v, "success") == 0 || strcmp(v, "1") == 0;
                if (slot) {
                        r = take(slot, v, encoded);
                        if (r < 0)
                                return r;
                }
        } while (auparse_next_field(au) > 0);
        return 0;
}

int log_event_from_record(auparse_state_t *au, log_event *e) {
        int type = auparse_get_type(au);
        const au_event_t *t;
        int r;

        *e = (log_event) {};
        if (type != AUDIT_CHUSER_ID && type != AUDIT_CHGRP_ID && type != AUDIT_USER_MGMT)
                return 0;

        r = read_fields(au, e);
        if (r < 0) {
                log_event_clear(e);
                return r;
        }
        if (type == AUDIT_USER_MGMT)
                e->helper = false;
        else
                e->helper = e->exe && (ends_with(e->exe, "/newuidmap") || ends_with(e->exe, "/newgidmap"));

        /* Ours: a helper's record, or admind's op= with its sauid=. */
        if (!e->op || (type == AUDIT_USER_MGMT ? !log_op_is_admind(e->op) || !e->sauid : !e->helper)) {
                log_event_clear(e);
                return 0;
        }
        e->type = type == AUDIT_CHUSER_ID ? "CHUSER_ID" : type == AUDIT_CHGRP_ID ? "CHGRP_ID" : "USER_MGMT";
        t = auparse_get_timestamp(au);
        if (t) {
                e->sec = t->sec;
                e->msec = t->milli;
                e->serial = t->serial;
        }
        return 1;
}
