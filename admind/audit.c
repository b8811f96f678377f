/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's audit records (docs/protocol.md, "Audit"). The kernel
 * stamps a userspace record with the loginuid of the process that sends
 * it, so a record is sent by a short-lived child that first takes the
 * requester's loginuid:
 * writing /proc/self/loginuid needs no privilege while it is unset (as for
 * every systemd service), and CAP_AUDIT_CONTROL otherwise, unless
 * loginuid_immutable forbids it. When it cannot, the record goes out with
 * the daemon's own auid and sauid= still names the requester. */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <libaudit.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/grow.h"
#include "../common/log.h"
#include "../common/parse.h"
#include "../common/proto.h"
#include "../policy/lookup.h"
#include "handle_args.h"

/* How long a request waits for its records to be accepted by the kernel
 * (normally well under a millisecond each): long enough for a burst of a
 * bulk operation, short enough that a stuck audit backlog cannot stall the
 * daemon. Records not accepted by then are written to the daemon's log. */
#define AUDIT_WAIT_BASE_MS 1000
#define AUDIT_WAIT_PER_RECORD_MS 1
/* The longest reason kept (a daemon error message is one line). */
#define AUDIT_MAX_REASON 512

/* Exit status bits of the sending child. */
enum {
        SENT_UNSTAMPED = 1, /* the loginuid could not be set: the daemon's auid */
        SENT_NO_AUDIT = 2,  /* no audit socket */
        SENT_FAILED = 4,    /* the kernel refused a record */
};

static struct {
        bool unsupported;
        uint32_t own_loginuid;
        bool warned_unstamped;
} audit_state = { .own_loginuid = AUDIT_LOGINUID_UNSET };

/* ---- building an event --------------------------------------------------- */

static audit_record *record(audit_event *ev, size_t i) {
        return ev && i < ev->n ? &ev->records[i] : NULL;
}

static void set_string(audit_event *ev, char **field, const char *value) {
        char *copy = value ? strdup(value) : NULL;

        if (value && !copy) {
                ev->incomplete = true;
                return;
        }
        free(*field);
        *field = copy;
}

/* Each setter applies to a record and all its continuations. */
#define FOR_CHAIN(ev, i, r) for (audit_record *r = record(ev, i); r; r = r->next ? record(ev, r->next) : NULL)

void audit_set_acct(audit_event *ev, size_t i, const char *name) {
        FOR_CHAIN (ev, i, r)
                set_string(ev, &r->acct, name);
}

void audit_set_grp(audit_event *ev, size_t i, const char *name) {
        FOR_CHAIN (ev, i, r)
                set_string(ev, &r->grp, name);
}

void audit_set_oldacct(audit_event *ev, size_t i, const char *name) {
        FOR_CHAIN (ev, i, r)
                set_string(ev, &r->oldacct, name);
}

void audit_set_req(audit_event *ev, size_t i, int64_t id) {
        FOR_CHAIN (ev, i, r)
                r->req = id;
}

void audit_set_failed(audit_event *ev, size_t i, const char *reason) {
        FOR_CHAIN (ev, i, r) {
                r->failed = true;
                set_string(ev, &r->reason, reason);
        }
}

void audit_clear_ranges(audit_event *ev, size_t i) {
        FOR_CHAIN (ev, i, r)
                for (id_kind k = ID_KIND_UID; k <= ID_KIND_GID; k++) {
                        free(r->ranges[k]);
                        r->ranges[k] = NULL;
                        r->n_ranges[k] = 0;
                }
}

static int new_record(audit_event *ev, const char *op, size_t *ret) {
        if (GROW(ev->records, ev->n, ev->cap) < 0) {
                ev->incomplete = true;
                return -ENOMEM;
        }
        ev->records[ev->n] = (audit_record) { .op = op };
        *ret = ev->n++;
        return 0;
}

size_t audit_add_record(audit_event *ev, const char *op) {
        size_t i;

        return !ev || new_record(ev, op, &i) < 0 ? 0 : i;
}

/* A record like i without ranges, chained after i's last continuation. */
static int continue_record(audit_event *ev, size_t i, size_t *ret) {
        size_t last = i, n;

        while (ev->records[last].next)
                last = ev->records[last].next;
        if (new_record(ev, ev->records[i].op, &n) < 0)
                return -ENOMEM;
        audit_record *head = &ev->records[i], *c = &ev->records[n];
        set_string(ev, &c->acct, head->acct);
        set_string(ev, &c->grp, head->grp);
        set_string(ev, &c->oldacct, head->oldacct);
        set_string(ev, &c->reason, head->reason);
        c->req = head->req;
        c->failed = head->failed;
        ev->records[last].next = n;
        *ret = n;
        return 0;
}

void audit_add_range(audit_event *ev, size_t i, id_kind kind, const id_range *range) {
        audit_record *r = record(ev, i);
        char item[32], *joined;
        size_t at = i;

        if (!r)
                return;
        /* The first record of the chain with room for one more. */
        while (r->n_ranges[kind] >= AUDIT_MAX_RANGES && r->next) {
                at = r->next;
                r = record(ev, at);
        }
        if (r->n_ranges[kind] >= AUDIT_MAX_RANGES) {
                if (continue_record(ev, i, &at) < 0)
                        return;
                r = record(ev, at);
        }
        snprintf(item, sizeof item, "%s%u-%u", r->ranges[kind] ? "," : "", range->first, range_last(range));
        if (asprintf(&joined, "%s%s", r->ranges[kind] ? r->ranges[kind] : "", item) < 0) {
                ev->incomplete = true;
                return;
        }
        free(r->ranges[kind]);
        r->ranges[kind] = joined;
        r->n_ranges[kind]++;
}

/* A client-supplied string worth recording: the same bound as the
 * handlers' (a longer one is refused by them, and then recorded as "?"). */
static const char *arg_string(json_object *args, const char *key) {
        const char *s;

        if (proto_get_string(args, key, ARGS_MAX_NAME, &s) < 0 || s[0] == '\0')
                return NULL;
        return s;
}

static void prefill_range(audit_event *ev, json_object *args, const char *key, id_kind kind) {
        json_object *v;
        id_range range;

        if (json_object_object_get_ex(args, key, &v) && json_object_is_type(v, json_type_object) &&
            proto_get_u32(v, "first", ID_MAX, &range.first) >= 0 &&
            proto_get_u32(v, "count", UINT32_MAX, &range.count) >= 0 && range_is_valid(&range))
                audit_add_range(ev, 0, kind, &range);
}

void audit_event_begin(audit_event *ev, const char *op, json_object *args, bool args_user) {
        const char *kind_text;
        id_range range;
        id_kind kind;
        uint32_t id;
        size_t i;

        *ev = (audit_event) {};
        if (new_record(ev, op, &i) < 0)
                return;
        if (!args)
                return;
        if (args_user)
                audit_set_acct(ev, 0, arg_string(args, "user"));
        audit_set_grp(ev, 0, arg_string(args, "group"));
        if (proto_get_u32(args, "id", UINT32_MAX, &id) >= 0 && id > 0)
                audit_set_req(ev, 0, id);
        prefill_range(ev, args, "subuids", ID_KIND_UID);
        prefill_range(ev, args, "subgids", ID_KIND_GID);
        /* quarantine-release names its range as kind, first, count. */
        kind_text = arg_string(args, "kind");
        if (kind_text && id_kind_from_string(kind_text, &kind) >= 0 &&
            proto_get_u32(args, "first", ID_MAX, &range.first) >= 0 &&
            proto_get_u32(args, "count", UINT32_MAX, &range.count) >= 0 && range_is_valid(&range))
                audit_add_range(ev, 0, kind, &range);
}

void audit_event_done(audit_event *ev) {
        for (size_t i = 0; i < ev->n; i++) {
                audit_record *r = &ev->records[i];

                free(r->acct);
                free(r->ranges[ID_KIND_UID]);
                free(r->ranges[ID_KIND_GID]);
                free(r->grp);
                free(r->oldacct);
                free(r->reason);
        }
        free(ev->records);
        *ev = (audit_event) {};
}

/* ---- the message text ------------------------------------------------------ */

/* name="value", or name=HEX when value has spaces, quotes or control
 * characters (what ausearch -i decodes). */
static int put_nv(FILE *f, const char *name, const char *value) {
        _cleanup_free_ char *nv = audit_encode_nv_string(name, value, 0);

        if (!nv)
                return -ENOMEM;
        return fprintf(f, " %s", nv) < 0 ? -ENOMEM : 0;
}

int audit_format(const audit_record *rec, uint32_t sauid, int result, const char *reason, char **ret) {
        _cleanup_free_ char *buf = NULL;
        char cut[AUDIT_MAX_REASON + 1];
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        r = fprintf(f, "op=%s", rec->op) < 0 ? -ENOMEM : 0;
        if (r >= 0)
                r = put_nv(f, "acct", rec->acct ? rec->acct : "?");
        if (r >= 0 && rec->ranges[ID_KIND_UID])
                r = fprintf(f, " subuids=%s", rec->ranges[ID_KIND_UID]) < 0 ? -ENOMEM : 0;
        if (r >= 0 && rec->ranges[ID_KIND_GID])
                r = fprintf(f, " subgids=%s", rec->ranges[ID_KIND_GID]) < 0 ? -ENOMEM : 0;
        if (r >= 0 && rec->grp)
                r = put_nv(f, "grp", rec->grp);
        if (r >= 0 && rec->oldacct)
                r = put_nv(f, "oldacct", rec->oldacct);
        if (r >= 0 && rec->req > 0)
                r = fprintf(f, " req=%lld", (long long) rec->req) < 0 ? -ENOMEM : 0;
        if (r >= 0)
                r = fprintf(f, " sauid=%u", sauid) < 0 ? -ENOMEM : 0;
        if (r >= 0 && (rec->failed ? rec->reason : result < 0 ? reason : NULL)) {
                snprintf(cut, sizeof cut, "%s", rec->failed ? rec->reason : reason);
                r = put_nv(f, "reason", cut[0] ? cut : "?");
        }
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* ---- sending ------------------------------------------------------------------ */

static int read_own_loginuid(uint32_t *ret) {
        _cleanup_close_ int fd = open("/proc/self/loginuid", O_RDONLY | O_CLOEXEC);
        char buf[16];
        uint64_t v;
        ssize_t n;

        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return -EIO;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        if (parse_u64_max(buf, UINT32_MAX, &v) < 0)
                return -EIO;
        *ret = (uint32_t) v;
        return 0;
}

void admind_audit_init(void) {
        int fd = audit_open();

        if (fd < 0) {
                /* No audit in this kernel (or none for us): the daemon works
                 * as before and records nothing. */
                audit_state.unsupported = errno == EINVAL || errno == EPROTONOSUPPORT || errno == EAFNOSUPPORT;
                if (audit_state.unsupported)
                        log_info("the kernel has no audit support: changes are not audited");
        } else
                audit_close(fd);
        if (read_own_loginuid(&audit_state.own_loginuid) < 0)
                audit_state.own_loginuid = AUDIT_LOGINUID_UNSET;
}

static bool set_own_loginuid(uint32_t loginuid) {
        _cleanup_close_ int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
        char text[16];
        int n = snprintf(text, sizeof text, "%u", loginuid);

        return fd >= 0 && write(fd, text, (size_t) n) == n;
}

/* Sends every message (results[i]: success or failed) from this process. */
static int send_messages(char **msgs, const bool *results, size_t n) {
        int fd = audit_open(), status = 0;

        if (fd < 0)
                return SENT_NO_AUDIT;
        for (size_t i = 0; i < n; i++)
                if (audit_log_user_message(fd, AUDIT_USER_MGMT, msgs[i], NULL, NULL, "", results[i] ? 1 : 0) <= 0)
                        status |= SENT_FAILED;
        audit_close(fd);
        return status;
}

static void log_unsent(char **msgs, size_t n, const char *why) {
        for (size_t i = 0; i < n; i++)
                log_error("audit record not written (%s): %s", why, msgs[i]);
}

/* Forks the sender; loginuid NULL: keep the daemon's own. Returns the
 * child's status bits, or -errno when it could not run or was killed. */
static int send_as(const uint32_t *loginuid, char **msgs, const bool *results, size_t n) {
        _cleanup_close_ int pidfd = -1;
        int status, r, wait_ms;
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                int bits = 0;

                if (loginuid && *loginuid != audit_state.own_loginuid && !set_own_loginuid(*loginuid))
                        bits |= SENT_UNSTAMPED;
                _exit(bits | send_messages(msgs, results, n));
        }

        /* Bounded: the kernel may hold a sender while its audit backlog is
         * full (up to backlog_wait_time, a minute by default). */
        wait_ms = AUDIT_WAIT_BASE_MS + (int) (n > 10000 ? 10000 : n) * AUDIT_WAIT_PER_RECORD_MS;
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd >= 0) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };

                do
                        r = poll(&p, 1, wait_ms);
                while (r < 0 && errno == EINTR);
                if (r == 0) {
                        (void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
                        (void) waitpid(pid, &status, 0);
                        return -ETIMEDOUT;
                }
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (!WIFEXITED(status))
                return -EIO;
        return WEXITSTATUS(status);
}

static void deliver(const uint32_t *loginuid, char **msgs, const bool *results, size_t n) {
        int r = send_as(loginuid, msgs, results, n);

        if (r == -EAGAIN || r == -ENOMEM) {
                /* No process to spare: the daemon's own auid, sauid= still
                 * names the requester. */
                r = send_messages(msgs, results, n);
                log_warning("cannot fork the audit sender: records carry subid-admind's own auid");
        }
        if (r == -ETIMEDOUT) {
                log_unsent(msgs, n, "the kernel did not accept it in time; audit backlog full?");
                return;
        }
        if (r < 0) {
                log_unsent(msgs, n, strerror(-r));
                return;
        }
        if ((r & SENT_UNSTAMPED) && !audit_state.warned_unstamped) {
                audit_state.warned_unstamped = true;
                log_warning("cannot give audit records the requester's loginuid (subid-admind's own loginuid is "
                            "set and immutable, or CAP_AUDIT_CONTROL is missing): they carry subid-admind's auid, "
                            "and the requester's loginuid only in sauid=");
        }
        if (r & SENT_NO_AUDIT)
                log_unsent(msgs, n, "cannot open the audit socket");
        else if (r & SENT_FAILED)
                log_error("the kernel refused an audit record of %zu", n);
}

static void free_messages(char **msgs, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(msgs[i]);
        free(msgs);
}

/* Records 0 and its continuations carry the request's own result. */
static bool is_main(const audit_event *ev, size_t i) {
        for (size_t at = 0;; at = ev->records[at].next) {
                if (at == i)
                        return true;
                if (!ev->records[at].next)
                        return false;
        }
}

static void audit_send_event(const audit_event *ev, const uint32_t *loginuid, uint32_t sauid, int result,
                             const char *reason) {
        char **msgs;
        bool *results;
        size_t n = 0;

        if (audit_state.unsupported || ev->skip || ev->n == 0)
                return;
        if (ev->incomplete)
                log_error("out of memory while recording '%s' for the audit trail: details may be missing",
                          ev->records[0].op);
        msgs = calloc(ev->n, sizeof *msgs);
        results = calloc(ev->n, sizeof *results);
        if (!msgs || !results) {
                free(msgs);
                free(results);
                log_error("out of memory: no audit record for '%s'", ev->records[0].op);
                return;
        }
        for (size_t i = 0; i < ev->n; i++) {
                bool main_record = is_main(ev, i);

                if (audit_format(&ev->records[i], sauid, main_record ? result : 0, reason, &msgs[n]) < 0) {
                        log_error("out of memory: an audit record for '%s' is missing", ev->records[i].op);
                        continue;
                }
                results[n++] = (!main_record || result >= 0) && !ev->records[i].failed;
        }
        deliver(loginuid, msgs, results, n);
        free_messages(msgs, n);
        free(results);
}

void admind_audit(const audit_event *ev, const uint32_t *loginuid, int result, const char *reason) {
        audit_send_event(ev, loginuid, loginuid ? *loginuid : AUDIT_LOGINUID_UNSET, result, reason);
}

void audit_event_auto(audit_event *ev, const char *op, const char *acct, id_kind kind, const id_range *range,
                      const char *grp) {
        audit_event_begin(ev, op, NULL, false);
        audit_set_acct(ev, 0, acct);
        if (range)
                audit_add_range(ev, 0, kind, range);
        audit_set_grp(ev, 0, grp);
}

void admind_audit_auto(const char *op, const char *acct, id_kind kind, const id_range *range, const char *grp,
                       int result, const char *reason) {
        audit_event ev;

        audit_event_auto(&ev, op, acct, kind, range, grp);
        audit_send_event(&ev, NULL, AUDIT_LOGINUID_UNSET, result, reason);
        audit_event_done(&ev);
}

static const char *sync_action_op(sync_action_type type) {
        switch (type) {
        case SYNC_RENAME:
                return "auto-rename";
        case SYNC_RENUMBER:
                return "auto-renumber";
        case SYNC_QUARANTINE:
                return "auto-quarantine";
        case SYNC_REMOVE_DELEGATION:
                return "auto-revoke";
        case SYNC_ALLOCATE:
                return "auto-allocate";
        }
        return "auto-unknown";
}

static void fill_sync_action(audit_event *ev, size_t rec, const sync_action *a) {
        audit_set_acct(ev, rec, a->type == SYNC_RENAME ? a->new_name : a->name);
        if (a->type == SYNC_RENAME)
                audit_set_oldacct(ev, rec, a->name);
        if (a->type == SYNC_QUARANTINE || a->type == SYNC_ALLOCATE)
                audit_add_range(ev, rec, a->kind, &a->range);
        if (a->type == SYNC_REMOVE_DELEGATION)
                audit_set_grp(ev, rec, a->group_name);
}

void audit_add_sync_actions(audit_event *ev, const sync_action *actions, size_t n) {
        for (size_t i = 0; i < n; i++) {
                size_t rec = audit_add_record(ev, sync_action_op(actions[i].type));

                if (rec == 0)
                        return;
                fill_sync_action(ev, rec, &actions[i]);
        }
}

void admind_audit_sync_actions(const sync_action *actions, size_t n) {
        audit_event ev;

        if (n == 0)
                return;
        /* One event, so one sender for a whole batch (a first start may
         * allocate for thousands of accounts). */
        audit_event_begin(&ev, sync_action_op(actions[0].type), NULL, false);
        fill_sync_action(&ev, 0, &actions[0]);
        audit_add_sync_actions(&ev, actions + 1, n - 1);
        audit_send_event(&ev, NULL, AUDIT_LOGINUID_UNSET, 0, NULL);
        audit_event_done(&ev);
}
