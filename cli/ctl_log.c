/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subidctl log: the audit trail of subid (docs/audit.md), read locally
 * through libauparse: helper runs and subid-admind changes, one line each. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/parse.h"
#include "ctl_common.h"
#include "log_event.h"
#include "log_time.h"

typedef struct log_filter {
        bool by_user;
        uint32_t user;
        bool by_time;
        time_t since;
} log_filter;

static inline void auparse_destroyp(auparse_state_t **au) {
        if (*au)
                auparse_destroy(*au);
}

static inline void json_object_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}

static int parse_user(const char *s, uint32_t *ret) {
        struct passwd *pw;

        if (parse_id(s, ret) >= 0)
                return 0;
        errno = 0;
        pw = getpwnam(s);
        if (!pw) {
                log_error("log: no such user '%s'", s);
                return -ENOENT;
        }
        *ret = pw->pw_uid;
        return 0;
}

/* --since DATE [HH:MM[:SS]]: like ausearch -ts, the time may follow as
 * the next argument; it is taken when it looks like one. */
static int parse_since(int argc, char **argv, const char *arg, time_t *ret) {
        char both[32];

        if (optind < argc && strchr(argv[optind], ':') && strlen(arg) == 10 &&
            snprintf(both, sizeof both, "%s %s", arg, argv[optind]) < (int) sizeof both &&
            log_time_parse(both, time(NULL), ret) >= 0) {
                optind++;
                return 0;
        }
        if (log_time_parse(arg, time(NULL), ret) < 0) {
                log_error("log: invalid time '%s' for --since: expected today, recent, yesterday, this-week, "
                          "week-ago, this-month, this-year, YYYY-MM-DD [HH:MM[:SS]], HH:MM[:SS] or epoch seconds",
                          arg);
                return -EINVAL;
        }
        return 0;
}

static bool matches(const log_event *e, const log_filter *f) {
        if (f->by_time && e->sec < f->since)
                return false;
        /* The requester (auid); for a helper also the caller's uid, so the
         * runs of a service without a login session are found too. */
        if (f->by_user && !(e->auid_set && e->auid == f->user) && !(e->helper && e->uid_set && e->uid == f->user))
                return false;
        return true;
}

/* Local time, for a person (iso: false) or ISO 8601 with the offset. */
static void format_time(const log_event *e, bool iso, char *buf, size_t size) {
        struct tm tm;
        size_t n = 0;

        if (localtime_r(&e->sec, &tm))
                n = iso ? strftime(buf, size, "%Y-%m-%dT%H:%M:%S%z", &tm) : strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
        if (n == 0)
                snprintf(buf, size, "@%lld", (long long) e->sec);
}

static void print_field(const char *name, const char *value) {
        if (value)
                printf(" %s=%s", name, value);
}

static void print_text(const log_event *e) {
        char when[32];

        format_time(e, false, when, sizeof when);
        printf("%s  ", when);
        if (e->auid_set && e->auid_name)
                printf("%s(%u)", e->auid_name, e->auid);
        else if (e->auid_set)
                printf("%u", e->auid);
        else if (e->uid_set)
                printf("unset(uid %u)", e->uid);
        else
                printf("unset");
        printf("  %s  ", e->op);
        if (e->helper)
                printf("pid %s", e->tpid ? e->tpid : "?");
        else
                printf("user %s", e->acct ? e->acct : "?");
        print_field("map", e->map);
        print_field("setgroups", e->setgroups);
        print_field("subuids", e->subuids);
        print_field("subgids", e->subgids);
        print_field("group", e->grp);
        print_field("request", e->req);
        if (e->success)
                printf("  success\n");
        else
                printf("  failed: %s\n", e->reason ? e->reason : "(no reason recorded)");
}

static int add(json_object *o, const char *key, json_object *v) {
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static json_object *string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

static json_object *id_or_null(bool set, uint32_t id) {
        return set ? json_object_new_int64(id) : NULL;
}

/* A number of the message text, null when absent or not a number. */
static json_object *number_or_null(const char *s) {
        uint64_t v;

        return s && parse_u64_max(s, INT64_MAX, &v) >= 0 ? json_object_new_int64((int64_t) v) : NULL;
}

static int to_json(const log_event *e, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        char when[40];

        if (!o)
                return -ENOMEM;
        format_time(e, true, when, sizeof when);
        if (add(o, "time", json_object_new_string(when)) < 0 || add(o, "epoch", json_object_new_int64(e->sec)) < 0 ||
            add(o, "serial", json_object_new_int64((int64_t) e->serial)) < 0 ||
            add(o, "type", json_object_new_string(e->type)) < 0 || add(o, "op", json_object_new_string(e->op)) < 0 ||
            add(o, "auid", id_or_null(e->auid_set, e->auid)) < 0 || add(o, "user", string_or_null(e->auid_name)) < 0 ||
            add(o, "uid", id_or_null(e->uid_set, e->uid)) < 0 || add(o, "pid", id_or_null(e->pid_set, e->pid)) < 0 ||
            add(o, "result", json_object_new_string(e->success ? "success" : "failed")) < 0 ||
            add(o, "reason", string_or_null(e->reason)) < 0 || add(o, "target_pid", number_or_null(e->tpid)) < 0 ||
            add(o, "map", string_or_null(e->map)) < 0 || add(o, "setgroups", string_or_null(e->setgroups)) < 0 ||
            add(o, "account", string_or_null(e->acct)) < 0 || add(o, "subuids", string_or_null(e->subuids)) < 0 ||
            add(o, "subgids", string_or_null(e->subgids)) < 0 || add(o, "group", string_or_null(e->grp)) < 0 ||
            add(o, "request", number_or_null(e->req)) < 0 || add(o, "sauid", number_or_null(e->sauid)) < 0 ||
            add(o, "exe", string_or_null(e->exe)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

/* auparse_init(AUSOURCE_LOGS) finds the logs through auditd.conf and,
 * when there are none, says "No log file" on stderr itself: that line is
 * kept off the terminal so the error stays the one line below. */
static auparse_state_t *open_system_logs(void) {
        _cleanup_close_ int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        _cleanup_close_ int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        auparse_state_t *au;
        int err;

        if (saved < 0 || null < 0 || dup2(null, STDERR_FILENO) < 0)
                return auparse_init(AUSOURCE_LOGS, NULL);
        au = auparse_init(AUSOURCE_LOGS, NULL);
        err = errno;
        (void) dup2(saved, STDERR_FILENO);
        errno = err;
        return au;
}

/* Every subid event of au that passes f: printed as text, or appended to
 * array when it is not NULL. */
static int scan(auparse_state_t *au, const log_filter *f, json_object *array) {
        int r;

        while ((r = auparse_next_event(au)) > 0) {
                if (auparse_first_record(au) <= 0)
                        continue;
                do {
                        log_event e;
                        json_object *o = NULL;

                        r = log_event_from_record(au, &e);
                        if (r < 0)
                                return log_error_errno(r, "log: cannot read an event");
                        if (r == 0)
                                continue;
                        if (matches(&e, f)) {
                                if (!array)
                                        print_text(&e);
                                else if (to_json(&e, &o) < 0 || json_object_array_add(array, o) < 0) {
                                        json_object_put(o);
                                        log_event_clear(&e);
                                        return log_error_errno(-ENOMEM, "log: cannot build the JSON output");
                                }
                        }
                        log_event_clear(&e);
                } while (auparse_next_record(au) > 0);
        }
        if (r < 0)
                return log_error_errno(-EBADMSG, "log: cannot parse the audit log");
        return 0;
}

int ctl_log(int argc, char **argv) {
        static const struct option options[] = {
                { "user", required_argument, NULL, 'u' },  { "since", required_argument, NULL, 's' },
                { "input", required_argument, NULL, 'i' }, { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },        {},
        };
        _cleanup_(auparse_destroyp) auparse_state_t *au = NULL;
        _cleanup_(json_object_putp) json_object *array = NULL;
        _cleanup_fclose_ FILE *in = NULL;
        log_filter f = {};
        const char *input = NULL;
        bool json = false;
        int opt;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (opt) {
                case 'u':
                        if (parse_user(optarg, &f.user) < 0)
                                return 1;
                        f.by_user = true;
                        break;
                case 's':
                        if (parse_since(argc, argv, optarg, &f.since) < 0)
                                return 1;
                        f.by_time = true;
                        break;
                case 'i':
                        input = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("log", argc, argv, opt);
                }
        if (optind < argc) {
                log_error("log: unexpected argument '%s' (see subidctl --help)", argv[optind]);
                return 1;
        }

        if (input) {
                /* Opened with the caller's own rights: a copy they can read. */
                in = fopen(input, "re");
                if (!in) {
                        log_error_errno(negative_errno(), "log: cannot read %s", input);
                        return 1;
                }
                au = auparse_init(AUSOURCE_FILE_POINTER, in);
                if (au)
                        in = NULL; /* auparse_destroy() closes it */
        } else {
                if (geteuid() != 0) {
                        log_error("log: reading the audit log needs root (or --input FILE, a copy you can read)");
                        return 1;
                }
                au = open_system_logs();
        }
        if (!au) {
                if (!input && errno == ENOENT)
                        log_error("log: there is no audit log to read (is auditd running? see log_file in "
                                  "/etc/audit/auditd.conf)");
                else
                        log_error_errno(negative_errno(), "log: cannot open the audit log");
                return 1;
        }

        if (json) {
                array = json_object_new_array();
                if (!array) {
                        log_error_errno(-ENOMEM, "log: cannot build the JSON output");
                        return 1;
                }
        }
        if (scan(au, &f, array) < 0)
                return 1;
        if (json && ctl_print_json(array) < 0)
                return 1;
        return ctl_flush("log") < 0 ? 1 : 0;
}
