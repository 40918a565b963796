#!/bin/bash
# SPDX-License-Identifier: MIT
# read / write / edit round trips through `call`, checked on the host: UTF-8
# and binary (base64) content, offset/limit/eof, mode preserved, atomic
# replacement, edit's exactly-one-match rule, protected and denied paths,
# masked credentials.
. "$(dirname "$0")/common.sh"

# Each section runs in its own task, so one section's loop governance cannot
# stop another's calls.
T=()
section() {
        T=(--task "files-$1")
}

# ---- utf-8 round trip ----
section utf8
text='héllo wörld ✓ — line one
second line
'
req=$(jq -cn --arg c "$text" '{id:"w1",tool:"write",path:"dir/u.txt",content:$c,encoding:"utf-8"}')
mkdir -p dir
tap_chown_ws dir
call "$req" "${T[@]}"
is "$RC/$(jr .status)" "0/ok" "write utf-8: ok"
is "$(jr .bytes_written)" "$(printf '%s' "$text" | wc -c)" "write utf-8: bytes_written is the byte count"
is "$(cat dir/u.txt)" "$(printf '%s' "$text")" "the host file holds exactly the content"
is "$(stat -c %u dir/u.txt)" "$SANDBOX_UID" "the new file belongs to the sandbox user"
call '{"id":"r1","tool":"read","path":"dir/u.txt"}' "${T[@]}"
is "$(jr .encoding)" utf-8 "read: encoding utf-8"
is "$(jr .content)" "$(printf '%s' "$text")" "read: content back unchanged"
is "$(jr .size)" "$(stat -c %s dir/u.txt)" "read: size is the file's size"
is "$(jr .eof)" true "read: eof true for the whole file"
call "{\"id\":\"r1b\",\"tool\":\"read\",\"path\":\"$WS/dir/u.txt\"}" "${T[@]}"
is "$(jr .content)" "$(printf '%s' "$text")" "read by absolute path inside the workspace"

# ---- binary round trip (base64) ----
section binary
B=$(tap_scratch)
head -c 4096 /dev/urandom >"$B/bin"
printf '\0\377\376binary\0' >>"$B/bin"
call "$(printf '{"id":"w2","tool":"write","path":"blob.bin","content":"%s","encoding":"base64"}' "$(base64 -w0 "$B/bin")")" "${T[@]}"
is "$(jr .status)/$(jr .bytes_written)" "ok/$(stat -c %s "$B/bin")" "write base64: ok, every byte written"
is "$(sha256sum <blob.bin)" "$(sha256sum <"$B/bin")" "the host file is byte-identical (sha256)"
call '{"id":"r2","tool":"read","path":"blob.bin"}' "${T[@]}"
is "$(jr .encoding)" base64 "read of non-UTF-8 bytes: encoding base64"
is "$(jr .content | base64 -d | sha256sum)" "$(sha256sum <"$B/bin")" "decoded content is byte-identical"

# ---- offset / limit / eof ----
section offset
printf '0123456789' >digits
tap_chown_ws digits
call '{"id":"r3","tool":"read","path":"digits","offset":2,"limit":3}' "${T[@]}"
is "$(jr '.content + " " + (.size|tostring) + " " + (.eof|tostring)')" "234 10 false" "offset 2 limit 3: '234', size 10, not eof"
call '{"id":"r4","tool":"read","path":"digits","offset":7,"limit":100}' "${T[@]}"
is "$(jr '.content + " " + (.eof|tostring)')" "789 true" "offset 7 limit 100: '789', eof"
call '{"id":"r5","tool":"read","path":"digits","offset":10}' "${T[@]}"
is "$(jr '(.content|length|tostring) + " " + (.eof|tostring)')" "0 true" "offset at the end: empty, eof"

# ---- mode preserved, atomic replacement ----
section mode
printf 'old\n' >script.sh
chmod 0750 script.sh
tap_chown_ws script.sh
ino=$(stat -c %i script.sh)
call '{"id":"w3","tool":"write","path":"script.sh","content":"#!/bin/sh\necho new\n"}' "${T[@]}"
is "$(jr .status)" ok "overwrite an existing file"
is "$(stat -c %a script.sh)" 750 "its mode 0750 is preserved"
is "$(cat script.sh)" "$(printf '#!/bin/sh\necho new')" "it holds the new content"
ok "it was replaced by rename, not rewritten in place (new inode)" test "$(stat -c %i script.sh)" != "$ino"
section many
for i in 1 2 3 4 5 6; do
        call "{\"id\":\"w4$i\",\"tool\":\"write\",\"path\":\"dir/many$((i % 2)).txt\",\"content\":\"v$i\"}" "${T[@]}"
done
is "$(cat dir/many0.txt) $(cat dir/many1.txt)" "v6 v5" "six successive writes of different content all land"
is "$(st files-many .state)" active \
        "writes of different content to different paths are not a loop (repeat_limit 5 not reached)"
is "$(ls -A dir | paste -sd ' ')" "many0.txt many1.txt u.txt" "no temp file is left behind in the directory"
is "$(find . -mindepth 1 -maxdepth 1 -printf '%P\n' | sort | paste -sd ' ')" "blob.bin digits dir script.sh" \
        "nor in the workspace"

# ---- edit ----
section edit
printf 'alpha beta gamma beta\n' >e.txt
chmod 0640 e.txt
tap_chown_ws e.txt
call '{"id":"e1","tool":"edit","path":"e.txt","old_text":"alpha","new_text":"ALPHA"}' "${T[@]}"
is "$RC/$(jr .status)" "0/ok" "edit with exactly one match: ok"
is "$(cat e.txt)" "ALPHA beta gamma beta" "the host file shows the edit"
is "$(stat -c %a e.txt)" 640 "edit preserves the mode"
ok "edit reports bytes_written" test "$(jr .bytes_written)" = 22
call '{"id":"e2","tool":"edit","path":"e.txt","old_text":"beta","new_text":"BETA"}' "${T[@]}"
is "$(jr .status)" error "edit with 2 matches fails"
like "$(jr .error.message)" '\b2 times' "and says it occurred 2 times"
call '{"id":"e3","tool":"edit","path":"e.txt","old_text":"delta","new_text":"DELTA"}' "${T[@]}"
is "$(jr .status)" error "edit with 0 matches fails"
like "$(jr .error.message)" '\b0 times' "and says it occurred 0 times"
is "$(cat e.txt)" "ALPHA beta gamma beta" "the failed edits changed nothing"

# ---- protected and denied paths ----
section protect
mkdir -p .git/hooks
printf '[core]\n' >.git/config
printf 'SECRET_TOKEN=hunter2-masked\n' >.env
tap_chown_ws .git .env
for req in \
        '{"id":"p1","tool":"write","path":".git/hooks/pre-commit","content":"#!/bin/sh\necho pwned\n"}' \
        '{"id":"p4","tool":"write","path":".env","content":"SECRET_TOKEN=replaced\n"}' \
        '{"id":"p5","tool":"edit","path":".env","old_text":"hunter2","new_text":"x"}' \
        '{"id":"p6","tool":"write","path":"dir/.env","content":"NEW=1\n"}'; do
        call "$req" "${T[@]}"
        is "$(jr .status)" error "refused: $(jq -r '.tool + " " + .path' <<<"$req") ($(jr .error.code))"
done
ok "no hook was created" test ! -e .git/hooks/pre-commit
# .git/config may be written (git config user.email ...); a key that makes the
# host's git run a program is reverted after the call and reported.
call '{"id":"p2","tool":"write","path":".git/config","content":"[core]\nhooksPath=/tmp\n"}' "${T[@]}"
is "$(jr .status)" ok "write .git/config is allowed"
like "$(jr '.quarantined // [] | join(" ")')" 'core.hookspath reverted' "... its hooksPath is reverted and reported"
call '{"id":"p3","tool":"edit","path":".git/config","old_text":"[core]","new_text":"[core]\nfsmonitor=evil\n[user]\nname=ok"}' "${T[@]}"
is "$(jr .status)" ok "edit .git/config is allowed"
ok "host: no hooksPath or fsmonitor in .git/config" bash -c "! grep -Eqi 'hookspath|fsmonitor' .git/config"
like "$(cat .git/config)" 'name=ok' "host: the benign part of the edit stays"
is "$(cat .env)" "SECRET_TOKEN=hunter2-masked" ".env is unchanged"
ok "dir/.env was not created" test ! -e dir/.env

# ---- masked credentials are never returned ----
section masked
call '{"id":"m1","tool":"read","path":".env"}' "${T[@]}"
is "$(jr .status)" error "read of .env (denied) fails ($(jr .error.code))"
unlike "$R" 'hunter2' "and returns no secret"
mkdir -p home/.aws home/.ssh
printf '[default]\naws_secret_access_key=AKIAsecret42\n' >home/.aws/credentials
printf 'PRIVATE KEY sshsecret42\n' >home/.ssh/id_ed25519
tap_chown_ws home
R=$(printf '{"id":"m2","tool":"read","path":"%s/home/.aws/credentials"}' "$WS" | HOME=$WS/home cj call "${T[@]}")
unlike "$R" 'AKIAsecret42' "read of \$HOME/.aws/credentials returns no secret ($(jr .status) $(jr '.error.code // ""'))"
R=$(printf '{"id":"m3","tool":"read","path":"home/.ssh/id_ed25519"}' | HOME=$WS/home cj call "${T[@]}")
unlike "$R" 'sshsecret42' "read of \$HOME/.ssh/id_ed25519 returns no secret ($(jr .status) $(jr '.error.code // ""'))"
R=$(printf '{"id":"m4","tool":"exec","command":"cat .env home/.aws/credentials"}' | HOME=$WS/home cj call "${T[@]}")
unlike "$R" 'hunter2|AKIAsecret42' "exec cat of the same files shows no secret either"

bad=0
for t in utf8 binary offset mode many edit protect masked; do
        cj journal verify "files-$t" >/dev/null || bad=$((bad + 1))
done
is "$bad" 0 "the journals of all these calls verify"
done_testing
