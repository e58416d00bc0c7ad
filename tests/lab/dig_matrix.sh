#!/usr/bin/env bash
# tests/lab/dig_matrix.sh [SCENARIO...]: what plain dig sees from the lab's
# client in each scenario (default: all), over IPv4 and IPv6, with short
# timeouts (+time=1 +tries=1, so one lost packet is a TIMEOUT).  A manual
# check of the lab itself, independent of ednsprobe; not a pass/fail test.
# Needs the lab up (lab.sh up); leaves it in scenario "clean".
#
# Each row: scenario, family, question, and "ok SIZE RCODE FLAGS" (SIZE is
# dig's "MSG SIZE rcvd"; "TC->TCP" when dig retried over TCP after a
# truncated UDP answer), TIMEOUT, or REFUSED (TCP reset).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lab=$here/lab.sh
zone=probe.test

# One dig in the client namespace, summarised on one line.
q() {
	local out size flags rcode tc=""
	out=$(ip netns exec ep-client dig +time=1 +tries=1 "$@" 2>&1) || true
	size=$(sed -n 's/^;; MSG SIZE  rcvd: //p' <<<"$out" | tail -n 1)
	if [ -n "$size" ]; then
		flags=$(sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' <<<"$out" |
			tail -n 1 | tr ' ' ',')
		rcode=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out" |
			tail -n 1)
		grep -q 'Truncated, retrying in TCP' <<<"$out" && tc=" TC->TCP"
		echo "ok $size $rcode $flags$tc"
	elif grep -qi 'connection refused' <<<"$out"; then
		echo "REFUSED"
	elif grep -qi 'timed out' <<<"$out"; then
		echo "TIMEOUT"
	else
		echo "OTHER: $(head -n 2 <<<"$out" | tr '\n' ' ')"
	fi
}

row() {	# SCENARIO FAMILY LABEL DIG-ARGS...
	local sc=$1 fam=$2 label=$3
	shift 3
	printf '%-15s %-4s %-38s %s\n' "$sc" "$fam" "$label" "$(q "$@")"
}

matrix() {	# SCENARIO
	local sc=$1 fam srv
	"$lab" scenario "$sc" >/dev/null
	for fam in v4 v6; do
		srv=203.0.113.53
		[ $fam = v6 ] && srv=2001:db8:53::53
		row "$sc" $fam "DNSKEY +dnssec +bufsize=4096" \
			+dnssec +bufsize=4096 DNSKEY $zone "@$srv"
		row "$sc" $fam "DNSKEY +dnssec +bufsize=1232" \
			+dnssec +bufsize=1232 DNSKEY $zone "@$srv"
		row "$sc" $fam "DNSKEY +dnssec +bufsize=1232 +ignore" \
			+dnssec +bufsize=1232 +ignore DNSKEY $zone "@$srv"
		row "$sc" $fam "SOA +noedns" +noedns SOA $zone "@$srv"
		row "$sc" $fam "SOA +edns (no DO)" +edns SOA $zone "@$srv"
		row "$sc" $fam "DNSKEY +tcp +dnssec" \
			+tcp +dnssec DNSKEY $zone "@$srv"
		row "$sc" $fam "TXT s1200 +dnssec +bufsize=4096" \
			+dnssec +bufsize=4096 TXT s1200.$zone "@$srv"
		row "$sc" $fam "TXT s1400 +dnssec +bufsize=4096" \
			+dnssec +bufsize=4096 TXT s1400.$zone "@$srv"
	done
	# The resolver's path to NSD crosses the same fault.
	row "$sc" res "resolver TXT s512 +dnssec (3 s)" \
		+time=3 +dnssec TXT s512.$zone @192.0.2.153
}

if [ $# -eq 0 ]; then
	mapfile -t scenarios < <("$lab" scenarios)
else
	scenarios=("$@")
fi
for sc in "${scenarios[@]}"; do
	matrix "$sc"
done
"$lab" scenario clean >/dev/null
