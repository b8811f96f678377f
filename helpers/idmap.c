/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "idmap.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "map_audit.h"
#include "mapargs.h"
#include "mapwrite.h"
#include "paths.h"
#include "policy_load.h"
#include "privs.h"
#include "target.h"

typedef struct idmap_tool {
        const char *name;     /* program name, never taken from argv[0] */
        const char *map_file; /* in /proc/PID */
        cap_value_t cap;
        const char *cap_name;
} idmap_tool;

/* Measured: a full run needs well under 64 KiB of stack; 16 KiB crashes. */
#define IDMAP_MIN_STACK (128 * 1024)

static const idmap_tool tools[] = {
        [ID_KIND_UID] = { "newuidmap", "uid_map", CAP_SETUID, "cap_setuid" },
        [ID_KIND_GID] = { "newgidmap", "gid_map", CAP_SETGID, "cap_setgid" },
};

/* What the audit record of this run says, filled in as the run goes. */
typedef struct idmap_run {
        const idmap_tool *tool;
        id_kind kind;
        int audit_fd; /* -1: no record can be sent (no kernel audit, or no socket) */
        char tpid[16];
        char map[MAP_AUDIT_MAP_MAX + 8];
        bool setgroups_allow;
} idmap_run;

static int usage(const idmap_tool *t) {
        log_error("usage: %s PID|fd:N UPPER LOWER COUNT [UPPER LOWER COUNT]...", t->name);
        return -EINVAL;
}

/* --help or --version as the only argument: shadow's helpers reject every
 * two-word command line as a usage error, so no valid shadow invocation
 * changes meaning. Every capability is dropped before anything is printed:
 * the answer needs no privilege, and a broken install still gives it. */
static int info(const idmap_tool *t, const char *arg) {
        (void) capabilities_drop_all();
        if (strcmp(arg, "--version") == 0) {
                printf("%s (subid) %s\n", t->name, SUBID_VERSION);
                return fflush(stdout) == 0 ? 0 : 1;
        }
        printf("usage: %s PID|fd:N UPPER LOWER COUNT [UPPER LOWER COUNT]...\n"
               "\n"
               "Writes /proc/PID/%s for a process of yours in a new user namespace: each\n"
               "triple maps the ids [LOWER, LOWER+COUNT) of the host to [UPPER, UPPER+COUNT)\n"
               "inside it. Allowed: ranges the subid policy database gives you%s,\n"
               "and your own %s (count 1).\n"
               "fd:N names the process by a descriptor open on its /proc/PID directory.\n"
               "\n"
               "  --help      show this help\n"
               "  --version   show the version\n"
               "\n"
               "Run 'subidctl doctor USER' as an admin to see why a mapping is refused.\n"
               "See %s(1).\n",
               t->name, t->map_file,
               t->cap == CAP_SETUID ? "" : ",\ngids delegated to you of groups you are a member of now",
               t->cap == CAP_SETUID ? "uid" : "gid", t->name);
        return fflush(stdout) == 0 ? 0 : 1;
}

/* Everything that must happen before the caller's input is looked at:
 * fds, environment, no_new_privs, the audit socket, capabilities. */
static int lock_down(idmap_run *run, int keep_fd, bool caller_is_root) {
        const idmap_tool *t = run->tool;
        const cap_value_t keep[] = { t->cap, CAP_AUDIT_WRITE, CAP_SETFCAP };
        bool audit_cap, audit_missing = false;
        int r;

        r = close_inherited_fds(keep_fd);
        if (r < 0)
                return log_error_errno(r, "cannot close inherited file descriptors");
        /* Before the capabilities are restricted: the kernel checks
         * CAP_AUDIT_WRITE in the socket opener's effective set as well as
         * in the sender's. */
        r = map_audit_open(&run->audit_fd);
        if (r < 0)
                return r;
        r = sanitize_process();
        if (r < 0)
                return log_error_errno(r, "cannot sanitise the process");

        /* Without cap_audit_write libaudit would drop every record without
         * a word: no record is attempted, and the run is refused below. */
        audit_cap = capability_permitted(CAP_AUDIT_WRITE);
        if (run->audit_fd >= 0 && !audit_cap) {
                (void) close(run->audit_fd);
                run->audit_fd = -1;
                audit_missing = true;
        }
        if (!capability_permitted(t->cap)) {
                log_error("this binary has no %s capability; it must be installed with "
                          "'setcap %s,cap_audit_write+ep' (make install does this), not setuid",
                          t->cap_name, t->cap_name);
                return -EPERM;
        }
        if (audit_missing) {
                log_error("this binary has no cap_audit_write capability, so its runs would go unaudited; it "
                          "must be installed with 'setcap %s,cap_audit_write+ep' (make install does this)",
                          t->cap_name);
                return -EPERM;
        }
        /* CAP_SETFCAP only for root, who may map host uid 0 (the kernel then
         * demands it); everyone else keeps just the id capability and the
         * audit one. */
        r = capabilities_restrict(keep, caller_is_root ? 3 : 2);
        if (r < 0)
                return log_error_errno(r, "cannot drop capabilities");
        return 0;
}

static void describe(const id_mapping *m, id_kind kind, char *buf, size_t size) {
        snprintf(buf, size, "%s range [%u-%llu) -> [%u-%llu)", id_kind_to_string(kind), m->lower,
                 (unsigned long long) m->lower + m->count, m->upper, (unsigned long long) m->upper + m->count);
}

static bool maps_host_root(const id_mapping *maps, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (maps[i].lower == 0)
                        return true;
        return false;
}

/* Parse, authorise, write: every refusal logs its one-line cause (which
 * becomes the record's reason) and returns -errno. Not inlined: its frame
 * (the 8 KiB map buffer, SQLite below it) must only be entered once the
 * stack limit has been checked. */
static __attribute__((noinline)) int idmap_run_checked(idmap_run *run, const target_spec *spec, int argc, char **argv) {
        const idmap_tool *t = run->tool;
        id_kind kind = run->kind;
        _cleanup_free_ id_mapping *maps = NULL;
        _cleanup_free_ id_range *held = NULL;
        _cleanup_free_ char *user = NULL;
        _cleanup_close_ int dirfd = -1;
        uid_t ruid = getuid();
        gid_t rgid = getgid();
        struct passwd *pw;
        char err[256], buf[8192];
        size_t n_maps, n_held;
        bool allow_setgroups = false;
        uid_t pw_uid;
        gid_t pw_gid;
        int r, len;

        r = mapargs_parse(argc - 2, argv + 2, &maps, &n_maps, err, sizeof err);
        if (r < 0) {
                log_error("%s", err);
                return r;
        }
        map_audit_render_maps(maps, n_maps, run->map, sizeof run->map);

        r = target_open(spec, argv[1], &dirfd);
        if (r < 0)
                return r;

        errno = 0;
        pw = getpwuid(ruid);
        if (!pw) {
                log_error("cannot determine your user name (uid %u)", (unsigned) ruid);
                return -ENOENT;
        }
        user = strdup(pw->pw_name);
        if (!user)
                return log_error_errno(-ENOMEM, "cannot copy your user name");
        pw_uid = pw->pw_uid;
        pw_gid = pw->pw_gid;

        r = target_check_owner(dirfd, argv[1], ruid, rgid, pw_uid, pw_gid);
        if (r < 0)
                return r;

        r = policy_load_held(SUBID_DB_PATH, kind, ruid, user, pw_gid, &held, &n_held);
        if (r < 0)
                return r;

        authz_subject subject = {
                .self_id = kind == ID_KIND_UID ? ruid : rgid,
                .caller_is_root = ruid == 0,
                .held = held,
                .n_held = n_held,
        };
        for (size_t i = 0; i < n_maps; i++) {
                authz_result a = authorize_mapping(&subject, &maps[i]);

                if (!authz_allowed(a)) {
                        describe(&maps[i], kind, err, sizeof err);
                        /* A missing range or delegation is the admin's to
                         * explain: doctor says which, and the fix. */
                        if (a == AUTHZ_DENIED_NOT_HELD)
                                log_error("%s not allowed for %s: %s (run 'subidctl doctor %s' as an admin "
                                          "to see why)",
                                          err, user, authz_result_to_string(a), user);
                        else
                                log_error("%s not allowed for %s: %s", err, user, authz_result_to_string(a));
                        return -EPERM;
                }
                if (a == AUTHZ_ALLOWED_DB)
                        allow_setgroups = true;
        }

        /* Measured against the page size only here: the kernel takes a map
         * in one write shorter than a page, and a longer one is refused. */
        len = map_format(maps, n_maps, buf, (size_t) sysconf(_SC_PAGESIZE) < sizeof buf ?
                                                    (size_t) sysconf(_SC_PAGESIZE) : sizeof buf);
        if (len < 0) {
                log_error("the map is longer than the kernel accepts in one write (a page)");
                return -E2BIG;
        }

        /* CVE-2018-7169: without an admin-granted gid range, the user must
         * not be able to drop groups (negative group permissions) in there. */
        run->setgroups_allow = allow_setgroups;
        if (kind == ID_KIND_GID && !allow_setgroups) {
                r = setgroups_deny(dirfd);
                if (r < 0)
                        return r;
        }

        const cap_value_t write_caps[] = { t->cap, CAP_SETFCAP };
        r = capabilities_set_effective(write_caps, ruid == 0 && maps_host_root(maps, n_maps) ? 2 : 1);
        if (r < 0)
                return log_error_errno(r, "cannot raise %s", t->cap_name);
        return map_write_once(dirfd, t->map_file, buf, (size_t) len);
}

/* The record of this run, with nothing but CAP_AUDIT_WRITE held while it
 * is sent, then no capability at all. */
static int idmap_audit(idmap_run *run, const char *reason) {
        const cap_value_t audit_cap[] = { CAP_AUDIT_WRITE };
        map_audit_info info = {
                .kind = run->kind,
                .tpid = run->tpid,
                .map = run->map,
                .setgroups_allow = run->setgroups_allow,
                .reason = reason,
        };
        int r = 0;

        if (run->audit_fd >= 0) {
                r = capabilities_keep_only(audit_cap, 1);
                if (r < 0)
                        r = log_error_errno(r, "cannot keep only cap_audit_write for the audit record");
                else
                        r = map_audit_send(run->audit_fd, &info);
                (void) close(run->audit_fd);
                run->audit_fd = -1;
        }
        (void) capabilities_drop_all();
        return r;
}

int idmap_main(id_kind kind, int argc, char **argv) {
        idmap_run run = { .tool = &tools[kind], .kind = kind, .audit_fd = -1, .tpid = "?", .map = "?" };
        target_spec spec = { .pid = 0, .fd = -1 };
        struct rlimit rlim;
        bool spec_ok;
        char reason[512];
        int r, rl, ra;

        log_set_program(run.tool->name);
        /* A caller whose stderr is a pipe nobody reads must still get exit
         * status 1 for a refusal, not a death by SIGPIPE. */
        (void) signal(SIGPIPE, SIG_IGN);
        r = ensure_stdio_open();
        if (r >= 0 && argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "--version") == 0))
                return info(run.tool, argv[1]);
        /* A caller-chosen tiny stack would make the helper die of SIGSEGV
         * somewhere in its checks, without a word: refuse it up front. The
         * audit record is built in frames of several KiB, so this is the one
         * refusal without a record (docs/audit.md). */
        if (r >= 0 && getrlimit(RLIMIT_STACK, &rlim) == 0 && rlim.rlim_cur < IDMAP_MIN_STACK) {
                log_error("the stack size limit (%llu KiB) is too small; at least %d KiB is needed",
                          (unsigned long long) rlim.rlim_cur / 1024, IDMAP_MIN_STACK / 1024);
                return 1;
        }

        /* From here on, every way out goes through exactly one audit
         * record; its reason is the first error logged. */
        log_capture_begin(reason, sizeof reason);
        if (r < 0)
                log_error_errno(r, "cannot open /dev/null for a closed standard stream");

        spec_ok = argc >= 2 && target_spec_parse(argv[1], &spec) >= 0;
        if (spec_ok && spec.pid > 0)
                snprintf(run.tpid, sizeof run.tpid, "%d", (int) spec.pid);
        if (argc > 2)
                map_audit_render_args(argc - 2, argv + 2, run.map, sizeof run.map);

        /* Even after a stdio failure: the refusal still gets its record. */
        rl = lock_down(&run, spec.fd, getuid() == 0);
        if (r >= 0)
                r = rl;
        if (r >= 0 && argc < 3)
                r = usage(run.tool);
        if (r >= 0 && !spec_ok) {
                log_error("invalid target '%s': expected a pid or fd:N", argv[1]);
                r = -EINVAL;
        }
        if (r >= 0)
                r = idmap_run_checked(&run, &spec, argc, argv);
        log_capture_end();

        ra = idmap_audit(&run, r < 0 ? reason : NULL);
        if (r >= 0 && ra < 0)
                log_error("the map was written, but the run fails because its audit record could not be sent");
        return r < 0 || ra < 0 ? 1 : 0;
}
