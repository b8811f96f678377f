#!/bin/bash
# Differential test: our newuidmap/newgidmap against Debian's setuid shadow
# helpers (package uidmap, shadow 4.13), as unprivileged users, on real user
# namespaces. Both read the same ranges: shadow's from /etc/subuid and
# /etc/subgid (bind-mounted over in a private mount namespace), ours from the
# policy database seeded by `subidctl import` from the very same files.
#
# Each case of differential.cases runs once per implementation, each time
# against a fresh target process, and records the exit status and the
# target's uid_map, gid_map and setgroups. They must be identical, except in
# the cases marked as deliberate divergences (docs/compat.md), where the
# exact divergence is asserted instead.
set -u
. "$SRCDIR/tests/integration/lib.sh"

CASES=$SRCDIR/tests/integration/differential.cases
SHADOW_BIN=/usr/bin

# ---------------------------------------------------------------------------
# Runs as the test user: starts a target, runs one helper, prints the result.
#   $1 helper path, $2 pid of bob's userns process, $3 delegated gid,
#   $4 gid of the group ana has left, $5 own uid, $6 own gid, $7… argv
# Few forks: a few hundred of these run per test.
case_run() {
        local helper=$1 foreign=$2 deleg=$3 gone=$4 self_uid=$5 self_gid=$6
        local mapped=0 pid dead="" i a err rc
        local -a args=()
        shift 6

        case " $* " in *@MAPPED@*) mapped=1 ;; esac
        if [ $mapped = 1 ]; then
                unshare --user --map-root-user sleep 30 &
        else
                unshare --user sleep 30 &
        fi
        pid=$!
        # Wait until the target is inside its own user namespace (and, for
        # @MAPPED@, until unshare has written its maps) before touching it.
        for ((i = 0; i < 1000; i++)); do
                # -ef compares the namespaces' inodes.
                if ! [ /proc/$pid/ns/user -ef /proc/self/ns/user ]; then
                        [ $mapped = 0 ] && break
                        # /proc files have size 0: read them.
                        read -r a </proc/$pid/gid_map && [ -n "$a" ] && break
                fi
                sleep 0.005
        done
        if [ /proc/$pid/ns/user -ef /proc/self/ns/user ]; then
                echo "setup=target $pid never entered a user namespace"
                return
        fi

        case " $* " in *@DENIED@*)
                echo deny >/proc/$pid/setgroups ;;
        esac
        case " $* " in *@DEAD@*)
                sleep 0 &
                dead=$!
                wait $dead ;;
        esac

        for a in "$@"; do
                case $a in
                @EXT340@ | @EXT341@)
                        for ((i = 0; i < ${a:4:3}; i++)); do args+=("$i" "$((50000 + i))" 1); done
                        continue ;;
                esac
                a=${a//@PID@/$pid}
                a=${a//@MAPPED@/$pid}
                a=${a//@DENIED@/$pid}
                a=${a//@OWN@/$$}
                a=${a//@DEAD@/$dead}
                a=${a//@FOREIGN@/$foreign}
                a=${a//@SELF_UID@/$self_uid}
                a=${a//@SELF_GID@/$self_gid}
                a=${a//@GID_DELEG@/$deleg}
                a=${a//@GID_GONE@/$gone}
                a=${a//@FD_FILE@/fd:8}
                a=${a//@FD_FOREIGN@/fd:6}
                a=${a//@FD_CLOSED@/fd:9}
                a=${a//@FD@/fd:7}
                args+=("$a")
        done

        state() { # state PREFIX: the target's maps (lines joined by ";") and setgroups
                local f u l c v
                for f in uid_map gid_map; do
                        v=
                        while read -r u l c; do v+="${v:+;}$u $l $c"; done </proc/$pid/$f
                        echo "$1$f=$v"
                done
                read -r v </proc/$pid/setgroups
                echo "$1setgroups=$v"
        }
        state pre_

        exec 6</proc/$foreign 7</proc/$pid 8</etc/passwd 9<&-
        err=$("$helper" "${args[@]}" 2>&1 >/dev/null)
        rc=$?
        exec 6<&- 7<&- 8<&-

        echo "rc=$rc"
        state ""
        echo "stderr=${err//$'\n'/ }"
        kill $pid
        wait $pid 2>/dev/null
}

# Splits a case line into C_ID C_TOOL C_USER C_EXPECT C_SETGROUPS C_ARGS
# C_WHAT, trimmed (no forks: this runs a few hundred times). USER/dlg sets
# C_REGID to dfdlg's gid: the caller runs with that real gid instead of the
# passwd primary one.
parse_case() {
        local v
        IFS='|' read -r C_ID C_TOOL C_USER C_EXPECT C_SETGROUPS C_ARGS C_WHAT <<<"$1"
        for v in C_ID C_TOOL C_USER C_EXPECT C_SETGROUPS C_ARGS C_WHAT; do
                printf -v "$v" '%s' "${!v#"${!v%%[![:space:]]*}"}"
                printf -v "$v" '%s' "${!v%"${!v##*[![:space:]]}"}"
        done
        C_REGID=
        if [ "${C_USER%/dlg}" != "$C_USER" ]; then
                C_USER=${C_USER%/dlg}
                C_REGID=$GID_DELEG
        fi
        case $C_USER in
        ana) C_USER=$ANA ;;
        bob) C_USER=$BOB ;;
        cy) C_USER=$CY ;;
        esac
}

case_lines() { grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$CASES"; }

# ---------------------------------------------------------------------------
# Inner part: runs as root inside the private mount namespace.
inner() {
        local work=$1 line impl helper foreign
        local -a argv

        mount --bind "$work/subuid" /etc/subuid || exit 1
        mount --bind "$work/subgid" /etc/subgid || exit 1
        cat /etc/subuid /etc/subgid >"$work/seen-files"

        # The runs' ids, and bob's process in its own user namespace, for
        # @FOREIGN@.
        local -A uid_of gid_of
        for u in "$ANA" "$BOB" "$CY"; do
                uid_of[$u]=$(id -u "$u")
                gid_of[$u]=$(id -g "$u")
        done
        # Not a job of this shell, so that `wait` and `jobs` see only runs;
        # exec, so that the pid is the process's own.
        foreign=$( (exec setpriv --reuid="$BOB" --regid="${gid_of[$BOB]}" --init-groups --reset-env -- \
                unshare --user sleep 120 >/dev/null 2>&1 &
                echo $!))
        for ((i = 0; i < 500; i++)); do
                [ /proc/$foreign/ns/user -ef /proc/self/ns/user ] || break
                sleep 0.01
        done

        # Each run has its own target, so runs are independent: keep a few
        # going at once.
        local script running=0 regid
        script="$(declare -f case_run); case_run \"\$@\""
        mkdir -p "$work/results"
        while IFS= read -r line; do
                parse_case "$line"
                eval "argv=($C_ARGS)"
                regid=${C_REGID:-${gid_of[$C_USER]}}
                for impl in shadow subid; do
                        if [ "$impl" = shadow ]; then helper=$SHADOW_BIN; else helper=$BIN; fi
                        helper=$helper/new${C_TOOL}map
                        if [ $running -ge 4 ]; then
                                wait -n
                                running=$((running - 1))
                        fi
                        setpriv --reuid="${uid_of[$C_USER]}" --regid="$regid" --init-groups --reset-env -- \
                                bash -c "$script" case "$helper" "$foreign" "$GID_DELEG" "$GID_GONE" \
                                "${uid_of[$C_USER]}" "$regid" "${argv[@]}" >"$work/results/$C_ID.$impl" 2>&1 &
                        running=$((running + 1))
                done
        done < <(case_lines)
        wait

        kill "$foreign"
        # A rename over /etc/subuid on the host (useradd, userdel, vipw)
        # silently detaches the bind mount: make sure it held to the end.
        cat /etc/subuid /etc/subgid >"$work/seen-files-end"
        exit 0
}

if [ "${1:-}" = --inner ]; then
        inner "$2"
fi

# ---------------------------------------------------------------------------
# Outer part: prerequisites, accounts, shadow files, database.
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
for f in newuidmap newgidmap; do
        [ -u "$SHADOW_BIN/$f" ] && [ "$(stat -c %u "$SHADOW_BIN/$f")" = 0 ] ||
                skip_all "Debian's setuid $SHADOW_BIN/$f (package uidmap) is not installed"
done
for f in /etc/subuid /etc/subgid; do
        # Only ever bind-mounted over, never created or changed.
        [ -f "$f" ] || skip_all "$f does not exist, so it cannot be bind-mounted over"
done
unshare --user true 2>/dev/null || skip_all "unprivileged user namespaces are not available"

if [ ! -x "$SUBIDCTL" ] || [ ! -x "$ADMIND" ]; then
        not_ok "subidctl and subid-admind are installed under $CHECK_ROOT" "the database can only be seeded through subidctl import"
        done_testing
        exit 1
fi

# Names of their own, with the pid: neither other tests' accounts nor a run
# of this test against another CHECK_ROOT at the same time may collide.
# dfgone before dfdlg: groupadd counts upwards, so the gid after
# @GID_DELEG@ is not ana's other delegation (g11 asks for two gids).
ANA=$(make_user "dfana$$") && BOB=$(make_user "dfbob$$") && CY=$(make_user "dfcy$$") &&
        GONE=$(make_group "dfgone$$") && DLG=$(make_group "dfdlg$$") ||
        { not_ok "create test accounts"; done_testing; exit 1; }
usermod -a -G "$DLG,$GONE" "$ANA"
GID_DELEG=$(getent group "$DLG" | cut -d: -f3)
GID_GONE=$(getent group "$GONE" | cut -d: -f3)
[ "$GID_GONE" -ne $((GID_DELEG + 1)) ] || { not_ok "groupadd allocated gids upwards"; done_testing; exit 1; }

work=$(mktemp -d /tmp/subid-differential.XXXXXX)
chmod 0755 "$work"
at_exit "rm -rf '$work'"

# One pair of shadow-format files for both implementations. ana holds a
# chain of two adjacent entries, a separate entry and a 5-digit entry (so that
# 340 extents fit in the one page the kernel accepts), and two delegated
# gids; bob the range right after ana's chain and one under his numeric uid;
# cy a dangerous host-root entry and a clean one.
for kind in uid gid; do
        {
                echo "$ANA:200000:1000"
                echo "$ANA:201000:1000"
                echo "$BOB:202000:1000"
                echo "$ANA:205000:1000"
                echo "$ANA:50000:1000"
                echo "$CY:0:10"
                echo "$CY:300000:65536"
                echo "$(id -u "$BOB"):210000:1000"
                [ $kind = gid ] && echo "$ANA:$GID_DELEG:1" && echo "$ANA:$GID_GONE:1"
        } >"$work/sub$kind"
        chmod 0644 "$work/sub$kind"
done

real_before=$(cat /etc/subuid /etc/subgid | sha256sum)

reset_policy
start_admind || { not_ok "subid-admind starts"; done_testing; exit 1; }
# --skip-bad imports the clean entries and exits 1 for the refused ones:
# both cy:0:10 lines (host id 0). ana's subgid lines for her groups become
# delegations.
"$SUBIDCTL" import --subuid "$work/subuid" --subgid "$work/subgid" --skip-bad >"$work/import.out" 2>"$work/import.err"
is "$?" 1 "subidctl import --skip-bad seeds the database from the same files, reporting refusals"
is "$(cat "$work/import.out")" \
        "imported 7 subuid ranges, 7 subgid ranges, 2 delegations; 0 already present, 2 refused" \
        "everything but the host-root entries was imported"
is "$(grep -c -e "subuid:6: .*host id 0" -e "subgid:6: .*host id 0" "$work/import.err")" 2 \
        "import refused $CY:0:10 in both files"

# ana leaves one delegated group after the import: shadow cannot know,
# subid looks the membership up at map time.
gpasswd -d "$ANA" "$GONE" >/dev/null
is "$(id -Gn "$ANA" | tr ' ' '\n' | grep -c -x -e "$DLG" -e "$GONE")" 1 "$ANA is in $DLG but has left $GONE"

export BIN SBIN CHECK_ROOT SRCDIR ANA BOB CY GID_DELEG GID_GONE
start=$SECONDS
unshare -m --propagation private -- bash "$0" --inner "$work" >"$work/inner.log" 2>&1
is "$?" 0 "the case runner completed in a private mount namespace"
elapsed=$((SECONDS - start))

is "$(cat "$work/seen-files" 2>/dev/null)" "$(cat "$work/subuid" "$work/subgid")" \
        "shadow's helpers saw the test files at /etc/subuid and /etc/subgid"
is "$(cat "$work/seen-files-end" 2>/dev/null)" "$(cat "$work/subuid" "$work/subgid")" \
        "the bind mounts held until the last case (nothing replaced /etc/subuid meanwhile)"
is "$(cat /etc/subuid /etc/subgid | sha256sum)" "$real_before" \
        "the real /etc/subuid and /etc/subgid are untouched"

# ---------------------------------------------------------------------------
# Comparison.
declare -A R SELF_UID SELF_GID
for u in "$ANA" "$BOB" "$CY"; do
        SELF_UID[$u]=$(id -u "$u")
        SELF_GID[$u]=$(id -g "$u")
done

load() { # load IMPL FILE: fills R[IMPL.key] from a case_run result
        local k v kv
        for k in setup rc uid_map gid_map setgroups pre_uid_map pre_gid_map pre_setgroups stderr; do R[$1.$k]=; done
        if [ ! -s "$2" ]; then
                R[$1.setup]="no result in $2"
                return
        fi
        while IFS= read -r kv; do
                k=${kv%%=*}
                v=${kv#*=}
                R[$1.$k]=$v
        done <"$2"
        [ -n "${R[$1.rc]}" ] || R[$1.setup]+=" no exit status recorded"
}

fill() { # fill TEXT USER: the placeholders a case's expected map may use
        local t=${1//@SELF_UID@/${SELF_UID[$2]}}
        t=${t//@SELF_GID@/${SELF_GID[$2]}}
        t=${t//@GID_GONE@/$GID_GONE}
        printf '%s' "${t//@GID_DELEG@/$GID_DELEG}"
}

wanted_map() { # wanted_map ARGS USER: ARGS' triples as the kernel shows them
        local -a a
        local out="" i
        eval "a=($1)"
        a=("${a[@]:1}")
        if [ "${a[0]:-}" = @EXT340@ ]; then
                a=()
                for ((i = 0; i < 340; i++)); do a+=("$i" "$((50000 + i))" 1); done
        fi
        for ((i = 0; i + 2 < ${#a[@]}; i += 3)); do
                out+="${out:+;}${a[i]} ${a[i + 1]} ${a[i + 2]}"
        done
        fill "$out" "$2"
}

describe() { # describe IMPL
        local m
        for m in uid_map gid_map; do
                [ "${#R[$1.$m]}" -le 200 ] || R[$1.$m]="${R[$1.$m]:0:200}…"
        done
        printf '%s: rc=%s uid_map=[%s] gid_map=[%s] setgroups=%s (before: [%s] [%s] %s)%s%s' "$1" "${R[$1.rc]}" \
                "${R[$1.uid_map]}" "${R[$1.gid_map]}" "${R[$1.setgroups]}" "${R[$1.pre_uid_map]}" \
                "${R[$1.pre_gid_map]}" "${R[$1.pre_setgroups]}" "${R[$1.setup]:+ setup: ${R[$1.setup]}}" \
                "${R[$1.stderr]:+ stderr: ${R[$1.stderr]}}"
}

same() { # the two runs agree on everything but the wording of errors
        local k
        for k in rc uid_map gid_map setgroups; do
                [ "${R[shadow.$k]}" = "${R[subid.$k]}" ] || problems+=("$k differs between shadow and subid")
        done
}

succeeded() { # succeeded IMPL MAP
        [ "${R[$1.rc]}" = 0 ] || problems+=("$1 should succeed (exit status ${R[$1.rc]})")
        [ "${R[$1.$map]}" = "$2" ] || problems+=("$1 should write $map [$2]")
        [ "$sg" = - ] || [ "${R[$1.setgroups]}" = "$sg" ] || problems+=("$1 should leave setgroups $sg")
}

refused() { # refused IMPL: exit status 1, the map as it was
        [ "${R[$1.rc]}" = 1 ] || problems+=("$1 should fail with exit status 1")
        [ "${R[$1.$map]}" = "${R[$1.pre_$map]}" ] || problems+=("$1 should not change $map")
}

n_cases=0
while IFS= read -r line; do
        parse_case "$line"
        id=$C_ID tool=$C_TOOL user=$C_USER expect=$C_EXPECT sg=$C_SETGROUPS
        map=${tool}_map
        if [ "$tool" = uid ]; then other=gid_map; else other=uid_map; fi
        n_cases=$((n_cases + 1))
        load shadow "$work/results/$id.shadow"
        load subid "$work/results/$id.subid"

        problems=()
        for impl in shadow subid; do
                [ -z "${R[$impl.setup]}" ] || problems+=("$impl: test setup failed:${R[$impl.setup]}")
                [ "${R[$impl.$other]}" = "${R[$impl.pre_$other]}" ] ||
                        problems+=("$impl changed the $other although it was not asked to")
        done
        # Whatever shadow does, subid changes nothing when it refuses.
        if [ "${R[subid.rc]}" != 0 ] && [ "${R[subid.setgroups]}" != "${R[subid.pre_setgroups]}" ]; then
                problems+=("subid failed but changed setgroups")
        fi
        case $expect in
        ok)
                same
                succeeded subid "$(wanted_map "$C_ARGS" "$user")"
                verdict="both succeed with identical maps"
                ;;
        fail)
                same
                refused shadow
                refused subid
                verdict="both refuse identically"
                ;;
        stricter:*)
                want=$(fill "${expect#stricter:}" "$user")
                succeeded shadow "$want"
                refused subid
                [ "${R[shadow.setgroups]}" = "${R[subid.setgroups]}" ] || problems+=("setgroups differs")
                verdict="deliberately stricter: shadow maps [$want], subid refuses"
                ;;
        newer)
                refused shadow
                succeeded subid "$(wanted_map "$C_ARGS" "$user")"
                verdict="newer syntax: shadow 4.13 refuses it, subid maps"
                ;;
        atomic)
                refused shadow
                refused subid
                [ "${R[shadow.setgroups]}" = deny ] || problems+=("shadow was expected to leave setgroups deny")
                [ "${R[subid.setgroups]}" = allow ] || problems+=("subid should leave setgroups allow")
                verdict="both refuse; shadow has already set setgroups deny, subid touched nothing"
                ;;
        *)
                problems+=("unknown expectation '$expect' in $CASES")
                verdict="?"
                ;;
        esac
        desc="$id new${tool}map, $C_WHAT: $verdict"
        if [ ${#problems[@]} -eq 0 ]; then
                ok "$desc"
        else
                not_ok "$desc" "${problems[@]}" "$(describe shadow)" "$(describe subid)"
        fi
done < <(case_lines)

if [ "$n_cases" -ge 60 ]; then
        ok "corpus has $n_cases cases (at least 60)"
else
        not_ok "corpus has at least 60 cases" "only $n_cases in $CASES"
fi
dups=$(case_lines | cut -d'|' -f1 | tr -d ' ' | sort | uniq -d | tr '\n' ' ')
is "$dups" "" "case ids are unique"
if [ "$elapsed" -lt 90 ]; then
        ok "case runner took ${elapsed}s (limit 90s)"
else
        not_ok "case runner finishes in under 90s" "took ${elapsed}s"
fi
if [ -s "$work/inner.log" ]; then
        echo "# case runner said:"
        sed 's/^/#   /' "$work/inner.log"
fi

done_testing
