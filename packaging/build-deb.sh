#!/usr/bin/env bash
# Build clawjail_VERSION_ARCH.deb from the committed tree: a clean copy in a
# temporary directory (so the source tree gets no obj-* or ../*.deb), then
# dpkg-buildpackage -us -uc -b.  The .deb and lintian's report land in
# build-deb/ (or $1).  Needs debhelper, dpkg-dev, and the Build-Depends of
# debian/control (packaging/debian-deps.txt installs them).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$src/build-deb}" && cd "${1:-$src/build-deb}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/clawjail"
# The working tree's files (tracked and new, not ignored): what a release would ship.
(cd "$src" && git ls-files -co --exclude-standard -z | grep -zv '^tests/integration/clients/node_modules/' |
        tar --null -T - -cf -) | tar -C "$tmp/clawjail" -xf -
(cd "$tmp/clawjail" && dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1) || {
        tail -40 "$tmp/build.log" >&2
        echo "build-deb: dpkg-buildpackage failed (log above)" >&2
        exit 1
}
cp "$tmp"/*.deb "$out/"
ls "$out"/*.deb
