#!/usr/bin/env bash
# tests/bench/bench_hops.sh [BIN...] [-- SCENARIO...]: time to a verdict of
# `ednsprobe path` (its JSON duration_ms, median of EP_BENCH_RUNS runs,
# default 3) and the probes it sent, per lab scenario and family, for each
# binary given (e.g. the build before a change and after it), with the
# located hops of the last run.  Not a pass/fail test.  Run as root;
# brings the lab up and takes it down.  Serialise with other lab users:
#   flock /run/ep-lab.lock tests/bench/bench_hops.sh OLD/ednsprobe build/ednsprobe
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
lab=$top/tests/lab/lab.sh
bins=() scenarios=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do bins+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
scenarios=("$@")
[ ${#bins[@]} -gt 0 ] || bins=("$top/build/ednsprobe")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(clean frag-drop frag-drop-r1
	pmtu-blackhole tcp-drop tcp-drop-r1 edns-drop ednsopt-drop silent-hop)
runs=${EP_BENCH_RUNS:-3}
for b in "${bins[@]}"; do
	[ -x "$b" ] || { echo "no $b: build first" >&2; exit 1; }
done
scratch=$(mktemp -d)
trap '"$lab" down >/dev/null 2>&1; rm -rf "$scratch"' EXIT
"$lab" up >/dev/null || { echo "lab up failed" >&2; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-16s %-3s %-5s %8s %7s  %s\n' scenario fam bin "ms" probes \
	"drop_hop (what:ttl@address, last run)"
for sc in "${scenarios[@]}"; do
	"$lab" scenario "$sc" >/dev/null || { echo "$sc: lab failed"; continue; }
	for fam in 4 6; do
		srv=203.0.113.53
		[ $fam = 6 ] && srv=2001:db8:53::53
		for k in "${!bins[@]}"; do
			j=$scratch/$sc-$fam-$k.json
			for _ in $(seq "$runs"); do
				ip netns exec ep-client "${bins[$k]}" path \
					--json --no-pcap "@$srv" probe.test \
					>"$j" 2>/dev/null
				jq '.duration_ms' "$j"
			done | median >"$scratch/ms"
			printf '%-16s v%-2s #%-4s %8s %7s  %s\n' "$sc" "$fam" \
				"$k" "$(cat "$scratch/ms")" \
				"$(jq '[.targets[0].probes[] |
				select(.outcome != "skipped")] | length' "$j")" \
				"$(jq -r '[.targets[0].path.drop_hop |
				if type == "array" then .[] else
				select(. != null) end |
				"\(.what):\(.ttl)@\(.address)" +
				(if (.silent_hops // []) != [] then
				"~\(.silent_hops)" else "" end)] | join(" ")' \
				"$j")"
		done
	done
done
