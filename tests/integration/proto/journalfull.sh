#!/bin/bash
# SPDX-License-Identifier: MIT
# A journal that cannot be written (a full filesystem) never loses an event
# silently (issue 7 §3): a rejected request says its rejection could not be
# journaled, a call whose start or end cannot be journaled is clawjail's
# error (125), never an answer the journal does not hold, and the journal
# stays verifiable.  The state dir is a 1 MiB tmpfs filled up on purpose.
. "$(dirname "$0")/common.sh"
if [ "$(id -u)" != 0 ]; then
        echo "1..0 # SKIP mounting a small tmpfs for the state dir needs root"
        exit 0
fi
if ! mount -t tmpfs -o size=1m,mode=0755 tmpfs "$SD" 2>/dev/null; then
        echo "1..0 # SKIP cannot mount a tmpfs here"
        exit 0
fi
trap 'umount -l "$SD" 2>/dev/null; tap_cleanup' EXIT

call '{"tool":"exec","command":"true"}' --task jf
is "$RC" 0 "a tracked call runs on the small state dir (control)"

dd if=/dev/zero of="$SD/fill" bs=4k 2>/dev/null
ok "the state dir is full" test "$(df --output=avail -k "$SD" | tail -n 1 | tr -d ' ')" -eq 0

# Bad requests, each journaled as "rejected" in the journal's last page,
# until the page is full too: that one must say so.
said="" n=0
for n in $(seq 1 60); do
        call 'this is not json' --task jf
        m=$(jr '.error.message // empty')
        if grep -q "journaling the rejection in task 'jf' failed" <<<"$m"; then
                said=$m
                break
        fi
done
like "$said" "failed: .*(No space|space left)" "a rejection the journal cannot take is said in the result ($n requests)"
is "$(jr .error.code)" bad_json "and the result still names the request's own error"

# Calls on a full journal: each is clawjail's error, naming the journal.
silent="" errs=0
for i in $(seq 1 5); do
        call '{"tool":"exec","command":"true"}' --task jf
        if [ "$RC" = 0 ]; then
                s=$(jr .journal.seq)
                [ -n "$s" ] && [ "$s" != null ] || silent+=" call$i(ok without journal)"
                continue
        fi
        errs=$((errs + 1))
        [ "$RC" = 125 ] || silent+=" call$i(rc=$RC)"
        grep -Eq "journal|No space" <<<"$(jr '.error.message // empty')$R" || silent+=" call$i(no reason)"
done
is "$silent" "" "no call on a full journal answers without its journal entry, or fails without saying why"
ok "and they failed ($errs of 5)" test "$errs" -ge 1

rm -f "$SD/fill"
cj journal verify jf >/dev/null 2>&1
is "$?" 0 "the journal still verifies after the failed appends"
call '{"tool":"exec","command":"true"}' --task jf
is "$RC" 0 "with space again, calls run"
line=$(journal_line jf "$(jr .journal.seq)")
is "$(jq -r .event <<<"$line")" end "and their end is journaled"
done_testing
