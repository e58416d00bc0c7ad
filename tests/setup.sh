#!/usr/bin/env bash
# tests/setup.sh [BUILD-DIR [CMAKE-ARGS...]]: installs what ednsprobe needs
# on Debian 12 (as root) and builds it.  Used by demo.sh, all.sh and CI.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true

# Build: compiler, CMake, the libraries the owner chose (libpcap, ldns,
# OpenSSL, libcap-ng) and ours (jansson, cmocka); libnet is not used
# (docs/design.md).  Lab: the real servers and
# tools the lab runs (NSD, Unbound, ldns tools, dig, nftables, iproute2,
# tcpdump/tshark to look at the wire, jq for the test assertions,
# python3-jsonschema to check every JSON the tests produce against
# docs/schema/, valgrind for the memcheck runs), and three more
# authoritative servers for the compliance tests (BIND 9, Knot DNS,
# PowerDNS with its bind backend), which the lab starts itself, in its
# namespaces.  Fuzzing: clang and its runtime libraries (libFuzzer, ASan,
# UBSan) for tests/fuzz.
packages=(
	build-essential cmake pkg-config
	libpcap-dev libldns-dev libssl-dev libjansson-dev
	libcmocka-dev libcap-ng-dev
	nsd unbound ldnsutils bind9-dnsutils nftables iproute2 procps
	bind9 knot pdns-server pdns-backend-bind
	tcpdump tshark jq valgrind python3 python3-jsonschema
	iputils-ping
	clang libclang-rt-14-dev
)
# The servers' packages would start them on the host (named, knotd,
# pdns_server listening on every address): a policy-rc.d that exits 101
# makes invoke-rc.d and deb-systemd-invoke refuse every start while we
# install.  Ours is removed afterwards; one that was there already (a
# container's) stays, but must refuse too.
policy=/usr/sbin/policy-rc.d
deny_daemons() {
	local rc=0
	if [ -e "$policy" ]; then
		"$policy" bind9 start >/dev/null 2>&1 || rc=$?
		if [ "$rc" -ne 101 ]; then
			echo "setup: $policy exists and allows starting" \
				"daemons (exit $rc, want 101): not installing" >&2
			exit 1
		fi
		return 0
	fi
	printf '%s\n' '#!/bin/sh' \
		'# tests/setup.sh: no daemon starts while it installs' \
		'exit 101' >"$policy"
	chmod 755 "$policy"
	made_policy=yes
	trap allow_daemons EXIT
}
made_policy=no
allow_daemons() {	# removes only the policy-rc.d deny_daemons made
	if [ "$made_policy" = yes ]; then
		rm -f "$policy"
		made_policy=no
	fi
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: missing packages (run as root): ${missing[*]}" >&2
		exit 1
	fi
	echo "setup: installing ${missing[*]}"
	deny_daemons
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	allow_daemons
	# None may run in the host's namespace (the lab's are in ep-server).
	for pid in $(ps -C named,knotd,pdns_server -o pid=); do
		[ -n "$(ip netns identify "$pid" 2>/dev/null)" ] && continue
		echo "setup: warning: $(ps -o comm= -p "$pid") (PID $pid)" \
			"runs on the host" >&2
	done
fi
cmake -S "$top" -B "$build" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
