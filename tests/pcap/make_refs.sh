#!/usr/bin/env bash
# tests/pcap/make_refs.sh BUILD-DIR: remake the reference captures in
# pcaps/ (one per lab fault and family) with ednsprobe itself in the lab,
# then their expected analyze outputs.  Run as root; brings the lab up and
# takes it down.  Review `git diff` before committing: frame numbers in the
# expected outputs change with every new capture.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
bin=$build/ednsprobe
lab=$top/tests/lab/lab.sh
list=$top/tests/pcap/TESTLIST
scenarios=(clean mtu1280 frag-drop frag-nonfirst-drop frag-first-drop
	frag-out-drop frag-in-drop frag-drop-r1 udp512 edns-drop tcp-drop
	tcp-reset pmtu-blackhole eh-drop eh-hbh-drop)
trap '"$lab" down >/dev/null 2>&1' EXIT
# The hostile server's captures (tests/lab/test_hostile.sh) are not remade
# here: their lines stay.
keep=$(grep '^hostile-' "$list" || true)
"$lab" up >/dev/null
{
	echo "# tests/pcap/TESTLIST: NAME FILE (in pcaps/), one ctest test each."
	echo "# Made by tests/pcap/make_refs.sh; expected/NAME.out is what"
	echo "# 'ednsprobe analyze' must print for FILE (tests/pcap/regress.sh)."
} >"$list"
for sc in "${scenarios[@]}"; do
	"$lab" scenario "$sc" >/dev/null
	for fam in 4 6; do
		srv=203.0.113.53
		[ $fam = 6 ] && srv=2001:db8:53::53
		f=$sc-v$fam.pcapng
		ip netns exec ep-client "$bin" path --pcap "$top/pcaps/$f" \
			"@$srv" probe.test >/dev/null || true
		echo "$sc-v$fam $f" >>"$list"
		EP_REGRESS_UPDATE=1 "$top/tests/pcap/regress.sh" "$bin" \
			"$sc-v$fam" "$top/pcaps/$f"
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
[ -z "$keep" ] || printf '%s\n' "$keep" >>"$list"
