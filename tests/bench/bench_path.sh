#!/usr/bin/env bash
# tests/bench/bench_path.sh [BUILD-DIR] [SCENARIO...]: time to a verdict,
# ednsprobe vs the dig loop an engineer would type for the same ladder
# (dig's default timeouts), in each lab scenario.  Prints the figures and
# the ratio.  Not a pass/fail test.  Run as root; brings the lab up and
# leaves it down.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
shift || true
bin=$build/ednsprobe
lab=$top/tests/lab/lab.sh
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(clean frag-drop udp512 edns-drop
	tcp-drop tcp-reset pmtu-blackhole mtu1280)
server=${EP_BENCH_SERVER:-203.0.113.53}
zone=probe.test

[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 1; }
scratch=$(mktemp -d /tmp/ednsprobe-bench.XXXXXX)	# the captures
trap '"$lab" down >/dev/null 2>&1; rm -rf "$scratch"' EXIT
"$lab" up >/dev/null || exit 1

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# What an engineer types: the ladder with DO, a query without EDNS, TCP.
# Prints how many of its 9 digs got no answer.
dig_loop() {
	local n=0
	for s in 512 1220 1232 1400 1480 4000 4096; do
		dig +bufsize=$s +dnssec DNSKEY $zone "@$server" >/dev/null ||
			n=$((n + 1))
	done
	dig +noedns SOA $zone "@$server" >/dev/null || n=$((n + 1))
	dig +tcp +dnssec DNSKEY $zone "@$server" >/dev/null || n=$((n + 1))
	echo "$n"
}

printf '%-16s %12s %12s %8s %9s  %s\n' scenario "ednsprobe ms" \
	"dig loop ms" ratio "dig fails" "ednsprobe resume"
for sc in "${scenarios[@]}"; do
	"$lab" scenario "$sc" >/dev/null || { echo "$sc: lab failed"; continue; }
	t=$(date +%s%N)
	resume=$(ip netns exec ep-client "$bin" path \
		--pcap "$scratch/$sc.pcapng" "@$server" $zone |
		sed -n 's/^Resume: //p')
	e=$(ms "$t")
	t=$(date +%s%N)
	fails=$(ip netns exec ep-client bash -c "$(declare -f dig_loop); \
		zone=$zone server=$server dig_loop" 2>/dev/null)
	d=$(ms "$t")
	printf '%-16s %12d %12d %8.3f %7s/9  %s\n' "$sc" "$e" "$d" \
		"$(awk -v e="$e" -v d="$d" 'BEGIN { print (d ? e / d : 0) }')" \
		"$fails" "$resume"
done
