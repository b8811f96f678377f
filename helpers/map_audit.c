/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "map_audit.h"

#include <errno.h>
#include <libaudit.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"

int map_audit_open(int *ret_fd) {
        int fd = audit_open();

        if (fd < 0) {
                /* libaudit's own test for "audit not compiled into the
                 * kernel": the helpers then work as they always did. */
                if (errno == EINVAL || errno == EPROTONOSUPPORT || errno == EAFNOSUPPORT) {
                        *ret_fd = -1;
                        return 0;
                }
                return log_error_errno(negative_errno(), "cannot open the audit socket");
        }
        *ret_fd = fd;
        return 0;
}

/* Appends text when it fits below limit; returns false when it does not. */
static bool append(char *buf, size_t *len, size_t limit, const char *text) {
        size_t n = strlen(text);

        if (*len + n >= limit)
                return false;
        memcpy(buf + *len, text, n + 1);
        *len += n;
        return true;
}

/* Ends a cut list: ",..." replaces the tail so the reader sees that more
 * extents were asked for than recorded. limit leaves room for it. */
static void mark_cut(char *buf, size_t len) {
        memcpy(buf + len, len > 0 ? ",..." : "...", len > 0 ? 5 : 4);
}

void map_audit_render_maps(const id_mapping *maps, size_t n, char *buf, size_t size) {
        size_t limit = (size < MAP_AUDIT_MAP_MAX ? size : MAP_AUDIT_MAP_MAX) - 4, len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                char triple[40];

                snprintf(triple, sizeof triple, "%s%u:%u:%u", i > 0 ? "," : "", maps[i].upper, maps[i].lower,
                         maps[i].count);
                if (!append(buf, &len, limit, triple)) {
                        mark_cut(buf, len);
                        return;
                }
        }
        if (len == 0)
                snprintf(buf, size, "?");
}

void map_audit_render_args(int argc, char *const *argv, char *buf, size_t size) {
        size_t limit = (size < MAP_AUDIT_MAP_MAX ? size : MAP_AUDIT_MAP_MAX) - 4, len = 0;

        buf[0] = '\0';
        for (int i = 0; i < argc; i++) {
                size_t start = len;

                if ((i > 0 && !append(buf, &len, limit, i % 3 == 0 ? "," : ":")) ||
                    !append(buf, &len, limit, argv[i])) {
                        /* Cut at the last whole argument. */
                        buf[start] = '\0';
                        mark_cut(buf, start);
                        return;
                }
        }
        if (len == 0)
                snprintf(buf, size, "?");
}

int map_audit_message(const map_audit_info *info, char **ret) {
        _cleanup_free_ char *map = NULL, *reason = NULL;
        char *text = NULL;
        const char *op = info->kind == ID_KIND_UID ? "newuidmap" : "newgidmap";
        int k;

        /* "?" is the audit convention for "none" and is never quoted. */
        if (strcmp(info->map, "?") != 0) {
                map = audit_encode_nv_string("map", info->map, 0);
                if (!map)
                        return -ENOMEM;
        }
        if (info->reason) {
                reason = audit_encode_nv_string("reason", info->reason[0] ? info->reason : "refused", 0);
                if (!reason)
                        return -ENOMEM;
        }
        k = asprintf(&text, "op=%s tpid=%s %s%s%s%s%s", op, info->tpid, map ? map : "map=?",
                     info->kind == ID_KIND_GID ? " setgroups=" : "",
                     info->kind == ID_KIND_GID ? (info->setgroups_allow ? "allow" : "deny") : "",
                     reason ? " " : "", reason ? reason : "");
        if (k < 0)
                return -ENOMEM;
        *ret = text;
        return 0;
}

int map_audit_send(int fd, const map_audit_info *info) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (fd < 0)
                return 0;
        r = map_audit_message(info, &text);
        if (r < 0)
                return log_error_errno(r, "cannot write the audit record");
        /* hostname NULL, addr NULL and an empty terminal give
         * hostname=? addr=? terminal=?: no DNS lookup, no ttyname() of a
         * caller's fd in a privileged process. */
        errno = 0;
        r = audit_log_user_message(fd, info->kind == ID_KIND_UID ? AUDIT_CHUSER_ID : AUDIT_CHGRP_ID, text, NULL,
                                   NULL, "", info->reason ? 0 : 1);
        if (r < 0)
                return log_error_errno(r, "cannot write the audit record");
        return 0;
}
