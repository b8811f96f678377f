#!/bin/bash
# The libsubid provider (libsubid_subid.so, docs/libsubid.md): with
# `subid: subid` in /etc/nsswitch.conf (a test copy bind-mounted in a
# private mount namespace), Debian's getsubids and a small client linked
# against libsubid answer from the policy database: ranges of a granted
# user, nothing for one without, delegated gids only while the user is in
# the group, owners of an id, has-range; writes through libsubid fail
# without touching anything; a real useradd still works.
. "$SRCDIR/tests/integration/lib.sh"

CLIENT=$TOOLS/subid-libsubid-client
LIBDIR=$CHECK_ROOT/usr/lib
for f in "$SUBIDCTL" "$ADMIND" "$CLIENT" "$LIBDIR/libsubid_subid.so" /usr/bin/getsubids; do
        [ -e "$f" ] || { not_ok "$f is installed"; done_testing; exit 1; }
done
unshare -m --propagation private true 2>/dev/null || skip_all "mount namespaces are not available"

A=$(make_user ec1 -u 63001) && B=$(make_user ec2 -u 63002) && C=$(make_user ec3 -u 63003) &&
        G=$(make_group ecg -g 63500) || { not_ok "create test accounts"; done_testing; exit 1; }
usermod -a -G "$G" "$A"
usermod -a -G "$G" "$C"
work=$(mktemp -d /tmp/subid-t-libsubid.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"

reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }
check "grant $A explicit ranges" "$SUBIDCTL" grant "$A" --subuids 2000000-2065535 --subgids 3000000-3065535
check "grant $A a second uid range" "$SUBIDCTL" grant "$A" --subuids 2100000-2100999
check "delegate $G to $A" "$SUBIDCTL" grant "$A" --group "$G"
check "delegate $G to $C" "$SUBIDCTL" grant "$C" --group "$G"
# C leaves the group: the delegation stays in the database but no longer counts.
gpasswd -d "$C" "$G" >/dev/null

# The test's nsswitch.conf: the real one plus `subid: subid`; copies of the
# real subuid/subgid so nothing here can change them.
grep -v '^subid:' /etc/nsswitch.conf >"$work/nsswitch.conf"
echo "subid:          subid" >>"$work/nsswitch.conf"
for f in subuid subgid; do
        if [ -e "/etc/$f" ]; then cp -p "/etc/$f" "$work/$f"; else : >"$work/$f"; fi
done
chmod 0644 "$work/nsswitch.conf"
real_sums=$(cat /etc/subuid /etc/subgid 2>/dev/null | md5sum)

# in_ns [--files] COMMAND...: runs COMMAND in a private mount namespace where
# /etc/nsswitch.conf names the provider (unless --files) and /etc/subuid,
# /etc/subgid are the test copies. libsubid dlopen()s "libsubid_subid.so" by
# name: LD_LIBRARY_PATH finds the check install's copy (getsubids is not
# setuid, so the loader honours it).
in_ns() {
        local nss=$work/nsswitch.conf
        if [ "$1" == --files ]; then
                nss=/etc/nsswitch.conf
                shift
        fi
        unshare -m --propagation private -- /bin/sh -c '
                mount --bind "$1" /etc/nsswitch.conf && mount --bind "$2/subuid" /etc/subuid &&
                        mount --bind "$2/subgid" /etc/subgid || exit 99
                shift 2
                exec env LD_LIBRARY_PATH="'"$LIBDIR"'" "$@"' in_ns "$nss" "$work" "$@"
}

# as_user for in_ns: the real ids and groups of USER, the environment kept
# (setpriv --reset-env would drop LD_LIBRARY_PATH).
user_ns() { # user_ns USER COMMAND...
        in_ns setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups -- "${@:2}"
}

uidA=$(id -u "$A") uidC=$(id -u "$C")
gidG=$(getent group "$G" | cut -d: -f3)

# ---- getsubids ----------------------------------------------------------------
is "$(in_ns getsubids "$A" 2>&1)" "0: $A 2000000 65536
1: $A 2100000 1000" "getsubids $A prints its subuid ranges from the database"
is "$(in_ns getsubids -g "$A" 2>&1)" "0: $A 3000000 65536
1: $A $gidG 1" "getsubids -g $A prints its subgid range, then the delegated gid of a group it is in"
# getsubids (4.13) prints nothing on stdout and "Error fetching ranges" with
# exit 1 when a user has no range, whatever the backend: the provider must
# give exactly the answer the files give for a user they do not list.
nothing() { # nothing DESCRIPTION COMMAND...: stdout empty, and the files backend's exit status and stderr
        local desc=$1 out err rc want_err want_rc
        shift
        out=$(in_ns "$@" 2>"$work/err")
        rc=$?
        err=$(cat "$work/err")
        want_err=$(in_ns --files getsubids subidt_ec2 2>&1 >/dev/null)
        want_rc=$?
        if [ -z "$out" ] && [ "$rc" == "$want_rc" ] && [ "$err" == "$want_err" ]; then
                ok "$desc"
        else
                not_ok "$desc" "stdout: $out" "exit $rc, stderr: $err" "files backend: exit $want_rc, stderr: $want_err"
        fi
}
nothing "getsubids -g $C: a delegation of a group the user left is not listed" getsubids -g "$C"
nothing "getsubids $B (nothing granted) prints nothing" getsubids "$B"
nothing "getsubids -g $B (nothing granted) prints nothing" getsubids -g "$B"
is "$(user_ns "$B" getsubids "$A" 2>&1)" "0: $A 2000000 65536
1: $A 2100000 1000" "an unprivileged user reads the same answer (database 0644)"
# Without the nsswitch line the same command reads the (test copy of the)
# files, which know nothing of these users: the answers above came from the provider.
is "$(in_ns --files getsubids "$A" 2>/dev/null)" "" "control: without 'subid: subid' getsubids $A finds nothing"
check_fails "getsubids of an unknown user fails" in_ns getsubids subidt_ec_nosuchuser

# ---- the libsubid API ---------------------------------------------------------
is "$(in_ns "$CLIENT" ranges uid "$A" 2>&1)" "2000000 65536
2100000 1000" "subid_get_uid_ranges($A)"
is "$(in_ns "$CLIENT" ranges uid "$uidA" 2>&1)" "2000000 65536
2100000 1000" "subid_get_uid_ranges by numeric uid $uidA"
is "$(in_ns "$CLIENT" ranges gid "$B" 2>&1)" "" "subid_get_gid_ranges($B) is empty"
is "$(in_ns "$CLIENT" owners uid 2000500 2>&1)" "$uidA" "subid_get_uid_owners(2000500) is $A"
is "$(in_ns "$CLIENT" owners uid 2065536 2>&1)" "" "subid_get_uid_owners(2065536), just past the range: nobody"
is "$(in_ns "$CLIENT" owners gid 3065535 2>&1)" "$uidA" "subid_get_gid_owners(3065535), last id of the range: $A"
is "$(in_ns "$CLIENT" owners gid "$gidG" 2>&1)" "$uidA" \
        "subid_get_gid_owners($gidG): the delegated group's member $A, not $C who left it"
is "$(in_ns "$CLIENT" has uid "$A" 2000000 65536 2>&1)" yes "has_range: $A holds its whole uid range"
is "$(in_ns "$CLIENT" has uid "$A" 2065000 100000 2>&1)" no "has_range: a range running past the end is not held"
is "$(in_ns "$CLIENT" has gid "$A" "$gidG" 1 2>&1)" yes "has_range: $A holds the delegated gid while in the group"
is "$(in_ns "$CLIENT" has gid "$C" "$gidG" 1 2>&1)" no "has_range: $C, out of the group, does not"
is "$(in_ns "$CLIENT" has uid "$B" 2000000 1 2>&1)" no "has_range: $B holds none of $A's ids"

# ---- shadow's own setuid newuidmap asks the provider (has_range) -----------------
# The loader ignores LD_LIBRARY_PATH for a setuid program: in the namespace
# the provider sits in /usr/local/lib (a bind-mounted directory) and a
# regenerated ld.so.cache lists it, as after `make install; ldconfig`.
# shadow_map USER UIDMAP-TOOL LOWER COUNT: as USER, Debian's helper maps
# "0 LOWER COUNT" into a fresh user namespace; prints rc and the map.
shadow_map() {
        local files=${5:-} map=${2##*/new}
        map=${map%map}_map
        mkdir -p "$work/syslib"
        cp "$LIBDIR/libsubid_subid.so" "$work/syslib/"
        unshare -m --propagation private -- /bin/sh -c '
                mount --bind "$1/syslib" /usr/local/lib && ldconfig -C "$1/ld.so.cache" &&
                        mount --bind "$1/ld.so.cache" /etc/ld.so.cache || exit 99
                [ "$6" = files ] || mount --bind "$1/nsswitch.conf" /etc/nsswitch.conf || exit 99
                setpriv --reuid="$2" --regid="$(id -g "$2")" --init-groups -- bash -c "
                        me=\$(readlink /proc/self/ns/user)
                        unshare --user sleep 30 &
                        pid=\$!
                        for ((i = 0; i < 500; i++)); do
                                [ \"\$(readlink /proc/\$pid/ns/user 2>/dev/null)\" != \"\$me\" ] && break
                                sleep 0.01
                        done
                        \"\$0\" \$pid 0 \"\$1\" \"\$2\" >/dev/null 2>&1
                        printf \"rc=%s\" \$?
                        tr -s \" \\n\" \" \" </proc/\$pid/\$3
                        kill \$pid" "$3" "$4" "$5" "$7"
        ' shadow_map "$work" "$1" "$2" "$3" "$4" "$files" "$map"
}
is "$(shadow_map "$A" /usr/bin/newuidmap 2000000 65536)" "rc=0 0 2000000 65536 " \
        "Debian's setuid newuidmap maps $A's range from the database (has_range)"
is "$(shadow_map "$B" /usr/bin/newuidmap 2000000 65536)" "rc=1" "...and refuses $B, who holds none of it"
is "$(shadow_map "$A" /usr/bin/newgidmap "$gidG" 1)" "rc=0 0 $gidG 1 " \
        "Debian's setuid newgidmap maps $A's delegated gid while $A is in the group"
is "$(shadow_map "$C" /usr/bin/newgidmap "$gidG" 1)" "rc=1" "...and refuses $C, who left the group"
is "$(shadow_map "$A" /usr/bin/newuidmap 2000000 65536 files)" "rc=1" \
        "control: without 'subid: subid' Debian's newuidmap refuses $A (the files do not list it)"

# ---- writes fail cleanly ------------------------------------------------------
snapshot() { sqlite3 "$DB" .dump; cat "$work/subuid" "$work/subgid" "$EXPORT_SUBUID" "$EXPORT_SUBGID"; }
before=$(snapshot)
out=$(in_ns "$CLIENT" grant uid "$B" 65536 2>&1)
rc=$?
[ "$rc" -eq 1 ] && grep -q refused <<<"$out" && ok "subid_grant_uid_range through the provider is refused" ||
        not_ok "subid_grant_uid_range through the provider is refused" "exit $rc: $out"
out=$(in_ns "$CLIENT" ungrant uid "$A" 2000000 65536 2>&1)
rc=$?
[ "$rc" -eq 1 ] && grep -q refused <<<"$out" && ok "subid_ungrant_uid_range through the provider is refused" ||
        not_ok "subid_ungrant_uid_range through the provider is refused" "exit $rc: $out"
is "$(snapshot)" "$before" "the refused writes changed neither the database nor any subuid/subgid file"

# ---- useradd with the provider configured -------------------------------------
# A real useradd, in a namespace whose /etc is an overlay (the account and
# any subuid line land in the overlay, never in the real files). Prints
# useradd's status, whether the account resolves, and how many lines for it
# /etc/subuid and /etc/subgid have.
useradd_ns() { # useradd_ns provider|files NAME
        local d=$work/ov-$1
        mkdir -p "$d/upper" "$d/work"
        unshare -m --propagation private -- /bin/sh -c '
                mount -t overlay overlay -o lowerdir=/etc,upperdir="$2/upper",workdir="$2/work" /etc || exit 99
                if [ "$1" = provider ]; then mount --bind "$3" /etc/nsswitch.conf || exit 99; fi
                LD_LIBRARY_PATH="$5" useradd -M -d /nonexistent -s /bin/sh "$4" >/dev/null 2>&1
                echo "useradd=$?"
                id -u "$4" >/dev/null 2>&1 && echo account=yes || echo account=no
                echo "subuid=$(grep -c "^$4:" /etc/subuid) subgid=$(grep -c "^$4:" /etc/subgid)"
        ' useradd_ns "$1" "$d" "$work/nsswitch.conf" "$2" "$LIBDIR"
}
is "$(useradd_ns provider subidt_ec4)" "useradd=0
account=yes
subuid=0 subgid=0" "useradd works with 'subid: subid' configured, and allocates no subordinate ranges"
is "$(useradd_ns files subidt_ec5)" "useradd=0
account=yes
subuid=1 subgid=1" "control: the same useradd without the provider appends to /etc/subuid and /etc/subgid"
id subidt_ec4 >/dev/null 2>&1 && not_ok "the overlay kept the test accounts out of the real /etc" ||
        ok "the overlay kept the test accounts out of the real /etc"
is "$(snapshot)" "$before" "nothing of that reached the database or the exported files"

is "$(cat /etc/subuid /etc/subgid 2>/dev/null | md5sum)" "$real_sums" "the real /etc/subuid and /etc/subgid are untouched"
done_testing
