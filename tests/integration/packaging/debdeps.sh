#!/bin/bash
# SPDX-License-Identifier: MIT
# Every dependency('NAME') in the meson files maps, through pkg-config's
# pcfiledir and `dpkg -S`, to the Debian package that ships NAME.pc; that
# package must be in packaging/debian-deps.txt (CI installs only that list).
# And every lib*-dev package on the list ships a .pc some dependency() names,
# so a library the build dropped (libssl-dev) leaves the list too.
. "$TAP_LIB"
SRC=${CLAWJAIL_SOURCE_DIR:?}
LIST=$SRC/packaging/debian-deps.txt
for tool in pkg-config dpkg dpkg-query; do
        command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed (not a Debian system)"; exit 0; }
done

# dependency('NAME' ...) in every meson.build of the source tree (not build dirs)
mapfile -t DEPS < <(cd "$SRC" && git ls-files -co --exclude-standard -- '*meson.build' 2>/dev/null |
        xargs grep -ohE "(^|[^_a-z])dependency\('[^']+'" | sed -E "s/.*dependency\('//; s/'$//" | sort -u |
        grep -vxE 'threads|dl|openmp|intl|iconv')  # meson's own: no .pc, nothing to install
ok "the meson files name dependencies (${#DEPS[@]})" test "${#DEPS[@]}" -ge 6
# meson's built-in dependencies have no .pc: the compiler and libc provide them
BUILTIN=" threads dl intl iconv openmp mpi boost cuda gtest gmock python3 llvm "
mapfile -t DEPS < <(for d in "${DEPS[@]}"; do [[ $BUILTIN == *" $d "* ]] || echo "$d"; done)

# NAME -> the Debian package shipping NAME.pc, found once: one `dpkg -S`
# over every candidate path (the .pc as pkg-config reports it, resolved, and
# its /usr-merged twin), since dpkg -S reads the whole database each time.
declare -A PKG=()
paths=()
for d in "${DEPS[@]}"; do
        dir=$(pkg-config --variable=pcfiledir "$d" 2>/dev/null) || continue
        pc=$dir/$d.pc
        paths+=("$pc" "$(readlink -f "$pc")")
        case $pc in /usr/*) paths+=("${pc#/usr}") ;; *) paths+=("/usr$pc") ;; esac
done
while IFS= read -r line; do
        p=${line%%: *}
        f=${line#*: }
        d=$(basename "$f" .pc)
        [ -n "${PKG[$d]:-}" ] || PKG[$d]=${p%%:*}
done < <(dpkg -S "${paths[@]}" 2>/dev/null)

# The archives a static link of the dependencies pulls in beyond their own
# (Libs.private, e.g. libidn2's -lunistring): a -dev package that ships one
# of them and no .pc (libunistring-dev) is needed by the static build.
STATIC_LIBS=$(for d in "${DEPS[@]}"; do pkg-config --static --libs-only-l "$d" 2>/dev/null; done |
        tr ' ' '\n' | sed -n 's/^-l\(.*\)/lib\1.a/p' | sort -u)

# pcs_of PKG: the pkg-config names PKG ships (its dpkg file list, read
# directly where it is: `dpkg -L` is slow on a loaded machine), and as
# "static:libX.a" each archive of STATIC_LIBS it ships.
pcs_of() {
        local l files
        l=$(ls /var/lib/dpkg/info/"$1".list /var/lib/dpkg/info/"$1":*.list 2>/dev/null | head -n 1)
        files=$(if [ -n "$l" ]; then cat "$l"; else dpkg -L "$1" 2>/dev/null; fi)
        grep -E '\.pc$' <<<"$files" | xargs -r -n1 basename | sed 's/\.pc$//'
        grep -E '\.a$' <<<"$files" | xargs -r -n1 basename | grep -xF "$STATIC_LIBS" | sed 's/^/static:/'
}

# listed FILE PKG: the package is a line of FILE (comments and blanks ignored).
listed() {
        grep -v '^\s*#' "$1" | sed 's/\s*$//' | grep -qxF "$2"
}

# check_list FILE: prints what is missing or stale, returns 1 if anything is.
check_list() {
        local file=$1 bad=0 d p pcs
        for d in "${DEPS[@]}"; do
                p=${PKG[$d]:-}
                if [ -z "$p" ]; then
                        echo "dependency('$d'): pkg-config or dpkg does not know $d.pc"
                        bad=1
                        continue
                fi
                listed "$file" "$p" || { echo "dependency('$d') needs $p, missing from the list"; bad=1; }
        done
        for p in $(grep -v '^\s*#' "$file" | grep -E '^lib.*-dev\s*$'); do
                pcs=$(pcs_of "$p")
                local used=0
                for d in "${DEPS[@]}"; do
                        grep -qxF "$d" <<<"$pcs" && used=1
                done
                grep -q '^static:' <<<"$pcs" && used=1
                [ "$used" = 1 ] || { echo "$p is listed but no dependency() uses a .pc (or static archive) it ships"; bad=1; }
        done
        return "$bad"
}

out=$(check_list "$LIST")
is "$?/$out" "0/" "packaging/debian-deps.txt installs every dependency() and no stale -dev package"

# The check itself: a list without libmd-dev, and one with libssl-dev added, fail.
T=$(tap_scratch)
grep -vx 'libmd-dev' "$LIST" >"$T/no-md.txt"
out=$(check_list "$T/no-md.txt")
rc=$?
like "$rc: $(tr '\n' ' ' <<<"$out")" "^1: .*libmd-dev, missing" "a list without libmd-dev is caught"
if dpkg -s libssl-dev >/dev/null 2>&1; then
        { cat "$LIST"; echo libssl-dev; } >"$T/ssl.txt"
        out=$(check_list "$T/ssl.txt")
        rc=$?
        like "$rc: $(tr '\n' ' ' <<<"$out")" "^1: .*libssl-dev is listed but" "a stale libssl-dev is caught"
else
        skip "a stale libssl-dev is caught" "libssl-dev is not installed here"
fi
done_testing
