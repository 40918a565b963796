#!/bin/bash
# SPDX-License-Identifier: MIT
# Every kind of bad request, through `call` and through `serve --stdio`: an
# error result with its code, exit 125 (call), a `rejected` journal event,
# nothing charged and nothing executed (each request would leave a marker).
. "$(dirname "$0")/common.sh"

OUT=$(outside_dir)
echo "outside-secret-7f3a" >"$OUT/secret"
REQ=$(tap_scratch)

# Case table: name, expected code, marker that must stay absent, request file.
NAMES=() CODES=() MARKS=()
add() { # add NAME CODE MARKER [REQUEST]  (else the request bytes on stdin)
        NAMES+=("$1") CODES+=("$2") MARKS+=("$3")
        if [ $# -ge 4 ]; then
                printf '%s' "$4" >"$REQ/$1.json"
        else
                cat >"$REQ/$1.json"
        fi
}
add malformed bad_json "$WS/mk_json" \
        '{"id":"c1","tool":"exec","command":"touch mk_json"'
add unknown_key unknown_key "$WS/mk_key" \
        '{"id":"c2","tool":"exec","command":"touch mk_key","bogus":true}'
add wrong_type bad_type "$WS/mk_type" \
        '{"id":"c3","tool":"exec","command":"touch mk_type","timeout_s":"5"}'
add wrong_type2 bad_type "$WS/mk_type2" \
        '{"id":"c4","tool":"exec","command":["touch","mk_type2"]}'
add not_object not_object "$WS/mk_arr" \
        '["exec","touch mk_arr"]'
add missing_tool missing_key "$WS/mk_notool" \
        '{"id":"c6","command":"touch mk_notool"}'
add bad_tool bad_tool "$WS/mk_tool" \
        '{"id":"c7","tool":"shell","command":"touch mk_tool"}'
add oversized too_large "$WS/mk_big" < <(
        printf '%s' '{"id":"c8","tool":"exec","command":"touch mk_big","stdin":"'
        head -c $((9 << 20)) /dev/zero | tr '\0' a
        printf '%s' '"}'
)
add invalid_utf8 bad_utf8 "$WS/mk_utf8" \
        "$(printf '{"id":"c9","tool":"exec","command":"touch mk_utf8\xff\xfe"}')"
add nul_in_path bad_path "$WS/mk_nul" \
        '{"id":"c10","tool":"write","path":"mk_nul\u0000.txt","content":"x"}'
add dotdot_write bad_path "$OUT/mk_dotdot" \
        "$(printf '{"id":"c11","tool":"write","path":"%s","content":"x"}' "$(dotdot_to "$OUT/mk_dotdot")")"
add dotdot_read bad_path "" \
        "$(printf '{"id":"c12","tool":"read","path":"%s"}' "$(dotdot_to "$OUT/secret")")"
add abs_write bad_path "$OUT/mk_abs" \
        "$(printf '{"id":"c13","tool":"write","path":"%s","content":"x"}' "$OUT/mk_abs")"
add abs_read bad_path "" \
        "$(printf '{"id":"c14","tool":"read","path":"%s"}' "$OUT/secret")"
add abs_edit bad_path "" \
        "$(printf '{"id":"c15","tool":"edit","path":"%s","old_text":"outside","new_text":"pwned"}' "$OUT/secret")"
add cwd_outside bad_path "$OUT/mk_cwd" \
        "$(printf '{"id":"c16","tool":"exec","command":"touch mk_cwd; touch %s/mk_cwd2","cwd":"%s"}' "$WS" "$OUT")"
add cwd_root bad_path "$WS/mk_cwdroot" \
        "$(printf '{"id":"c17","tool":"exec","command":"touch %s/mk_cwdroot","cwd":"/"}' "$WS")"

# No marker of any case may exist, in the workspace or outside.
no_markers() {
        local m
        for m in "${MARKS[@]}"; do
                [ -n "$m" ] && [ -e "$m" ] && return 1
        done
        ! compgen -G "$WS/mk_*" >/dev/null && ! compgen -G "$OUT/mk_*" >/dev/null
}
secret_intact() {
        [ "$(cat "$OUT/secret")" = "outside-secret-7f3a" ]
}

# ---- through call ----
cj task create bad >/dev/null
for i in "${!NAMES[@]}"; do
        name=${NAMES[$i]} code=${CODES[$i]}
        before=$(events bad rejected)
        call_file "$REQ/$name.json" --task bad
        is "$RC" 125 "call $name: exit 125"
        is "$(jr .status)/$(jr .error.code)" "error/$code" "call $name: error result, code $code"
        ok "call $name: the error has a message" test -n "$(jr '.error.message // empty')"
        unlike "$R" 'outside-secret-7f3a' "call $name: no outside content in the result"
        is "$(events bad rejected)" $((before + 1)) "call $name: journaled as rejected"
        is "$(jl bad '[.[] | select(.event == "rejected")] | last | .code')" "$code" \
                "call $name: the rejected event carries code $code"
        m=${MARKS[$i]}
        [ -n "$m" ] && ok "call $name: nothing executed (${m##*/} absent)" test ! -e "$m"
done
ok "call: no marker anywhere" no_markers
ok "call: the outside file is unchanged" secret_intact
is "$(st bad .budget.calls.used)" 0 "call: rejected requests cost no call"
is "$(events bad start)" 0 "call: no start event for any rejected request"
cj journal verify bad >/dev/null
is "$?" 0 "call: the journal verifies"

# ---- through serve --stdio: the same lines, then a good one ----
: >"$REQ/serve.in"
for name in "${NAMES[@]}"; do
        cat "$REQ/$name.json" >>"$REQ/serve.in"
        echo >>"$REQ/serve.in"
done
echo '{"id":"last","tool":"exec","command":"echo still-serving > mk_ok_last"}' >>"$REQ/serve.in"
cj serve --stdio --task sbad <"$REQ/serve.in" >"$REQ/serve.out"
is "$?" 0 "serve: exits 0 at EOF"
is "$(wc -l <"$REQ/serve.out")" $((${#NAMES[@]} + 1)) "serve: one result line per request line"
for i in "${!NAMES[@]}"; do
        line=$(sed -n "$((i + 1))p" "$REQ/serve.out")
        is "$(jq -r '.status + "/" + .error.code' <<<"$line")" "error/${CODES[$i]}" \
                "serve ${NAMES[$i]}: error result, code ${CODES[$i]}"
done
is "$(tail -n 1 "$REQ/serve.out" | jq -r '.id + " " + .status')" "last ok" "serve: the good last line still runs"
ok "serve: and had its effect" test -f mk_ok_last
rm -f mk_ok_last
ok "serve: no marker of a bad line anywhere" no_markers
ok "serve: the outside file is unchanged" secret_intact
is "$(jl sbad '[.[] | select(.event == "rejected") | .code] | join(",")')" "$(
        IFS=,
        echo "${CODES[*]}"
)" "serve: every bad line journaled as rejected, in order, with its code"
is "$(st sbad .budget.calls.used)" 1 "serve: only the good line was charged a call"

# ---- symlinks planted in the workspace, pointing outside ----
ln -s "$OUT/secret" "$WS/link_file"
ln -s "$OUT" "$WS/link_dir"
tap_chown_ws -h "$WS/link_file" "$WS/link_dir"
call '{"id":"s1","tool":"read","path":"link_file"}' --task sym
is "$(jr .status)" error "read through a symlink pointing outside fails ($(jr .error.code))"
unlike "$R" 'outside-secret-7f3a' "and returns nothing of the outside file"
call '{"id":"s2","tool":"write","path":"link_file","content":"pwned"}' --task sym
is "$(jr .status)" error "write through a symlink pointing outside is refused ($(jr .error.code))"
ok "the outside file is unchanged" secret_intact
ok "the symlink is still a symlink" test -L "$WS/link_file"
call '{"id":"s3","tool":"edit","path":"link_file","old_text":"outside","new_text":"pwned"}' --task sym
is "$(jr .status)" error "edit through the symlink is refused ($(jr .error.code))"
ok "the outside file is unchanged" secret_intact
call '{"id":"s4","tool":"write","path":"link_dir/mk_symdir","content":"pwned"}' --task sym
is "$(jr .status)" error "write into a symlinked dir pointing outside is refused ($(jr .error.code))"
ok "nothing created outside" test ! -e "$OUT/mk_symdir"
call "{\"id\":\"s5\",\"tool\":\"exec\",\"command\":\"touch mk_cwdlink\",\"cwd\":\"$WS/link_dir\"}" --task sym
ok "exec with a cwd through the symlink does not run there (rc $RC)" test ! -e "$OUT/mk_cwdlink"
cj journal verify sym >/dev/null
is "$?" 0 "the journal verifies"
done_testing
