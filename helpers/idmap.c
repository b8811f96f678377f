/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "idmap.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "mapargs.h"
#include "mapwrite.h"
#include "paths.h"
#include "policy_load.h"
#include "privs.h"
#include "target.h"

/* Measured: a full run needs well under 64 KiB of stack; 16 KiB crashes. */
#define IDMAP_MIN_STACK (128 * 1024)

typedef struct idmap_tool {
        const char *name;     /* program name, never taken from argv[0] */
        const char *map_file; /* in /proc/PID */
        cap_value_t cap;
        const char *cap_name;
} idmap_tool;

static const idmap_tool tools[] = {
        [ID_KIND_UID] = { "newuidmap", "uid_map", CAP_SETUID, "cap_setuid" },
        [ID_KIND_GID] = { "newgidmap", "gid_map", CAP_SETGID, "cap_setgid" },
};

static int usage(const idmap_tool *t) {
        fprintf(stderr, "usage: %s PID|fd:N UPPER LOWER COUNT [UPPER LOWER COUNT]...\n", t->name);
        return 1;
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
 * standard streams, fds, environment, no_new_privs, capabilities. */
static int lock_down(const idmap_tool *t, int keep_fd, bool caller_is_root) {
        const cap_value_t keep[] = { t->cap, CAP_AUDIT_WRITE, CAP_SETFCAP };
        int r;

        r = close_inherited_fds(keep_fd);
        if (r < 0)
                return log_error_errno(r, "cannot close inherited file descriptors");
        r = sanitize_process();
        if (r < 0)
                return log_error_errno(r, "cannot sanitise the process");

        if (!capability_permitted(t->cap)) {
                log_error("this binary has no %s capability; it must be installed with "
                          "'setcap %s,cap_audit_write+ep' (make install does this), not setuid",
                          t->cap_name, t->cap_name);
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

/* Everything after the standard streams are safe. Not inlined: its frame
 * (the 8 KiB map buffer, SQLite below it) must only be entered once the
 * stack limit has been checked. */
static __attribute__((noinline)) int idmap_run(const idmap_tool *t, id_kind kind, int argc, char **argv) {
        _cleanup_free_ id_mapping *maps = NULL;
        _cleanup_free_ id_range *held = NULL;
        _cleanup_free_ char *user = NULL;
        _cleanup_close_ int dirfd = -1;
        uid_t ruid = getuid();
        gid_t rgid = getgid();
        target_spec spec;
        struct passwd *pw;
        char err[256], buf[8192];
        size_t n_maps, n_held;
        bool allow_setgroups = false;
        uid_t pw_uid;
        gid_t pw_gid;
        int r, len;

        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "--version") == 0))
                return info(t, argv[1]);
        if (argc < 3)
                return usage(t);

        if (target_spec_parse(argv[1], &spec) < 0) {
                log_error("invalid target '%s': expected a pid or fd:N", argv[1]);
                return 1;
        }
        if (lock_down(t, spec.fd, ruid == 0) < 0)
                return 1;

        r = mapargs_parse(argc - 2, argv + 2, &maps, &n_maps, err, sizeof err);
        if (r < 0) {
                log_error("%s", err);
                return 1;
        }

        r = target_open(&spec, argv[1], &dirfd);
        if (r < 0)
                return 1;

        errno = 0;
        pw = getpwuid(ruid);
        if (!pw) {
                log_error("cannot determine your user name (uid %u)", (unsigned) ruid);
                return 1;
        }
        user = strdup(pw->pw_name);
        if (!user)
                return 1;
        pw_uid = pw->pw_uid;
        pw_gid = pw->pw_gid;

        r = target_check_owner(dirfd, argv[1], ruid, rgid, pw_uid, pw_gid);
        if (r < 0)
                return 1;

        r = policy_load_held(SUBID_DB_PATH, kind, ruid, user, pw_gid, &held, &n_held);
        if (r < 0)
                return 1;

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
                        return 1;
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
                return 1;
        }

        /* CVE-2018-7169: without an admin-granted gid range, the user must
         * not be able to drop groups (negative group permissions) in there. */
        if (kind == ID_KIND_GID && !allow_setgroups) {
                r = setgroups_deny(dirfd);
                if (r < 0)
                        return 1;
        }

        const cap_value_t write_caps[] = { t->cap, CAP_SETFCAP };
        r = capabilities_set_effective(write_caps, ruid == 0 && maps_host_root(maps, n_maps) ? 2 : 1);
        if (r < 0) {
                log_error_errno(r, "cannot raise %s", t->cap_name);
                return 1;
        }
        r = map_write_once(dirfd, t->map_file, buf, (size_t) len);
        (void) capabilities_drop_all();
        if (r < 0)
                return 1;
        return 0;
}

int idmap_main(id_kind kind, int argc, char **argv) {
        const idmap_tool *t = &tools[kind];
        struct rlimit rl;

        log_set_program(t->name);
        /* A caller whose stderr is a pipe nobody reads must still get exit
         * status 1 for a refusal, not a death by SIGPIPE. */
        (void) signal(SIGPIPE, SIG_IGN);
        if (ensure_stdio_open() < 0)
                return 1;
        /* A caller-chosen tiny stack would make the helper die of SIGSEGV
         * somewhere in its checks, without a word: refuse it up front. */
        if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur < IDMAP_MIN_STACK) {
                log_error("the stack size limit (%llu KiB) is too small; at least %d KiB is needed",
                          (unsigned long long) rl.rlim_cur / 1024, IDMAP_MIN_STACK / 1024);
                return 1;
        }
        return idmap_run(t, kind, argc, argv);
}
