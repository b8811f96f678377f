#!/usr/bin/env python3
# Writes the seed corpora tests/fuzz/corpus/<target>/ (run once; the files
# are committed). Seeds are the tricky inputs of the unit tests and of
# tests/integration/differential.cases, one meaningful case a file.
import os, sys

HERE = os.path.dirname(os.path.abspath(__file__))

def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

# ---- mapargs: argv after the target, NUL-separated ------------------------
def argv(*a):
    return "\0".join(a)

ext = lambda n: argv(*[w for i in range(n) for w in (str(i), str(50000 + i), "1")])
mapargs = {
    "single": argv("0", "200000", "1000"),
    "chain": argv("0", "200000", "10", "10", "200010", "10"),
    "three": argv("0", "200000", "1000", "1000", "205000", "1000", "2000", "1001", "1"),
    "self": argv("0", "1001", "1"),
    "empty": "",
    "two-args": argv("0", "200000"),
    "four-args": argv("0", "200000", "1", "5"),
    "plus-sign": argv("0", "+200000", "1"),
    "minus": argv("-1", "200000", "1"),
    "leading-zero": argv("0", "0200000", "1"),
    "octal-upper": argv("010", "200000", "1"),
    "eight": argv("08", "200000", "1"),
    "hex": argv("0", "0x30d40", "1"),
    "space-before": argv("0", "200000", " 1"),
    "space-after": argv("0", "200000", "1 "),
    "empty-arg": argv("0", "", "1"),
    "count-zero": argv("0", "200000", "0"),
    "count-max": argv("0", "200000", "4294967295"),
    "u64-wrap": argv("0", "200000", "18446744073709551615"),
    "u64-plus-2": argv("0", "18446744073709551617", "1"),
    "id-invalid": argv("0", "4294967295", "1"),
    "id-2to32": argv("0", "4294967296", "1"),
    "upper-last": argv("4294967294", "200000", "1"),
    "upper-overflow": argv("4294967294", "200000", "2"),
    "lower-overflow-cve-2016-6252": argv("0", "201000", "4294766296"),
    "overlap-upper": argv("0", "200000", "10", "5", "200100", "10"),
    "overlap-lower": argv("0", "200000", "10", "100", "200005", "10"),
    "host-root": argv("0", "0", "1"),
    "letters": argv("0", "2ooooo", "1"),
    "newline-in-arg": argv("0", "2000\n00", "1"),
    "escape-in-arg": argv("0", "\x1b[31m", "1"),
    "ext340": ext(340),
    "ext341": ext(341),
}
for k, v in mapargs.items():
    write("mapargs", k, v)

# ---- authorize: subject and request as text --------------------------------
ana = "self 1001\nheld 200000 1000\nheld 201000 1000\nheld 205000 1000\n"
authorize = {
    "u01-single": ana + "map 0 200000 1000\n",
    "u02-chain": ana + "map 0 200000 2000\n",
    "u04-across-chain": ana + "map 0 200500 1000\n",
    "u05-off-chain": ana + "map 0 201500 1000\n",
    "u07-gap": ana + "map 0 200000 6000\n",
    "u10-three": ana + "map 0 200000 1000 1000 205000 1000 2000 1001 1\n",
    "u14-self": ana + "map 0 1001 1\n",
    "u15-self-two": ana + "map 0 1001 2\n",
    "host-root-held": "self 1001\nheld 0 65536\nmap 0 0 1\n",
    "host-root-as-root": "root\nself 0\nheld 0 65536\nmap 0 0 65536\n",
    "root-self": "root\nself 0\nmap 0 0 1\n",
    "delegated-member": "self 1001\nmember 2000\nmap 0 1001 1 1 2000 1\n",
    "delegated-left": "self 1001\nnonmember 2000\nmap 0 2000 1\n",
    "delegated-count-two": "self 1001\nmember 2000\nmap 0 2000 2\n",
    "overlapping-held": "self 1001\nheld 100000 65536\nheld 150000 65536\nmap 0 100000 115536\n",
    "top-of-space": "self 1001\nheld 4294901759 65536\nmap 0 4294901759 65536\n",
    "unsorted": "self 1001\nheld 300 10\nheld 100 100\nheld 200 100\nmap 0 100 210\n",
    "no-held": "self 1001\nmap 0 200000 1\n",
}
for k, v in authorize.items():
    write("authorize", k, v)

# ---- proto: one message body ------------------------------------------------
proto = {
    "ping": '{"v":1,"op":"ping","args":{}}',
    "whoami": '{"v":1,"op":"whoami","args":{}}',
    "status": '{"v":1,"op":"status","args":{}}',
    "request-group": '{"v":1,"op":"request","args":{"group":"rfriends"}}',
    "request-own": '{"v":1,"op":"request","args":{}}',
    "grant-count": '{"v":1,"op":"grant","args":{"user":"alice","count":65536}}',
    "grant-ranges": '{"v":1,"op":"grant","args":{"user":"alice","subuids":{"first":100000,"count":65536},"subgids":{"first":100000,"count":65536},"force":true}}',
    "grant-range-overflow": '{"v":1,"op":"grant","args":{"user":"alice","subuids":{"first":4294967294,"count":2}}}',
    "revoke": '{"v":1,"op":"revoke","args":{"user":"alice","group":"rfriends"}}',
    "who-owns": '{"v":1,"op":"who-owns","args":{"id":100000,"kind":"uid"}}',
    "import": '{"v":1,"op":"import","args":{"skip_bad":true}}',
    "quarantine-release": '{"v":1,"op":"quarantine-release","args":{"kind":"gid","first":100000,"count":10}}',
    "reject": '{"v":1,"op":"reject","args":{"id":3,"reason":"no"}}',
    "no-version": '{"op":"ping","args":{}}',
    "version-2": '{"v":2,"op":"ping","args":{}}',
    "version-float": '{"v":1.0,"op":"ping","args":{}}',
    "version-string": '{"v":"1","op":"ping","args":{}}',
    "version-negative": '{"v":-1,"op":"ping","args":{}}',
    "version-huge": '{"v":99999999999999999999999,"op":"ping","args":{}}',
    "no-args": '{"v":1,"op":"ping"}',
    "args-array": '{"v":1,"op":"ping","args":[]}',
    "unknown-op": '{"v":1,"op":"\\u001b[2Jgrant","args":{}}',
    "op-nul": '{"v":1,"op":"ping\\u0000x","args":{}}',
    "user-nul": '{"v":1,"op":"status","args":{"user":"ali\\u0000ce"}}',
    "duplicate-key": '{"v":1,"v":2,"op":"ping","args":{}}',
    "trailing": '{"v":1,"op":"ping","args":{}} {}',
    "not-object": '[1,2,3]',
    "deep": '{"a":' * 9 + '1' + '}' * 9,
    "depth-8": '{"v":1,"op":"ping","args":{"a":' + '[' * 6 + ']' * 6 + '}}',
    "bad-utf8": b'{"v":1,"op":"p\xc3\x28ing","args":{}}',
    "lone-surrogate": '{"v":1,"op":"ping","args":{"user":"\\ud800"}}',
    "count-negative": '{"v":1,"op":"grant","args":{"user":"a","count":-1}}',
    "count-bool": '{"v":1,"op":"grant","args":{"user":"a","count":true}}',
    "nul-byte": b'{"v":1,"op":"ping","args":{}}\x00',
    "empty": '',
}
for k, v in proto.items():
    write("proto", k, v)

# ---- import: first byte 0 = subuid, 1 = subgid ------------------------------
imports = {
    "name": "alice:100000:65536\n",
    "numeric-owner": "1001:100000:65536\n",
    "two-fields": "alice:100000\n",
    "four-fields": "alice:1:2:3\n",
    "no-owner": ":100000:65536\n",
    "escape-owner": "al\x1bice:100000:65536\n",
    "space-owner": " alice:100000:65536\n",
    "negative": "alice:-1:65536\n",
    "plus": "alice:+100000:65536\n",
    "space-first": "alice: 100000:65536\n",
    "hex": "alice:0x186a0:65536\n",
    "octal": "alice:0100000:65536\n",
    "empty-first": "alice::65536\n",
    "empty-count": "alice:100000:\n",
    "count-zero": "alice:100000:0\n",
    "crlf": "alice:100000:65536\r\n",
    "invalid-id": "alice:4294967295:1\n",
    "too-big": "alice:99999999999:1\n",
    "overflow": "alice:4294967294:2\n",
    "nul-inside": "alice:1000\x000:1\nbob:200000:10\n",
    "blank-lines": "\n \t\nalice:100000:65536\n\n",
    "no-final-newline": "alice:100000:65536\nbob:200000:65536",
    "host-root": "alice:100000:65536\nbob:0:65536\n",
    "duplicate": "alice:100000:65536\nalice:100000:65536\n",
    "long-line": "a" * 1100 + ":1:1\n",
    "long-owner": "a" * 300 + ":100000:1\n",
}
for k, v in imports.items():
    write("import", "uid-" + k, "0" + v)
write("import", "gid-delegation", "1alice:2000:1\nalice:100000:65536\n")
write("import", "gid-name", "1bob:200000:65536\n")

# ---- config -----------------------------------------------------------------
config = {
    "empty": "",
    "comments": "# c\n\n  sub_uid_count = 1000  \n",
    "crlf": "sub_uid_count = 1000\r\n",
    "self-service": "self_service = yes\n",
    "all-keys": "sub_uid_min = 100000\nsub_uid_max = 600100000\nsub_uid_count = 65536\n"
                "sub_gid_min = 100000\nsub_gid_max = 600100000\nsub_gid_count = 65536\n"
                "auto_uid_min = 1000\nauto_uid_max = 60000\nself_service = false\n",
    "typo": "sub_uid_cuont = 5\n",
    "negative": "sub_uid_count = -5\n",
    "hex": "sub_uid_count = 0x10\n",
    "two-numbers": "sub_uid_count = 1 0\n",
    "zero": "sub_uid_count = 0\n",
    "twice": "sub_uid_min = 200000\nsub_uid_min = 300000\n",
    "pool-at-zero": "sub_uid_min = 0\n",
    "min-above-max": "sub_gid_min = 700000000\n",
    "does-not-fit": "sub_uid_min = 100000\nsub_uid_max = 100009\nsub_uid_count = 11\n",
    "auto-reversed": "auto_uid_min = 5000\nauto_uid_max = 10\n",
    "maybe": "self_service = maybe\n",
    "no-equals": "no equals sign\n",
    "top": "sub_uid_min = 4294901759\nsub_uid_max = 4294967294\n",
    "invalid-id": "sub_uid_max = 4294967295\n",
    "nul": "sub_uid_count = 5\0junk\n",
    "long-line": "# " + "x" * 600 + "\n",
    "no-final-newline": "sub_gid_count = 1000",
    "empty-value": "sub_gid_count =\n",
    "two-equals": "sub_gid_count = = 5\n",
}
for k, v in config.items():
    write("config", k, v)
