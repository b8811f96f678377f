/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli/log_event.c: which audit records `subidctl log` shows and what it
 * reads from them, fed to libauparse from a buffer as the log holds them
 * (ENRICHED format: the interpretations after a 0x1d). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "../cli/log_event.h"

#define GS "\x1d"

typedef struct event_case {
        const char *record;
        int r;               /* 1: a subid event, 0: left out */
        const char *op, *tpid, *map, *setgroups, *acct, *grp, *req, *sauid, *reason, *auid_name;
        bool success, auid_set, helper;
        uint32_t auid, uid, pid;
        const char *rule;
} event_case;

static const event_case cases[] = {
        { "type=CHUSER_ID msg=audit(1795619045.120:42): pid=200 uid=3999999001 auid=3999999001 ses=3 msg='op=newuidmap tpid=201 "
          "map=\"0:3999999001:1,1:100000:65536\" exe=\"/usr/bin/newuidmap\" hostname=? addr=? terminal=? res=success'" GS
          "UID=\"alice\" " "AUID=\"alice\"\n",
          1, "newuidmap", "201", "0:3999999001:1,1:100000:65536", NULL, NULL, NULL, NULL, NULL, NULL, "alice", true, true,
          true, 3999999001, 3999999001, 200, "an allowed newuidmap run, name from the enriched log" },
        { "type=CHGRP_ID msg=audit(1795619045.120:43): pid=200 uid=3999999001 auid=3999999001 ses=3 msg='op=newgidmap tpid=201 "
          "map=\"0:0:1\" setgroups=deny reason=6E6F7420616C6C6F776564 exe=\"/usr/bin/newgidmap\" hostname=? addr=? "
          "terminal=? res=failed'" GS "UID=\"alice\" " "AUID=\"alice\"\n",
          1, "newgidmap", "201", "0:0:1", "deny", NULL, NULL, NULL, NULL, "not allowed", "alice", false, true, true,
          3999999001, 3999999001, 200, "a refused newgidmap run: hex reason decoded, setgroups" },
        { "type=CHUSER_ID msg=audit(1795619045.120:44): pid=200 uid=3999999001 auid=4294967295 ses=4294967295 "
          "msg='op=newuidmap tpid=? map=? reason=\"usage\" exe=\"/opt/x/bin/newuidmap\" hostname=? addr=? terminal=? "
          "res=failed'" GS "UID=\"alice\" " "AUID=\"unset\"\n",
          1, "newuidmap", NULL, NULL, NULL, NULL, NULL, NULL, NULL, "usage", NULL, false, false, true, 0, 3999999001, 200,
          "no loginuid: auid unset; ? is no value; any prefix of the exe path" },
        { "type=CHGRP_ID msg=audit(1795619045.120:45): pid=300 uid=0 auid=3999999001 ses=3 msg='op=changing-group "
          "grp=\"x\" exe=\"/usr/sbin/groupmod\" hostname=? addr=? terminal=pts/0 res=success'\n",
          0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, false, false, 0, 0, 0,
          "another program's CHGRP_ID (groupmod) is left out" },
        { "type=CHUSER_ID msg=audit(1795619045.120:46): pid=300 uid=0 auid=3999999001 ses=3 msg='op=newuidmap tpid=1 "
          "map=\"0:0:1\" exe=\"/tmp/newuidmap-evil\" hostname=? addr=? terminal=? res=success'\n",
          0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, false, false, 0, 0, 0,
          "a CHUSER_ID from an exe not named newuidmap is left out" },
        { "type=USER_MGMT msg=audit(1795619045.120:47): pid=99 uid=0 auid=3999999002 ses=5 msg='op=approve acct=\"alice\" "
          "grp=\"rfriends\" req=7 sauid=3999999002 exe=\"/usr/sbin/subid-admind\" hostname=? addr=? terminal=? res=success'" GS
          "UID=\"root\" " "AUID=\"bob\"\n",
          1, "approve", NULL, NULL, NULL, "alice", "rfriends", "7", "3999999002", NULL, "bob", true, true, false, 3999999002, 0,
          99, "subid-admind's approve, the requester as auid" },
        { "type=USER_MGMT msg=audit(1795619045.120:48): pid=99 uid=0 auid=3999999002 ses=5 msg='op=grant "
          "acct=616C69636520626F62 subuids=100000-165535 sauid=3999999002 reason=\"x\" exe=\"/usr/sbin/subid-admind\" "
          "hostname=? addr=? terminal=? res=failed'\n",
          1, "grant", NULL, NULL, NULL, "alice bob", NULL, NULL, "3999999002", "x", NULL, false, true, false, 3999999002, 0, 99,
          "a hex-encoded account name is decoded" },
        { "type=USER_MGMT msg=audit(1795619045.120:49): pid=99 uid=0 auid=3999999002 ses=5 msg='op=add-user acct=\"alice\" "
          "sauid=3999999002 exe=\"/usr/sbin/useradd\" hostname=? addr=? terminal=? res=success'\n",
          0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, false, false, 0, 0, 0,
          "a USER_MGMT op that is not subid-admind's is left out" },
        { "type=USER_MGMT msg=audit(1795619045.120:50): pid=99 uid=0 auid=3999999002 ses=5 msg='op=grant acct=\"alice\" "
          "exe=\"/usr/sbin/x\" hostname=? addr=? terminal=? res=success'\n",
          0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, false, false, 0, 0, 0,
          "a USER_MGMT without admind's sauid= is left out" },
        { "type=CHUSER_ID msg=audit(1795619045.120:51): pid=200 uid=3999999001 auid=3999999001 ses=3 msg='op=newuidmap tpid=5 "
          "map=\"0:1:1\" auid=0 uid=0 exe=\"/usr/bin/newuidmap\" hostname=? addr=? terminal=? res=success'\n",
          1, "newuidmap", "5", "0:1:1", NULL, NULL, NULL, NULL, NULL, NULL, NULL, true, true, true, 3999999001, 3999999001, 200,
          "a second auid=/uid= inside the message never replaces the kernel's" },
        { "type=CHUSER_ID msg=audit(1795619045.120:52): pid=200 uid=3999999001 auid=3999999001 ses=3 msg='op=newuidmap tpid=5 "
          "map=\"0:1:1\" reason=410A1B5B324A exe=\"/usr/bin/newuidmap\" hostname=? addr=? terminal=? res=failed'\n",
          1, "newuidmap", "5", "0:1:1", NULL, NULL, NULL, NULL, NULL, "A??[2J", NULL, false, true, true, 3999999001, 3999999001,
          200, "control characters in a decoded reason never reach the terminal" },
        { "type=SYSCALL msg=audit(1795619045.120:53): arch=c000003e syscall=59 success=yes exit=0 pid=1 uid=0 "
          "auid=3999999001 ses=3 comm=\"newuidmap\" exe=\"/usr/bin/newuidmap\" key=(null)\n",
          0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, false, false, 0, 0, 0,
          "a kernel record of the helper is not one of its events" },
};

static bool same(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int check_case(size_t i, const event_case *c) {
        auparse_state_t *au = auparse_init(AUSOURCE_BUFFER, c->record);
        log_event e;
        int r, bad = 0;

        assert_non_null(au);
        assert_true(auparse_next_event(au) > 0);
        assert_true(auparse_first_record(au) > 0);
        r = log_event_from_record(au, &e);
        if (r != c->r) {
                print_error("row %zu: returned %d, expected %d: %s\n", i, r, c->r, c->rule);
                auparse_destroy(au);
                if (r > 0)
                        log_event_clear(&e);
                return 1;
        }
        if (r > 0) {
#define FIELD(f)                                                                                                \
        if (!same(e.f, c->f)) {                                                                                 \
                print_error("row %zu: " #f " is '%s', expected '%s': %s\n", i, e.f ? e.f : "(null)",            \
                            c->f ? c->f : "(null)", c->rule);                                                   \
                bad = 1;                                                                                        \
        }
                FIELD(op) FIELD(tpid) FIELD(map) FIELD(setgroups) FIELD(acct) FIELD(grp) FIELD(req) FIELD(sauid)
                FIELD(reason) FIELD(auid_name)
#undef FIELD
                if (e.success != c->success || e.auid_set != c->auid_set || e.helper != c->helper ||
                    (c->auid_set && e.auid != c->auid) || e.uid != c->uid || e.pid != c->pid ||
                    e.sec != 1795619045 || e.msec != 120) {
                        print_error("row %zu: success %d auid %d/%u uid %u pid %u helper %d time %lld.%u: %s\n", i,
                                    e.success, e.auid_set, e.auid, e.uid, e.pid, e.helper, (long long) e.sec,
                                    e.msec, c->rule);
                        bad = 1;
                }
                log_event_clear(&e);
        }
        auparse_destroy(au);
        return bad;
}

static void test_records(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                failures += check_case(i, &cases[i]);
        assert_int_equal(failures, 0);
}

typedef struct decode_case {
        const char *raw;
        bool encoded;
        int r;
        const char *want;
        const char *rule;
} decode_case;

static const decode_case decodes[] = {
        { "\"plain\"", true, 0, "plain", "quoted: the quotes go" },
        { "6E6F7420616C6C6F776564", true, 0, "not allowed", "hex, upper case, as libaudit writes it" },
        { "6e6f74", true, 0, "not", "hex, lower case" },
        { "?", true, 0, NULL, "? is no value" },
        { "", true, 0, NULL, "empty is no value" },
        { "1234", false, 0, "1234", "a plain field's even-length number is not hex" },
        { "100000-165535", false, 0, "100000-165535", "a range" },
        { "ABC", true, -EBADMSG, NULL, "odd-length hex" },
        { "zz", true, -EBADMSG, NULL, "not hex" },
        { "410041", true, 0, "A?A", "a NUL inside does not cut the text" },
        { "\"a\tb\"", true, 0, "a?b", "a control character inside quotes" },
};

static void test_decode(void **state) {
        int failures = 0;

        for (size_t i = 0; i < ELEMENTSOF(decodes); i++) {
                const decode_case *c = &decodes[i];
                _cleanup_free_ char *out = NULL;
                int r = log_value_decode(c->raw, c->encoded, &out);

                if (r != c->r || !same(out, c->want)) {
                        print_error("row %zu: returned %d '%s', expected %d '%s': %s\n", i, r, out ? out : "(null)",
                                    c->r, c->want ? c->want : "(null)", c->rule);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

static void test_admind_ops(void **state) {
        /* The contract of docs/audit.md, every op admind writes. */
        const char *ops[] = { "grant",      "revoke",        "request",         "approve",    "reject",
                              "import",     "sync",          "group-allow",     "group-deny", "quarantine-release",
                              "auto-allocate", "auto-quarantine", "auto-rename" };

        for (size_t i = 0; i < ELEMENTSOF(ops); i++)
                assert_true(log_op_is_admind(ops[i]));
        assert_false(log_op_is_admind("add-user"));
        assert_false(log_op_is_admind("newuidmap"));
        assert_false(log_op_is_admind("Grant"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_records),
                cmocka_unit_test(test_decode),
                cmocka_unit_test(test_admind_ops),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
