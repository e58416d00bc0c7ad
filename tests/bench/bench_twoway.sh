#!/usr/bin/env bash
# tests/bench/bench_twoway.sh [BUILD-DIR] [RUNS]: two-ended mode's cost.
# Median wall time (the report's duration_ms) of RUNS runs (default 5) of
# `path -4` toward `ednsprobe respond` (203.0.113.70, started here in
# ep-server) and toward NSD (203.0.113.53, one-ended), per lab scenario,
# with the number of probes, and the responder's peak RSS at the end.
# Not a pass/fail test.  Run as root; brings the lab up and leaves it
# down.  Serialise with other lab users:
#   flock /run/ep-lab.lock tests/bench/bench_twoway.sh build-release
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
runs=${2:-5}
bin=$(realpath "$build/ednsprobe")
lab=$top/tests/lab/lab.sh
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 1; }
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && wait "$pid"
	"$lab" down >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
"$lab" up >"$tmp/up.log" 2>&1 || { tail "$tmp/up.log"; exit 1; }
ip netns exec ep-server "$bin" respond --zone resp.test \
	--listen 203.0.113.70 >"$tmp/resp.out" 2>&1 &
pid=$!
sleep 0.5

# median LABEL SERVER ZONE: RUNS path runs; median ms and probes.
median() {
	local label=$1 i
	for ((i = 0; i < runs; i++)); do
		ip netns exec ep-client "$bin" path -4 --json --no-pcap \
			"@$2" "$3" 2>/dev/null |
			jq -r '"\(.duration_ms) \(.targets[0].probes | length)"'
	done | sort -n | awk -v l="$label" '{ v[NR] = $1; p[NR] = $2 }
	    END { m = int((NR + 1) / 2)
		printf "| %s | %d | %d |\n", l, v[m], p[m] }'
}

echo "| scenario, server | median ms | probes |"
echo "|---|---|---|"
for s in clean frag-in-drop frag-out-drop udp512 mtu-out1280; do
	"$lab" scenario "$s" >/dev/null
	median "$s, responder (two-ended)" 203.0.113.70 resp.test
	median "$s, NSD (one-ended)" 203.0.113.53 probe.test
done
echo
echo "responder peak RSS: $(awk '/VmHWM/ { print $2, $3 }' \
	"/proc/$pid/status")"
