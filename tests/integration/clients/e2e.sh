#!/bin/bash
# SPDX-License-Identifier: MIT
# e2e.sh [rootless]: a real agent harness calls clawjail's MCP exec tool
# because its model asked it to.  The model is model-server.mjs, a scripted
# fixture on 127.0.0.1 (Codex: Responses API, Claude Code: Messages API,
# Gemini CLI: Gemini API); the harnesses and clawjail are the real ones,
# configured as the README says (Codex: the README's config.toml block, read
# from the README itself).
# The script: call 0 runs `id -u; hostname; sh probe.sh` in the project (the
# probe reads .env, which the validation chain cannot see), call 1 runs
# `cat .env`, call 2 `git push origin main` (the profile asks a person), then
# the model ends the turn.  Asserted from the model's side: the tool results
# the harness posted back carry the sandbox's own output (uid, hostname
# `clawjail`, a masked .env), the refusal of the direct read, and that the push
# did not run; the credential never reaches the model.  From clawjail's side:
# the session's task journal holds the calls, verifies, chains the journal
# position the result reported, and shows who answered the approval question
# (a client that offers elicitation but has no one to ask declines it).
# "rootless" re-runs this as uid 65534 (when started by root) with
# hard-linked copies of the clients.  No network: the model is on loopback
# and each client's update checks and telemetry are off.
set -u
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-root}
mods=${CJ_CLIENT_MODULES:-$here/node_modules}
readme=${CJ_README:-${CLAWJAIL_SOURCE_DIR:-$here/../../..}/README.md}
codex=$mods/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex
claude=$mods/@anthropic-ai/claude-code-linux-x64/claude
if [ "$(uname -m)" != x86_64 ]; then
        echo "1..0 # SKIP the pinned Codex and Claude Code binaries are the linux-x64 builds"
        exit 0
fi
if [ ! -x "$codex" ] && [ ! -x "$claude" ]; then
        echo "1..0 # SKIP neither Codex nor Claude Code is installed: run packaging/install-deps.sh (npm ci in tests/integration/clients)"
        exit 0
fi

if [ "$mode" = rootless ] && [ "$(id -u)" = 0 ]; then
        . "$here/rootless.sh"
        cj_rerun_rootless "$0" "$mods" @anthropic-ai/claude-code-linux-x64 @openai/codex-linux-x64 @google/gemini-cli \
                -- "$here/model-server.mjs" "$here/model-log.mjs" "$readme"
fi

. "${TAP_LIB:?}"
for tool in git node; do
        command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
SD=$(tap_scratch)
export HOME=$SD/home
mkdir -p "$HOME" "$SD/proj"
# Neither client may phone home.
export DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
secret=sk-e2e-$$-never-shown-to-the-model
cd "$SD/proj" && git init -q . && echo '# demo' >README.md
echo "OPENAI_API_KEY=$secret" >.env
# The chain cannot read into a script: the sandbox is what keeps .env empty.
echo 'echo "env:[$(cat .env 2>&1)]"' >probe.sh
CALL0='id -u; hostname; sh probe.sh'
CALL1='cat .env'
CALL2='git push origin main'
# What the scripted model asks for, as each harness names clawjail's exec.
export CJ_MODEL_CALLS="[{\"command\":\"$CALL0\"},{\"command\":\"$CALL1\"},{\"command\":\"$CALL2\"}]"
export CJ_MODEL_TOOL_CODEX=exec CJ_MODEL_NAMESPACE_CODEX=mcp__clawjail CJ_MODEL_TOOL_CLAUDE=mcp__clawjail__exec \
        CJ_MODEL_TOOL_GEMINI=mcp_clawjail_exec
PROMPT="Show the sandbox's uid and hostname, then try to read .env."

srv=
stop_model() {
        [ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
        srv=
}
trap 'stop_model; tap_cleanup' EXIT
# start_model NAME: a fresh scripted model; sets PORT and LOG.
start_model() {
        LOG=$SD/$1.model.log
        rm -f "$SD/$1.port"
        node "$here/model-server.mjs" "$SD/$1.port" "$LOG" 2>"$SD/$1.model.err" &
        srv=$!
        local i
        for i in $(seq 100); do
                [ -s "$SD/$1.port" ] && break
                sleep 0.1
        done
        PORT=$(cat "$SD/$1.port" 2>/dev/null)
        [ -n "$PORT" ] || bail_out "the scripted model did not start: $(cat "$SD/$1.model.err")"
}

# check_session NAME RESULT_DIR: what the model was sent back, and what
# clawjail journaled, for one harness's session.
check_session() {
        local name=$1 d=$2 r0 r1 r2 tasks task journal seq hash
        node "$here/model-log.mjs" "$LOG" "$d" || fail "$name: the model log is readable"
        diag "$name asked the model server for: $(grep -oE '"method":"[A-Z]+","path":"[^"]*"' "$LOG" | sort | uniq -c | tr -s ' \n' ' ')"
        r0=$(cat "$d/result.0" 2>/dev/null)
        r1=$(cat "$d/result.1" 2>/dev/null)
        r2=$(cat "$d/result.2" 2>/dev/null)
        # Both forms a result may take (the text content or the result object):
        # stdout as JSON-escaped lines, or as plain lines.
        # A harness posts back the result object (stdout JSON-escaped) or the
        # text content (stdout as lines; here joined with ~).  The mask is an
        # empty file of mode 0000: empty, or unreadable.
        local mask='env:\[(cat: \.env: Permission denied)?\]'
        like "$(tr '\n' '~' <<<"$r0")" "\"stdout\": ?\"$SANDBOX_UID\\\\nclawjail\\\\n$mask\\\\n\"|(^|~)$SANDBOX_UID~clawjail~$mask~" \
                "$name: the result posted back is the sandbox's output: uid $SANDBOX_UID, hostname clawjail, .env masked"
        like "$r0" '"status": ?"ok"|\[exit code 0\]' "$name: call 0 ran (status ok, exit 0)"
        like "$r1" "masks .*\.env.*cannot be read|\"decision\": ?\"deny\"" "$name: call 1 (cat .env) came back refused: the profile masks .env"
        unlike "$r1" "$secret" "$name: the refusal does not quote the credential"
        unlike "$(cat "$LOG")" "$secret" "$name: the credential never reached the model"
        is "$(cat .env)" "OPENAI_API_KEY=$secret" "$name: .env on the host is unchanged"
        # clawjail's side: one session, one task, both calls in its journal.
        tasks=$("$CLAWJAIL" task list --json | node -e 'for (const t of JSON.parse(require("fs").readFileSync(0, "utf8"))) console.log(t.task)')
        is "$(grep -c . <<<"$tasks")" 1 "$name: the MCP session was one clawjail task"
        task=$(head -n 1 <<<"$tasks")
        ok "$name: the task's journal verifies (HMAC chain intact)" "$CLAWJAIL" journal verify "$task"
        journal=$("$CLAWJAIL" journal show "$task" --json)
        EVENTS=$(node -e 'for (const e of JSON.parse(require("fs").readFileSync(0, "utf8")))
                console.log(`${e.seq} ${e.event} ${e.tool ?? ""} [${e.command ?? ""}] ${e.status ?? ""} ${e.by?.via ?? ""} prev=${e.prev}`)' <<<"$journal")
        like "$EVENTS" "start exec \[$CALL0\]" "$name: journal: call 0 started in the sandbox"
        like "$EVENTS" " end .* ok " "$name: journal: call 0 ended ok"
        like "$EVENTS" "denied exec \[$CALL1\]" "$name: journal: call 1 was denied"
        like "$EVENTS" "approval_required exec \[$CALL2\]" "$name: journal: call 2 waits for a person's approval"
        unlike "$EVENTS" "start exec \[$CALL2\]" "$name: journal: call 2 did not run"
        if [ "$name" = gemini ]; then # no way to ask: the operator may still approve
                like "$r2" "approval_required|needs a person's approval" "$name: the model was told call 2 did not run"
        else # the client declined: the model hears that refusal, not "an operator may approve"
                like "$r2" "approval_refused|A person refused this call" "$name: the model was told call 2 was refused"
                unlike "$r2" "clawjail approve" "$name: and not that an operator may still approve it"
        fi
        # The journal position the result reported is the chain's: the next
        # line's prev, or the head.
        seq=$(grep -oE '"journal": ?\{"seq": ?[0-9]+' <<<"$r0" | grep -oE '[0-9]+$')
        hash=$(grep -oE '"journal": ?\{"seq": ?[0-9]+, ?"hash": ?"[0-9a-f]{64}"' <<<"$r0" | grep -oE '[0-9a-f]{64}')
        if [ -z "$hash" ] && [ -z "$(grep -o '"journal"' <<<"$r0")" ]; then
                skip "$name: the result's journal line is in the task's chain" "this client posts back only the text content, which has no journal position"
        elif [ -n "$hash" ] && { grep -q " prev=$hash\$" <<<"$EVENTS" ||
                "$CLAWJAIL" journal head "$task" --json | grep -q "\"hash\": \"$hash\""; }; then
                pass "$name: the result's journal line (seq $seq) is in the task's chain"
        else
                fail "$name: the result's journal line (seq ${seq:-none}) is in the task's chain"
                diag "$EVENTS"
        fi
}

# ---- Codex: codex exec, the README's config.toml + a provider on loopback ----
if [ ! -x "$codex" ]; then
        skip "codex exec calls clawjail's exec tool" "Codex is not installed (npm ci in tests/integration/clients)"
else
        export CLAWJAIL_STATE_DIR=$SD/state-codex
        start_model codex
        block=$(awk '/^\*\*Codex\*\*/ { f = 1 } f && /^```toml$/ { b = 1; next } b && /^```$/ { exit } b' "$readme")
        like "$block" '^\[mcp_servers\.clawjail\]' "the README has a Codex config.toml block"
        mkdir -p "$HOME/.codex"
        # The README's block, with this clawjail and project; Codex gives an
        # MCP server only HOME, PATH and a few others, so forward clawjail's
        # variables (as the README says to).
        cat >"$HOME/.codex/config.toml" <<EOF
model = "scripted"
model_provider = "scripted"
check_for_update_on_startup = false

# Off: at start they fetch from github.com and chatgpt.com (seen with strace).
[features]
plugins = false
remote_plugin = false
apps = false

[analytics]
enabled = false

[model_providers.scripted]
name = "scripted model (test fixture)"
base_url = "http://127.0.0.1:$PORT/v1"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

$(sed -e "s|^command = \"clawjail\"|command = \"$CLAWJAIL\"|" -e "s|/path/to/project|$SD/proj|" <<<"$block")
env_vars = ["CLAWJAIL_STATE_DIR", "CLAWJAIL_PROFILE_PATH", "CLAWJAIL_SECCOMP_PATH"]
EOF
        t0=$(date +%s%N)
        out=$(timeout -k 5 120 "$codex" exec --strict-config "$PROMPT" </dev/null 2>&1)
        rc=$?
        diag "codex exec: rc $rc, $((($(date +%s%N) - t0) / 1000000)) ms"
        is "$rc" 0 "codex exec ends the turn (exit 0)"
        like "$out" "mcp: clawjail/exec \(completed\)" "codex: the clawjail exec call completed"
        like "$out" "clawjail-e2e: done" "codex: the model's final answer came after the tool results"
        [ "$rc" = 0 ] || diag "$(tail -n 30 <<<"$out")"
        stop_model
        mkdir -p "$SD/codex.out"
        check_session codex "$SD/codex.out"
        like "$(cat "$SD/codex.out/tools")" '^mcp__clawjail/exec$' "codex offered the model clawjail's exec (namespace mcp__clawjail)"
        is "$(cat "$SD/codex.out/requests")" 4 "codex: four model requests (the prompt, then each result)"
        like "$EVENTS" "refused .*MCP client codex-mcp-client" "codex exec declined clawjail's approval question (elicitation): no one to ask"

        # Without the README's approval line, codex exec (no one to ask)
        # refuses the call itself: clawjail never sees it.
        export CLAWJAIL_STATE_DIR=$SD/state-codex-noapprove
        start_model codex-noapprove
        sed -i -e '/^default_tools_approval_mode/d' -e "s|127\.0\.0\.1:[0-9]*|127.0.0.1:$PORT|" "$HOME/.codex/config.toml"
        timeout -k 5 120 "$codex" exec --strict-config "$PROMPT" </dev/null >/dev/null 2>&1
        stop_model
        mkdir -p "$SD/codex-noapprove.out"
        node "$here/model-log.mjs" "$LOG" "$SD/codex-noapprove.out"
        like "$(cat "$SD/codex-noapprove.out/result.0" 2>/dev/null)" "requires approval" \
                "codex without default_tools_approval_mode: exec refused by Codex (as the README says)"
        is "$("$CLAWJAIL" task list --json | grep -c '"task"')" 0 "codex without it: clawjail was never called"
fi

# ---- Claude Code: claude -p, the README's `claude mcp add` and settings.json ----
if [ ! -x "$claude" ]; then
        skip "claude -p calls clawjail's exec tool" "Claude Code is not installed (npm ci in tests/integration/clients)"
else
        export CLAWJAIL_STATE_DIR=$SD/state-claude
        start_model claude
        cc() { timeout -k 5 120 "$claude" "$@" 2>&1; }
        out=$(cc mcp add clawjail -- "$CLAWJAIL" mcp --profile default)
        like "$out" "Added stdio MCP server clawjail" "claude mcp add takes the README's command"
        mkdir -p .claude
        echo '{"permissions": {"deny": ["Bash", "Write", "Edit"]}}' >.claude/settings.json
        t0=$(date +%s%N)
        out=$(ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" ANTHROPIC_API_KEY=sk-ant-scripted-model-fixture \
                cc -p "$PROMPT" --allowedTools mcp__clawjail__exec </dev/null)
        rc=$?
        diag "claude -p: rc $rc, $((($(date +%s%N) - t0) / 1000000)) ms"
        is "$rc" 0 "claude -p ends the turn (exit 0)"
        like "$out" "clawjail-e2e: done" "claude: the model's final answer came after the tool results"
        [ "$rc" = 0 ] || diag "$(tail -n 30 <<<"$out")"
        stop_model
        mkdir -p "$SD/claude.out"
        check_session claude "$SD/claude.out"
        tools=$(cat "$SD/claude.out/tools")
        like "$tools" '^mcp__clawjail__exec \(deferred\)$' "claude offered the model mcp__clawjail__exec, loaded on demand (tool search)"
        like "$tools" '^ToolSearch$' "claude: the model loaded it with ToolSearch"
        unlike "$tools" '^(Bash|Write|Edit)( \(deferred\))?$' "claude: the README's settings.json keeps Bash, Write and Edit from the model"
        is "$(cat "$SD/claude.out/result.1.error")" true "claude: the refused call is a tool error (is_error)"
        like "$EVENTS" "refused .*MCP client claude-code" "claude -p declined clawjail's approval question (elicitation): no one to ask"
fi
# ---- Gemini CLI: gemini -p, the README's .gemini/settings.json, a trusted folder ----
gemini=$mods/@google/gemini-cli/bundle/gemini.js
if [ ! -f "$gemini" ]; then
        skip "gemini -p calls clawjail's exec tool" "Gemini CLI is not installed (npm ci in tests/integration/clients)"
else
        export CLAWJAIL_STATE_DIR=$SD/state-gemini GEMINI_CLI_NO_RELAUNCH=1
        start_model gemini
        mkdir -p .gemini "$HOME/.gemini"
        cat >.gemini/settings.json <<EOF
{ "mcpServers": { "clawjail": { "command": "$CLAWJAIL", "args": ["mcp", "--profile", "default"], "cwd": "$SD/proj" } } }
EOF
        printf '{"%s": "TRUST_FOLDER"}\n' "$SD/proj" >"$HOME/.gemini/trustedFolders.json"
        # The fixture's key, and no update checks or usage statistics.
        cat >"$HOME/.gemini/settings.json" <<EOF
{ "security": { "auth": { "selectedType": "gemini-api-key" } },
  "general": { "enableAutoUpdate": false, "enableAutoUpdateNotification": false },
  "privacy": { "usageStatisticsEnabled": false }, "telemetry": { "enabled": false } }
EOF
        # An explicit model: Gemini CLI's router would first ask the model
        # to classify the prompt.  --allowed-tools: non-interactive, Gemini
        # CLI offers the model only tools that need no confirmation.
        t0=$(date +%s%N)
        out=$(GEMINI_API_KEY=scripted-model-fixture GOOGLE_GEMINI_BASE_URL="http://127.0.0.1:$PORT" \
                timeout -k 5 120 node "$gemini" -m gemini-2.5-flash --allowed-tools mcp_clawjail_exec -p "$PROMPT" </dev/null 2>&1)
        rc=$?
        diag "gemini -p: rc $rc, $((($(date +%s%N) - t0) / 1000000)) ms"
        is "$rc" 0 "gemini -p ends the turn (exit 0)"
        like "$out" "clawjail-e2e: done" "gemini: the model's final answer came after the tool results"
        [ "$rc" = 0 ] || diag "$(tail -n 30 <<<"$out")"
        stop_model
        mkdir -p "$SD/gemini.out"
        check_session gemini "$SD/gemini.out"
        like "$(cat "$SD/gemini.out/tools")" '^mcp_clawjail_exec$' "gemini offered the model mcp_clawjail_exec"
        like "$(cat "$SD/gemini.out/result.2")" "clawjail approve mcp-" \
                "gemini (no elicitation): the model is told an operator approves with clawjail approve"
        unlike "$EVENTS" " refused " "gemini: nobody answered for the operator"
fi
diag "mode: $mode, uid $(id -u)"
done_testing
