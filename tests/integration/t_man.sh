#!/bin/bash
# The installed documentation: a man page for every installed binary, the
# configuration file and the libsubid provider, rendering without groff
# warnings and naming the paths this build compiled in; `man subidctl`
# through MANPATH lists every command; the bash completions complete
# commands, options, users and groups.
. "$SRCDIR/tests/integration/lib.sh"

MANDIR=$CHECK_ROOT/usr/share/man
COMPDIR=$CHECK_ROOT/usr/share/bash-completion/completions
command -v man >/dev/null || skip_all "man (man-db) is not installed"

# ---- man pages -----------------------------------------------------------------
for b in "$BIN"/* "$SBIN"/*; do
        name=${b##*/}
        pages=("$MANDIR"/man[18]/"$name".[18])
        [ -f "${pages[0]}" ] && ok "$name has a man page (${pages[0]#"$MANDIR"/})" ||
                not_ok "$name has a man page" "none under $MANDIR/man1 or man8"
done
for p in man5/subid.conf.5 man5/libsubid_subid.5; do
        [ -f "$MANDIR/$p" ] && ok "$p is installed" || not_ok "$p is installed"
done

for p in "$MANDIR"/man*/*; do
        err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$p" 2>&1 >/dev/null)
        out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l -P cat "$p" 2>/dev/null)
        if [ -z "$err" ] && [ "$(grep -c '' <<<"$out")" -gt 10 ] && ! grep -q '@[A-Z]*@' <<<"$out"; then
                ok "${p#"$MANDIR"/} renders without warnings, every @PLACEHOLDER@ filled in"
        else
                not_ok "${p#"$MANDIR"/} renders without warnings" "$err" "$(grep '@[A-Z]*@' <<<"$out")"
        fi
done

out=$(MANPATH=$MANDIR MANWIDTH=100 man -P cat subidctl 2>&1)
rc=$?
is "$rc" 0 "MANPATH=$MANDIR man subidctl renders"
missing=
for c in grant revoke list who-owns import "group allow" "group deny" requests approve reject sync \
        "quarantine list" "quarantine release" doctor; do
        grep -q "^ *$c\b" <<<"$out" || missing="$missing '$c'"
done
is "$missing" "" "man subidctl describes every command"
# The commands' own list, so a command added later without a man entry fails here.
for c in $("$SUBIDCTL" --help | sed -n 's/^  \([a-z-]*\) .*/\1/p' | sort -u); do
        grep -q "^ *$c\b" <<<"$out" || missing="$missing '$c'"
done
is "$missing" "" "every command of subidctl --help is in man subidctl"
grep -qF "$CHECK_ROOT/run/subid/admind.sock" <<<"$out" && ok "man subidctl names this build's socket path" ||
        not_ok "man subidctl names this build's socket path" "$(grep -n admind.sock <<<"$out")"
is "$(MANPATH=$MANDIR man -w subid.conf 2>&1)" "$MANDIR/man5/subid.conf.5" "man -w subid.conf finds section 5"
out=$(MANPATH=$MANDIR MANWIDTH=100 man -P cat 5 subid.conf 2>&1)
missing=
for k in sub_uid_min sub_uid_max sub_uid_count sub_gid_min sub_gid_max sub_gid_count auto_uid_min auto_uid_max \
        self_service; do
        grep -q "$k" <<<"$out" || missing="$missing $k"
done
is "$missing" "" "man subid.conf documents every key"
# The keys the parser knows, so a new key without documentation fails here.
missing=
for k in $(sed -n 's/^ *{ "\([a-z_]*\)", KEY_.*/\1/p' "$SRCDIR/policy/config.c"); do
        grep -q "$k" <<<"$out" || missing="$missing $k"
done
is "$missing" "" "every key policy/config.c parses is in man subid.conf"

# ---- bash completion ------------------------------------------------------------
U=$(make_user ecm1) && G=$(make_group ecmg) || { not_ok "create test accounts"; done_testing; exit 1; }
usermod -a -G "$G" "$U"

# complete FILE WORDS...: the completions bash offers for the last word
# (empty string: a word about to start), one a line, sorted.
complete_words() {
        local file=$1
        shift
        bash -c '
                source "$0"
                COMP_WORDS=("$@")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                fn=$(complete -p "${COMP_WORDS[0]}" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
                "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf "%s\n" "${COMPREPLY[@]}" | sort' "$file" "$@"
}
C=$COMPDIR/subidctl
[ -f "$C" ] && ok "completion for subidctl is installed" || not_ok "completion for subidctl is installed"
[ -f "$COMPDIR/subid-request" ] && ok "completion for subid-request is installed" ||
        not_ok "completion for subid-request is installed"
is "$(complete_words "$C" subidctl gr | tr '\n' ' ')" "grant group " "subidctl gr<TAB>: grant, group"
is "$(complete_words "$C" subidctl "" | wc -l)" 14 "subidctl <TAB>: 12 commands, --help, --version"
is "$(complete_words "$C" subidctl grant subidt_ecm)" "$U" "subidctl grant <user prefix><TAB>: the user"
# subidt_ecm1 is also the user's private group; subidt_ecmg is no user.
is "$(complete_words "$C" subidctl grant "$U" --group subidt_ecm | tr '\n' ' ')" "$U $G " \
        "grant USER --group <TAB>: group names"
is "$(complete_words "$C" subidctl grant "$U" --co)" "--count" "grant USER --co<TAB>: --count"
is "$(complete_words "$C" subidctl grant "$U" "")" "" "grant USER <TAB>: no second USER"
is "$(complete_words "$C" subidctl group "" | tr '\n' ' ')" "allow deny " "group <TAB>: allow, deny"
is "$(complete_words "$C" subidctl group allow subidt_ecmg)" "$G" "group allow <TAB>: group names"
is "$(complete_words "$C" subidctl group allow "$G" --policy "" | tr '\n' ' ')" "approve self " \
        "group allow G --policy <TAB>: self, approve"
is "$(complete_words "$C" subidctl quarantine re)" "release" "quarantine re<TAB>: release"
is "$(complete_words "$C" subidctl doctor -- | tr '\n' ' ')" "--help --json " "doctor --<TAB>: its options"
is "$(complete_words "$C" subidctl revoke "$U" --sub | tr '\n' ' ')" "--subgids --subuids " \
        "revoke USER --sub<TAB>: --subgids, --subuids"
R=$COMPDIR/subid-request
is "$(complete_words "$R" subid-request --st)" "--status" "subid-request --st<TAB>: --status"
out=$(as_user "$U" bash -c "$(declare -f complete_words); complete_words '$R' subid-request --group ''" | tr '\n' ' ')
is "$out" "$(printf '%s\n' $(id -Gn "$U") | sort | tr '\n' ' ')" "subid-request --group <TAB>: the caller's own groups"

done_testing
