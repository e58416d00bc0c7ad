#!/usr/bin/env bash
# tests/bench/bench_zone.sh [BUILD-DIR] [RUNS]: the zone and resolver
# commands against the lab's DNS tree, median wall time of RUNS runs
# (default 5) each, from the report's duration_ms:
#   path 1 addr     `path -4 @203.0.113.62 good.test`: one server address
#   zone 8 addrs    `zone good.test` from the lab's root: 4 name servers x 2
#                   families found and probed at once (issue 5: "about as
#                   long as one address")
#   zone --no-path  the delegation and DNSSEC checks alone
#   zone lame       lame.test: two of its addresses silent, two refusing
#   resolver        `resolver @192.0.2.153 probe.test`: the resolver and
#                   NSD's two addresses
# each with every probe and with --no-raw.  Not a pass/fail test.  Run as
# root; brings the lab up and leaves it down.  Serialise with other lab
# users:  flock /run/ep-lab.lock tests/bench/bench_zone.sh build-release
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
runs=${2:-5}
bin=$(realpath "$build/ednsprobe")
lab=$top/tests/lab/lab.sh
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 1; }
tmp=$(mktemp -d)
trap '"$lab" down >/dev/null 2>&1; rm -rf "$tmp"' EXIT
"$lab" up >"$tmp/up.log" 2>&1 || { tail "$tmp/up.log"; exit 1; }

# median LABEL ARGS...: RUNS runs of ednsprobe ARGS in ep-client.
median() {
	local label=$1 i
	shift
	for ((i = 0; i < runs; i++)); do
		ip netns exec ep-client "$bin" "$@" --json --no-pcap \
			2>/dev/null | jq -r .duration_ms
	done | sort -n | awk -v l="$label" '{ v[NR] = $1 }
	    END { printf "| %s | %d |\n", l, v[int((NR + 1) / 2)] }'
}

echo "| run | median ms |"
echo "|---|---|"
for raw in "" --no-raw; do
	median "path 1 address ${raw}" path -4 $raw @203.0.113.62 good.test
	median "zone good.test, 8 addresses ${raw}" zone $raw \
		--parent 203.0.113.60 good.test
	median "zone lame.test (2 silent, 2 refusing) ${raw}" zone $raw \
		--parent 203.0.113.60 lame.test
	median "resolver + 2 authoritative ${raw}" resolver $raw \
		@192.0.2.153 probe.test
done
median "zone good.test --no-path" zone --no-path --parent 203.0.113.60 \
	good.test
