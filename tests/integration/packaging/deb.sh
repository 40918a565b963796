#!/bin/bash
# SPDX-License-Identifier: MIT
# The Debian package: dpkg-buildpackage builds it from the tree, lintian has
# no error or warning, it installs, the installed /usr/bin/clawjail runs a
# real sandboxed call with the installed profiles, man pages and completion
# are where they belong, and purge removes it.  Root only, and never on a
# host where a clawjail package is already installed (it would replace it).
. "${TAP_LIB:?}"
src=${CLAWJAIL_SOURCE_DIR:?}
if [ "$(id -u)" != 0 ]; then
        echo "1..0 # SKIP installing a package needs root"
        exit 0
fi
for t in dpkg-buildpackage lintian dh; do
        if ! command -v "$t" >/dev/null; then
                echo "1..0 # SKIP $t is not installed (packaging/install-deps.sh installs it)"
                exit 0
        fi
done
# One package test at a time on a host (several checkouts may run the suite):
# the install below must not race another one's purge.
exec 9>/tmp/clawjail-deb-test.lock
flock 9
if dpkg -s clawjail >/dev/null 2>&1; then
        echo "1..0 # SKIP a clawjail package is installed on this host already; not replacing it"
        exit 0
fi
out=$(tap_scratch)
log=$(bash "$src/packaging/build-deb.sh" "$out" 2>&1)
rc=$?
is "$rc" 0 "dpkg-buildpackage -us -uc -b builds the package" || diag "$log"
deb=$(ls "$out"/clawjail_*_*.deb 2>/dev/null | head -1)
ok "clawjail_VERSION_ARCH.deb exists" test -f "$deb"
lint=$(lintian "$deb" 2>&1 | grep -E '^[EW]:')
is "$lint" "" "lintian: no errors, no warnings"
inst=$(apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "$deb" 2>&1)
is "$?" 0 "it installs (apt-get install ./clawjail_*.deb)" || diag "$inst"
trap 'apt-get purge -y -q -o DPkg::Lock::Timeout=600 clawjail >/dev/null 2>&1' EXIT
ok "/usr/bin/clawjail is installed" test -x /usr/bin/clawjail
like "$(/usr/bin/clawjail --version)" "^clawjail [0-9]" "the installed binary runs"
like "$(env -u CLAWJAIL_PROFILE_PATH -u CLAWJAIL_SECCOMP_PATH /usr/bin/clawjail profile list)" "^default " \
        "it finds the installed profiles in /usr/share/clawjail"
ws=$(tap_workspace)
res=$(cd "$ws" && env -u CLAWJAIL_PROFILE_PATH -u CLAWJAIL_SECCOMP_PATH \
        CLAWJAIL_STATE_DIR="$out/state" /usr/bin/clawjail exec --json -c 'echo deb-smoke; hostname')
is "$(jq -r '.status + " " + (.stdout | gsub("\n"; " "))' <<<"$res")" "ok deb-smoke clawjail " \
        "a real sandboxed call with the installed binary and profiles"
ok "clawjail(1) is installed" test -f /usr/share/man/man1/clawjail.1.gz
ok "clawjail.profile(5) is installed" test -f /usr/share/man/man5/clawjail.profile.5.gz
ok "clawjail.protocol(7) is installed" test -f /usr/share/man/man7/clawjail.protocol.7.gz
ok "bash completion is installed" test -f /usr/share/bash-completion/completions/clawjail
ok "/etc/clawjail/profiles is there for local profiles" test -d /etc/clawjail/profiles
like "$(dpkg-query -W -f='${Conffiles}' clawjail)" "/etc/clawjail/profiles/README" "files in /etc are conffiles"
ok "the state dir exists" test -d /var/lib/clawjail
is "$(stat -c %a /var/lib/clawjail)" 701 "with mode 0701"
apt-get purge -y -q -o DPkg::Lock::Timeout=600 clawjail >/dev/null 2>&1
is "$?" 0 "purge removes it"
ok "/usr/bin/clawjail is gone" test ! -e /usr/bin/clawjail
trap - EXIT
done_testing
