#!/usr/bin/env bash
# tests/fuzz/make_seeds.sh: regenerate the seed corpus of the fuzz targets
# (tests/fuzz/corpus/{frame,dns,pcap,options,survey}) from the reference captures
# in pcaps/, with tshark and editcap.  Seeds are named by what they hold;
# regression inputs (crashes the fuzzers found, named crash-*) are kept.
# Usage: tests/fuzz/make_seeds.sh   (needs tshark, editcap, xxd)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/fuzz/corpus
pcaps=$top/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in frame dns pcap options survey; do
	mkdir -p "$out/$d"
	find "$out/$d" -type f ! -name 'crash-*' -delete
done

# Captures whose frames differ in kind: plain exchanges, TCP, resets,
# fragments in and out, ICMP errors quoting fragments, overlaps.
sources="clean-v4 clean-v6 frag-drop-v4 frag-drop-v6 pmtu-blackhole-v4
pmtu-blackhole-v6 tcp-reset-v4 tcp-reset-v6 frag-out-drop-v4
hostile-frag-overlap-v4 hostile-empty-v4 mtu1280-v6 compliance-nsd-full-v4
compliance-optdrop-v4"

# frame: one frame per protocol stack per capture, "link byte + frame"
# (tests/fuzz/fuzz_frame.c: 0 Ethernet, 1 raw IP, 2 Linux SLL, 5 SLL2).
frame_bytes() {	# FILE NUMBER: the captured bytes of one frame
	editcap -F pcap -r "$1" "$tmp/one.pcap" "$2" >/dev/null 2>&1
	tail -c +41 "$tmp/one.pcap"
}
for s in $sources; do
	f=$pcaps/$s.pcapng
	tshark -r "$f" -T fields -e frame.number -e frame.protocols \
		2>/dev/null | sort -u -k2,2 | while read -r n protos; do
		name=$s-$n-$(echo "$protos" | sed 's/eth:ethertype://;
			s/[^a-z0-9]\+/-/g')
		frame_bytes "$f" "$n" >"$tmp/frame"
		{ printf '\000'; cat "$tmp/frame"; } >"$out/frame/$name"
		# The same packet on the other link types, for a few.
		case $protos in *udp:dns) ;; *) continue ;; esac
		case $s in clean-*|frag-drop-*) ;; *) continue ;; esac
		ethertype=$(head -c 14 "$tmp/frame" | tail -c 2 | xxd -p)
		{ printf '\001'; tail -c +15 "$tmp/frame"; } \
			>"$out/frame/$name-raw"
		{ printf '\002\000\000\000\001\000\006'; head -c 6 \
			"$tmp/frame"; printf '\000\000'; tail -c +13 \
			"$tmp/frame"; } >"$out/frame/$name-sll"
		{ xxd -r -p <<<"05${ethertype}00000000000200010006"; head -c 6 \
			"$tmp/frame"; printf '\000\000'; tail -c +15 \
			"$tmp/frame"; } >"$out/frame/$name-sll2"
	done
done

# frame, other link types and tunnels: the first DNS query and the first
# fragment of each twin capture (tests/pcap/TWINS), whole, and the query
# cut by the snap length ("+ 12": tests/fuzz/fuzz_frame.c's links[]).
link_index() {	# LINKTYPE: its index in fuzz_frame.c's links[]
	case $1 in
	101) echo 1 ;; 0) echo 6 ;; 108) echo 7 ;; 239) echo 8 ;;
	258) echo 9 ;; 127) echo 10 ;; 105) echo 11 ;;
	esac
}
grep -v '^#' "$top/tests/pcap/TWINS" | while read -r wrap ref; do
	f=$pcaps/twin-$wrap-$ref.pcap
	[ -f "$f" ] || continue
	b=$(link_index "$(python3 "$top/tests/pcap/make_twins.py" --link \
		"$wrap")")
	for what in "dns.flags.response == 0" "ip.flags.mf == 1 or \
	    ipv6.fraghdr.more == 1"; do
		n=$(tshark -r "$f" -Y "$what" -T fields -e frame.number \
			2>/dev/null | head -1)
		[ -n "$n" ] || continue
		frame_bytes "$f" "$n" >"$tmp/frame"
		{ printf "\\$(printf %o "$b")"; cat "$tmp/frame"; } \
			>"$out/frame/twin-$wrap-$ref-$n"
		case $what in dns*) ;; *) continue ;; esac
		{ printf "\\$(printf %o $((b + 12)))"; cat "$tmp/frame"; } \
			>"$out/frame/twin-$wrap-$ref-$n-cut"
	done
done

# dns: DNS messages of every kind in the captures (UDP payloads, after
# IP reassembly): per capture the two smallest and the four largest,
# named by capture and size.
for s in $sources; do
	tshark -r "$pcaps/$s.pcapng" -Y 'udp && dns && !icmp && !icmpv6' \
		-T fields -e udp.payload 2>/dev/null | awk 'length($0) >= 24' |
		sort -u | awk '{ print length($0) / 2, $0 }' | sort -n -u -k1,1 \
		>"$tmp/msgs"
	{ head -2 "$tmp/msgs"; tail -4 "$tmp/msgs"; } | sort -u |
		while read -r len hex; do
		echo "$hex" | xxd -r -p >"$out/dns/$s-$len"
	done
done

# pcap: short slices of a few captures, pcapng as written and classic
# pcap, so the fuzzer starts from whole exchanges it can afford to run.
for s in clean-v4 frag-drop-v6 pmtu-blackhole-v4 tcp-reset-v6 \
		hostile-frag-overlap-v4; do
	editcap -r "$pcaps/$s.pcapng" "$out/pcap/$s-1-12.pcapng" 1-12 \
		>/dev/null
	editcap -F pcap -r "$pcaps/$s.pcapng" "$out/pcap/$s-40-70.pcap" 40-70 \
		>/dev/null
done

# options: typical command lines, words separated by NUL bytes.
i=0
while read -r line; do
	i=$((i + 1))
	printf '%s' "$line" | tr ' ' '\000' >"$out/options/line-$i"
done <<'LINES'
path @203.0.113.53 probe.test
path --json @ns1.example.net example.net
path -4 --sizes=1232,1400,4096 +timeout=2 @192.0.2.53 .
path --pcap ticket.pcapng @203.0.113.53 probe.test
path -6 -p 5353 +bufsize=1232 +nodnssec +norec @2001:db8::53 example. TYPE65534
path --tcp-only --tries=5 --rate=1000 -o out.json -Z nobody @h x AAAA
path +notcp --no-raw --max-hops=30 --frag-size=584 --iface=eth0 -vv @h
path --pcap-format=pcap --no-pcap --timeout=0.1 +retry=4 @h a.b.c MX
analyze customer.pcap
analyze --json -o r.json -Z root capture.pcapng
--help
-V
path -x @h
path --sizes= @h
compliance @203.0.113.53 probe.test
compliance --full --resolver --format=genreport -6 @h example.net
compliance --format=json --json -o c.json @h
path --format genreport @h x
help
help zone
help frobnicate
zone --help
path --json=x @h
LINES

# survey: target lists and lines of the survey's own output (--resume).
printf '%s\n' '# lab farm' '203.0.113.53 probe.test' \
	'2001:db8:53::53 probe.test TXT' '192.0.2.1' '' '  # only' \
	'ns1.example.net' '203.0.113.53 probe.test A extra' \
	'2001:db8::1 a..b' '203.0.113.53 probe.test TYPE65534' \
	>"$out/survey/list"
printf '%s\n' '{"type":"target","schema":1,"line":2,"address":"203.0.113.53","family":4,"name":"probe.test","qtype":"DNSKEY","findings":[]}' \
	'{"type":"summary","schema":1,"targets":1}' \
	'{"type":"target","address":"2001:db8::53","name":".","qtype":"TXT"}' \
	'{"type":"target","address":"203.0.113.53","name":"probe.t' \
	>"$out/survey/resume"
# tcpstream: the segments of the stream reference captures, as records
# (tests/fuzz/fuzz_tcpstream.c).
mkdir -p "$out/tcpstream"
find "$out/tcpstream" -type f ! -name 'crash-*' -delete
for f in "$pcaps"/tcp-*.pcap; do
	python3 "$top/tests/fuzz/tcpstream_seeds.py" "$f" \
		"$out/tcpstream/$(basename "$f" .pcap)"
done
du -sh "$out"
for d in frame dns pcap options survey tcpstream; do
	echo "$d: $(find "$out/$d" -type f | wc -l) files"
done
