#!/usr/bin/env bash
# tests/pcap/make_vantage.sh BUILD-DIR: remake the captures of one run seen
# from three places (issue 19, "captures from anywhere"): tcpdump at the
# client (ep-client to-r1), in the middle (ep-r2 to-r1: the client's side
# of the router where the lab's faults are) and at the server (ep-server
# to-r2), all three during the same run, through a lab fault.  (On r2's
# to-server side the TTLs are the server's own link's: one wire, one
# vantage.)
# Then their expected outputs.  Run as root under `flock /run/ep-lab.lock`;
# brings the lab up and down.  tests/pcap/realworld.sh checks what each
# must (and must not) say, tshark as the referee.
#   vantage-{client,r2,server}-clean-v4          path run, no fault
#   vantage-{client,r2,server}-frag-in-drop-v4   path run, r2 drops the
#                                                server's fragments
#   vantage-{client,r2,server}-tcp-drop-v4       path run, r2 drops TCP/53
#   vantage-{client,server}-dig-frag-in-v4       dig +dnssec DNSKEY (a
#                                                fragmented answer), 3 tries
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
bin=$build/ednsprobe
lab=$top/tests/lab/lab.sh
pcaps=$top/pcaps
list=$top/tests/pcap/TESTLIST
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	"$lab" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

filter='port 53 or icmp or icmp6 or (ip[6:2] & 0x1fff != 0) or ip6[6] == 44'
# capture3 NAME SCENARIO CMD...: tcpdump at the client, on r2 and at the
# server while CMD runs in the client namespace.
capture3() {
	local name=$1 scen=$2 ns ifc where
	shift 2
	"$lab" scenario "$scen" >/dev/null
	pids=()
	for where in client:ep-client:to-r1 r2:ep-r2:to-r1 \
	    server:ep-server:to-r2; do
		IFS=: read -r w ns ifc <<<"$where"
		ip netns exec "$ns" tcpdump -U -s 0 -i "$ifc" \
			-w "$pcaps/vantage-$w-$name-v4.pcapng" "$filter" \
			2>/dev/null &
		pids+=($!)
	done
	sleep 1
	ip netns exec ep-client "$@" >/dev/null 2>&1 || true
	sleep 1
	for p in "${pids[@]}"; do
		kill "$p"
		wait "$p" 2>/dev/null || true
	done
	pids=()
}

"$lab" up >/dev/null
capture3 clean clean "$bin" path --no-pcap @203.0.113.53 probe.test
capture3 frag-in-drop frag-in-drop "$bin" path --no-pcap @203.0.113.53 \
	probe.test
capture3 tcp-drop tcp-drop "$bin" path --no-pcap @203.0.113.53 probe.test
capture3 dig-frag-in frag-in-drop dig +tries=3 +time=1 +dnssec \
	+bufsize=4096 @203.0.113.53 probe.test. DNSKEY
rm -f "$pcaps/vantage-r2-dig-frag-in-v4.pcapng"
"$lab" down >/dev/null

for f in "$pcaps"/vantage-*-v4.pcapng; do
	name=$(basename "$f" .pcapng)
	EP_REGRESS_UPDATE=1 "$top/tests/pcap/regress.sh" "$bin" "$name" "$f"
	grep -q "^$name " "$list" || echo "$name $name.pcapng" >>"$list"
done
