/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admind/audit.c: the text of subid-admind's AUDIT_USER_MGMT records
 * (docs/protocol.md, "Audit"), the contract `subidctl log` and ausearch
 * read. Each row builds an event the way dispatch and a handler do and
 * checks every record's message exactly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../admind/audit.h"

typedef struct audit_case {
        const char *rule;
        const char *op;
        const char *args;   /* the request's args, NULL: none */
        bool args_user;     /* an admin op: "user" names the target */
        void (*handler)(audit_event *ev);
        uint32_t sauid;
        int result;
        const char *reason; /* the request's error message */
        const char *expected[4];
} audit_case;

static void resolved_pool_grant(audit_event *ev) {
        audit_set_acct(ev, 0, "alice");
        audit_add_range(ev, 0, ID_KIND_UID, &(id_range) { 100000, 65536 });
        audit_add_range(ev, 0, ID_KIND_GID, &(id_range) { 100000, 65536 });
}

static void revoke_two_delegations(audit_event *ev) {
        size_t rec;

        audit_clear_ranges(ev, 0);
        audit_add_range(ev, 0, ID_KIND_UID, &(id_range) { 100000, 10 });
        audit_add_range(ev, 0, ID_KIND_UID, &(id_range) { 200000, 10 });
        audit_set_grp(ev, 0, "rfriends");
        rec = audit_add_record(ev, "revoke");
        audit_set_acct(ev, rec, "alice");
        audit_set_grp(ev, rec, "other");
}

static void approved_request(audit_event *ev) {
        audit_set_acct(ev, 0, "bob");
        audit_set_grp(ev, 0, "rfriends");
}

static void sync_actions(audit_event *ev) {
        size_t a = audit_add_record(ev, "auto-allocate"), b = audit_add_record(ev, "auto-rename");

        audit_set_acct(ev, a, "carol");
        audit_add_range(ev, a, ID_KIND_GID, &(id_range) { 165536, 65536 });
        audit_set_acct(ev, b, "dave2");
        audit_set_oldacct(ev, b, "dave");
}

static void import_refused(audit_event *ev) {
        size_t rec = audit_add_record(ev, "import");

        audit_set_acct(ev, rec, "erin");
        audit_add_range(ev, rec, ID_KIND_UID, &(id_range) { 300000, 5 });
        audit_set_failed(ev, 0, "2 entries refused, nothing imported");
}

static void own_request(audit_event *ev) {
        audit_set_acct(ev, 0, "frank");
}

static const audit_case cases[] = {
        /* A pool grant: the target as resolved, the ranges it got, the
         * requester's loginuid as sauid, no reason on success. */
        { "pool grant", "grant", "{\"user\":\"1001\"}", true, resolved_pool_grant, 1000, 0, NULL,
          { "op=grant acct=\"alice\" subuids=100000-165535 subgids=100000-165535 sauid=1000" } },
        /* An explicit grant refused before any handler ran (EPERM): target
         * and ranges come from args, the reason is the error message,
         * hex-encoded because it has spaces. */
        { "refused explicit grant names its target", "grant",
          "{\"user\":\"alice\",\"subuids\":{\"first\":100000,\"count\":10}}", true, NULL, 1002, -EPERM, "no way",
          { "op=grant acct=\"alice\" subuids=100000-100009 sauid=1002 reason=6E6F20776179" } },
        /* A user op ignores args "user" (the protocol does): the record must
         * not name someone the client made up. */
        { "request ignores args user", "request", "{\"user\":\"root\"}", false, own_request, 1003, 0, NULL,
          { "op=request acct=\"frank\" sauid=1003" } },
        /* Nothing known about the target: acct="?". */
        { "unknown target is ?", "sync", "{}", true, NULL, 0, -ENOMEM, "x",
          { "op=sync acct=\"?\" sauid=0 reason=\"x\"" } },
        /* A name with a space or quote is hex-encoded, as libaudit does. */
        { "odd names are encoded", "grant", "{\"user\":\"a b\",\"group\":\"q\\\"g\"}", true, NULL, 1, -EINVAL, "",
          { "op=grant acct=612062 grp=712267 sauid=1 reason=\"?\"" } },
        /* Several ranges of a kind: one comma-separated list; more
         * delegations: a record each, under the same account. */
        { "revoke lists ranges, a record per group", "revoke", "{\"user\":\"alice\"}", true, revoke_two_delegations,
          1000, 0, NULL,
          { "op=revoke acct=\"alice\" subuids=100000-100009,200000-200009 grp=\"rfriends\" sauid=1000",
            "op=revoke acct=\"alice\" grp=\"other\" sauid=1000" } },
        /* approve: the request id from args, whose and which group from the
         * request itself. */
        { "approve names request, user and group", "approve", "{\"id\":7}", true, approved_request, 1000, 0, NULL,
          { "op=approve acct=\"bob\" grp=\"rfriends\" req=7 sauid=1000" } },
        /* quarantine-release names its range as kind/first/count. */
        { "quarantine-release range", "quarantine-release", "{\"kind\":\"gid\",\"first\":5000,\"count\":2}", true,
          NULL, 1000, 0, NULL, { "op=quarantine-release acct=\"?\" subgids=5000-5001 sauid=1000" } },
        /* A requester that could not be identified: sauid unset. */
        { "unknown requester", "grant", "{\"user\":\"alice\"}", true, NULL, AUDIT_LOGINUID_UNSET, -ESRCH,
          "requesting process has exited",
          { "op=grant acct=\"alice\" sauid=4294967295 reason=72657175657374696E672070726F636573732068617320657869746564" } },
        /* A sync's actions: auto-* records after the sync's own; a rename
         * names the old owner in oldacct=. */
        { "sync actions", "sync", "{}", true, sync_actions, 1000, 0, NULL,
          { "op=sync acct=\"?\" sauid=1000", "op=auto-allocate acct=\"carol\" subgids=165536-231071 sauid=1000",
            "op=auto-rename acct=\"dave2\" oldacct=\"dave\" sauid=1000" } },
        /* A refused part carries its own reason even when the request
         * itself succeeded (import without skip_bad). */
        { "import refused", "import", "{}", true, import_refused, 0, 0, NULL,
          { "op=import acct=\"?\" sauid=0 reason=3220656E747269657320726566757365642C206E6F7468696E6720696D706F72746564",
            "op=import acct=\"erin\" subuids=300000-300004 sauid=0" } },
        /* Out-of-range or mistyped args are not recorded as ranges. */
        { "bad args are not ranges", "grant", "{\"user\":7,\"subuids\":{\"first\":0,\"count\":0},\"id\":\"x\"}", true,
          NULL, 5, -EINVAL, "bad", { "op=grant acct=\"?\" sauid=5 reason=\"bad\"" } },
};

static void test_formats(void **state) {
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
                const audit_case *t = &cases[c];
                json_object *args = t->args ? json_tokener_parse(t->args) : NULL;
                audit_event ev;
                size_t n = 0;

                audit_event_begin(&ev, t->op, args, t->args_user);
                if (t->handler)
                        t->handler(&ev);
                assert_false(ev.incomplete);
                for (size_t i = 0; i < ev.n; i++) {
                        bool main_record = i == 0;
                        char *text = NULL;

                        assert_int_equal(audit_format(&ev.records[i], t->sauid, main_record ? t->result : 0, t->reason,
                                                      &text),
                                         0);
                        if (!t->expected[n] || strcmp(text, t->expected[n]) != 0)
                                fail_msg("%s, record %zu:\n  got      %s\n  expected %s", t->rule, i, text,
                                         t->expected[n] ? t->expected[n] : "(none)");
                        free(text);
                        n++;
                }
                if (t->expected[n])
                        fail_msg("%s: record %zu missing: %s", t->rule, n, t->expected[n]);
                audit_event_done(&ev);
                json_object_put(args);
        }
}

/* More than AUDIT_MAX_RANGES ranges of a kind continue in a record with the
 * same op, account and group, so no message outgrows the kernel's limit. */
static void test_continuation(void **state) {
        audit_event ev;
        char *text = NULL;

        audit_event_begin(&ev, "revoke", NULL, true);
        audit_set_acct(&ev, 0, "alice");
        for (uint32_t i = 0; i < AUDIT_MAX_RANGES + 1; i++)
                audit_add_range(&ev, 0, ID_KIND_UID, &(id_range) { 100000 + 10 * i, 1 });
        audit_set_grp(&ev, 0, "g");
        assert_int_equal(ev.n, 2);
        assert_int_equal(ev.records[0].n_ranges[ID_KIND_UID], AUDIT_MAX_RANGES);
        assert_int_equal(audit_format(&ev.records[1], 1000, 0, NULL, &text), 0);
        assert_string_equal(text, "op=revoke acct=\"alice\" subuids=100640-100640 grp=\"g\" sauid=1000");
        free(text);
        assert_int_equal(audit_format(&ev.records[0], 1000, 0, NULL, &text), 0);
        assert_true(strlen(text) < 2000);
        free(text);
        audit_event_done(&ev);
}

/* An automatic action (useradd/userdel watcher, PAM): acct is the account
 * that caused it, sauid unset — no client asked (docs/protocol.md, "Audit"). */
static void test_auto(void **state) {
        audit_event ev;
        char *text = NULL;

        audit_event_auto(&ev, "auto-allocate", "gina", ID_KIND_UID, &(id_range) { 100000, 65536 }, NULL);
        assert_int_equal(ev.n, 1);
        assert_int_equal(audit_format(&ev.records[0], AUDIT_LOGINUID_UNSET, 0, NULL, &text), 0);
        assert_string_equal(text, "op=auto-allocate acct=\"gina\" subuids=100000-165535 sauid=4294967295");
        free(text);
        audit_event_done(&ev);

        audit_event_auto(&ev, "auto-revoke", "gina", ID_KIND_GID, NULL, "rfriends");
        assert_int_equal(audit_format(&ev.records[0], AUDIT_LOGINUID_UNSET, -EIO, "disk on fire", &text), 0);
        assert_string_equal(text, "op=auto-revoke acct=\"gina\" grp=\"rfriends\" sauid=4294967295 "
                                  "reason=6469736B206F6E2066697265");
        free(text);
        audit_event_done(&ev);
}

/* Handlers of read-only ops run with no event: every setter is a no-op. */
static void test_null_event(void **state) {
        audit_set_acct(NULL, 0, "x");
        audit_set_grp(NULL, 0, "x");
        audit_set_req(NULL, 0, 1);
        audit_add_range(NULL, 0, ID_KIND_UID, &(id_range) { 1, 1 });
        audit_clear_ranges(NULL, 0);
        audit_set_failed(NULL, 0, "x");
        assert_int_equal(audit_add_record(NULL, "grant"), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_formats),
                cmocka_unit_test(test_continuation),
                cmocka_unit_test(test_null_event),
                cmocka_unit_test(test_auto),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
