#!/bin/bash
# make install: the helpers carry exactly their two file capabilities, mode
# 0755, no installed file is setuid or setgid, and a helper installed
# without its capability refuses with a message naming the fix.
. "$(dirname "$0")/lib.sh"

is "$(getcap "$BIN/newuidmap" | awk '{print $2}')" "cap_setuid,cap_audit_write=ep" "newuidmap has exactly cap_setuid,cap_audit_write"
is "$(getcap "$BIN/newgidmap" | awk '{print $2}')" "cap_setgid,cap_audit_write=ep" "newgidmap has exactly cap_setgid,cap_audit_write"
is "$(stat -c %a "$BIN/newuidmap") $(stat -c %a "$BIN/newgidmap")" "755 755" "helpers are mode 0755"
is "$(find "$CHECK_ROOT" -xdev -perm /6000 -type f | wc -l)" "0" "no installed file is setuid or setgid"
for f in subidctl subid-admind; do
        is "$(getcap "$SBIN/$f")" "" "$f carries no file capability"
done

u=$(make_user inst)
reset_policy
start_admind || not_ok "subid-admind starts"
check "grant a range" "$SUBIDCTL" grant "$u" --subuids 700000-700999 --subgids 700000-700999

# A copy without the capability (as a package built without setcap would be).
tmp=$(mktemp -d /tmp/subidt-install.XXXXXX)
at_exit "rm -rf '$tmp'"
chmod 0755 "$tmp"
cp "$BIN/newuidmap" "$tmp/newuidmap"
out=$(as_user "$u" bash -c 'unshare --user sleep 5 & p=$!; sleep 0.2; "$0" $p 0 700000 1000; rc=$?; kill $p; exit $rc' "$tmp/newuidmap" 2>&1)
rc=$?
is "$rc" "1" "helper without its capability exits 1"
case $out in
*"no cap_setuid capability"*"setcap cap_setuid,cap_audit_write+ep"*) ok "and names the missing capability and the setcap fix" ;;
*) not_ok "and names the missing capability and the setcap fix" "$out" ;;
esac
is "$(printf '%s\n' "$out" | wc -l)" "1" "in one line"

# The same binary with its capability maps the range: the refusal above was
# the capability check, nothing else.
out=$(as_user "$u" bash -c 'unshare --user sleep 5 & p=$!; sleep 0.2; "$0" $p 0 700000 1000; rc=$?; cat /proc/$p/uid_map; kill $p; exit $rc' "$BIN/newuidmap" 2>&1)
case $out in
*"700000"*) ok "installed helper maps the granted range" ;;
*) not_ok "installed helper maps the granted range" "$out" ;;
esac

done_testing
