/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"

#define WATCH_MASK (IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_ONLYDIR)

static const char *base_name(const char *path) {
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

static int add_dir_of(int fd, const char *path, int *ret_wd) {
        char dir[PATH_MAX];
        const char *slash = strrchr(path, '/');
        size_t n = slash ? (size_t) (slash - path) : 0;
        int wd;

        if (n == 0)
                n = slash ? 1 : 0; /* "/file" -> "/", "file" -> "." */
        if (n >= sizeof dir)
                return log_error_errno(-ENAMETOOLONG, "cannot watch the directory of %s", path);
        if (n == 0)
                memcpy(dir, ".", 2);
        else {
                memcpy(dir, path, n);
                dir[n] = '\0';
        }
        wd = inotify_add_watch(fd, dir, WATCH_MASK);
        if (wd < 0)
                return log_error_errno(negative_errno(), "cannot watch %s for changes", dir);
        *ret_wd = wd;
        return 0;
}

int watch_open(account_watch *w, const char *accounts_dir, const export_paths *paths) {
        _cleanup_close_ int fd = -1;
        int r;

        *w = (account_watch) { .fd = -1, .wd_accounts = -1, .wd_export = { -1, -1 } };
        fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot create an inotify instance");
        w->wd_accounts = inotify_add_watch(fd, accounts_dir, WATCH_MASK);
        if (w->wd_accounts < 0)
                return log_error_errno(negative_errno(), "cannot watch %s for changes", accounts_dir);
        /* Watching a directory twice gives the same descriptor: the events
         * are told apart by file name. */
        r = add_dir_of(fd, paths->subuid, &w->wd_export[0]);
        if (r >= 0)
                r = add_dir_of(fd, paths->subgid, &w->wd_export[1]);
        if (r < 0)
                return r;
        w->export_names[0] = base_name(paths->subuid);
        w->export_names[1] = base_name(paths->subgid);
        w->fd = TAKE_FD(fd);
        return 0;
}

static void note_event(const account_watch *w, const struct inotify_event *e, watch_events *ev) {
        if (e->mask & IN_Q_OVERFLOW) {
                ev->overflow = ev->accounts = ev->exported = true;
                return;
        }
        if (e->mask & IN_IGNORED) {
                /* The directory went away (unmounted): nothing more will
                 * come from it. */
                log_warning("no longer notified of changes in a watched directory (removed or unmounted)");
                return;
        }
        if (e->len == 0)
                return;
        if (e->wd == w->wd_accounts) {
                if (strcmp(e->name, "passwd") == 0) {
                        ev->accounts = true;
                        if (e->mask & IN_MOVED_TO)
                                ev->passwd_moved++;
                        else
                                ev->passwd_closed++;
                } else if (strcmp(e->name, "group") == 0)
                        ev->accounts = true;
        }
        for (size_t i = 0; i < 2; i++)
                if (e->wd == w->wd_export[i] && strcmp(e->name, w->export_names[i]) == 0)
                        ev->exported = true;
}

int watch_read(account_watch *w, watch_events *ret) {
        /* Aligned as inotify(7) asks; room for many events per read. */
        char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
                __attribute__((aligned(__alignof__(struct inotify_event))));

        *ret = (watch_events) {};
        for (;;) {
                ssize_t n = read(w->fd, buf, sizeof buf);

                if (n < 0) {
                        if (errno == EAGAIN)
                                break;
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(negative_errno(), "cannot read inotify events");
                }
                if (n == 0)
                        break;
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *e = (const struct inotify_event *) p;

                        note_event(w, e, ret);
                        p += sizeof *e + e->len;
                }
        }
        ret->passwd_writes = ret->passwd_moved > 0 ? ret->passwd_moved : ret->passwd_closed > 0;
        return 0;
}

void watch_close(account_watch *w) {
        if (w->fd >= 0)
                close(w->fd);
        w->fd = -1;
}
