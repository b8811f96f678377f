#!/bin/bash
# subidctl as an admin uses it: grant, list, who-owns, revoke into
# quarantine and back, JSON output, and a one-line error with nothing
# changed for every kind of bad input.
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

reset_policy

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
is "$("$SUBIDCTL" --version)" "subidctl $(sed -n 's/^VERSION *:= *//p' "$SRCDIR/Makefile")" "--version"
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
        ! -name subuid- ! -name subgid-)" "" \
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
reset_policy
# The database exists first: this race is about writes and the export, not
# about two processes creating a new database.
$SUBIDCTL list >/dev/null
for i in $(seq 0 15); do
        "$SUBIDCTL" grant "$C" --subuids "$((1000000 + i * 1000))-$((1000000 + i * 1000 + 999))" >/dev/null &
done
wait
is "$(wc -l <"$EXPORT_SUBUID")" 16 "16 concurrent grants: all exported"
is "$(cat "$EXPORT_SUBUID")" "$(sqlite3 "$DB" "SELECT owner_name || ':' || first || ':' || count FROM ranges
        WHERE kind = 'uid' ORDER BY owner_name, first")" "the export matches the database"

# ---- JSON ----------------------------------------------------------------------
reset_policy
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

# ---- non-root callers ---------------------------------------------------------------
for cmd in "list" "who-owns 1" "grant $A --subuids 400000-400009" "revoke $C" "import"; do
        # shellcheck disable=SC2086
        fails_cleanly "non-root: $cmd" as_user "$A" "$SUBIDCTL" $cmd
done
is "$(as_user "$A" "$SUBIDCTL" list 2>&1)" "subidctl: must be run as root" "the non-root error says why"

# ---- bad input to every command: one line, exit 1, nothing changed ---------------------
bad=(
        ""
        "nosuchcommand"
        "sync"
        "grant"
        "grant $A"
        "grant $A --count 10"
        "grant $A --group $G"
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
