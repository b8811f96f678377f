#!/bin/bash
# subidctl as an admin uses it, against a real subid-admind: grant (explicit
# and from the pool), list, who-owns, revoke into quarantine and back, JSON
# output, who may ask (root, group subidadm), what happens when the daemon
# is down, and a one-line error with nothing changed for every kind of bad
# input.
. "$SRCDIR/tests/integration/lib.sh"

[ -x "$SUBIDCTL" ] || { not_ok "subidctl is installed at $SUBIDCTL"; done_testing; exit 1; }

A=$(make_user ctla) && B=$(make_user ctlb) && C=$(make_user ctlc) && G=$(make_group ctlg) ||
        { not_ok "create test accounts"; done_testing; exit 1; }
# make_user runs in a command substitution, so its own registration for
# removal at exit is lost in the subshell: register here.
at_exit "userdel -f '$A'; userdel -f '$B'; userdel -f '$C'; groupdel '$G'"
uidA=$(id -u "$A") uidB=$(id -u "$B") uidC=$(id -u "$C")
gidG=$(getent group "$G" | cut -d: -f3)
usermod -a -G "$G" "$A"
work=$(mktemp -d /tmp/subid-t-subidctl.XXXXXX)
at_exit "rm -rf '$work'"

# The daemon reads subid.conf when it starts: the defaults (no file) until
# the pool tests write one.
CONF=$CHECK_ROOT/etc/subid/subid.conf
rm -f "$CONF"
at_exit "rm -f '$CONF'"

# An empty database and exported files, served by a freshly started daemon
# (it keeps the database open: removing the file under it would go unseen).
# Temp files a daemon killed mid-export left (t_admind_concurrency does
# that on purpose) go too, so the check that none is left proves this run.
fresh_daemon() {
        stop_admind
        reset_policy
        rm -f "$(dirname "$EXPORT_SUBUID")"/.subuid.* "$(dirname "$EXPORT_SUBGID")"/.subgid.*
        start_admind
}
fresh_daemon || { not_ok "subid-admind starts"; done_testing; exit 1; }

# The database and both exported files, for "nothing changed" checks.
snapshot() {
        sqlite3 "$DB" .dump 2>&1
        echo "--- subuid"
        cat "$EXPORT_SUBUID" 2>&1
        echo "--- subgid"
        cat "$EXPORT_SUBGID" 2>&1
}

# fails_cleanly DESCRIPTION COMMAND...: exit status 1, exactly one line on
# stderr, nothing on stdout, database and exported files unchanged.
fails_cleanly() {
        local desc=$1 before after out err rc lines
        shift
        before=$(snapshot)
        out=$("$@" 2>"$work/err")
        rc=$?
        err=$(cat "$work/err")
        after=$(snapshot)
        lines=$(grep -c '' "$work/err")
        if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && [ -z "$out" ] && [ "$before" == "$after" ]; then
                ok "$desc"
        else
                not_ok "$desc" "command: $*" "exit $rc, $lines stderr lines" "stdout: $out" "stderr: $err" \
                        "$([ "$before" == "$after" ] && echo "state unchanged" || diff <(echo "$before") <(echo "$after"))"
        fi
}

# ---- basics ------------------------------------------------------------------
is "$("$SUBIDCTL" --version)" "subidctl (subid) $(sed -n 's/^VERSION *:= *//p' "$SRCDIR/Makefile")" "--version"
check "--help exits 0" "$SUBIDCTL" --help
is "$("$SUBIDCTL" --help | head -1)" "usage: subidctl COMMAND [ARGS]" "--help prints the usage"
is "$("$SUBIDCTL" list)" "" "list of an empty database prints nothing"

# ---- grant -------------------------------------------------------------------
check "grant subuids and subgids" "$SUBIDCTL" grant "$A" --subuids 100000-165535 --subgids 100000-165535
is "$(cat "$EXPORT_SUBUID")" "$A:100000:65536" "exported subuid after grant"
is "$(cat "$EXPORT_SUBGID")" "$A:100000:65536" "exported subgid after grant"
is "$(stat -c '%a %U %G' "$EXPORT_SUBUID" "$EXPORT_SUBGID" | sort -u)" "644 root root" \
        "exported files are mode 0644, owned by root"
is "$(find "$(dirname "$EXPORT_SUBUID")" -mindepth 1 -maxdepth 1 ! -name subuid ! -name subgid \
        ! -name subuid- ! -name subgid- ! -name subid)" "" \
        "no temp file is left next to the exported files"
check "grant subgids alone" "$SUBIDCTL" grant "$B" --subgids 200000-265535
check "grant subuids with --subuids=F-L" "$SUBIDCTL" grant "$B" --subuids=200000-265535
is "$("$SUBIDCTL" list "$A")" "$A (uid $uidA)
  subuid 100000-165535 (65536)
  subgid 100000-165535 (65536)" "list USER"
is "$("$SUBIDCTL" list "$uidA")" "$("$SUBIDCTL" list "$A")" "list takes a uid too"
is "$("$SUBIDCTL" list | grep -c '(uid ')" 2 "list shows every holder"
is "$("$SUBIDCTL" list "$C")" "$C (uid $uidC)
  no subordinate ids or delegations" "list of a user holding nothing"
is "$(cat "$EXPORT_SUBUID")" "$A:100000:65536
$B:200000:65536" "export sorted by name"

# ---- who-owns ----------------------------------------------------------------
is "$("$SUBIDCTL" who-owns 100500)" "uid 100500: subordinate uid of $A (uid $uidA), range 100000-165535" "who-owns a subuid"
is "$("$SUBIDCTL" who-owns 265535 --gid)" "gid 265535: subordinate gid of $B (uid $uidB), range 200000-265535" \
        "who-owns --gid, last id of a range"
is "$("$SUBIDCTL" who-owns 5)" "uid 5: not a subordinate id of any user" "who-owns an id nobody holds"
check "who-owns of a free id exits 0" "$SUBIDCTL" who-owns 5
is "$("$SUBIDCTL" who-owns 165536)" "uid 165536: not a subordinate id of any user" "who-owns just past a range"

# ---- refused grants: one line, nothing changed -----------------------------------
fails_cleanly "grant overlapping another user's range" "$SUBIDCTL" grant "$C" --subuids 165000-170000
fails_cleanly "grant overlapping the same user's range (already holds)" "$SUBIDCTL" grant "$A" --subuids 100000-100009
fails_cleanly "grant containing host id 0" "$SUBIDCTL" grant "$C" --subuids 0-65535
fails_cleanly "grant containing an existing uid" "$SUBIDCTL" grant "$C" --subuids "$((uidC - 5))-$((uidC + 5))"
fails_cleanly "grant containing an existing gid" "$SUBIDCTL" grant "$C" --subgids "$((gidG - 5))-$((gidG + 5))"
fails_cleanly "one bad range refuses both" "$SUBIDCTL" grant "$C" --subuids 300000-365535 --subgids 0-10
fails_cleanly "grant to a user who does not exist" "$SUBIDCTL" grant subidt_nosuchuser --subuids 300000-300009
is "$("$SUBIDCTL" grant "$C" --subuids 165000-170000 2>&1)" \
        "subidctl: cannot grant subuids 165000-170000 to $C: overlaps subuids 100000-165535 of $A (uid $uidA)" \
        "the refusal names the conflicting owner"

# ---- revoke, quarantine, reclaim ------------------------------------------------
check "revoke part of a range" "$SUBIDCTL" revoke "$A" --subuids 110000-119999
is "$("$SUBIDCTL" list "$A")" "$A (uid $uidA)
  subuid 100000-109999 (10000)
  subuid 120000-165535 (45536)
  subgid 100000-165535 (65536)" "a partial revoke splits the range"
is "$("$SUBIDCTL" who-owns 115000 | sed 's/, since .*//')" \
        "uid 115000: quarantined, formerly of $A (uid $uidA), range 110000-119999" "the revoked part is quarantined"
is "$(sqlite3 "$DB" "SELECT reason FROM quarantine")" "revoke" "quarantine reason is revoke"
fails_cleanly "another user cannot be granted a quarantined range" "$SUBIDCTL" grant "$B" --subuids 110000-110009
check "with --force another user can" "$SUBIDCTL" grant "$B" --subuids 110000-110009 --force
check "the former owner re-grants the rest without --force" "$SUBIDCTL" grant "$A" --subuids 110010-119999
is "$(sqlite3 "$DB" "SELECT count(*) FROM quarantine")" 0 "nothing left in quarantine"
fails_cleanly "revoking a range the user does not hold" "$SUBIDCTL" revoke "$A" --subuids 200000-200009
fails_cleanly "revoking a range reaching past what the user holds" "$SUBIDCTL" revoke "$A" --subgids 165000-170000
fails_cleanly "revoking a group that is not delegated" "$SUBIDCTL" revoke "$A" --group "$G"

# A delegation, seeded by import (grant --group comes with a later issue).
printf '%s:%s:1\n' "$A" "$gidG" >"$work/subgid"
check "import a delegation" "$SUBIDCTL" import --subgid "$work/subgid"
is "$("$SUBIDCTL" list "$A" | tail -1)" "  delegated gid $gidG ($G)" "list shows the delegation"
is "$("$SUBIDCTL" who-owns --gid "$gidG")" "gid $gidG: delegated to $A (uid $uidA) as group $G" "who-owns a delegated gid"
is "$(tail -1 "$EXPORT_SUBGID")" "$A:$gidG:1" "delegation lines come after all ranges"
check "revoke --group" "$SUBIDCTL" revoke "$A" --group "$G"
is "$(grep -c ":$gidG:1\$" "$EXPORT_SUBGID")" 0 "the delegation is gone from the export"

check "revoke with no option takes everything" "$SUBIDCTL" revoke "$B"
is "$("$SUBIDCTL" list "$B" | tail -1)" "  no subordinate ids or delegations" "nothing left for the user"
is "$(cat "$EXPORT_SUBUID" "$EXPORT_SUBGID" | grep -c "^$B:")" 0 \
        "the user is gone from both exported files"
is "$(sqlite3 "$DB" "SELECT group_concat(kind || ' ' || first || ' ' || count, ',') FROM (SELECT * FROM quarantine
        WHERE former_uid = $uidB ORDER BY kind DESC, first)")" "uid 110000 10,uid 200000 65536,gid 200000 65536" \
        "all of it went to quarantine under the former owner"
fails_cleanly "revoking from a user who holds nothing" "$SUBIDCTL" revoke "$B"

# ---- concurrent writers: the files end up showing the final state ---------------------
fresh_daemon
pids=()
for i in $(seq 0 15); do
        "$SUBIDCTL" grant "$C" --subuids "$((1000000 + i * 1000))-$((1000000 + i * 1000 + 999))" >/dev/null &
        pids+=($!)
done
# Only these: a bare wait would wait for the daemon too.
wait "${pids[@]}"
is "$(wc -l <"$EXPORT_SUBUID")" 16 "16 concurrent grants: all exported"
is "$(cat "$EXPORT_SUBUID")" "$(sqlite3 "$DB" "SELECT owner_name || ':' || first || ':' || count FROM ranges
        WHERE kind = 'uid' ORDER BY owner_name, first")" "the export matches the database"

# ---- JSON ----------------------------------------------------------------------
fresh_daemon
$SUBIDCTL grant "$C" --subuids 300000-300009 >/dev/null
is "$("$SUBIDCTL" list --json)" '{
  "users": [
    {
      "name": "'"$C"'",
      "uid": '"$uidC"',
      "subuids": [
        {
          "first": 300000,
          "last": 300009,
          "count": 10
        }
      ],
      "subgids": [
      ],
      "delegations": [
      ]
    }
  ]
}' "list --json (docs/json.md)"
is "$("$SUBIDCTL" who-owns 300005 --json)" '{
  "kind": "uid",
  "id": 300005,
  "owners": [
    {
      "type": "range",
      "user": "'"$C"'",
      "uid": '"$uidC"',
      "first": 300000,
      "last": 300009,
      "count": 10
    }
  ],
  "quarantine": null
}' "who-owns --json (docs/json.md)"
is "$("$SUBIDCTL" list --json "$A")" '{
  "users": [
    {
      "name": "'"$A"'",
      "uid": '"$uidA"',
      "subuids": [
      ],
      "subgids": [
      ],
      "delegations": [
      ]
    }
  ]
}' "list --json of a user holding nothing"

# ---- who may ask: root and group subidadm; the daemon decides ----------------------
for cmd in "list" "who-owns 1" "grant $A --subuids 400000-400009" "grant $B" "revoke $C" "import"; do
        # shellcheck disable=SC2086
        fails_cleanly "non-admin: $cmd" as_user "$B" "$SUBIDCTL" $cmd
done
is "$(as_user "$B" "$SUBIDCTL" list 2>&1)" "subidctl: 'list' needs root or membership of group subidadm" \
        "a non-admin gets the daemon's refusal (EPERM), naming who may"

# subidadm is a real system group (sysusers.d creates it); made here only
# when the machine has none, and then removed again.
if ! getent group subidadm >/dev/null; then
        groupadd -r subidadm && at_exit "groupdel subidadm"
fi
usermod -a -G subidadm "$C"
check "a member of subidadm may list" as_user "$C" "$SUBIDCTL" list
check "a member of subidadm may grant" as_user "$C" "$SUBIDCTL" grant "$A" --subuids 400000-400009
is "$(sqlite3 "$DB" "SELECT owner_name FROM ranges WHERE first = 400000")" "$A" "the member's grant is in the database"
is "$(grep -c ":400000:10\$" "$EXPORT_SUBUID")" 1 "and in the exported file"
check "a member of subidadm may revoke" as_user "$C" "$SUBIDCTL" revoke "$A" --subuids 400000-400009
# The client opens the files itself: an admin imports only what they can read.
printf '%s\n' "$A:500000:10" >"$work/secret"
chmod 0600 "$work/secret"
chmod 0755 "$work"
fails_cleanly "import of a file the member cannot read" as_user "$C" "$SUBIDCTL" import --subuid "$work/secret"
is "$(as_user "$C" "$SUBIDCTL" import --subuid "$work/secret" 2>&1)" \
        "subidctl: import: cannot open $work/secret: Permission denied" "the refusal is the member's own open()"
cp "$work/secret" "$work/readable"
chmod 0644 "$work/readable"
check "import of a file the member can read" as_user "$C" "$SUBIDCTL" import --subuid "$work/readable"
is "$(sqlite3 "$DB" "SELECT owner_name FROM ranges WHERE first = 500000")" "$A" "it was imported"

# ---- the daemon is down: one plain line, no fallback to the database --------------
stop_admind
fails_cleanly "daemon down: exit 1, one line, nothing changed" "$SUBIDCTL" grant "$A" --subuids 600000-600009
is "$("$SUBIDCTL" list 2>&1)" "subidctl: subid-admind is not running (nothing listens on $ADMIND_SOCKET)" \
        "daemon down: subidctl says so"
check "--help works without the daemon" "$SUBIDCTL" --help
check "--version works without the daemon" "$SUBIDCTL" --version
check "usage errors are reported without the daemon" bash -c "'$SUBIDCTL' who-owns abc 2>&1 | grep -q 'invalid id'"
start_admind

# ---- grant from the pool --------------------------------------------------------------
# Small pools, so that exhaustion is reachable: room for three subuid
# ranges of 65536 but only two subgid ranges of 50000.
mkdir -p "$(dirname "$CONF")"
cat >"$CONF" <<END
sub_uid_min = 5000000
sub_uid_max = 5199999
sub_uid_count = 65536
sub_gid_min = 6000000
sub_gid_max = 6099999
sub_gid_count = 50000
END
fresh_daemon
is "$("$SUBIDCTL" grant "$A")" "granted subuids 5000000-5065535 (65536) to $A (uid $uidA)
granted subgids 6000000-6049999 (50000) to $A (uid $uidA)" "pool grant: from the bottom of each pool, default counts"
is "$("$SUBIDCTL" grant "$B")" "granted subuids 5065536-5131071 (65536) to $B (uid $uidB)
granted subgids 6050000-6099999 (50000) to $B (uid $uidB)" "the next user gets the next ids"
is "$(cat "$EXPORT_SUBUID")" "$A:5000000:65536
$B:5065536:65536" "pool grants are exported"
is "$(sqlite3 "$DB" "SELECT count(*) FROM ranges a JOIN ranges b ON a.kind = b.kind AND a.id < b.id
        AND a.first < b.first + b.count AND b.first < a.first + a.count")" 0 "no two ranges overlap"
is "$("$SUBIDCTL" who-owns 5065536)" "uid 5065536: subordinate uid of $B (uid $uidB), range 5065536-5131071" \
        "who-owns after a pool grant"
is "$("$SUBIDCTL" who-owns --gid 6049999)" "gid 6049999: subordinate gid of $A (uid $uidA), range 6000000-6049999" \
        "who-owns --gid after a pool grant"
fails_cleanly "a user holding both kinds already: refused" "$SUBIDCTL" grant "$A"
is "$("$SUBIDCTL" grant "$A" 2>&1)" "subidctl: $A already holds subuids 5000000-5065535 and subgids 6000000-6049999" \
        "the refusal says what the user holds (EEXIST)"
fails_cleanly "subgid pool exhausted: nothing granted, not even subuids" "$SUBIDCTL" grant "$C"
is "$("$SUBIDCTL" grant "$C" 2>&1)" "subidctl: no free gid range of 50000 ids left in the pool 6000000-6099999" \
        "the refusal names the exhausted pool (ENOSPC)"
check "revoke a pool grant" "$SUBIDCTL" revoke "$B"
fails_cleanly "revoked ids are quarantined, never handed out again" "$SUBIDCTL" grant "$C" --count 10
check "a user holding subgids only" "$SUBIDCTL" grant "$C" --subgids 7000000-7000009
is "$("$SUBIDCTL" grant "$C" --count 1000)" "granted subuids 5131072-5132071 (1000) to $C (uid $uidC)" \
        "gets subuids only, --count ids, above the quarantine"
fails_cleanly "--count larger than the pool" "$SUBIDCTL" grant "$B" --count 300000
check "revoke the subuids $C got from the pool" "$SUBIDCTL" revoke "$C" --subuids 5131072-5132071
# Quarantined ids stay out even for their former owner: C gets the next ones.
is "$("$SUBIDCTL" grant "$C" --count 10 --json)" '{
  "user": "'"$C"'",
  "uid": '"$uidC"',
  "granted": [
    {
      "kind": "uid",
      "first": 5132072,
      "last": 5132081,
      "count": 10,
      "source": "pool"
    }
  ],
  "reclaimed": [
  ]
}' "grant --json prints the reply (docs/protocol.md)"
is "$("$SUBIDCTL" revoke "$C" --subuids 5132072-5132081 --json)" '{
  "user": "'"$C"'",
  "uid": '"$uidC"',
  "revoked": [
    {
      "type": "range",
      "kind": "uid",
      "first": 5132072,
      "last": 5132081,
      "count": 10
    }
  ]
}' "revoke --json prints the reply"
rm -f "$CONF"
fresh_daemon

# ---- bad input to every command: one line, exit 1, nothing changed ---------------------
bad=(
        ""
        "nosuchcommand"
        "sync --bogus"
        "grant"
        "grant $A $B"
        "grant $A --count 0"
        "grant $A --count abc"
        "grant $A --count -1"
        "grant $A --count 4294967296"
        "grant $A --count"
        "grant $A --count 10 --count 20"
        "grant $A --count 10 --subuids 400000-400009"
        "grant $A --force"
        "grant $A $B --subuids 400000-400009"
        "grant $A --subuids"
        "grant $A --subuids abc"
        "grant $A --subuids 400009-400000"
        "grant $A --subuids -400000"
        "grant $A --subuids +400000-400009"
        "grant $A --subuids 0x10-0x20"
        "grant $A --subuids 0400000-0400009"
        "grant $A --subuids 400000-4294967295"
        "grant $A --subuids 400000-400009 --subuids 500000-500009"
        "grant $A --bogus"
        "grant -x $A"
        "revoke"
        "revoke subidt_nosuchuser"
        "revoke $A --subuids 1-x"
        "revoke $A --group"
        "revoke $A $B"
        "list $A $B"
        "list subidt_nosuchuser"
        "list --bogus"
        "who-owns"
        "who-owns abc"
        "who-owns -1"
        "who-owns 4294967295"
        "who-owns 1 2"
        "who-owns 010"
        "who-owns --uid 5"
        "import --subuid /nonexistent/subuid"
        "import --subuid"
        "import --bogus"
        "import extra"
)
for args in "${bad[@]}"; do
        # shellcheck disable=SC2086
        fails_cleanly "bad input: subidctl $args" "$SUBIDCTL" $args
done

done_testing
