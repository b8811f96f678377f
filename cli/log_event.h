/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <auparse.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* One subid event of the audit trail, as `subidctl log` shows it: a
 * helper run (AUDIT_CHUSER_ID / AUDIT_CHGRP_ID from newuidmap/newgidmap) or
 * a subid-admind change (AUDIT_USER_MGMT with one of admind's op= values).
 * Text fields are decoded (quotes removed, hex undone) and never NULL but
 * for the optional ones, which are NULL when the record has none. */
typedef struct log_event {
        time_t sec;
        unsigned msec;
        unsigned long serial;
        const char *type;     /* "CHUSER_ID", "CHGRP_ID", "USER_MGMT" */
        bool helper;          /* newuidmap/newgidmap, else subid-admind */
        bool auid_set;        /* false: no login uid (4294967295, "unset") */
        uint32_t auid;
        char *auid_name;      /* NULL when unknown */
        bool uid_set;
        uint32_t uid;         /* the kernel's uid= of the sender */
        bool pid_set;
        uint32_t pid;
        char *op;             /* newuidmap, newgidmap, grant, revoke, ... */
        bool success;
        char *tpid;           /* helpers: the target pid, or NULL for "?" */
        char *map;            /* helpers: U:L:C,... */
        char *setgroups;      /* newgidmap: deny/allow */
        char *acct;           /* admind: the account acted on */
        char *subuids, *subgids, *grp, *req;
        char *sauid;          /* admind: the requester's loginuid it saw */
        char *reason;
        char *exe;
} log_event;

void log_event_clear(log_event *e);

/* Reads the current record of au. Returns 1 and fills *e when it is a
 * subid event, 0 when it is some other record, -ENOMEM. */
int log_event_from_record(auparse_state_t *au, log_event *e);

/* A value as the record holds it. encoded: written by
 * audit_encode_nv_string(), so "text" -> text and hex -> its bytes; plain
 * (numbers, words) is taken as is. "?" -> NULL (0 returned, *ret NULL).
 * Bytes below 0x20 and 0x7f come back as '?': the text ends up on a
 * terminal. Returns 0, -EBADMSG for an encoded value that is neither
 * quoted nor hex, or -ENOMEM. */
int log_value_decode(const char *raw, bool encoded, char **ret);

/* Whether op is one of subid-admind's USER_MGMT operations. */
bool log_op_is_admind(const char *op);
