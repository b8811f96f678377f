/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../policy/ranges.h"
#include "../policy/sync.h"

/* The kernel audit trail of subid-admind (docs/protocol.md, "Audit"): one
 * AUDIT_USER_MGMT record per change or refusal, whose kernel auid is the
 * loginuid of the process that asked for it, read through its pidfd when
 * the request arrived. The message text is
 *
 *   op=OP acct="USER" [subuids=F-L,...] [subgids=F-L,...] [grp="GROUP"]
 *   [oldacct="NAME"] [req=ID] sauid=LOGINUID [reason="WHY"]
 *
 * (then libaudit's exe= hostname= addr= terminal= res=); a value that needs
 * it is hex-encoded the libaudit way. No field is named auid, uid, ses or
 * ends in uid: ausearch would drop the event. */

/* The kernel's "no loginuid" (never set, as for system services). */
#define AUDIT_LOGINUID_UNSET UINT32_MAX

/* A record holds this many ranges of a kind; more continue in a record of
 * the same op and account (a message is at most 8,970 bytes). */
#define AUDIT_MAX_RANGES 64

typedef struct audit_record {
        const char *op;     /* a static string */
        char *acct;         /* NULL: "?" */
        char *ranges[2];    /* by id_kind: "F-L,F-L", NULL: none */
        size_t n_ranges[2];
        char *grp;
        char *oldacct;      /* auto-rename: the name the ranges were stored under */
        int64_t req;        /* 0: none */
        char *reason;       /* a refused part of a bulk operation; NULL: the request's */
        bool failed;
        size_t next;        /* continuation record (more ranges), 0: none */
} audit_record;

/* What one request changed or was refused: records[0] is the request's own
 * record, bulk operations add one per account they touched. */
typedef struct audit_event {
        audit_record *records;
        size_t n, cap;
        bool skip;       /* nothing to audit after all (a dry run) */
        bool incomplete; /* out of memory while recording: said in the log */
} audit_event;

/* Starts ev with the request's own record for op, filled from what args
 * say (user, group, id, subuids, subgids; kind/first/count for
 * quarantine-release) so that a request refused before its handler ran is
 * still recorded with its target. For ops acting on the caller's own
 * account args_user is false: their "user" key means nothing. */
void audit_event_begin(audit_event *ev, const char *op, json_object *args, bool args_user);
void audit_event_done(audit_event *ev);

/* Handlers refine record i (0: the request's own). Out of memory marks ev
 * incomplete; the request itself goes on. */
void audit_set_acct(audit_event *ev, size_t i, const char *name);
void audit_set_grp(audit_event *ev, size_t i, const char *name);
void audit_set_oldacct(audit_event *ev, size_t i, const char *name);
void audit_set_req(audit_event *ev, size_t i, int64_t id);
void audit_set_failed(audit_event *ev, size_t i, const char *reason);
void audit_clear_ranges(audit_event *ev, size_t i);
void audit_add_range(audit_event *ev, size_t i, id_kind kind, const id_range *range);
/* Each action of a sync in a record of its own (op auto-allocate,
 * auto-quarantine, auto-rename, auto-renumber, auto-revoke: the rules of
 * sync decided it, not an administrator naming an account). */
void audit_add_sync_actions(audit_event *ev, const sync_action *actions, size_t n);

/* The automatic actions the daemon took by itself (its account watcher):
 * one event, one record per action, stamped with the daemon's own loginuid
 * and sauid unset. n == 0 sends nothing. */
void admind_audit_sync_actions(const sync_action *actions, size_t n);

/* A further record (op: a static string); returns its index, or 0 — the
 * request's own record — when out of memory. */
size_t audit_add_record(audit_event *ev, const char *op);

/* The message text of record rec (without libaudit's trailer); sauid is
 * the requester's loginuid, reason the request's (used when rec has none
 * and result < 0). Returns 0 and a malloc'd *ret, or -ENOMEM. */
int audit_format(const audit_record *rec, uint32_t sauid, int result, const char *reason, char **ret);

/* At start-up: whether the kernel has audit at all, and the daemon's own
 * loginuid. Never fails: without audit support nothing is recorded. */
void admind_audit_init(void);

/* Writes ev's records, each stamped by the kernel with auid = *loginuid,
 * the requester's (NULL: a requester that could not be identified; then the
 * daemon's own auid and sauid unset). result is the request's (0 or
 * -errno), reason its error message. Waits for the records to be accepted,
 * at most a bounded time. */
void admind_audit(const audit_event *ev, const uint32_t *loginuid, int result, const char *reason);

/* An automatic action of the daemon itself (op "auto-allocate",
 * "auto-quarantine", "auto-rename", "auto-revoke"), not asked for by any
 * client: stamped with the daemon's own loginuid (unset under systemd) and
 * sauid unset; acct is the account whose appearance, change or removal
 * caused it. Either range or grp may be NULL. */
/* The event admind_audit_auto sends. */
void audit_event_auto(audit_event *ev, const char *op, const char *acct, id_kind kind, const id_range *range,
                      const char *grp);
void admind_audit_auto(const char *op, const char *acct, id_kind kind, const id_range *range, const char *grp,
                       int result, const char *reason);
