#!/bin/bash
# SPDX-License-Identifier: MIT
# "pty": true / exec --pty: the command runs on a terminal of the sandbox's
# own devpts instance.  From inside: isatty on 0/1/2, tty, a program that
# behaves differently on a terminal, the size, stdin typed in then EOF, and
# the terminal-injection ioctls (TIOCSTI, TIOCLINUX) refused by the filter.
# Output goes through the same cap, full_output and journal as any call.
. "$(dirname "$0")/common.sh"

# The probe checks from inside what a shell cannot: fstat/ioctl on the terminal.
cat >"$WS/probe.py" <<'EOF'
import fcntl, os, struct, sys, termios
st1, pts = os.fstat(1), os.stat("/dev/pts")
print("devpts", st1.st_dev, pts.st_dev, "rdev_major", os.major(st1.st_rdev))
print("isatty", *[int(os.isatty(i)) for i in range(3)])
for name, req, arg in (("TIOCSTI", termios.TIOCSTI, b"x"), ("TIOCLINUX", 0x541C, b"\x0b")):
    try:
        fcntl.ioctl(0, req, arg)
        print(name, "allowed")
    except OSError as e:
        print(name, "refused", e.errno)
print("winsz", *struct.unpack("HHHH", fcntl.ioctl(1, termios.TIOCGWINSZ, b"\0" * 8))[:2])
print("ctty", os.ttyname(0), os.ttyname(2), open("/dev/tty", "rb", buffering=0).isatty())
print("pts", " ".join(sorted(os.listdir("/dev/pts"))))
EOF
tap_chown_ws "$WS/probe.py"

call '{"id":"p1","tool":"exec","command":"python3 probe.py","pty":true}'
is "$RC" 0 "a pty call runs"
out=$(jr .stdout | tr -d '\r')
diag "$out"
read -r _ in_dev pts_dev _ major < <(grep '^devpts' <<<"$out")
is "$in_dev" "$pts_dev" "fd 1 is a terminal of the devpts instance mounted on the sandbox's /dev/pts"
host_pts=$(stat -c %d /dev/pts)
ok "which is not the host's devpts (st_dev $in_dev vs $host_pts)" [ -n "$in_dev" -a "$in_dev" != "$host_pts" ]
is "$major" 136 "and a pty slave (major 136)"
is "$(grep '^isatty' <<<"$out")" "isatty 1 1 1" "isatty is true on 0, 1 and 2"
is "$(grep '^TIOCSTI' <<<"$out")" "TIOCSTI refused 1" "TIOCSTI on the terminal is refused (EPERM: the seccomp filter)"
is "$(grep '^TIOCLINUX' <<<"$out")" "TIOCLINUX refused 1" "TIOCLINUX is refused too"
is "$(grep '^winsz' <<<"$out")" "winsz 24 80" "the default size is 80x24"
like "$(grep '^ctty' <<<"$out")" '^ctty /dev/pts/[0-9]+ /dev/pts/[0-9]+ True$' "it is the controlling terminal (/dev/tty opens)"
is "$(grep '^pts' <<<"$out")" "pts 0 ptmx" "the sandbox's /dev/pts holds only the call's terminal"
is "$(jr '.pty | "\(.cols)x\(.rows) \(.stderr_merged)"')" "80x24 true" "the result says the call had a terminal, stderr merged"

call '{"tool":"exec","command":"tty; test -t 1 && echo T1; python3 -c \"import os; print(os.isatty(1))\"; echo to-stderr >&2","pty":true}'
is "$(jr .stdout | tr -d '\r')" $'/dev/pts/0\nT1\nTrue\nto-stderr' "tty, test -t 1 and isatty agree; stderr is in stdout"
is "$(jr .stderr)" "" "and the result's stderr is empty"
call '{"tool":"exec","command":"tty; test -t 1 || echo not-a-tty"}'
like "$(jr .stdout)" "not a tty" "without pty the same command has no terminal"

call '{"tool":"exec","command":"echo \"term=$TERM\"","pty":true}'
like "$(jr .stdout)" "^term=[a-z]" "a terminal call has a TERM"

# A program that behaves differently on a terminal: ls colours only there.
mkdir -p "$WS/d" && touch "$WS/d/file" && mkdir -p "$WS/d/sub" && tap_chown_ws "$WS/d"
call '{"tool":"exec","command":"ls --color=auto d","pty":true}'
like "$(jr .stdout)" $'\e\\[' "ls --color=auto colours on the terminal"
call '{"tool":"exec","command":"ls --color=auto d"}'
unlike "$(jr .stdout)" $'\e\\[' "and not into a pipe"

call '{"tool":"exec","command":"stty size","pty":true,"cols":132,"rows":50}'
is "$(jr .stdout | tr -d '\r')" "50 132" "cols and rows size the terminal"
call '{"tool":"exec","command":"true","pty":true,"cols":100000}'
is "$(jr .error.code)" bad_value "a size above the maximum is refused"
like "$(jr .error.message)" "1000" "naming the maximum"
call '{"tool":"exec","command":"true","cols":80}'
is "$(jr .error.code)" bad_value "cols without pty is refused"
call '{"tool":"exec","command":"true","pty":"yes"}'
is "$(jr .error.code)" bad_type "pty is a boolean"

# stdin: the request's is typed in and then EOF, so cat ends; none is EOF at once.
call '{"tool":"exec","command":"cat; echo end","pty":true,"stdin":"one\ntwo"}'
is "$(jr .stdout | tr -d '\r')" $'one\ntwoend' "stdin is typed into the terminal, without echo, then EOF"
call '{"tool":"exec","command":"cat; echo end","pty":true,"timeout_s":10}'
is "$(jr .status) $(jr .stdout | tr -d '\r')" "ok end" "no stdin: cat sees EOF at once"

# Output limits and the journal as for any call: above the cap the result is
# cut and the whole terminal output is kept.
call '{"tool":"exec","command":"seq 1 100000","pty":true}' --task tp
is "$(jr .truncated.stdout)" true "a big terminal output is cut in the result"
full=$(jr .truncated.full_output)
ok "and kept whole in full_output" [ -f "$full" ]
is "$(tr -d '\r' <"$full" | tail -1)" 100000 "with every line"
is "$(events tp end)" 1 "the call is journaled"
is "$(jl tp '[.[] | select(.event == "start")][0].pty')" true "its start says it ran on a terminal"

# The CLI: exec --pty passes the terminal's output through and types its stdin in.
out=$(printf 'typed\n' | cj exec --pty -c 'test -t 0 && echo stdin-is-tty; read -r l; echo "got $l"')
is "$(tr -d '\r' <<<"$out")" $'stdin-is-tty\ngot typed' "exec --pty: a terminal, stdin typed in"
out=$(cj exec --pty --pty-size 90x30 -c 'stty size' </dev/null)
is "$(tr -d '\r' <<<"$out")" "30 90" "exec --pty-size sizes it"
cj exec --pty-size 90 -c true 2>/dev/null
is "$?" 125 "a malformed --pty-size is a usage error"
out=$(cj exec --json --pty -c 'echo hi' </dev/null)
is "$(jq -r '.pty.cols' <<<"$out")" 80 "exec --json --pty reports the terminal"

done_testing
