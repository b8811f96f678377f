/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../policy/authorize.h"

/* The audit record of one helper run (docs/audit.md): AUDIT_CHUSER_ID for
 * newuidmap, AUDIT_CHGRP_ID for newgidmap, with the message text
 *   op=newuidmap tpid=PID|? map="U:L:C,..." [setgroups=deny|allow] [reason=...]
 * to which libaudit appends exe=, hostname=?, addr=?, terminal=? and res=.
 * The kernel stamps pid=, uid=, auid= and ses= of the caller. */

/* Longest map= text before it is cut with ",...": keeps the whole message
 * (hex-encoded when it must be) well inside libaudit's 8970-byte buffer,
 * which would otherwise truncate it silently and lose res=. */
#define MAP_AUDIT_MAP_MAX 2048

typedef struct map_audit_info {
        id_kind kind;
        const char *tpid;      /* decimal pid, or "?" */
        const char *map;       /* map_audit_render_* output, or "?" when none was given */
        bool setgroups_allow;  /* newgidmap only */
        const char *reason;    /* NULL when the run succeeded */
} map_audit_info;

/* Opens the audit socket. Must run while CAP_AUDIT_WRITE is still
 * effective: the kernel checks the opener's capabilities as well as the
 * sender's. Sets *ret_fd to -1 and returns 0 when the kernel has no audit
 * support; logs and returns -errno on any other failure. */
int map_audit_open(int *ret_fd);

/* "U:L:C,U:L:C..." from parsed triples (the order of the argv: inside id,
 * host id, count, as unshare --map-users writes them), cut at a triple with
 * ",..." when longer than MAP_AUDIT_MAP_MAX. Always NUL-terminates buf
 * (size > MAP_AUDIT_MAP_MAX). */
void map_audit_render_maps(const id_mapping *maps, size_t n, char *buf, size_t size);

/* The same layout from raw arguments that did not parse: every argument as
 * given, ':' inside a triple, ',' between triples; "?" when there is none. */
void map_audit_render_args(int argc, char *const *argv, char *buf, size_t size);

/* The message text (without libaudit's suffix). map and reason go through
 * audit_encode_nv_string(): quoted when plain, hex-encoded when they hold a
 * space, a quote or a byte outside printable ASCII. Returns 0 and a
 * malloc'ed string, or -ENOMEM. */
int map_audit_message(const map_audit_info *info, char **ret);

/* Sends the record of this run with res=success or res=failed. The caller
 * keeps CAP_AUDIT_WRITE effective. Returns 0 when it was sent or when audit
 * is off for this process (libaudit: no kernel support, not the initial
 * user namespace), -errno when the kernel refused it. Logs the failure. */
int map_audit_send(int fd, const map_audit_info *info);
