#!/bin/bash
# The installed systemd unit: parses without unknown or invalid settings,
# runs the installed daemon, and keeps systemd's exposure score at "OK"
# (≤ 3.0 of 10) with the hardening the issue asks for.
. "$(dirname "$0")/lib.sh"

UNIT=$CHECK_ROOT/usr/lib/systemd/system/subid-admind.service
command -v systemd-analyze >/dev/null || skip_all "systemd-analyze is not installed"
[ -f "$UNIT" ] || { not_ok "unit installed at $UNIT"; done_testing; exit 1; }
ok "unit installed"

is "$(sed -n 's/^ExecStart=//p' "$UNIT")" "$SBIN/subid-admind --foreground" "ExecStart runs the installed daemon"
is "$(grep -c '@[A-Z]*@' "$UNIT")" "0" "every @PLACEHOLDER@ was filled in"

# verify: only complaints about the environment (no systemd running here,
# no man page installed) are acceptable, never about the unit's own settings.
out=$(systemd-analyze verify "$UNIT" 2>&1)
bad=$(grep -viE "man |sysinit.target|not executable|Failed to create .*/start|\.mount" <<<"$out")
is "$bad" "" "systemd-analyze verify finds no bad or unknown setting"

for setting in "NoNewPrivileges=yes" "ProtectSystem=strict" "PrivateTmp=yes" "PrivateDevices=yes" \
        "RestrictAddressFamilies=AF_UNIX AF_NETLINK" "RuntimeDirectory=subid" "StateDirectory=subid" \
        "ProtectKernelTunables=yes" "RestrictNamespaces=yes" "MemoryDenyWriteExecute=yes" \
        "SystemCallFilter=@system-service"; do
        if grep -qx "$setting" "$UNIT"; then ok "$setting"; else not_ok "$setting"; fi
done
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
case " $caps " in
*CAP_SYS_ADMIN* | *CAP_SETUID* | *CAP_NET_ADMIN* | *CAP_SYS_PTRACE*) not_ok "bounding set excludes admin, setuid, net and ptrace caps" "$caps" ;;
*) ok "bounding set excludes admin, setuid, net and ptrace caps" ;;
esac
grep -q "CAP_AUDIT_WRITE" <<<"$caps" && ok "bounding set keeps CAP_AUDIT_WRITE for audit records" || not_ok "bounding set keeps CAP_AUDIT_WRITE"
# The audit sender takes the requester's loginuid without privilege (the
# service's own is unset); CAP_AUDIT_CONTROL could disable the audit trail.
grep -q "CAP_AUDIT_CONTROL" <<<"$caps" && not_ok "bounding set excludes CAP_AUDIT_CONTROL" "$caps" || ok "bounding set excludes CAP_AUDIT_CONTROL"

score=$(systemd-analyze security --offline=true "$UNIT" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if systemd-analyze security --offline=true --threshold=30 "$UNIT" >/dev/null 2>&1; then
        ok "exposure level $score is at most 3.0 (OK)"
else
        not_ok "exposure level $score is at most 3.0 (OK)"
fi

done_testing
