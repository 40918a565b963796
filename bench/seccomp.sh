#!/bin/sh
# Build and run the seccomp overhead benchmark against a configured build dir.
#   bench/seccomp.sh [BUILD_DIR] [-n CALLS] [-r RUNS] [-p POLICY]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
[ $# -gt 0 ] && shift
ninja -C "$build" seccomp/libcj_seccomp.a launcher/util/libcj_util.a >/dev/null
${CC:-cc} -std=gnu11 -O2 -D_GNU_SOURCE -I"$src" -I"$src/launcher" -I"$build" \
        "$src/bench/seccomp.c" "$build/seccomp/libcj_seccomp.a" "$build/launcher/util/libcj_util.a" \
        $(pkg-config --libs libseccomp jansson) -o "$build/bench-seccomp"
exec "$build/bench-seccomp" "$@"
