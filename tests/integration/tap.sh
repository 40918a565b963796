# SPDX-License-Identifier: MIT
# tap.sh: a small TAP producer for the integration scripts (bash).
#
#   . "$TAP_LIB"
#   ok "desc" COMMAND...          pass if COMMAND succeeds (its stdout: "# " lines)
#   is GOT WANT "desc"            pass if the strings are equal
#   like TEXT REGEX "desc"        pass if TEXT matches the ERE (grep -E)
#   unlike TEXT REGEX "desc"      pass if TEXT does not match
#   pass "desc" / fail "desc"     report a result computed by the script
#   skip "desc" "reason"          "ok N - desc # SKIP reason"
#   TAP_TODO="reason" ok ...      a known, documented limitation: the result
#                                 is marked "# TODO reason" (expected failure)
#   diag "text"                   "# text" lines (multi-line safe)
#   done_testing                  print the plan "1..N" and exit 1 if any failed
#
# Sandbox helpers:
#   tap_workspace                 a fresh directory the sandbox user can write
#                                 (owned by 65534 when we are root)
#   tap_scratch                   a fresh directory for the host side only
#                                 (both under $TAP_ROOT, removed at exit: a
#                                 script that sets its own EXIT trap calls tap_cleanup)
#   run_sandbox [RUN OPTS] -- PROG ARGS
#                                 "$CLAWJAIL run" from $RUN_CWD (default $WS),
#                                 bounded by an outer timeout; sets RUN_RC,
#                                 RUN_OUT, RUN_ERR (never fails the script)
#   install_helpers DIR           copy the C helpers ($CJ_HELPERS_DIR) into DIR

set -u

TAP_N=0
TAP_FAILED=0
SANDBOX_UID=$(id -u)
if [ "$SANDBOX_UID" = 0 ]; then
        SANDBOX_UID=65534
fi
: "${RUN_OUTER_TIMEOUT:=60}"

# Every directory a script makes lives under one root, removed at exit.
# (tap_workspace runs in $(...), a subshell: it cannot register anything.)
TAP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/cj-test.XXXXXX") || {
        echo "Bail out! mktemp failed"
        exit 1
}
chmod 755 "$TAP_ROOT"
tap_cleanup() {
        chmod -R u+rwX "$TAP_ROOT" 2>/dev/null
        rm -rf -- "$TAP_ROOT"
}
trap tap_cleanup EXIT

diag() {
        local line
        while IFS= read -r line; do
                printf '# %s\n' "$line"
        done <<<"$*"
}

pass() {
        TAP_N=$((TAP_N + 1))
        printf 'ok %d - %s%s\n' "$TAP_N" "$1" "${TAP_TODO:+ # TODO $TAP_TODO}"
}

fail() {
        TAP_N=$((TAP_N + 1))
        [ -n "${TAP_TODO:-}" ] || TAP_FAILED=$((TAP_FAILED + 1))
        printf 'not ok %d - %s%s\n' "$TAP_N" "$1" "${TAP_TODO:+ # TODO $TAP_TODO}"
}

skip() {
        TAP_N=$((TAP_N + 1))
        printf 'ok %d - %s # SKIP %s\n' "$TAP_N" "$1" "$2"
}

# The command's own stdout (say, `git status`) becomes "# " comment lines
# after the result: a bare line in TAP is an error to the harness.  It runs
# in this shell, not a subshell, so what it sets stays set.
ok() {
        local desc=$1 rc out="$TAP_ROOT/.ok-stdout"
        shift
        "$@" >"$out"
        rc=$?
        if [ "$rc" -eq 0 ]; then
                pass "$desc"
        else
                fail "$desc"
                diag "command failed: $*"
        fi
        if [ -s "$out" ]; then
                diag "$(head -n 20 "$out")"
                [ "$(wc -l <"$out")" -le 20 ] || diag "(more lines not shown)"
        fi
        rm -f "$out"
}

is() {
        if [ "$1" = "$2" ]; then
                pass "$3"
        else
                fail "$3"
                diag "got:  '$1'"
                diag "want: '$2'"
        fi
}

like() {
        if grep -Eq -- "$2" <<<"$1"; then
                pass "$3"
        else
                fail "$3"
                diag "no match for /$2/ in (first lines):"
                diag "$(head -n 15 <<<"$1")"
        fi
}

unlike() {
        if grep -Eq -- "$2" <<<"$1"; then
                fail "$3"
                diag "unexpected match for /$2/ (matching lines):"
                diag "$(grep -E -- "$2" <<<"$1" | head -n 10)"
        else
                pass "$3"
        fi
}

done_testing() {
        printf '1..%d\n' "$TAP_N"
        [ "$TAP_FAILED" -eq 0 ]
        exit $?
}

bail_out() {
        printf 'Bail out! %s\n' "$*"
        exit 1
}

# A directory the sandbox user can write: it becomes the workspace (${CWD}).
tap_workspace() {
        local d
        d=$(mktemp -d "$TAP_ROOT/ws.XXXXXX") || bail_out "mktemp failed"
        chmod 755 "$d"
        [ "$(id -u)" = 0 ] && chown "$SANDBOX_UID:$SANDBOX_UID" "$d"
        printf '%s\n' "$d"
}

# A directory only the host side uses (markers outside the workspace).
tap_scratch() {
        local d
        d=$(mktemp -d "$TAP_ROOT/host.XXXXXX") || bail_out "mktemp failed"
        chmod 755 "$d"
        printf '%s\n' "$d"
}

# Give the sandbox user ownership of what the test planted in a workspace.
tap_chown_ws() {
        [ "$(id -u)" = 0 ] && chown -R "$SANDBOX_UID:$SANDBOX_UID" "$@"
        return 0
}

install_helpers() {
        cp "$CJ_HELPERS_DIR"/cj-probe "$1"/ || bail_out "cannot copy helpers from $CJ_HELPERS_DIR"
        chmod 755 "$1"/cj-probe
}

# `bash -c SCRIPT [NAME ARGS...]` after `--` is run as `bash FILE ARGS...`
# from a read-only bind instead: these tests attack the sandbox layer, and
# must reach it whatever the validation chain (which sees `-c` strings, not
# files) thinks of the attack.  The chain has its own tests.
TAP_SCRIPTS=""
TAP_SCRIPT_N=0
run_sandbox() {
        local out err args=() i
        args=("$@")
        for ((i = 0; i < ${#args[@]} - 2; i++)); do
                [ "${args[i]}" = -- ] || continue
                if [ "${args[i + 1]}" = bash ] && [ "${args[i + 2]}" = -c ]; then
                        if [ -z "$TAP_SCRIPTS" ]; then
                                TAP_SCRIPTS=$TAP_ROOT/scripts
                                mkdir -p "$TAP_SCRIPTS" && chmod 755 "$TAP_SCRIPTS"
                        fi
                        TAP_SCRIPT_N=$((TAP_SCRIPT_N + 1))
                        local f="$TAP_SCRIPTS/script-$TAP_SCRIPT_N.sh"
                        printf '%s\n' "${args[i + 3]}" >"$f"
                        chmod 644 "$f"
                        # drop "-c SCRIPT" and bash's $0 (NAME), keep ARGS
                        args=("${args[@]:0:i}" --ro "$f" -- bash "$f" "${args[@]:i + 5}")
                fi
                break
        done
        out=$(mktemp) err=$(mktemp)
        (cd "${RUN_CWD:-$WS}" && exec timeout -k 5 "$RUN_OUTER_TIMEOUT" "$CLAWJAIL" run "${args[@]}") \
                >"$out" 2>"$err" </dev/null
        RUN_RC=$?
        RUN_OUT=$(cat "$out")
        RUN_ERR=$(cat "$err")
        rm -f "$out" "$err"
        case $RUN_RC in
        120 | 121) diag "the validation chain stopped a sandbox test (rc $RUN_RC): $(head -n 2 <<<"$RUN_ERR")" ;;
        esac
        return 0
}

# Print what the last run said, for a failing test's context.
diag_run() {
        diag "rc=$RUN_RC"
        [ -n "$RUN_OUT" ] && diag "stdout: $RUN_OUT"
        [ -n "$RUN_ERR" ] && diag "stderr: $RUN_ERR"
        return 0
}

# Number of non-empty lines.
count_lines() {
        grep -c . <<<"$1"
}
