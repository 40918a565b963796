#!/bin/bash
# SPDX-License-Identifier: MIT
# Exit codes of `clawjail run` (SPEC "Exit codes"), and bad input: exit 125,
# exactly one line on stderr naming the problem, and nothing executed (the
# command would have created a marker file in the workspace).
. "${TAP_LIB:?}"

WS=$(tap_workspace)
SCRATCH=$(tap_scratch)

# ---- the child's status passed through -------------------------------------------

run_sandbox -- bash -c 'exit 7'
is "$RUN_RC" 7 "exit 7 -> 7"
run_sandbox -- bash -c 'exit 0'
is "$RUN_RC" 0 "exit 0 -> 0"
run_sandbox -- bash -c 'kill -TERM $$'
is "$RUN_RC" 143 "kill -TERM \$\$ -> 143"
run_sandbox -- bash -c 'kill -KILL $$'
is "$RUN_RC" 137 "kill -KILL \$\$ -> 137"

run_sandbox -- /nonexistent/cj-program
is "$RUN_RC" 127 "a missing program -> 127"
is "$(count_lines "$RUN_ERR")" 1 "... with one line on stderr"
like "$RUN_ERR" 'cj-program' "... naming the program"

printf '#!/bin/sh\ntouch ran-nonexec\n' >"$WS/not-exec"
chmod 644 "$WS/not-exec"
tap_chown_ws "$WS/not-exec"
run_sandbox -- ./not-exec
is "$RUN_RC" 126 "a non-executable file -> 126"
is "$(count_lines "$RUN_ERR")" 1 "... with one line on stderr"
ok "... and it did not run" test ! -e "$WS/ran-nonexec"

run_sandbox --timeout 1 -- sleep 30
is "$RUN_RC" 124 "--timeout 1 on sleep 30 -> 124"

run_sandbox --json -- bash -c 'echo out; echo err >&2; exit 3'
is "$RUN_RC" 3 "--json keeps the child's exit status"
like "$RUN_OUT" '"exit_code":3' "--json result carries exit_code 3"
like "$RUN_OUT" '"stdout":"out\\n"' "--json result carries stdout"
like "$RUN_OUT" '"stderr":"err\\n"' "--json result carries stderr"

# ---- bad input --------------------------------------------------------------------------

printf '{"extends": "default",\n "limits": {"pids": 10\n' >"$SCRATCH/malformed.json"
printf '{"extends":"default","filesystem":{"ro":["/usr"],"rwx":["/"]}}\n' >"$SCRATCH/unknown-key.json"
printf '{"extends":"cj-no-such-parent-profile"}\n' >"$SCRATCH/bad-extends.json"
printf '{"extends":"default","limits":{"pids":"many"}}\n' >"$SCRATCH/bad-type.json"

n=0
bad_input() { # DESCRIPTION ERE [RUN OPTIONS...]: must fail with 125 and run nothing
        local desc=$1 re=$2
        shift 2
        n=$((n + 1))
        local marker="$WS/bad-input-ran-$n"
        run_sandbox "$@" -- touch "$marker"
        is "$RUN_RC" 125 "$desc -> 125"
        is "$(count_lines "$RUN_ERR")" 1 "$desc: exactly one line on stderr"
        like "$RUN_ERR" "$re" "$desc: the line names the problem"
        ok "$desc: nothing was executed" test ! -e "$marker"
}

bad_input "malformed profile JSON" "malformed\\.json.*(JSON|json)" --profile "$SCRATCH/malformed.json"
bad_input "a profile with an unknown key" "unknown-key\\.json.*filesystem\\.rwx" --profile "$SCRATCH/unknown-key.json"
bad_input "a profile with a wrongly typed value" "bad-type\\.json.*limits\\.pids" --profile "$SCRATCH/bad-type.json"
bad_input "a profile extending a missing profile" "bad-extends\\.json.*cj-no-such-parent-profile" \
        --profile "$SCRATCH/bad-extends.json"
bad_input "an unknown profile name" "cj-no-such-profile" --profile cj-no-such-profile
bad_input "a nonexistent --cwd" "$WS/no-such-dir" --cwd "$WS/no-such-dir"
bad_input "a --cwd outside the granted roots" "$SCRATCH" --cwd "$SCRATCH"
bad_input "--net host with the default profile" "--net host.*widen" --net host
bad_input "an unknown option" "--frobnicate" --frobnicate
bad_input "--timeout abc" "--timeout abc" --timeout abc
bad_input "--timeout 0" "--timeout 0" --timeout 0
bad_input "a relative --rw path that does not exist" "no-such-rw" --rw no-such-rw

# A setup failure inside pid 1 while the launcher is still starting the
# sandbox (slow: every write delayed 200 ms by strace, as under load) must
# still be one clear line and 125, not a silent death of the launcher.
if command -v strace >/dev/null; then
        # LeakSanitizer (in a sanitizer build) refuses to run under ptrace.
        (cd "$WS" && ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
                strace -f -o /dev/null -e trace=write -e inject=write:delay_enter=200000 \
                "$CLAWJAIL" run --cwd "$WS/no-such-dir" -- touch "$WS/slow-ran") >/dev/null 2>"$SCRATCH/slow.err"
        rc=$?
        is "$rc" 125 "a setup failure while the launcher is slow -> 125"
        like "$(cat "$SCRATCH/slow.err")" "no-such-dir" "... with the line naming the problem"
else
        skip "a setup failure while the launcher is slow -> 125" "strace is not installed"
        skip "... with the line naming the problem" "strace is not installed"
fi

# No program at all.
(cd "$WS" && "$CLAWJAIL" run --) >/dev/null 2>"$SCRATCH/noprog.err"
rc=$?
is "$rc" 125 "no program given -> 125"
is "$(count_lines "$(cat "$SCRATCH/noprog.err")")" 1 "no program given: one line on stderr"
like "$(cat "$SCRATCH/noprog.err")" 'program' "no program given: the line says so"

done_testing
