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
# valgrind for the memcheck runs).  Fuzzing: clang and its runtime
# libraries (libFuzzer, ASan, UBSan) for tests/fuzz.
packages=(
	build-essential cmake pkg-config
	libpcap-dev libldns-dev libssl-dev libjansson-dev
	libcmocka-dev libcap-ng-dev
	nsd unbound ldnsutils bind9-dnsutils nftables iproute2 procps
	tcpdump tshark jq valgrind
	clang libclang-rt-14-dev
)
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
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
cmake -S "$top" -B "$build" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
