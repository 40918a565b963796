#!/bin/bash
# SPDX-License-Identifier: MIT
# checkpoint save/load/list and the resume section of task status.
. "$(dirname "$0")/common.sh"

n=$(echo '{"step":1,"files":["a.c"]}' | cj checkpoint save ck --label "parsed")
is "$n" 1 "first checkpoint is 1"
ok "a charge in between" cjq task charge ck --tokens 10
n=$(echo '"second"' | cj checkpoint save ck)
is "$n" 2 "second checkpoint is 2"

is "$(cj checkpoint load ck 1 | jq -c .payload)" '{"step":1,"files":["a.c"]}' "load 1: payload round trip"
is "$(cj checkpoint load ck 1 | jq -r .label)" parsed "load 1: label"
is "$(cj checkpoint load ck | jq -r .payload)" second "load: latest by default"
is "$(cj checkpoint load ck | jq -r .counters.tokens)" 10 "checkpoint carries the counters"
head=$(cj checkpoint load ck 2 | jq -r .journal.hash)
seq=$(cj checkpoint load ck 2 | jq -r .journal.seq)
line=$(sed -n "${seq}p" "$SD/tasks/ck/journal.jsonl")
is "$(printf '%s' "$line" | line_mac)" "$head" "checkpoint holds the journal head hash"
is "$(cj checkpoint list ck --json | jq length)" 2 "list --json"
like "$(cj checkpoint list ck)" "parsed" "list table shows labels"
is "$(st ck .resume.checkpoint.n)" 2 "status names the latest checkpoint"
is "$(st ck .resume.calls_since_checkpoint)" 0 "no calls since"

cj checkpoint load ck 3 >/dev/null 2>&1
is "$?" 125 "missing checkpoint: 125"
echo '{broken' | cj checkpoint save ck >/dev/null 2>&1
is "$?" 125 "non-JSON payload refused"
head -c 1100000 /dev/zero | tr '\0' 'a' | sed 's/^/"/; s/$/"/' | cj checkpoint save ck >/dev/null 2>&1
is "$?" 125 "oversized payload refused"
is "$(cj checkpoint list ck --json | jq length)" 2 "refused saves left nothing"
ok "journal verifies" cjq journal verify ck
like "$(cj checkpoint --help)" "save TASK" "checkpoint --help"
done_testing
