#!/bin/bash
# SPDX-License-Identifier: MIT
# Masks against a workspace that a parallel call changes (issue 7 §2).  The
# plan chooses masks by path in the launcher and pid 1 mounts them later; a
# parallel `mv a b; mkdir a; touch a/.env` in between used to leave the real
# secret readable as b/.env (10 of 20 calls leaked here before pid 1 walked
# the workspace again, by fd, in its own namespace: sandbox/maskwalk.h).
# Three real processes change the workspace while calls start: the swap
# above, a mover that keeps moving a secret's directory between directories
# during pid 1's walk, and a package-manager-like churn that must not make
# calls fail.  A call either runs without the secret or fails closed (125).
. "${TAP_LIB:?}"
if ! command -v python3 >/dev/null; then
        echo "1..0 # SKIP python3 is not installed"
        exit 0
fi
CHURN=$(cd "$(dirname "$0")" && pwd)/maskrace_churn.py
CALLS=20
FILLER=200 # directories the plan's scan and pid 1's walk go through: a wider window
SECRET=maskrace-secret-$$-$RANDOM
SCRATCH=$(tap_scratch)

filler() {
        (cd "$1" && seq -f 'f%g' 1 "$FILLER" | xargs mkdir)
}

# race MODE WS SCRIPT [N RESET [RUN ARGS...]]: N calls (default CALLS) of
# SCRIPT in WS while the churn runs in MODE.  With RESET (a command), each
# call comes after it, with the churn armed for that call alone (it acts on
# the report of x being opened, maskrace_churn.py), and SCRIPT says
# "conclusive" when the churn acted before the call started.  Sets LEAKS,
# RAN, CLOSED, OTHER, CONCLUSIVE, CHURN_RC and CHANGES.
race() {
        local mode=$1 ws=$2 script=$3 n=${4:-$CALLS} reset=${5:-} stop=$SCRATCH/stop-$1 log=$SCRATCH/churn-$1
        shift $(($# < 5 ? $# : 5))
        python3 "$CHURN" "$mode" "$ws" "$stop" >"$log" 2>&1 &
        local churn=$!
        [ -n "$reset" ] || sleep 0.2
        LEAKS=0 RAN=0 CLOSED=0 OTHER="" CONCLUSIVE=0
        for _ in $(seq 1 "$n"); do
                if [ -n "$reset" ]; then
                        $reset
                        touch "$stop.arm"
                        for _ in $(seq 1 200); do [ -e "$stop.arm" ] || break; sleep 0.01; done
                fi
                RUN_CWD=$ws run_sandbox "$@" -- bash -c "$script"
                case "$RUN_OUT" in *"$SECRET"*) LEAKS=$((LEAKS + 1)) ;; esac
                case "$RUN_OUT" in *conclusive*) CONCLUSIVE=$((CONCLUSIVE + 1)) ;; esac
                case "$RUN_RC" in
                0) RAN=$((RAN + 1)) ;;
                125) CLOSED=$((CLOSED + 1)) ;;
                *) OTHER+=" $RUN_RC:$(head -c 200 <<<"$RUN_ERR")" ;;
                esac
        done
        touch "$stop"
        wait "$churn"
        CHURN_RC=$?
        CHANGES=$(tail -n 1 "$log")
}

# ---- 0: a mask moves with its dentry ------------------------------------
# What the fix builds on: once masked, a secret stays masked however its
# parent is renamed afterwards (the call reads it under the new name).
WS=$(tap_workspace)
mkdir "$WS/a"
printf '%s\n' "$SECRET" >"$WS/a/.env"
tap_chown_ws "$WS"
(for _ in $(seq 1 100); do [ -e "$WS/started" ] && break; sleep 0.05; done; mv "$WS/a" "$WS/renamed") &
mover=$!
RUN_CWD=$WS run_sandbox -- bash -c 'touch started; for i in $(seq 1 100); do [ -d renamed ] && break; sleep 0.05; done; cat renamed/.env 2>&1; true'
wait "$mover"
unlike "$RUN_OUT" "$SECRET" "a mask stays on the secret when its directory is renamed after the mounts"
like "$RUN_OUT" "renamed/.env: Permission denied" "and the renamed secret is the mask's empty mode-000 file"

# ---- 1: the plan's masks, moved away between plan and mounts -------------
WS=$(tap_workspace)
mkdir "$WS/a"
printf '%s\n' "$SECRET" >"$WS/a/.env"
filler "$WS"
tap_chown_ws "$WS"
race swap "$WS" 'cat a/.env b/.env 2>/dev/null; true'
is "$CHURN_RC" 0 "swap: the renamer ran to the end ($CHANGES swaps)"
is "$LEAKS" 0 "swap: no call read the secret moved from a/.env to b/.env"
is "$OTHER" "" "swap: every call ran or failed closed ($RAN ran, $CLOSED failed closed)"
ok "swap: calls ran while the workspace changed (not all failed closed)" test "$RAN" -ge 1
is "$(cat "$WS/a/.env" 2>/dev/null || cat "$WS/b/.env")" "$SECRET" "swap: the secret is still on the host"

# ---- 2: a secret's directory moved during pid 1's walk -------------------
WS=$(tap_workspace)
filler "$WS"
mkdir "$WS/f1/s"
printf '%s\n' "$SECRET" >"$WS/f1/s/.env"
tap_chown_ws "$WS"
race move "$WS" 'cat f*/s/.env 2>/dev/null; true'
is "$CHURN_RC" 0 "move: the mover ran to the end ($CHANGES moves)"
is "$LEAKS" 0 "move: no call read the secret whose directory kept moving"
is "$OTHER" "" "move: every call ran or failed closed ($RAN ran, $CLOSED failed closed)"
ok "move: calls ran while the directory moved (not all failed closed)" test "$RAN" -ge 1

# ---- 3: a busy workspace (a package manager at work) ---------------------
WS=$(tap_workspace)
filler "$WS"
mkdir -p "$WS/f7/app" "$WS/node_modules/.staging"
printf '%s\n' "$SECRET" >"$WS/f7/app/.env.local"
tap_chown_ws "$WS"
race npm "$WS" 'cat f7/app/.env.local 2>/dev/null; true'
is "$CHURN_RC" 0 "npm: the churn ran to the end ($CHANGES packages unpacked)"
is "$LEAKS" 0 "npm: the secret stayed masked"
is "$CLOSED $OTHER" "0 " "npm: no call failed ($RAN of $CALLS ran) while packages were unpacked, moved and removed"
# ---- 4: a listed directory renamed into a deny path of two components -----
# A custom profile denies "**" + "/secrets/prod.key".  pid 1's walk lists x
# (x/prod.key is nothing to it) and, while it walks x's subdirectories, x
# becomes secrets.  The report of secrets used to update x's record only:
# secrets/prod.key was readable when the call started, in every call here.
WS=$(tap_workspace)
mkdir "$WS/x"
printf '%s\n' "$SECRET" >"$WS/x/prod.key"
FILLER=4000 filler "$WS/x"
tap_chown_ws "$WS"
printf '{"extends": "default", "filesystem": {"deny": ["${CWD}/**/secrets/prod.key"]}}\n' >"$SCRATCH/multi.json"
x_back() { if [ -d "$WS/secrets" ]; then mv "$WS/secrets" "$WS/x"; fi; }
race listed "$WS" 'if [ -d secrets ]; then echo conclusive; cat secrets/prod.key 2>&1; fi; true' 6 x_back \
        --profile "$SCRATCH/multi.json"
is "$CHURN_RC" 0 "listed: the renamer ran to the end ($CHANGES renames)"
ok "listed: x became secrets during pid 1's walk ($CONCLUSIVE of 6 calls)" test "$CONCLUSIVE" -ge 3
is "$LEAKS" 0 "listed: secrets/prod.key was masked in every call that started with it"
is "$CLOSED $OTHER" "0 " "listed: every call ran"

# ---- 5: a secret made after the plan listed its directory ----------------
# The plan's listing of x is kept for pid 1's walk while x is unchanged
# (sandbox/listcache.h).  x/.env, written right after the plan listed x,
# changes x: the walk must list x again and mask it.
WS=$(tap_workspace)
mkdir "$WS/x"
FILLER=2000 filler "$WS/x"
tap_chown_ws "$WS"
printf '%s\n' "$SECRET" >"$SCRATCH/stop-plant.secret"
x_settled() {
        rm -f "$WS/x/.env"
        sleep 0.1 # x settles: the plan keeps its listing
}
race plant "$WS" 'if [ -e x/.env ]; then echo conclusive; cat x/.env 2>&1; fi; true' 6 x_settled
is "$CHURN_RC" 0 "plant: the planter ran to the end ($CHANGES secrets)"
ok "plant: x/.env appeared between the plan and the call ($CONCLUSIVE of 6 calls)" test "$CONCLUSIVE" -ge 3
is "$LEAKS" 0 "plant: x/.env was masked in every call that started with it"
is "$CLOSED $OTHER" "0 " "plant: every call ran"

diag "swap, move, npm: calls start while the workspace changes; see docs/security.md"
done_testing
