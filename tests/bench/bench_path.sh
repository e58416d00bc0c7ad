#!/usr/bin/env bash
# tests/bench/bench_path.sh [BUILD-DIR] [SCENARIO...]: time to a verdict,
# ednsprobe vs the dig loop an engineer would type for the same ladder
# (dig's default timeouts) and vs DNSViz ("dnsviz probe" of the zone at the
# lab's server, then "dnsviz grok"), in each lab scenario.  Prints the
# figures, the ratios and whether DNSViz's report shows anything.  Not a
# pass/fail test.  Run as root; brings the lab up and leaves it down.
# Serialise with other lab users: flock /run/ep-lab.lock bench_path.sh ...
#
# DNSViz (Debian package dnsviz, installed here with apt-get if missing;
# without it its columns say "skipped") runs in authoritative mode with
# the lab's server as the zone's only server and no ancestors:
#   dnsviz probe -4 -A -x 'probe.test+:ns1.probe.test=203.0.113.53' probe.test
# "+" stops it at probe.test (no DS query to test., no root servers), the
# name=address form needs no lookup of the server's name.  The only other
# thing it does outside the zone is a connect() of a UDP socket towards
# a root server's address to learn its source address, which sends no
# packet.  tcpdump on the client's interface counts every packet it sends
# elsewhere ("stray" column; must be 0).  Not -N/-D (a parent zone with
# the DS): for those dnsviz starts a named of its own, which sends root
# priming and trust-anchor queries to a root server's address.
# EP_BENCH_DNSVIZ=no skips DNSViz; EP_BENCH_KEEP=1 keeps the scratch
# directory (captures, DNSViz JSON, grok reports) and names it.
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

# DNSViz: install it if missing (Debian 12: 0.9.4); without it, skip.
dnsviz=${EP_BENCH_DNSVIZ:-yes}
if [ "$dnsviz" = yes ] && ! command -v dnsviz >/dev/null 2>&1 &&
	[ "$(id -u)" -eq 0 ]; then
	echo "bench: installing dnsviz" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends dnsviz >/dev/null 2>&1 ||
		{ DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends dnsviz >/dev/null 2>&1; }
fi
if [ "$dnsviz" != yes ]; then
	echo "bench: EP_BENCH_DNSVIZ=$dnsviz: the dnsviz columns are skipped" >&2
elif ! command -v dnsviz >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1
then
	dnsviz=no
	echo "bench: no dnsviz (or jq): the dnsviz columns are skipped" >&2
fi
case $server in
*:*) dv_family=-6 dv_server="[$server]" ;;
*) dv_family=-4 dv_server=$server ;;
esac
scratch=$(mktemp -d /tmp/ednsprobe-bench.XXXXXX)	# captures, reports
tpid=	# the tcpdump running beside dnsviz
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	"$lab" down >/dev/null 2>&1
	if [ -n "${EP_BENCH_KEEP:-}" ]; then
		echo "bench: captures and DNSViz reports kept in $scratch" >&2
	else
		rm -rf "$scratch"
	fi
}
trap cleanup EXIT
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

# dnsviz_run SCENARIO: times "dnsviz probe" from the client, with tcpdump
# on the client's interface catching anything it sends to another
# address, then reads "dnsviz grok"'s warnings and errors.  Sets dv_ms,
# dv_stray (packets to other addresses; "?" if tcpdump did not start) and
# dv_sees ("yes CODE,..." or "no": grok at log level warning lists nothing
# for the clean lab).  The JSON, grok's report and the logs stay in
# $scratch.
dnsviz_run() {
	local sc=$1 t rc n listening=no
	ip netns exec ep-client tcpdump -i to-r1 -n -l --immediate-mode \
		"$stray_filter" >"$scratch/$sc.stray.txt" \
		2>"$scratch/$sc.tcpdump.log" & tpid=$!
	for n in $(seq 50); do	# until it listens (at most 5 s)
		grep -q listening "$scratch/$sc.tcpdump.log" &&
			{ listening=yes; break; }
		sleep 0.1
	done
	t=$(date +%s%N)
	ip netns exec ep-client dnsviz probe -d 1 $dv_family -A \
		-x "$zone+:ns1.$zone=$dv_server" -o "$scratch/$sc.dnsviz.json" \
		"$zone" 2>"$scratch/$sc.dnsviz.log"
	rc=$?
	dv_ms=$(ms "$t")
	sleep 0.2
	kill -INT "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	tpid=
	dv_stray=$(grep -c . "$scratch/$sc.stray.txt")
	[ "$listening" = yes ] || dv_stray="?"
	if [ "$rc" -ne 0 ]; then
		dv_sees="probe failed (exit $rc)"
		return
	fi
	dnsviz grok -l warning -r "$scratch/$sc.dnsviz.json" \
		>"$scratch/$sc.grok.json" 2>>"$scratch/$sc.dnsviz.log"
	# Every warning and error grok lists (keys "warnings", "errors",
	# "error"), as CODE(TRANSPORTS), e.g. TIMEOUT(TCP).
	dv_sees=$(jq -r '[.. | objects | select(has("code") and
		has("description")) | { c: .code, t: (.query_options // [] |
		map(split("_")[0])) }] | group_by(.c) | map(.[0].c +
		((map(.t[]) | unique | join("+")) as $t |
		if $t == "" then "" else "(" + $t + ")" end)) | join(",")' \
		"$scratch/$sc.grok.json" 2>/dev/null)
	[ -n "$dv_sees" ] && dv_sees="yes $dv_sees" || dv_sees=no
}

# What the client sends to anything but the server, neighbour discovery
# aside (ICMPv6 types 133-137, sent from the global address too).
client_addrs=$(ip netns exec ep-client ip -o addr show dev to-r1 scope global |
	awk '{ sub("/.*", "", $4); print $4 }')
stray_filter="not arp and not dst host $server and"
stray_filter+=" not (icmp6 and ip6[40] >= 133 and ip6[40] <= 137) and ("
for a in $client_addrs; do stray_filter+=" src host $a or"; done
stray_filter=${stray_filter% or}" )"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

printf '%-14s %8s %8s %8s %7s %7s %6s %5s  %s\n' scenario "ep ms" "dig ms" \
	"dnsviz" dig/ep dviz/ep "digs" stray "dnsviz sees the fault"
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
	dv_ms=- dv_ratio=- dv_stray=- dv_sees=skipped
	if [ "$dnsviz" = yes ]; then
		dnsviz_run "$sc"
		dv_ratio=$(ratio "$dv_ms" "$e")
	fi
	printf '%-14s %8d %8d %8s %7s %7s %4s/9 %5s  %s\n' "$sc" "$e" "$d" \
		"$dv_ms" "$(ratio "$d" "$e")" "$dv_ratio" "$fails" "$dv_stray" \
		"$dv_sees"
	printf '%-14s ednsprobe: %s\n' "" "$resume"
done
