#!/usr/bin/env bash
# tests/pcap/make_refs.sh BUILD-DIR [SCENARIO...]: remake the reference
# captures in pcaps/ (one per lab fault and family) with ednsprobe itself
# in the lab, then their expected analyze outputs.  With SCENARIOs, only
# those path captures (new ones are added to TESTLIST, the other lines
# kept).  Run as root; brings the lab up and takes it down.  Review `git
# diff` before committing: frame numbers in the expected outputs change
# with every new capture; tests/pcap/same_output.sh's golden files too
# (EP_REGRESS_UPDATE=1 tests/pcap/same_output.sh BUILD-DIR/ednsprobe).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
bin=$build/ednsprobe
lab=$top/tests/lab/lab.sh
list=$top/tests/pcap/TESTLIST
scenarios=(clean mtu1280 frag-drop frag-nonfirst-drop frag-first-drop
	frag-out-drop frag-in-drop frag-drop-r1 udp512 edns-drop tcp-drop
	tcp-reset pmtu-blackhole tcp-drop-r1 ednsopt-drop silent-hop eh-drop
	eh-hbh-drop)
shift || true
trap '"$lab" down >/dev/null 2>&1' EXIT
# ref SCENARIO FAMILY: one path capture and its expected output.
ref() {
	local srv=203.0.113.53 f=$1-v$2.pcapng
	[ "$2" = 6 ] && srv=2001:db8:53::53
	ip netns exec ep-client "$bin" path --pcap "$top/pcaps/$f" \
		"@$srv" probe.test >/dev/null || true
	EP_REGRESS_UPDATE=1 "$top/tests/pcap/regress.sh" "$bin" "$1-v$2" \
		"$top/pcaps/$f"
}
if [ $# -gt 0 ]; then
	"$lab" up >/dev/null
	for sc in "$@"; do
		"$lab" scenario "$sc" >/dev/null
		for fam in 4 6; do
			ref "$sc" "$fam"
			grep -q "^$sc-v$fam " "$list" ||
				echo "$sc-v$fam $sc-v$fam.pcapng" >>"$list"
		done
	done
	exit 0
fi
# The hostile server's captures (tests/lab/test_hostile.sh) are not remade
# here: their lines stay.
keep=$(grep '^hostile-' "$list" || true)
"$lab" up >/dev/null
{
	echo "# tests/pcap/TESTLIST: NAME FILE (in pcaps/) [analyze options],"
	echo "# one ctest test each."
	echo "# Made by tests/pcap/make_refs.sh; expected/NAME.out is what"
	echo "# 'ednsprobe analyze' must print for FILE (tests/pcap/regress.sh)."
} >"$list"
for sc in "${scenarios[@]}"; do
	"$lab" scenario "$sc" >/dev/null
	for fam in 4 6; do
		echo "$sc-v$fam $sc-v$fam.pcapng" >>"$list"
		ref "$sc" "$fam"
	done
done
# Both families in one capture: IPv6 fragments lost, IPv4 ones pass.
"$lab" scenario frag6-drop >/dev/null
ip netns exec ep-client "$bin" path --pcap "$top/pcaps/frag6-drop-both.pcapng" \
	@server.lab probe.test >/dev/null || true
echo "frag6-drop-both frag6-drop-both.pcapng" >>"$list"
EP_REGRESS_UPDATE=1 "$top/tests/pcap/regress.sh" "$bin" frag6-drop-both \
	"$top/pcaps/frag6-drop-both.pcapng"
# compliance runs (issue 9): a server's own failures (--full), one that
# ignores some queries itself, and a filter on the path.
comply_ref() {	# NAME SCENARIO ARGS...
	local name=$1
	"$lab" scenario "$2" >/dev/null
	shift 2
	ip netns exec ep-client "$bin" compliance --timeout 1 \
		--pcap "$top/pcaps/$name.pcapng" "$@" >/dev/null || true
	echo "$name $name.pcapng" >>"$list"
	EP_REGRESS_UPDATE=1 "$top/tests/pcap/regress.sh" "$bin" "$name" \
		"$top/pcaps/$name.pcapng"
}
comply_ref compliance-nsd-full-v4 clean --full @203.0.113.53 probe.test
comply_ref compliance-pdns-full-v4 clean --full @203.0.113.56 probe.test
comply_ref compliance-optdrop-v4 ednsopt-drop @203.0.113.53 probe.test
comply_ref compliance-optdrop-v6 ednsopt-drop @2001:db8:53::53 probe.test
# Packets in the server's name from r2 (issue 18): UDP/53 toward the
# server is redirected to port 5353 on r2, where tests/lab/dnsbox.py
# answers one router closer than the server (answer-forged:
# ANSWER_FORGED) or nothing listens, so r2 sends port unreachable with the
# server's address (icmp-forged: ICMP_FORGED); TCP/53 still reaches the
# server.  Last: the redirect needs conntrack on r2, which the other
# scenarios must not have (lab.sh: why the routers are stateless); the lab
# goes down next.
forged_ref() {	# NAME BOX(0/1)
	local box=
	"$lab" scenario clean >/dev/null
	if [ "$2" = 1 ]; then
		ip netns exec ep-r2 python3 "$top/tests/lab/dnsbox.py" 5353 &
		box=$!
		for _ in $(seq 50); do	# until it listens
			ip netns exec ep-r2 ss -Hlun 'sport = :5353' |
			    grep -q . && break
			sleep 0.1
		done
	fi
	ip netns exec ep-r2 nft -f - <<'NFT'
table ip epbox {
	chain pre {
		type nat hook prerouting priority -100;
		ip daddr 203.0.113.53 udp dport 53 redirect to :5353
	}
}
table ip6 epbox {
	chain pre {
		type nat hook prerouting priority -100;
		ip6 daddr 2001:db8:53::53 udp dport 53 redirect to :5353
	}
}
NFT
	for fam in 4 6; do
		srv=203.0.113.53
		[ $fam = 6 ] && srv=2001:db8:53::53
		f=$1-v$fam.pcapng
		ip netns exec ep-client "$bin" path --pcap "$top/pcaps/$f" \
			"@$srv" probe.test >/dev/null || true
		echo "$1-v$fam $f" >>"$list"
		EP_REGRESS_UPDATE=1 "$top/tests/pcap/regress.sh" "$bin" \
			"$1-v$fam" "$top/pcaps/$f"
	done
	[ -z "$box" ] || kill "$box"
	ip netns exec ep-r2 nft delete table ip epbox
	ip netns exec ep-r2 nft delete table ip6 epbox
}
forged_ref answer-forged 1
forged_ref icmp-forged 0
[ -z "$keep" ] || printf '%s\n' "$keep" >>"$list"
