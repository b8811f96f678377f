/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `subidctl doctor [USER] [--json]`: explains why USER can or cannot run
 * rootless containers. Each check is one finding {check, status, message,
 * fix}: what is wrong and the command that fixes it. The local checks
 * (helpers, kernel, exported files, podman's cache) need no daemon; the
 * database checks ask subid-admind (op `list`, an admin op) and are
 * reported as skipped when the daemon is down or the caller may not ask. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/parse.h"
#include "../common/proto.h"
#include "ctl_common.h"
#include "login_defs.h"
#include "paths.h"

/* podman's default images need a full 16-bit id space. */
#define DOCTOR_MIN_IDS 65536u

typedef enum doctor_status { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL, DOCTOR_SKIP } doctor_status;

static const char *const status_names[] = {
        [DOCTOR_OK] = "ok", [DOCTOR_WARN] = "warn", [DOCTOR_FAIL] = "fail", [DOCTOR_SKIP] = "skip"
};
static const char *const status_text[] = {
        [DOCTOR_OK] = "ok  ", [DOCTOR_WARN] = "WARN", [DOCTOR_FAIL] = "FAIL", [DOCTOR_SKIP] = "skip"
};

typedef struct doctor {
        json_object *checks; /* the findings, in order */
        bool failed;
        int error; /* -ENOMEM while building findings */
} doctor;

static void add_finding(doctor *d, const char *check, doctor_status status, const char *fix, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

static void add_finding(doctor *d, const char *check, doctor_status status, const char *fix, const char *fmt, ...) {
        _cleanup_free_ char *message = NULL;
        json_object *o;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&message, fmt, ap);
        va_end(ap);
        if (n < 0) {
                message = NULL;
                d->error = -ENOMEM;
                return;
        }
        if (status == DOCTOR_FAIL)
                d->failed = true;
        o = json_object_new_object();
        if (!o || json_object_object_add(o, "check", json_object_new_string(check)) < 0 ||
            json_object_object_add(o, "status", json_object_new_string(status_names[status])) < 0 ||
            json_object_object_add(o, "message", json_object_new_string(message)) < 0 ||
            json_object_object_add(o, "fix", fix ? json_object_new_string(fix) : NULL) < 0 ||
            json_object_array_add(d->checks, o) < 0) {
                json_object_put(o);
                d->error = -ENOMEM;
        }
}

/* The fix strings are built with asprintf; NULL (no fix) on ENOMEM is
 * caught by add_finding failing the same way soon after. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
        char *s;
        va_list ap;
        int n;

        va_start(ap, f);
        n = vasprintf(&s, f, ap);
        va_end(ap);
        return n < 0 ? NULL : s;
}

/* ---- 1. helpers ---------------------------------------------------------- */

/* The helper at path must carry exactly the capabilities of DESIGN.md and
 * no setuid/setgid bit. debian says whether path is where distribution
 * packages put shadow's setuid helper (/usr/bin). */
static void check_helper(doctor *d, const char *path, const char *caps, bool debian) {
        _cleanup_free_ char *fix = NULL;
        cap_t want, have;
        struct stat st;
        bool same;

        if (stat(path, &st) < 0) {
                fix = fmt("make install PREFIX=%s", debian ? "/usr" : "<prefix>");
                add_finding(d, "helpers", DOCTOR_FAIL, fix, "%s is missing: %m (rootless tools cannot map ids)",
                            path);
                return;
        }
        if (st.st_mode & (S_ISUID | S_ISGID)) {
                fix = fmt("dpkg-divert --local --rename --divert %s.shadow --add %s (or apt-get remove uidmap), "
                          "then make install PREFIX=/usr",
                          path, path);
                add_finding(d, "helpers", DOCTOR_FAIL, fix,
                            "%s is setuid/setgid root: shadow's helper (Debian package uidmap) is still in place "
                            "and ignores the subid policy",
                            path);
                return;
        }
        want = cap_from_text(caps);
        have = cap_get_file(path);
        same = want && have && cap_compare(want, have) == 0;
        if (!same) {
                char *text = have ? cap_to_text(have, NULL) : NULL;

                fix = fmt("setcap %s %s", caps, path);
                add_finding(d, "helpers", DOCTOR_FAIL, fix, "%s has capabilities '%s', needs %s", path,
                            text ? text : "none", caps);
                cap_free(text);
        } else
                add_finding(d, "helpers", DOCTOR_OK, NULL, "%s has %s", path, caps);
        cap_free(want);
        cap_free(have);
}

static void check_helpers(doctor *d) {
        static const char *const names[] = { "newuidmap", "newgidmap" };
        static const char *const caps[] = { "cap_setuid,cap_audit_write=ep", "cap_setgid,cap_audit_write=ep" };

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *installed = fmt("%s/%s", SUBID_BINDIR, names[i]);
                _cleanup_free_ char *exec = fmt("/usr/bin/%s", names[i]);

                if (!installed || !exec) {
                        d->error = -ENOMEM;
                        return;
                }
                check_helper(d, installed, caps[i], false);
                /* podman and util-linux exec /usr/bin/new*idmap whatever
                 * PREFIX subid was installed with. */
                if (strcmp(installed, exec) != 0)
                        check_helper(d, exec, caps[i], true);
        }
}

/* ---- 2. kernel ----------------------------------------------------------- */

/* Reads a sysctl number; -ENOENT when the kernel has no such knob. */
static int read_sysctl(const char *path, uint64_t *ret) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[64];

        if (!f)
                return negative_errno();
        if (!fgets(line, sizeof line, f))
                return -EIO;
        line[strcspn(line, "\n")] = '\0';
        return parse_u64_max(line, UINT64_MAX, ret);
}

static void check_kernel(doctor *d) {
        static const struct {
                const char *path, *name;
                uint64_t want; /* 0: must be > 0; else must equal want - 1 */
        } knobs[] = {
                { "/proc/sys/user/max_user_namespaces", "user.max_user_namespaces", 0 },
                { "/proc/sys/kernel/unprivileged_userns_clone", "kernel.unprivileged_userns_clone", 2 },
                { "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
                  "kernel.apparmor_restrict_unprivileged_userns", 1 },
        };
        bool all_ok = true;

        for (size_t i = 0; i < ELEMENTSOF(knobs); i++) {
                _cleanup_free_ char *fix = NULL;
                uint64_t v;
                int r = read_sysctl(knobs[i].path, &v);

                if (r == -ENOENT && i > 0)
                        continue; /* only some kernels have it */
                if (r < 0) {
                        add_finding(d, "kernel", DOCTOR_FAIL, NULL, "cannot read %s: %s", knobs[i].path,
                                    strerror(-r));
                        all_ok = false;
                        continue;
                }
                if (knobs[i].want == 0 ? v > 0 : v == knobs[i].want - 1)
                        continue;
                all_ok = false;
                fix = fmt("sysctl -w %s=%s (and persist it in /etc/sysctl.d/)", knobs[i].name,
                          knobs[i].want == 0 ? "15000" : knobs[i].want == 2 ? "1" : "0");
                add_finding(d, "kernel", DOCTOR_FAIL, fix, "%s is %llu: unprivileged user namespaces are disabled",
                            knobs[i].name, (unsigned long long) v);
        }
        if (all_ok)
                add_finding(d, "kernel", DOCTOR_OK, NULL, "unprivileged user namespaces are enabled");
}

/* useradd allocates ranges of its own into /etc/subuid and /etc/subgid
 * when login.defs lets it (docs/decisions.md, "Coexistence with shadow's
 * own allocation"): the daemon undoes that, but the admin should say 0. */
#define LOGIN_DEFS "/etc/login.defs"

static void check_login_defs(doctor *d) {
        static const char *const keys[2] = { "SUB_UID_COUNT", "SUB_GID_COUNT" };
        _cleanup_free_ char *text = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        size_t len = 0;
        bool all_ok = true;

        /* useradd writes /etc/subuid whatever subid was built with. */
        if (strcmp(SUBID_SUBUID_PATH, "/etc/subuid") != 0 || strcmp(SUBID_SUBGID_PATH, "/etc/subgid") != 0) {
                add_finding(d, "login.defs", DOCTOR_OK, NULL, "useradd writes /etc/subuid, not the exported %s",
                            SUBID_SUBUID_PATH);
                return;
        }
        f = fopen(LOGIN_DEFS, "re");
        if (f) {
                text = malloc(1024 * 1024);
                if (!text) {
                        d->error = -ENOMEM;
                        return;
                }
                len = fread(text, 1, 1024 * 1024, f);
        }
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                uint32_t count = LOGIN_DEFS_SUB_COUNT_DEFAULT;
                int r = text ? login_defs_u32(text, len, keys[k], &count) : -ENOENT;

                if (r == -EINVAL) {
                        add_finding(d, "login.defs", DOCTOR_WARN, NULL, "cannot read %s in %s: not a plain number",
                                    keys[k], LOGIN_DEFS);
                        all_ok = false;
                        continue;
                }
                if (count == 0)
                        continue;
                all_ok = false;
                add_finding(d, "login.defs", DOCTOR_WARN,
                            "set SUB_UID_COUNT 0 and SUB_GID_COUNT 0 in " LOGIN_DEFS,
                            "%s is %u%s: useradd writes ranges of its own into %s (subid-admind rewrites the file "
                            "from its database when it notices)",
                            keys[k], count, r == -ENOENT ? " (useradd's default)" : " in " LOGIN_DEFS,
                            k == 0 ? SUBID_SUBUID_PATH : SUBID_SUBGID_PATH);
        }
        if (all_ok)
                add_finding(d, "login.defs", DOCTOR_OK, NULL, "useradd leaves %s and %s to subid (SUB_UID_COUNT 0)",
                            SUBID_SUBUID_PATH, SUBID_SUBGID_PATH);
}

/* ---- 3. daemon ----------------------------------------------------------- */

/* Whether something listens on the socket, asked without ctl_connect so a
 * daemon that is down is a finding, not an error line. */
static bool daemon_listening(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

        if (fd < 0 || strlen(SUBID_SOCKET_PATH) >= sizeof sa.sun_path)
                return false;
        memcpy(sa.sun_path, SUBID_SOCKET_PATH, strlen(SUBID_SOCKET_PATH) + 1);
        return connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0;
}

/* ---- exported files ------------------------------------------------------ */

static bool export_file_ok(doctor *d, const char *path) {
        _cleanup_free_ char *fix = NULL;
        struct stat st;

        if (stat(path, &st) < 0) {
                add_finding(d, "export", DOCTOR_FAIL, "subidctl grant USER (any change re-exports the files)",
                            "%s: %m (podman and unshare --map-auto read it)", path);
                return false;
        }
        if (st.st_uid != 0 || (st.st_mode & 07777) != 0644) {
                fix = fmt("chown root:root %s && chmod 0644 %s", path, path);
                add_finding(d, "export", DOCTOR_FAIL, fix, "%s is owned by uid %u with mode %04o, not root 0644",
                            path, (unsigned) st.st_uid, (unsigned) (st.st_mode & 07777));
                return false;
        }
        return true;
}

/* The lines of path that start with "name:", joined by ' '. */
static int read_user_lines(const char *path, const char *name, char **ret) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t len = strlen(name), size = 0;
        char *buf = NULL;
        size_t n = 0;
        FILE *out;

        if (!f)
                return negative_errno();
        out = open_memstream(&buf, &n);
        if (!out)
                return -ENOMEM;
        while (getline(&line, &size, f) >= 0) {
                line[strcspn(line, "\n")] = '\0';
                if (strncmp(line, name, len) == 0 && line[len] == ':')
                        fprintf(out, "%s%s", ftell(out) > 0 ? " " : "", line);
        }
        if (fclose(out) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

/* ---- the user's database entries ----------------------------------------- */

typedef struct user_entries {
        char *name; /* as stored */
        json_object *subuids, *subgids, *delegations; /* arrays, owned */
} user_entries;

static void user_entries_done(user_entries *u) {
        free(u->name);
        json_object_put(u->subuids);
        json_object_put(u->subgids);
        json_object_put(u->delegations);
}

static int append_array(json_object **to, json_object *page_user, const char *key) {
        json_object *from;

        if (ctl_reply_array(page_user, key, &from) < 0)
                return -EBADMSG;
        if (!*to) {
                *to = json_object_new_array();
                if (!*to)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < json_object_array_length(from); i++)
                if (json_object_array_add(*to, json_object_get(json_object_array_get_idx(from, i))) < 0)
                        return -ENOMEM;
        return 0;
}

/* Fetches USER's listing, page by page (a holder cut at a page boundary
 * continues on the next page). */
static int fetch_user(int fd, const char *user, user_entries *ret) {
        _cleanup_json_ json_object *page = NULL;
        json_object *next = NULL;
        int r;

        for (;;) {
                json_object *args = NULL, *users, *u;
                const char *name;

                r = ctl_args_new(&args);
                if (r >= 0)
                        r = ctl_args_add_string(args, "user", user);
                if (r >= 0 && next && json_object_object_add(args, "after", json_object_get(next)) < 0)
                        r = -ENOMEM;
                if (r < 0) {
                        json_object_put(args);
                        return r;
                }
                json_object_put(page);
                page = NULL;
                r = ctl_call(fd, "list", args, NULL, 0, &page);
                if (r < 0)
                        return r;
                if (ctl_reply_array(page, "users", &users) < 0)
                        return -EBADMSG;
                if (json_object_array_length(users) > 0) {
                        u = json_object_array_get_idx(users, 0);
                        if (ctl_reply_string(u, "name", &name) < 0)
                                return -EBADMSG;
                        if (!ret->name) {
                                ret->name = strdup(name);
                                if (!ret->name)
                                        return -ENOMEM;
                        }
                        r = append_array(&ret->subuids, u, "subuids");
                        if (r >= 0)
                                r = append_array(&ret->subgids, u, "subgids");
                        if (r >= 0)
                                r = append_array(&ret->delegations, u, "delegations");
                        if (r < 0)
                                return r;
                }
                if (!json_object_object_get_ex(page, "next", &next) || json_object_is_type(next, json_type_null))
                        return 0;
        }
}

static size_t array_len(json_object *a) {
        return a ? json_object_array_length(a) : 0;
}

/* ---- 4. ranges ----------------------------------------------------------- */

static void check_ranges(doctor *d, const char *user, const user_entries *e) {
        static const char *const words[] = { "subuid", "subgid" };
        json_object *arrays[] = { e->subuids, e->subgids };
        bool all_ok = true;

        for (size_t k = 0; k < 2; k++) {
                _cleanup_free_ char *fix = NULL;
                uint64_t total = 0;

                if (array_len(arrays[k]) == 0) {
                        fix = fmt("subidctl grant %s", user);
                        add_finding(d, "ranges", DOCTOR_FAIL, fix, "%s holds no %s range", user, words[k]);
                        all_ok = false;
                        continue;
                }
                for (size_t i = 0; i < array_len(arrays[k]); i++) {
                        id_range r;

                        if (ctl_reply_range(json_object_array_get_idx(arrays[k], i), &r) < 0) {
                                d->error = -EBADMSG;
                                return;
                        }
                        total += r.count;
                }
                if (total < DOCTOR_MIN_IDS) {
                        fix = fmt("subidctl revoke %s --%ss ... && subidctl grant %s --count %u", user, words[k], user,
                                  DOCTOR_MIN_IDS);
                        add_finding(d, "ranges", DOCTOR_WARN, fix,
                                    "%s holds only %llu %ss: podman's default images need %u", user,
                                    (unsigned long long) total, words[k], DOCTOR_MIN_IDS);
                        all_ok = false;
                }
        }
        if (all_ok)
                add_finding(d, "ranges", DOCTOR_OK, NULL, "%s holds subuid and subgid ranges of at least %u ids", user,
                            DOCTOR_MIN_IDS);
}

/* ---- 5. accounts inside the ranges --------------------------------------- */

static bool id_in(json_object *ranges, uint32_t id) {
        for (size_t i = 0; i < array_len(ranges); i++) {
                id_range r;

                if (ctl_reply_range(json_object_array_get_idx(ranges, i), &r) >= 0 && range_contains_id(&r, id))
                        return true;
        }
        return false;
}

static void check_accounts(doctor *d, const char *user, const user_entries *e) {
        bool found = false;
        struct passwd *pw;
        struct group *gr;

        /* One pass over each database: a range boundary check would miss
         * an account in the middle of a range. */
        setpwent();
        while (!found && (pw = getpwent()))
                if (id_in(e->subuids, pw->pw_uid)) {
                        add_finding(d, "accounts", DOCTOR_FAIL, "usermod -u NEWUID or move the range with subidctl",
                                    "account %s (uid %u) lies inside a subuid range of %s", pw->pw_name,
                                    (unsigned) pw->pw_uid, user);
                        found = true;
                }
        endpwent();
        setgrent();
        while (!found && (gr = getgrent()))
                if (id_in(e->subgids, gr->gr_gid)) {
                        add_finding(d, "accounts", DOCTOR_FAIL, "groupmod -g NEWGID or move the range with subidctl",
                                    "group %s (gid %u) lies inside a subgid range of %s", gr->gr_name,
                                    (unsigned) gr->gr_gid, user);
                        found = true;
                }
        endgrent();
        if (!found)
                add_finding(d, "accounts", DOCTOR_OK, NULL, "no account's uid or gid lies inside %s's ranges", user);
}

/* ---- 6. the user's lines in the exported files --------------------------- */

static int render_expected(json_object *ranges, json_object *delegations, const char *name, char **ret) {
        char *buf = NULL;
        size_t n = 0;
        FILE *out = open_memstream(&buf, &n);
        int r = 0;

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < array_len(ranges) && r >= 0; i++) {
                id_range range;

                r = ctl_reply_range(json_object_array_get_idx(ranges, i), &range);
                if (r >= 0)
                        fprintf(out, "%s%s:%u:%u", ftell(out) > 0 ? " " : "", name, range.first, range.count);
        }
        for (size_t i = 0; i < array_len(delegations) && r >= 0; i++) {
                uint32_t gid;

                r = ctl_reply_u32(json_object_array_get_idx(delegations, i), "gid", &gid);
                if (r >= 0)
                        fprintf(out, "%s%s:%u:1", ftell(out) > 0 ? " " : "", name, gid);
        }
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}

/* `subidctl sync` rewrites exported files that differ from the database. */
static char *reexport_fix(void) {
        return fmt("subidctl sync");
}

static void check_export_lines(doctor *d, const char *user, const user_entries *e) {
        static const char *const paths[] = { SUBID_SUBUID_PATH, SUBID_SUBGID_PATH };
        bool all_ok = true;

        for (size_t k = 0; k < 2; k++) {
                _cleanup_free_ char *want = NULL, *have = NULL, *fix = NULL;
                json_object *ranges = k == 0 ? e->subuids : e->subgids;
                int r;

                r = render_expected(ranges, k == 0 ? NULL : e->delegations, e->name, &want);
                if (r >= 0)
                        r = read_user_lines(paths[k], e->name, &have);
                if (r == -ENOENT)
                        continue; /* reported by the file check */
                if (r < 0) {
                        add_finding(d, "export", DOCTOR_FAIL, NULL, "cannot read %s: %s", paths[k], strerror(-r));
                        all_ok = false;
                        continue;
                }
                if (strcmp(want, have) == 0)
                        continue;
                all_ok = false;
                fix = reexport_fix();
                if (k == 1 && array_len(e->subgids) > 0) {
                        free(fix);
                        fix = reexport_fix();
                }
                add_finding(d, "export", DOCTOR_FAIL, fix, "%s lists '%s' for %s, the database has '%s'%s", paths[k],
                            have, e->name, want,
                            array_len(ranges) > 0 && strncmp(want, have, strcspn(want, " ")) != 0
                                    ? " (util-linux uses only the first line under a name)"
                                    : "");
        }
        if (all_ok)
                add_finding(d, "export", DOCTOR_OK, NULL, "%s and %s list exactly what the database holds for %s",
                            SUBID_SUBUID_PATH, SUBID_SUBGID_PATH, e->name);
}

/* ---- 7. delegations whose membership lapsed ------------------------------ */

static void check_delegations(doctor *d, const char *user, const struct passwd *pw, const user_entries *e) {
        gid_t groups[NGROUPS_MAX];
        int n = (int) ELEMENTSOF(groups);
        bool all_ok = true;

        if (array_len(e->delegations) == 0) {
                add_finding(d, "delegations", DOCTOR_OK, NULL, "%s holds no group delegations", user);
                return;
        }
        if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0) {
                add_finding(d, "delegations", DOCTOR_FAIL, NULL, "%s is in too many groups to check", user);
                return;
        }
        for (size_t i = 0; i < array_len(e->delegations); i++) {
                json_object *o = json_object_array_get_idx(e->delegations, i);
                _cleanup_free_ char *fix = NULL;
                const char *group;
                bool member = false;
                uint32_t gid;

                if (ctl_reply_u32(o, "gid", &gid) < 0 || ctl_reply_string(o, "group", &group) < 0) {
                        d->error = -EBADMSG;
                        return;
                }
                for (int j = 0; j < n; j++)
                        member = member || groups[j] == gid;
                if (member)
                        continue;
                all_ok = false;
                fix = fmt("subidctl revoke %s --group %s (or subidctl sync)", user, group);
                add_finding(d, "delegations", DOCTOR_FAIL, fix,
                            "%s is no longer a member of %s (gid %u) but it is delegated: podman will fail to start: "
                            "newgidmap refuses the whole map",
                            user, group, gid);
        }
        if (all_ok)
                add_finding(d, "delegations", DOCTOR_OK, NULL, "%s is a member of every delegated group", user);
}

/* ---- 8. podman's cached user namespace ----------------------------------- */

/* podman keeps the mapping it computed from /etc/subuid and /etc/subgid in
 * its storage: once the files change, `podman system migrate` makes it
 * recompute. Heuristic: the storage state (libpod's bolt_state.db or
 * db.sql, else the overlay/vfs directory) is older than an exported file. */
static void check_podman(doctor *d, const char *user, const struct passwd *pw) {
        static const char *const state[] = { "libpod/bolt_state.db", "db.sql", "overlay", "vfs" };
        static const char *const paths[] = { SUBID_SUBUID_PATH, SUBID_SUBGID_PATH };
        _cleanup_free_ char *storage = fmt("%s/.local/share/containers/storage", pw->pw_dir);
        struct timespec ref = {};
        bool have_ref = false;
        struct stat st;

        if (!storage) {
                d->error = -ENOMEM;
                return;
        }
        if (stat(storage, &st) < 0) {
                add_finding(d, "podman", DOCTOR_OK, NULL, "%s has no podman storage yet", user);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(state) && !have_ref; i++) {
                _cleanup_free_ char *p = fmt("%s/%s", storage, state[i]);

                if (p && stat(p, &st) >= 0) {
                        ref = st.st_mtim;
                        have_ref = true;
                }
        }
        if (!have_ref) {
                add_finding(d, "podman", DOCTOR_OK, NULL, "%s's podman storage holds no state yet", user);
                return;
        }
        for (size_t k = 0; k < ELEMENTSOF(paths); k++) {
                _cleanup_free_ char *fix = NULL;

                if (stat(paths[k], &st) < 0)
                        continue;
                if (st.st_mtim.tv_sec > ref.tv_sec ||
                    (st.st_mtim.tv_sec == ref.tv_sec && st.st_mtim.tv_nsec > ref.tv_nsec)) {
                        fix = fmt("podman system migrate (run as %s)", user);
                        add_finding(d, "podman", DOCTOR_WARN, fix,
                                    "%s changed after podman set up %s's storage: podman system migrate needed",
                                    paths[k], user);
                        return;
                }
        }
        add_finding(d, "podman", DOCTOR_OK, NULL, "%s's podman storage is newer than the exported files", user);
}

/* ---- putting it together ------------------------------------------------- */

static void skip_db_checks(doctor *d, bool user, const char *why) {
        static const char *const db_checks[] = { "ranges", "accounts", "export", "delegations" };

        if (!user) {
                add_finding(d, "export", DOCTOR_SKIP, NULL, "%s", why);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(db_checks); i++)
                add_finding(d, db_checks[i], DOCTOR_SKIP, NULL, "%s", why);
}

/* Checks 3-7. Returns 0, or -errno for a failure that is not a finding
 * (already logged). */
static int check_daemon_and_db(doctor *d, const char *user, const struct passwd *pw) {
        _cleanup_json_ json_object *ping = NULL, *who = NULL;
        _cleanup_(user_entries_done) user_entries e = {};
        _cleanup_close_ int fd = -1;
        bool admin = false;
        int r;

        if (!daemon_listening()) {
                add_finding(d, "daemon", DOCTOR_FAIL, "systemctl start subid-admind",
                            "subid-admind is not running (nothing listens on %s)", SUBID_SOCKET_PATH);
                skip_db_checks(d, pw, "not checked: subid-admind is not running");
                return 0;
        }
        r = ctl_connect(CTL_TIMEOUT_MS, &fd);
        if (r >= 0)
                r = ctl_call(fd, "ping", NULL, NULL, 0, &ping);
        if (r >= 0)
                r = ctl_call(fd, "whoami", NULL, NULL, 0, &who);
        if (r >= 0)
                r = ctl_reply_bool(who, "admin", &admin);
        if (r < 0) {
                add_finding(d, "daemon", DOCTOR_FAIL, "systemctl restart subid-admind",
                            "subid-admind does not answer: %s", strerror(-r));
                skip_db_checks(d, pw, "not checked: subid-admind does not answer");
                return 0;
        }
        add_finding(d, "daemon", DOCTOR_OK, NULL, "subid-admind is running on %s", SUBID_SOCKET_PATH);

        /* Only the exported files' existence and mode need no database. */
        {
                bool files_ok = export_file_ok(d, SUBID_SUBUID_PATH);

                files_ok = export_file_ok(d, SUBID_SUBGID_PATH) && files_ok;
                if (files_ok && !pw)
                        add_finding(d, "export", DOCTOR_OK, NULL, "%s and %s are root-owned 0644", SUBID_SUBUID_PATH,
                                    SUBID_SUBGID_PATH);
        }
        if (!pw)
                return 0;
        if (!admin) {
                skip_db_checks(d, true, "needs root or group subidadm");
                return 0;
        }
        r = fetch_user(fd, user, &e);
        if (r < 0)
                return r;
        if (!e.name) {
                e.name = strdup(pw->pw_name);
                if (!e.name)
                        return -ENOMEM;
        }
        check_ranges(d, user, &e);
        check_accounts(d, user, &e);
        check_export_lines(d, user, &e);
        check_delegations(d, user, pw, &e);
        return 0;
}

static void print_text(json_object *checks) {
        for (size_t i = 0; i < json_object_array_length(checks); i++) {
                json_object *o = json_object_array_get_idx(checks, i), *fix;
                const char *check = "", *status = "", *message = "";

                (void) proto_get_string(o, "check", 256, &check);
                (void) proto_get_string(o, "status", 16, &status);
                (void) proto_get_string(o, "message", 64 * 1024, &message);
                for (size_t s = 0; s < ELEMENTSOF(status_names); s++)
                        if (strcmp(status, status_names[s]) == 0)
                                status = status_text[s];
                printf("%s %s: %s", status, check, message);
                if (json_object_object_get_ex(o, "fix", &fix) && json_object_is_type(fix, json_type_string))
                        printf(" -> %s", json_object_get_string(fix));
                putchar('\n');
        }
}

int ctl_doctor(int argc, char **argv) {
        _cleanup_json_ json_object *checks = json_object_new_array();
        doctor d = { .checks = checks };
        const char *user = NULL;
        struct passwd *pw = NULL;
        bool json, help;
        int r;

        if (ctl_parse_json_only("doctor", argc, argv, &json, &help) < 0)
                return 1;
        if (help)
                return 0;
        if (argc - optind > 1) {
                log_error("doctor: expected at most one USER (see subidctl --help)");
                return 1;
        }
        if (!checks) {
                log_error_errno(-ENOMEM, "doctor");
                return 1;
        }
        if (optind < argc)
                user = argv[optind];

        check_helpers(&d);
        check_kernel(&d);
        check_login_defs(&d);
        if (user) {
                uint32_t uid;

                errno = 0;
                pw = parse_id(user, &uid) >= 0 ? getpwuid(uid) : getpwnam(user);
                if (!pw)
                        add_finding(&d, "user", DOCTOR_FAIL, "useradd, or check NSS (getent passwd)",
                                    "no such user '%s'%s%s", user, errno > 0 ? ": " : "",
                                    errno > 0 ? strerror(errno) : "");
                else
                        add_finding(&d, "user", DOCTOR_OK, NULL, "%s exists (uid %u)", pw->pw_name,
                                    (unsigned) pw->pw_uid);
        }
        if (!user || pw) {
                /* getpwent in the checks reuses the static passwd entry. */
                struct passwd copy = {};
                _cleanup_free_ char *name = NULL, *dir = NULL;

                if (pw) {
                        name = strdup(pw->pw_name);
                        dir = strdup(pw->pw_dir);
                        if (!name || !dir) {
                                log_error_errno(-ENOMEM, "doctor");
                                return 1;
                        }
                        copy = (struct passwd) { .pw_name = name, .pw_dir = dir, .pw_uid = pw->pw_uid,
                                                 .pw_gid = pw->pw_gid };
                }
                r = check_daemon_and_db(&d, user, pw ? &copy : NULL);
                if (r < 0)
                        return 1;
                if (pw)
                        check_podman(&d, user, &copy);
        } else
                check_daemon_and_db(&d, NULL, NULL);
        if (d.error < 0) {
                log_error_errno(d.error, "doctor");
                return 1;
        }

        if (json) {
                /* Keys in documented order: user, checks, ok. */
                _cleanup_json_ json_object *ordered = json_object_new_object();

                if (!ordered ||
                    json_object_object_add(ordered, "user", user ? json_object_new_string(user) : NULL) < 0 ||
                    json_object_object_add(ordered, "checks", json_object_get(d.checks)) < 0 ||
                    json_object_object_add(ordered, "ok", json_object_new_boolean(!d.failed)) < 0) {
                        log_error_errno(-ENOMEM, "doctor");
                        return 1;
                }
                r = ctl_print_json(ordered);
        } else {
                print_text(d.checks);
                r = 0;
        }
        if (r < 0 || ctl_flush("doctor") < 0)
                return 1;
        return d.failed ? 1 : 0;
}
