/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "../policy/export.h"

/* subid-admind's view of changes to the user database and to the exported
 * files, through inotify on their directories: an idle daemon sleeps in
 * epoll_wait with no timer at all.
 *
 * The directories are watched, not the files: shadow's tools (useradd,
 * userdel, usermod, vipw) replace /etc/passwd and /etc/group by renaming a
 * new file over them (IN_MOVED_TO), and a watch on the file itself would
 * follow the old inode away. In-place writers are seen at close
 * (IN_CLOSE_WRITE). Lock files, backups (passwd-) and temporary files
 * (passwd+, .subuid.XXXXXX) have other names and are ignored. */

/* Where the account files live (glibc's files NSS module reads them here,
 * whatever the build's SYSCONFDIR). */
#define WATCH_ACCOUNTS_DIR "/etc"

typedef struct account_watch {
        int fd; /* inotify, non-blocking; -1 when not watching */
        int wd_accounts;
        int wd_export[2]; /* the directories of the subuid and subgid files (often one) */
        const char *export_names[2]; /* their basenames */
} account_watch;

typedef struct watch_events {
        bool accounts;         /* /etc/passwd or /etc/group changed */
        /* How many times /etc/passwd was replaced (IN_MOVED_TO), or 1 when it
         * was only rewritten in place. Not every IN_CLOSE_WRITE: shadow's
         * tools open the old file read-write, so its close after the
         * rename is one more IN_CLOSE_WRITE of "passwd" per command. */
        unsigned passwd_writes;
        unsigned passwd_moved, passwd_closed; /* the raw counts */
        bool exported;         /* an exported file changed (by us or anyone else) */
        bool overflow;         /* the kernel dropped events: assume everything changed */
} watch_events;

int watch_open(account_watch *w, const char *accounts_dir, const export_paths *paths);

/* Drains every pending event into *ret (zeroed first). Returns 0, or
 * -errno (logged). */
int watch_read(account_watch *w, watch_events *ret);

void watch_close(account_watch *w);
