/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <selinux/label.h>
#include <selinux/selinux.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/mkdirp.h"
#include "db.h"
#include "store.h"

/* Appends "NAME:FIRST:COUNT" lines for each row of st (name, first, count). */
static int render_rows(sqlite3 *db, sqlite3_stmt *st, FILE *out, const char *what) {
        int rc;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *name = (const char *) sqlite3_column_text(st, 0);
                sqlite3_int64 first = sqlite3_column_int64(st, 1), count = sqlite3_column_int64(st, 2);

                /* Fail closed: a name with ':' or a newline would let a
                 * row forge another user's line in the exported file. */
                if (!name || !policy_name_is_safe(name)) {
                        log_error("refusing to export %s: owner name '%s' cannot be written in shadow format", what,
                                  name ? name : "(null)");
                        return -EBADMSG;
                }
                if (first < 0 || count < 1 || first + count > (sqlite3_int64) UINT32_MAX) {
                        log_error("refusing to export %s: corrupt range %lld+%lld of %s", what, (long long) first,
                                  (long long) count, name);
                        return -EBADMSG;
                }
                if (fprintf(out, "%s:%lld:%lld\n", name, (long long) first, (long long) count) < 0)
                        return log_error_errno(-ENOMEM, "cannot render %s", what);
        }
        if (rc != SQLITE_DONE)
                return policy_db_error(db, rc, "export");
        return 0;
}

static int render_query(sqlite3 *db, const char *sql, FILE *out, const char *what) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = policy_db_prepare(db, sql, &st);
        if (r < 0)
                return r;
        return render_rows(db, st, out, what);
}

static int render_file(sqlite3 *db, const char *const *queries, size_t n, const char *what, char **ret,
                       size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *out;
        int r = 0;

        out = open_memstream(&buf, &len);
        if (!out)
                return log_error_errno(negative_errno(), "cannot render %s", what);
        for (size_t i = 0; i < n && r >= 0; i++)
                r = render_query(db, queries[i], out, what);
        if (fclose(out) != 0 && r >= 0)
                r = log_error_errno(-ENOMEM, "cannot render %s", what);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

int export_render(sqlite3 *db, char **ret_subuid, size_t *ret_subuid_len, char **ret_subgid,
                  size_t *ret_subgid_len) {
        static const char *const subuid[] = {
                "SELECT owner_name, first, count FROM ranges WHERE kind = 'uid' ORDER BY owner_name, first",
        };
        static const char *const subgid[] = {
                "SELECT owner_name, first, count FROM ranges WHERE kind = 'gid' ORDER BY owner_name, first",
                /* after every range line: see export.h */
                "SELECT owner_name, gid, 1 FROM delegations ORDER BY owner_name, gid",
        };
        _cleanup_free_ char *u = NULL;
        size_t u_len;
        int r;

        r = render_file(db, subuid, ELEMENTSOF(subuid), "subuid", &u, &u_len);
        if (r < 0)
                return r;
        r = render_file(db, subgid, ELEMENTSOF(subgid), "subgid", ret_subgid, ret_subgid_len);
        if (r < 0)
                return r;
        *ret_subuid = TAKE_PTR(u);
        *ret_subuid_len = u_len;
        return 0;
}

static int write_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t k = write(fd, buf, len);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                buf += k;
                len -= (size_t) k;
        }
        return 0;
}

static void selabel_closep(struct selabel_handle **h) {
        if (*h)
                selabel_close(*h);
}

static void freeconp(char **con) {
        if (*con)
                freecon(*con);
}

/* Gives the temp file the context policy wants for the final path, so the
 * rename does not leave /etc/subuid with the label of a temp file. */
static int label_like(int fd, const char *path) {
        __attribute__((cleanup(selabel_closep))) struct selabel_handle *h = NULL;
        __attribute__((cleanup(freeconp))) char *con = NULL;

        if (is_selinux_enabled() <= 0)
                return 0;
        h = selabel_open(SELABEL_CTX_FILE, NULL, 0);
        if (!h)
                return log_error_errno(negative_errno(), "cannot open the SELinux file context database");
        if (selabel_lookup(h, &con, path, S_IFREG) < 0) {
                if (errno == ENOENT)
                        return 0; /* no rule for this path: keep the default */
                return log_error_errno(negative_errno(), "cannot look up the SELinux context of %s", path);
        }
        if (fsetfilecon(fd, con) < 0)
                return log_error_errno(negative_errno(), "cannot set SELinux context %s on a temp file for %s", con,
                                       path);
        return 0;
}

static void staged_file_done(export_staged_file *f) {
        if (f->tmp_name && f->dirfd >= 0)
                (void) unlinkat(f->dirfd, f->tmp_name, 0);
        free(f->tmp_name);
        free(f->name);
        free(f->path);
        if (f->dirfd >= 0)
                close(f->dirfd);
        *f = (export_staged_file) { .dirfd = -1 };
}

void export_staged_done(export_staged *s) {
        for (size_t i = 0; i < ELEMENTSOF(s->files); i++)
                staged_file_done(&s->files[i]);
        if (s->lockfd >= 0)
                close(s->lockfd); /* releases the export lock */
        s->lockfd = -1;
}

static int open_temp(int dirfd, const char *name, char **ret_tmp_name) {
        for (int attempt = 0; attempt < 16; attempt++) {
                _cleanup_free_ char *tmp = NULL;
                uint64_t rnd;
                int fd;

                if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t) sizeof rnd)
                        return negative_errno();
                if (asprintf(&tmp, ".%s.%016llx", name, (unsigned long long) rnd) < 0)
                        return -ENOMEM;
                fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0) {
                        *ret_tmp_name = TAKE_PTR(tmp);
                        return fd;
                }
                if (errno != EEXIST)
                        return negative_errno();
        }
        return -EEXIST;
}

/* A writer killed between staging and rename (SIGKILL, power loss) leaves
 * its ".NAME.<16 hex>" temp file behind. We hold the export lock, so no
 * living writer owns one: remove them, and nothing else. */
static void remove_stale_temps(int dirfd, const char *name) {
        size_t n = strlen(name);
        int fd;
        DIR *d;

        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        for (struct dirent *de; (de = readdir(d));) {
                const char *e = de->d_name, *hex = e + n + 2;

                if (e[0] != '.' || strncmp(e + 1, name, n) != 0 || e[n + 1] != '.')
                        continue;
                if (strlen(hex) != 16 || strspn(hex, "0123456789abcdef") != 16)
                        continue;
                (void) unlinkat(dirfd, e, 0);
        }
        closedir(d);
}

static int directory_of(const char *path, char **ret) {
        const char *slash = strrchr(path, '/');
        char *dir;

        if (!slash || slash[1] == '\0') {
                log_error("export path %s is not an absolute file name", path);
                return -EINVAL;
        }
        dir = slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
        if (!dir)
                return log_error_errno(-ENOMEM, "cannot export %s", path);
        *ret = dir;
        return 0;
}

static int stage_file(const char *path, const char *buf, size_t len, export_staged_file *f) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *dir = NULL;
        int r;

        r = directory_of(path, &dir);
        if (r < 0)
                return r;
        f->name = strdup(strrchr(path, '/') + 1);
        f->path = strdup(path);
        if (!f->name || !f->path)
                return log_error_errno(-ENOMEM, "cannot export %s", path);

        r = mkdir_p(dir, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create directory %s", dir);
        f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (f->dirfd < 0)
                return log_error_errno(negative_errno(), "cannot open directory %s", dir);

        remove_stale_temps(f->dirfd, f->name);
        fd = open_temp(f->dirfd, f->name, &f->tmp_name);
        if (fd < 0)
                return log_error_errno(fd, "cannot create a temp file next to %s", path);
        if (fchmod(fd, 0644) < 0)
                return log_error_errno(negative_errno(), "cannot set the mode of a temp file for %s", path);
        /* Root-owned whatever the directory's setgid bit says. Only root can
         * chown; an unprivileged run (unit tests) keeps its own ids. */
        if (geteuid() == 0 && fchown(fd, 0, 0) < 0)
                return log_error_errno(negative_errno(), "cannot chown a temp file for %s", path);
        r = label_like(fd, path);
        if (r < 0)
                return r;
        r = write_all(fd, buf, len);
        if (r < 0)
                return log_error_errno(r, "cannot write a temp file for %s", path);
        if (fsync(fd) < 0)
                return log_error_errno(negative_errno(), "cannot fsync a temp file for %s", path);
        return 0;
}

int export_lock(const export_paths *paths, int *ret_fd) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        r = directory_of(paths->subuid, &dir);
        if (r < 0)
                return r;
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create directory %s", dir);
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot open directory %s", dir);
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return log_error_errno(negative_errno(), "cannot lock directory %s", dir);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Renders and writes the temp files; s->lockfd is already held. */
static int stage_locked(sqlite3 *db, const export_paths *paths, export_staged *s) {
        _cleanup_free_ char *uid_text = NULL, *gid_text = NULL;
        size_t uid_len, gid_len;
        int r;

        r = export_render(db, &uid_text, &uid_len, &gid_text, &gid_len);
        if (r < 0)
                return r;
        r = stage_file(paths->subuid, uid_text, uid_len, &s->files[0]);
        if (r >= 0)
                r = stage_file(paths->subgid, gid_text, gid_len, &s->files[1]);
        return r;
}

int export_stage(sqlite3 *db, const export_paths *paths, export_staged *ret) {
        export_staged s = { .files = { { .dirfd = -1 }, { .dirfd = -1 } }, .lockfd = -1 };
        int r;

        r = export_lock(paths, &s.lockfd);
        if (r < 0)
                return r;
        r = stage_locked(db, paths, &s);
        if (r < 0) {
                export_staged_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

/* Keeps the file being replaced as NAME-, as shadow's tools do, so an admin
 * can see (and restore) what the previous write replaced. */
static int keep_backup(const export_staged_file *f) {
        _cleanup_free_ char *backup = NULL;

        if (asprintf(&backup, "%s-", f->name) < 0)
                return -ENOMEM;
        if (unlinkat(f->dirfd, backup, 0) < 0 && errno != ENOENT)
                return negative_errno();
        if (linkat(f->dirfd, f->name, f->dirfd, backup, 0) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

int export_publish(export_staged *s) {
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(s->files); i++) {
                export_staged_file *f = &s->files[i];
                int k;

                if (!f->tmp_name)
                        continue;
                k = keep_backup(f);
                if (k < 0)
                        log_warning("cannot keep a backup of %s as %s-: %s", f->path, f->path, strerror(-k));
                if (renameat(f->dirfd, f->tmp_name, f->dirfd, f->name) < 0) {
                        r = log_error_errno(negative_errno(), "cannot replace %s", f->path);
                        continue;
                }
                free(f->tmp_name);
                f->tmp_name = NULL;
                /* The rename is durable only once the directory is synced. */
                if (fsync(f->dirfd) < 0)
                        r = log_error_errno(negative_errno(), "cannot fsync the directory of %s", f->path);
        }
        return r;
}

int policy_commit_and_export(sqlite3 *db, const export_paths *paths) {
        export_staged s;
        int r;

        r = export_stage(db, paths, &s);
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        r = policy_db_commit(db);
        if (r < 0) {
                policy_db_rollback(db);
                export_staged_done(&s);
                return r;
        }
        r = export_publish(&s);
        export_staged_done(&s);
        if (r < 0)
                log_error("the policy database was updated, but %s and %s may be stale", paths->subuid,
                          paths->subgid);
        return r;
}

/* 1 when path holds exactly want (want_len bytes), 0 when not or missing. */
static int file_equals(const char *path, const char *want, size_t want_len) {
        _cleanup_free_ char *buf = malloc(want_len + 1);
        _cleanup_close_ int fd = -1;
        size_t got = 0;
        ssize_t k;

        if (!buf)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : log_error_errno(negative_errno(), "cannot read %s", path);
        /* One byte more than expected tells a longer file apart. */
        while (got < want_len + 1 && (k = read(fd, buf + got, want_len + 1 - got)) > 0)
                got += (size_t) k;
        return got == want_len && memcmp(buf, want, want_len) == 0;
}

int export_is_current(sqlite3 *db, const export_paths *paths) {
        _cleanup_free_ char *uid_text = NULL, *gid_text = NULL;
        size_t uid_len, gid_len;
        int r;

        r = policy_db_exec(db, "BEGIN");
        if (r < 0)
                return r;
        r = export_render(db, &uid_text, &uid_len, &gid_text, &gid_len);
        policy_db_rollback(db);
        if (r < 0)
                return r;
        r = file_equals(paths->subuid, uid_text, uid_len);
        if (r <= 0)
                return r;
        return file_equals(paths->subgid, gid_text, gid_len);
}

int policy_export(sqlite3 *db, const export_paths *paths) {
        export_staged s = { .files = { { .dirfd = -1 }, { .dirfd = -1 } }, .lockfd = -1 };
        int r;

        /* The lock first, then the snapshot: every commit it cannot see has
         * its writer waiting for the lock, to publish after us. */
        r = export_lock(paths, &s.lockfd);
        if (r < 0)
                return r;
        /* One read transaction: both files show the same state. */
        r = policy_db_exec(db, "BEGIN");
        if (r >= 0) {
                r = stage_locked(db, paths, &s);
                policy_db_rollback(db);
        }
        if (r >= 0)
                r = export_publish(&s);
        export_staged_done(&s);
        return r;
}
