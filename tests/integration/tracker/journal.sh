#!/bin/bash
# SPDX-License-Identifier: MIT
# journal show/verify, and verify naming a hand-edited line.
. "$(dirname "$0")/common.sh"

cj task create j1 --calls 10
for i in 1 2 3 4 5; do
        cj task charge j1 --tokens "$i"
done
J="$SD/tasks/j1/journal.jsonl"
is "$(wc -l <"$J" | tr -d ' ')" 6 "six lines"
like "$(cj journal show j1)" "charge +3 tokens" "show: human table"
is "$(cj journal show j1 --json | jq length)" 6 "show --json: array of lines"
is "$(cj journal show j1 --json | jq -r '[.[].seq] | join(",")')" "1,2,3,4,5,6" "seq 1..6"
first_prev=$(head -1 "$J" | jq -r .prev)
is "$first_prev" "0000000000000000000000000000000000000000000000000000000000000000" "first prev is the genesis"
h1=$(head -1 "$J" | tr -d '\n' | line_mac)
is "$(sed -n 2p "$J" | jq -r .prev)" "$h1" "prev = HMAC-SHA-256 (host key) of the previous line"
like "$(head -1 "$J" | jq -r .time)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$' "RFC 3339 ms time"
out=$(cj journal verify j1)
is "$?" 0 "verify: intact"
like "$out" "6 lines intact" "verify says so"

cp "$J" "$SD/saved"
sed -i '4s/"tokens":3/"tokens":300/' "$J"
out=$(cj journal verify j1)
is "$?" 1 "hand-edited line: exit 1"
like "$out" "line 4:" "verify names line 4"
cj journal show j1 >/dev/null
is "$?" 0 "show still works on a damaged journal"
cj task charge j1 --tokens 1 >/dev/null 2>&1
is "$?" 125 "a damaged journal refuses new events"

cp "$SD/saved" "$J"
sed -i '3d' "$J"
out=$(cj journal verify --no-repair j1)
is "$?" 1 "deleted line: exit 1"
like "$out" "line 3: seq is 4, expected 3" "deleted line named"

cp "$SD/saved" "$J"
{ sed -n 1,2p "$SD/saved"; sed -n 4p "$SD/saved"; sed -n 3p "$SD/saved"; sed -n 5,6p "$SD/saved"; } >"$J"
out=$(cj journal verify --no-repair j1)
is "$?" 1 "swapped lines: exit 1"
like "$out" "line 3:" "swap found at line 3"

cp "$SD/saved" "$J"
sed -i '$d' "$J"
out=$(cj journal verify --no-repair j1)
is "$?" 1 "removed last line: exit 1"
like "$out" "removed" "caught through state.json"

cp "$SD/saved" "$J"
printf '{"seq":7,"time":"2' >>"$J"
out=$(cj journal verify --no-repair j1)
is "$?" 1 "torn last line: exit 1 with --no-repair"
like "$out" "line 7: torn" "torn line named"
out=$(cj journal verify j1)
is "$?" 0 "verify repairs a torn tail first"
is "$(tail -1 "$J" | jq -r .event)" repaired "and journals it"
is "$(tail -1 "$J" | jq -r .removed_bytes)" 18 "with what was cut"
is "$(st j1 .budget.tokens.used)" 15 "counters equal the journal"

cj journal verify nosuch >/dev/null 2>&1
is "$?" 125 "unknown task: 125"
cj journal verify >/dev/null 2>&1
is "$?" 125 "usage error: 125"
like "$(cj journal --help)" "Exit status" "journal --help"

# show reads each event as the audit report does: a run's argv, a signal.
cj task create j2 >/dev/null
WS2=$(tap_scratch) && cd "$WS2" && chmod 755 "$WS2"
cj run --task j2 -- /bin/sh -c 'kill -9 $$' >/dev/null 2>&1
out=$(cj journal show j2)
like "$out" 'start +run \["/bin/sh","-c","kill -9 \$\$"\]' "show: a run names its argv"
like "$out" "end +call [0-9]+ [a-z_]+ signal 9, [0-9]+ ms" "show: a call killed by a signal says which"
done_testing
