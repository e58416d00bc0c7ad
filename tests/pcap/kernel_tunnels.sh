#!/usr/bin/env bash
# tests/pcap/kernel_tunnels.sh EDNSPROBE [KIND...]: the Linux kernel's own
# tunnels (vxlan, geneve, gre, gretap, erspan type II and III) between two
# network namespaces made here (eplt-a, eplt-b: veth 198.51.100.1/.2,
# inside 192.0.2.1 and 192.0.2.53, documentation prefixes only).  `ednsprobe
# respond` answers in eplt-b; dig asks from eplt-a, small and large (a
# 3000-byte TXT: IP fragments inside the tunnel).  tcpdump captures the
# same exchange twice: on the veth (the tunnel's packets) and on the
# tunnel device (the packets inside).  `ednsprobe analyze --json` must
# give one report for both (command, file and link type aside), and
# tshark must see the DNS in both.  Needs root; not a ctest test (it makes
# namespaces); it takes /run/ep-lab.lock while they exist.
set -uo pipefail
bin=$(realpath "$1"); shift
kinds=${*:-vxlan geneve gre gretap erspan2 erspan3}
[ "$(id -u)" = 0 ] || { echo "skipped: needs root" >&2; exit 77; }
tmp=$(mktemp -d /tmp/eplt-kt.XXXXXX)
A="ip netns exec eplt-a" B="ip netns exec eplt-b"
cleanup() {
	[ -f "$tmp/resp.pid" ] && kill "$(cat "$tmp/resp.pid")" 2>/dev/null
	ip netns del eplt-a 2>/dev/null
	ip netns del eplt-b 2>/dev/null
}
# Two capture points, two clocks a few microseconds apart: times aside.
norm() {
	jq -S 'del(.command, .pcap, .capture.link, .started) |
	    walk(if type == "object" then with_entries(select(.key |
	    test("_ms$") | not)) else . end)'
}

one() {	# KIND: 0 when both captures give one report
	local k=$1 dev=tun0 link filter='ip proto 47'
	case $k in
	vxlan) filter='udp port 4789' ;;
	geneve) filter='udp port 6081' ;;
	esac
	cleanup
	ip netns add eplt-a && ip netns add eplt-b || return 1
	ip link add veth-a netns eplt-a type veth peer name veth-b netns eplt-b
	$A ip addr add 198.51.100.1/24 dev veth-a
	$B ip addr add 198.51.100.2/24 dev veth-b
	for ns in eplt-a eplt-b; do
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec $ns ip link set lo up
		ip netns exec $ns ip link set "veth-${ns#eplt-}" up
	done
	for side in a b; do
		local me=198.51.100.1 peer=198.51.100.2 in=192.0.2.1
		[ $side = b ] && me=198.51.100.2 peer=198.51.100.1 in=192.0.2.53
		case $k in
		vxlan) link="type vxlan id 42 local $me remote $peer
			dstport 4789" ;;
		geneve) link="type geneve id 42 remote $peer" ;;
		gre) link="type gre local $me remote $peer key 22" ;;
		gretap) link="type gretap local $me remote $peer key 22" ;;
		erspan2) link="type erspan local $me remote $peer seq key 9
			erspan_ver 1 erspan 7" ;;
		erspan3) link="type erspan local $me remote $peer seq key 9
			erspan_ver 2 erspan_dir ingress erspan_hwid 3" ;;
		*) echo "$k: unknown" >&2; return 1 ;;
		esac
		# shellcheck disable=SC2086
		if ! ip netns exec eplt-$side ip link add $dev $link; then
			echo "$k: not in this kernel" >"$tmp/skip"
			return 0
		fi
		ip netns exec eplt-$side sysctl -qw \
			net.ipv6.conf.$dev.disable_ipv6=1 2>/dev/null
		ip netns exec eplt-$side ip addr add $in/24 dev $dev
		# Inner packets that fit the veth whole: ednsprobe does not
		# reassemble, so a tunnel packet fragmented outside hides
		# what it carries (tshark reassembles it).
		ip netns exec eplt-$side ip link set $dev mtu 1400 up
	done
	[ -f "$tmp/skip" ] && return 0
	$B "$bin" respond --zone resp.test --listen 192.0.2.53 \
		>"$tmp/resp.log" 2>&1 &
	echo $! >"$tmp/resp.pid"
	$A tcpdump -U -q -s 0 -i veth-a -w "$tmp/$k-outer.pcap" \
		"$filter" 2>/dev/null &
	local t1=$!
	$A tcpdump -U -q -s 0 -i $dev -w "$tmp/$k-inner.pcap" \
		2>/dev/null &
	local t2=$!
	sleep 2
	for q in s100 s3000 s1500 s200; do
		$A dig +tries=1 +time=2 +bufsize=4096 @192.0.2.53 \
			$q.resp.test TXT >/dev/null
	done
	sleep 1
	kill -INT $t1 $t2
	wait $t1 $t2 2>/dev/null
	kill "$(cat "$tmp/resp.pid")" 2>/dev/null
	wait 2>/dev/null
	rm -f "$tmp/resp.pid"
	"$bin" analyze --json "$tmp/$k-outer.pcap" | norm >"$tmp/o.json"
	"$bin" analyze --json "$tmp/$k-inner.pcap" | norm >"$tmp/i.json"
	local od id of if
	od=$(tshark -r "$tmp/$k-outer.pcap" -Y dns 2>/dev/null | wc -l)
	id=$(tshark -r "$tmp/$k-inner.pcap" -Y dns 2>/dev/null | wc -l)
	of=$(jq .capture.frames "$tmp/o.json")
	if=$(jq .capture.frames "$tmp/i.json")
	echo "$k: outer $of frames, inner $if frames; tshark DNS $od/$id;" \
		"probes $(jq '[.targets[].probes[]] | length' "$tmp/i.json")"
	[ "$od" = "$id" ] && [ "$od" -gt 0 ] &&
		cmp -s "$tmp/o.json" "$tmp/i.json"
}

fails=0
exec 9>/run/ep-lab.lock
flock 9
for k in $kinds; do
	rm -f "$tmp/skip"
	if one "$k"; then
		if [ -f "$tmp/skip" ]; then echo "  skipped: $(cat "$tmp/skip")"
		else echo "  ok: $k: one report"; fi
	else
		echo "  FAIL: $k"; diff "$tmp/o.json" "$tmp/i.json" | head -10
		fails=$((fails + 1))
	fi
done
cleanup
flock -u 9
echo "captures in $tmp"
[ $fails -eq 0 ]
