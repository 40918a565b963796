#!/bin/bash
# SPDX-License-Identifier: MIT
# apt through the egress proxy, unmodified: a Debian repository on 127.0.0.1
# (one .deb built with dpkg-deb, indexed by dpkg-scanpackages, its Release
# signed with a throwaway gpg key; registry.py serves it over plain HTTP and
# HTTPS under the pinned name registry.test).  Inside the call, as the
# call's user, apt-get update and apt-get download with a private apt
# configuration (APT_CONFIG: lists, cache and sources in the workspace,
# signed-by the test key); apt finds the proxy through http_proxy /
# https_proxy alone.  A Debian mirror that is not allowed fails with the
# proxy's 403 and a reason.
. "${TAP_LIB:?}"
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

net_need openssl python3 jq gpg gpgv dpkg-deb dpkg-scanpackages apt-get
net_registry_start

# The repository: a flat one ("deb URL ./"), InRelease clear-signed.
REPO=$STATIC/apt
mkdir -p "$SCRATCH/deb/DEBIAN" "$SCRATCH/deb/usr/share/tinydeb" "$REPO"
echo "tinydeb works" >"$SCRATCH/deb/usr/share/tinydeb/works"
cat >"$SCRATCH/deb/DEBIAN/control" <<'EOF'
Package: tinydeb
Version: 1.0
Architecture: all
Maintainer: clawjail tests <tests@clawjail.invalid>
Description: one file apt fetches through clawjail's egress proxy
EOF
dpkg-deb --root-owner-group -Zgzip --build "$SCRATCH/deb" "$REPO/tinydeb_1.0_all.deb" >/dev/null ||
        bail_out "dpkg-deb cannot build the package"
(cd "$REPO" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null && gzip -kn9 Packages) ||
        bail_out "dpkg-scanpackages cannot index the repository"
{
        echo "Origin: clawjail-test"
        echo "Suite: stable"
        echo "Architectures: all amd64"
        echo "Date: $(LC_ALL=C date -Ru)"
        echo "SHA256:"
        for f in Packages Packages.gz; do
                echo " $(sha256sum "$REPO/$f" | cut -d' ' -f1) $(stat -c %s "$REPO/$f") $f"
        done
} >"$REPO/Release"
export GNUPGHOME=$SCRATCH/gnupg
mkdir -m 700 "$GNUPGHOME"
trap 'gpgconf --kill gpg-agent 2>/dev/null; kill $NET_SERVER 2>/dev/null; tap_cleanup' EXIT
gpg --batch -q --passphrase '' --quick-gen-key 'clawjail test repository' ed25519 sign 2d 2>/dev/null &&
        gpg --batch -q --clearsign -o "$REPO/InRelease" "$REPO/Release" &&
        gpg --batch -q --export >"$SCRATCH/repo.gpg" || bail_out "gpg cannot sign the repository"
gpgconf --kill gpg-agent 2>/dev/null

# apt-run.sh SOURCE-URL DIR: update from the one source and download tinydeb
# into DIR, with nothing of the host's apt state (no root needed).
cat >"$SCRATCH/apt-run.sh" <<EOF
set -e
A=$WS/apt-\$2
mkdir -p \$A/lists/partial \$A/archives/partial \$A/etc/apt.conf.d \$A/etc/preferences.d \$A/etc/sources.list.d \$A/dl
echo "deb [signed-by=$SCRATCH/repo.gpg] \$1 ./" >\$A/etc/sources.list
cat >\$A/apt.conf <<EOC
Dir::State "\$A";
Dir::State::Lists "\$A/lists";
Dir::State::status "/dev/null";
Dir::Cache "\$A";
Dir::Cache::archives "\$A/archives";
Dir::Etc "\$A/etc";
Debug::NoLocking "true";
Acquire::https::CaInfo "$SCRATCH/cert.pem";
EOC
export APT_CONFIG=\$A/apt.conf
apt-get -q update
cd \$A/dl
apt-get -q download tinydeb
dpkg-deb --fsys-tarfile tinydeb_1.0_all.deb | tar -xO ./usr/share/tinydeb/works
EOF

net_call t-http bash "$SCRATCH/apt-run.sh" "$PURL/apt" http
[ "$RUN_RC" = 0 ] || diag_run
like "$STDOUT" '^tinydeb works$' "apt-get update + download over plain HTTP through the proxy (signed InRelease verified)"
like "$STDOUT" "Get:1 $PURL/apt \./ InRelease" "... apt fetched InRelease from the pinned name"
none_refused
like "$(journal_net t-http)" "\"host\":\"registry.test\".*\"port\":$PLAIN.*\"kind\":\"http\".*\"verdict\":\"allowed\"" \
        "... each request a net journal line (kind http, registry.test:$PLAIN, allowed)"
diag "$(journal_net t-http | head -n 1)"
like "$(grep -c 'GET /apt/' "$SCRATCH/requests.log" 2>/dev/null)" '^[3-9]$' "... the repository saw InRelease, Packages and the .deb"

net_call t-https bash "$SCRATCH/apt-run.sh" "$URL/apt" https
[ "$RUN_RC" = 0 ] || diag_run
like "$STDOUT" '^tinydeb works$' "apt-get update + download over HTTPS (CONNECT) through the proxy"
none_refused
like "$(journal_net t-https)" "\"host\":\"registry.test\".*\"port\":$PORT.*\"kind\":\"connect\".*\"verdict\":\"allowed\".*\"bytes_down\":[1-9]" \
        "... journaled as a CONNECT to registry.test:$PORT with its bytes"

# A real Debian mirror, not allowed: refused by name before any lookup.
net_call t-denied bash "$SCRATCH/apt-run.sh" http://deb.debian.org/debian denied
ok "apt-get update from a host not allowed fails (rc $RUN_RC)" test "$RUN_RC" != 0
like "$STDOUT$STDERR" '403 +Forbidden' "... apt names the proxy's 403 ($(grep -m1 -E '403' <<<"$STDOUT$STDERR" | head -c 120))"
like "$(jq -r '.connections[0].host + " " + .connections[0].reason' <<<"$NET")" '^deb.debian.org host not in egress.allow$' \
        "... and the result says which host and why"
like "$(journal_net t-denied)" '"host":"deb.debian.org".*"verdict":"denied"|"verdict":"denied".*"host":"deb.debian.org"' \
        "... and a net journal line says denied"

done_testing
