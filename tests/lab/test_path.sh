#!/usr/bin/env bash
# tests/lab/test_path.sh SCENARIO EDNSPROBE: runs the real binary in the
# lab's client namespace against the real NSD across the faulty routers,
# and checks the measured facts, the findings and the exit status.
set -uo pipefail
scenario=$1
bin=$2
here=$(cd "$(dirname "$0")" && pwd)
lab=$here/lab.sh
. "$here/lib.sh"

# run LABEL ARGS...: ednsprobe in the client namespace; JSON in $out/LABEL,
# the capture in $out/LABEL.pcapng; then the capture checks below.
run() {
	local label=$1; shift
	ip netns exec ep-client "$bin" path --json \
		--pcap "$out/$label.pcapng" "$@" \
		>"$out/$label.json" 2>"$out/$label.err"
	echo $? >"$out/$label.rc"
	json_valid "$out/$label.json" report
	local d
	d=$(jq -r '.duration_ms // "?"' "$out/$label.json" 2>/dev/null)
	echo "  run $label: exit $(cat "$out/$label.rc"), ${d} ms:" \
		"$(jq -r '.targets[]?.resume' "$out/$label.json" 2>/dev/null)"
	check_capture "$label"
}

# The packets we crafted (raw probes: padded, fragmented, TTL-limited),
# as tshark dissects them from the capture: IP and UDP checksums good
# (the UDP one over the whole datagram, for fragments too), nothing
# malformed, and the fragmented queries reassemble into DNS queries.
check_crafted() {
	local pcap=$out/$1.pcapng
	local ours='(ip.src == 192.0.2.10 or ipv6.src == 2001:db8:1::10) and
	    not icmp and not icmpv6 and (udp.length > 520 or
	    ip.flags.mf == 1 or ip.frag_offset > 0 or ipv6.fraghdr.ident or
	    ip.ttl < 64 or ipv6.hlim < 64 or ipv6.dstopts or ipv6.hopopts)'
	local n bad frag
	jq -e '[.targets[].probes[] | select(.kind == "raw" and
	    .outcome != "skipped")] | length > 0' "$out/$1.json" \
	    >/dev/null || return 0
	n=$(tshark -r "$pcap" -Y "$ours" 2>/dev/null | wc -l)
	bad=$(tshark -r "$pcap" -o ip.check_checksum:TRUE \
		-o udp.check_checksum:TRUE -Y "($ours) and
		(ip.checksum.status == 0 or udp.checksum.status == 0 or
		_ws.malformed or _ws.expert.severity == error)" 2>/dev/null |
		wc -l)
	frag=$(tshark -r "$pcap" -Y '(ip.src == 192.0.2.10 or
		ipv6.src == 2001:db8:1::10) and dns.flags.response == 0 and
		(ip.frag_offset > 0 or ipv6.fraghdr.offset > 0)' 2>/dev/null |
		wc -l)
	if [ "$n" -gt 0 ] && [ "$bad" = 0 ] && [ "$frag" -gt 0 ]; then
		ok "$1 crafted: tshark finds $n packets well-formed," \
		    "$frag fragmented queries reassembled"
	else
		fail "$1 crafted: $n packets, $bad bad, $frag reassembled"
	fi
	check_crafted_eh "$1"
}

# The extension-header queries (IPv6): as tshark reads them, a DNS query
# behind an 8-byte Destination Options or Hop-by-Hop header of PadN, at
# least one frame per probe (checksums and malformation: check_crafted).
check_crafted_eh() {
	local pcap=$out/$1.pcapng want dst hbh
	want=$(jq '[.targets[].probes[] | select(.role == "exthdr" and
	    .outcome != "skipped")] | length' "$out/$1.json")
	[ "$want" -gt 0 ] || return 0
	dst=$(tshark -r "$pcap" -Y 'ipv6.src == 2001:db8:1::10 and
		ipv6.dstopts.len_oct == 8 and ipv6.opt.padn and
		dns.flags.response == 0 and not ipv6.hopopts' 2>/dev/null |
		wc -l)
	hbh=$(tshark -r "$pcap" -Y 'ipv6.src == 2001:db8:1::10 and
		ipv6.hopopts.len_oct == 8 and ipv6.opt.padn and
		dns.flags.response == 0 and not ipv6.dstopts' 2>/dev/null |
		wc -l)
	if [ "$dst" -ge $((want / 2)) ] && [ "$hbh" -ge $((want / 2)) ]; then
		ok "$1 crafted: tshark reads $dst Destination Options and" \
		    "$hbh Hop-by-Hop queries ($want probes)"
	else
		fail "$1 crafted: $dst Destination Options, $hbh Hop-by-Hop" \
		    "queries for $want probes"
	fi
}

# The capture of every run: complete (no kernel drops), readable by tshark
# with as many frames as ednsprobe counted, every reply tied to frames,
# and `ednsprobe analyze` of the file finds the same errors as the live
# run (one analysis path for both).
check_capture() {
	local label=$1 j=$out/$1.json pcap=$out/$1.pcapng n live off
	if ! jq -e '.capture.frames > 0 and .capture.dropped == 0' "$j" \
	    >/dev/null; then
		fail "$label capture: $(jq -c '.capture, .capture_skipped' "$j")"
		return
	fi
	n=$(tshark -r "$pcap" 2>/dev/null | wc -l)
	if [ "$n" = "$(jq '.capture.frames' "$j")" ] &&
	    [ "$(tcpdump -n -r "$pcap" 2>/dev/null | wc -l)" = "$n" ]; then
		ok "$label capture: tshark and tcpdump read $n frames"
	else
		fail "$label capture: tshark reads $n frames, ednsprobe" \
		    "wrote $(jq '.capture.frames' "$j")"
	fi
	if jq -e '[.targets[].probes[] | select(.outcome == "answer" or
	    .outcome == "truncated") | select((.frames | length) == 0)]
	    | length == 0' "$j" >/dev/null; then
		ok "$label capture: every reply has its frames"
	else
		fail "$label capture: replies without frames"
	fi
	check_crafted "$label"
	"$bin" analyze --json "$pcap" >"$out/$label.off.json" \
		2>"$out/$label.off.err"
	live=$(jq -c '[.targets[] | .address as $a | .findings[] |
	    select(.severity == "error") | "\($a) \(.id)"] | sort' "$j")
	off=$(jq -c '[.targets[] | .address as $a | .findings[] |
	    select(.severity == "error") | "\($a) \(.id)"] | sort' \
	    "$out/$label.off.json" 2>/dev/null)
	if [ "${offline_sees_no_loss:-}" = 1 ]; then
		# The wire had every answer: offline there is no loss to see.
		if [ "$off" = "[]" ]; then
			ok "$label analyze of the capture: no loss on the wire"
		else
			fail "$label analyze of the capture: $off"
		fi
	elif [ "$live" = "$off" ]; then
		ok "$label analyze of the capture: same errors $live"
	else
		fail "$label analyze of the capture: $off, live $live"
	fi
	# The same hops too (issue 18): where each kind dies.
	live=$(jq -c '[.targets[] | .path.drop_hop]' "$j")
	off=$(jq -c '[.targets[] | .path.drop_hop]' "$out/$label.off.json" \
		2>/dev/null)
	if [ "$live" = "$off" ]; then
		[ "$live" = "[[]]" ] || ok "$label analyze: same hops $live"
	else
		fail "$label analyze of the capture: hops $off, live $live"
	fi
}

expect_path() {	# LABEL FIELD VALUE
	local v; v=$(jq -r ".targets[0].path.$2" "$out/$1.json")
	if [ "$v" = "$3" ]; then ok "$1 path.$2 = $3"
	else fail "$1 path.$2 = $v, want $3"; fi
}

# expect_drop LABEL WHAT TTL ADDRESS: path.drop_hop has WHAT going out,
# exactly located: first hop not reached TTL, last hop ADDRESS.
expect_drop() {
	if jq -e --arg w "$2" --argjson ttl "$3" --arg a "$4" '.targets[0].path
	    .drop_hop | map(select(.what == $w and .direction == "out")) |
	    length == 1 and .[0].ttl == $ttl and .[0].address == $a and
	    .[0].silent_hops == []' "$out/$1.json" >/dev/null; then
		ok "$1 $2 die after hop $(($3 - 1)) ($4)"
	else fail "$1 $2 drop hop: $(jq -c '.targets[0].path.drop_hop' \
		"$out/$1.json"), want ttl $3 $4"; fi
}

# expect_drop_near LABEL WHAT TTL ADDRESS: exactly there, or a range of
# not-heard hops (rate limits) that holds TTL: never a wrong hop.
expect_drop_near() {
	local d
	d=$(jq -c --arg w "$2" '[.targets[0].path.drop_hop[] |
	    select(.what == $w)]' "$out/$1.json")
	if jq -e --argjson ttl "$3" --arg a "$4" 'length == 1 and (.[0] |
	    (.silent_hops == [] and .ttl == $ttl and .address == $a) or
	    (.silent_hops != [] and .ttl <= $ttl and
	    .ttl + (.silent_hops | length) >= $ttl))' <<<"$d" >/dev/null; then
		ok "$1 $2: $d (the fault: before hop $3)"
	else fail "$1 $2 drop hop: $d, want ttl $3 $4 or a range holding it"; fi
}

expect_path_cmp() {	# LABEL FIELD JQ-TEST (e.g. '> 1500')
	if jq -e ".targets[0].path.$2 $3" "$out/$1.json" >/dev/null; then
		ok "$1 path.$2 $3"
	else
		fail "$1 path.$2 = $(jq -r ".targets[0].path.$2" \
			"$out/$1.json"), want $3"
	fi
}

expect_finding() {	# LABEL ID: present, with evidence probes
	if jq -e --arg id "$2" '.targets[0].findings[] | select(.id == $id)
	    | select((.evidence.probes | length) > 0)' "$out/$1.json" \
	    >/dev/null; then ok "$1 finding $2"
	else fail "$1 lacks finding $2: $(jq -c '[.targets[0].findings[].id]' \
		"$out/$1.json")"; fi
}

expect_no_finding() {	# LABEL ID
	if jq -e --arg id "$2" '.targets[0].findings[] | select(.id == $id)' \
	    "$out/$1.json" >/dev/null; then fail "$1 has finding $2"
	else ok "$1 no $2"; fi
}

expect_clean() {	# LABEL: no warning or error
	local f
	f=$(jq -c '[.targets[].findings[] | select(.severity != "info") | .id]' \
		"$out/$1.json")
	if [ "$f" = "[]" ]; then ok "$1 no findings"
	else fail "$1 false findings $f"; jq -c '.targets[].probes[] |
		select(.outcome != "answer" and .outcome != "truncated") |
		{id, kind, bufsize, subject, outcome, tries}' "$out/$1.json" |
		sed 's/^/    /'; fi
}

family_runs() {	# SCENARIO-CHECK-FUNCTION
	for fam in 4 6; do
		local srv=$server4
		[ $fam = 6 ] && srv=$server6
		"$1" "v$fam" "@$srv" "$zone"
	done
}

# wire LABEL FILTER RUN-ARGS...: the run, with tcpdump on the server's
# link; counts the frames that match FILTER in $out/LABEL.frames.
wire() {
	local label=$1 filter=$2 pid n; shift 2
	ip netns exec ep-server tcpdump --immediate-mode -U -n -i to-r2 -w "$out/$label.pcap" \
		"$filter" 2>/dev/null &
	pid=$!
	sleep 0.5	# tcpdump attaches its filter
	run "$label" "$@"
	sleep 0.2
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	n=$(tcpdump -n -r "$out/$label.pcap" 2>/dev/null | wc -l)
	echo "$n" >"$out/$label.frames"
}

expect_link() {	# LABEL LINKTYPE
	if jq -e --argjson l "$2" '.capture.link == $l' "$out/$1.json" \
	    >/dev/null; then ok "$1 capture link type $2"
	else fail "$1 capture link type $(jq '.capture.link' "$out/$1.json")"
	fi
}

check_clean() {
	# The large answers really leave the server as IP fragments.
	local frag='ip and ip[6:2] & 0x3fff != 0 and src 203.0.113.53'
	[ "$1" = v6 ] && frag='ip6 and ip6[6] == 44 and src 2001:db8:53::53'
	for i in 1 2 3; do
		if [ "$i" = 1 ] && command -v tcpdump >/dev/null; then
			wire "$1-$i" "$frag" "$2" "$3"
			if [ "$(cat "$out/$1-$i.frames")" -ge 2 ]; then
				ok "$1-$i server sent $(cat "$out/$1-$i.frames")" \
				    "answer fragments"
			else
				fail "$1-$i: no answer fragments on the wire"
			fi
		elif [ "$i" = 2 ]; then
			# Linux cooked capture (SLL2) on every interface.
			run "$1-$i" --iface any "$2" "$3"
			expect_link "$1-$i" 276
		else
			# The highest packet rate: still no kernel drop.
			run "$1-$i" --rate 1000 "$2" "$3"
		fi
		expect_rc "$1-$i" 0
		expect_clean "$1-$i"
	done
	expect_path "$1-1" edns ok
	expect_path "$1-1" frag_in pass
	expect_path "$1-1" frag_out pass
	expect_path "$1-1" pmtu 1500
	expect_path "$1-1" server_hops 3
	expect_path "$1-1" "drop_hop | length" 0
	expect_path "$1-1" tcp ok
	local eh=pass; [ "$1" = v4 ] && eh=untested
	expect_path "$1-1" ext_headers.dst_opts $eh
	expect_path "$1-1" ext_headers.hop_by_hop $eh
	expect_path_cmp "$1-1" udp_max_response '> 1500'
	expect_path_cmp "$1-1" answer_sizes.large '> 1500'
	expect_path_cmp "$1-1" answer_sizes.medium '> 512'
	# TCP only (+tcp): nothing is said of UDP, which was not asked (the
	# capture's analysis, checked by run, says the same).
	run "$1-tcp" +tcp "$2" "$3"
	expect_rc "$1-tcp" 0
	expect_no_finding "$1-tcp" UDP_NO_REPLY
	expect_path "$1-tcp" tcp ok
	expect_path "$1-tcp" edns untested
}

check_mtu1280() {
	run "$1" "$2" "$3"
	expect_rc "$1" 0
	expect_clean "$1"
	expect_path "$1" pmtu 1280
	expect_path "$1" pmtud ok
	expect_finding "$1" PMTU_REDUCED
	expect_finding "$1" ICMP_TOO_BIG
	expect_path "$1" frag_in pass
	expect_path "$1" tcp ok
}

# hop_addr FAMILY-LABEL V4 V6: the address for the run's family.
hop_addr() { [ "$1" = v4 ] && echo "$2" || echo "$3"; }

check_frag_drop() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" FRAG_IN_DROPPED
	expect_finding "$1" FRAG_OUT_DROPPED
	expect_path "$1" frag_out drop
	# Located: fragments reach r2 (hop 2), never the server (hop 3).
	expect_finding "$1" DROP_HOP
	expect_path "$1" server_hops 3
	expect_path "$1" "drop_hop[0].ttl" 3
	expect_path "$1" "drop_hop[0].what" fragments
	expect_path "$1" "drop_hop[0].address" "$(hop_addr "$1" 198.51.100.2 \
		2001:db8:12::2)"
	expect_no_finding "$1" UDP_SIZE_LIMIT
	expect_path "$1" frag_in drop
	expect_path "$1" tcp ok
	expect_path_cmp "$1" udp_max_response '> 512'
	expect_path_cmp "$1" udp_max_response '< 1480'
}

# Direction: queries in fragments and answers in fragments, apart.
check_frag_out_drop() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" FRAG_OUT_DROPPED
	expect_no_finding "$1" FRAG_IN_DROPPED
	expect_path "$1" frag_out drop
	expect_path "$1" frag_in pass
}

check_frag_in_drop() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" FRAG_IN_DROPPED
	expect_no_finding "$1" FRAG_OUT_DROPPED
	expect_path "$1" frag_out pass
	expect_path "$1" frag_in drop
}

check_frag_drop_r1() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" FRAG_IN_DROPPED
	expect_finding "$1" FRAG_OUT_DROPPED
	# The same fault one hop closer: located at r1.
	expect_path "$1" "drop_hop[0].ttl" 2
	expect_path "$1" "drop_hop[0].address" "$(hop_addr "$1" 192.0.2.1 \
		2001:db8:1::1)"
}

check_tcp_drop() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" TCP_TIMEOUT
	expect_finding "$1" TRUNCATED_NO_TCP
	expect_no_finding "$1" TCP_RESET
	expect_no_finding "$1" FRAG_IN_DROPPED
	expect_path "$1" tcp timeout
	expect_path "$1" frag_in pass
	# SYNs reach r2 (hop 2), never the server.
	expect_finding "$1" DROP_HOP
	expect_drop "$1" tcp-syn 3 "$(hop_addr "$1" 198.51.100.2 2001:db8:12::2)"
	expect_path "$1" "drop_hop | length" 1
}

check_tcp_drop_r1() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" TCP_TIMEOUT
	expect_path "$1" tcp timeout
	expect_drop "$1" tcp-syn 2 "$(hop_addr "$1" 192.0.2.1 2001:db8:1::1)"
}

# Real routers' ICMP limits: r1's budget for the client spent just before
# each run (a busy router: others' traceroutes), as by 10 quick TTL-1
# pings; TCP/53 dies after r1, fragments after r2.  Each is located
# exactly or as a range of not-heard hops that holds it, never elsewhere.
check_ratelimit() {
	local i srv=${2#@}
	for i in 1 2; do
		# Each ping draws r1's Time Exceeded until its budget is
		# spent: some come back, the rest are the router's to keep.
		local got
		got=$(ip netns exec ep-client ping -n -c 10 -i 0.002 -t 1 \
			-W 0.3 "$srv" 2>&1 | grep -ci "exceeded")
		if [ "$got" -ge 1 ] && [ "$got" -lt 10 ]; then
			ok "$1-$i r1 rate-limits: $got of 10 TTL-1 pings answered"
		else fail "$1-$i r1's ICMP budget: $got of 10 answered"; fi
		run "$1-$i" "$2" "$3"
		expect_rc "$1-$i" 2
		expect_finding "$1-$i" TCP_TIMEOUT
		expect_finding "$1-$i" FRAG_OUT_DROPPED
		expect_path "$1-$i" server_hops 3
		expect_drop_near "$1-$i" tcp-syn 2 "$(hop_addr "$1" 192.0.2.1 \
			2001:db8:1::1)"
		expect_drop_near "$1-$i" fragments 3 "$(hop_addr "$1" \
			198.51.100.2 2001:db8:12::2)"
	done
}

# r1 never says its TTL ran out: the SYNs are still located after r2,
# the silent hop before it moves nothing.
check_silent_hop() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" TCP_TIMEOUT
	expect_path "$1" server_hops 3
	expect_drop "$1" tcp-syn 3 "$(hop_addr "$1" 198.51.100.2 2001:db8:12::2)"
}

check_tcp_reset() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" TCP_RESET
	expect_finding "$1" TRUNCATED_NO_TCP
	expect_no_finding "$1" TCP_TIMEOUT
	expect_path "$1" tcp reset
	# The resets are r2's in the server's name (TTL 63, the answers 62):
	# hop 2, named from the TTL ladder; the SYNs die there.
	local r2
	r2=$(hop_addr "$1" 198.51.100.2 2001:db8:12::2)
	expect_finding "$1" TCP_RESET_FORGED
	expect_no_finding "$1" ANSWER_FORGED
	expect_no_finding "$1" ICMP_FORGED
	if jq -e --arg r2 "$r2" '.targets[0] | ([.findings[] |
	    select(.id == "TCP_RESET_FORGED") | .summary][0] |
	    startswith("TCP/53 resets come from hop 2 (\($r2)), not from " +
	    "the server 3 hops away")) and ([.path.drop_hop[] |
	    select(.what == "tcp-syn") | "\(.ttl) \(.address)"] ==
	    ["3 \($r2)"])' "$out/$1.json" >/dev/null 2>&1; then
		ok "$1 resets forged at hop 2 ($r2), tcp-syn drop_hop 3"
	else
		fail "$1 forged resets: $(jq -c '.targets[0] | [(.findings[] |
		    select(.id == "TCP_RESET_FORGED") | .summary),
		    .path.drop_hop]' "$out/$1.json")"
	fi
	# analyze of the run's capture names the same hop (check_capture
	# compares errors only; this finding is a warning).
	local q='.targets[0] | [(.findings[] | select(.id ==
	    "TCP_RESET_FORGED") | .summary), .path.drop_hop]'
	if [ "$(jq -c "$q" "$out/$1.json")" = \
	    "$(jq -c "$q" "$out/$1.off.json" 2>/dev/null)" ]; then
		ok "$1 analyze of the capture: the same forged resets and hop"
	else
		fail "$1 analyze of the capture: $(jq -c "$q" \
		    "$out/$1.off.json")"
	fi
}

check_udp512() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" UDP_SIZE_LIMIT
	expect_no_finding "$1" FRAG_IN_DROPPED
	expect_path "$1" tcp ok
	expect_path_cmp "$1" udp_max_response '<= 512'
}

check_edns_drop() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" EDNS_DROPPED
	expect_no_finding "$1" FRAG_IN_DROPPED
	expect_no_finding "$1" UDP_SIZE_LIMIT
	expect_path "$1" edns dropped
	expect_path "$1" tcp ok
	# EDNS queries reach r2 (hop 2), never the server.
	expect_drop "$1" edns 3 "$(hop_addr "$1" 198.51.100.2 2001:db8:12::2)"
}

# Queries whose OPT carries an option dropped on r2 (the cookie query, as
# resolvers send it): EDNS itself works; the finding cites the answered
# EDNS baseline and the lost cookie query.
check_ednsopt_drop() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" EDNS_OPTION_DROPPED
	expect_no_finding "$1" EDNS_OPTION_IGNORED
	expect_no_finding "$1" EDNS_DROPPED
	expect_no_finding "$1" FRAG_IN_DROPPED
	expect_path "$1" edns ok
	expect_path "$1" tcp ok
	expect_drop "$1" edns-option 3 "$(hop_addr "$1" 198.51.100.2 \
		2001:db8:12::2)"
	if jq -e '.targets[0] | ([.probes[] | select(.role == "option")
	    | .id]) as $o | ($o | length == 3) and ([.findings[] |
	    select(.id == "EDNS_OPTION_DROPPED") | .evidence.probes[]] |
	    contains($o)) and ([.probes[] | select(.role == "option") |
	    "\(.kind) \(.outcome)"] == ["udp timeout", "udp timeout",
	    "tcp answer"]) and
	    ([.findings[] | select(.id == "EDNS_OPTION_DROPPED") |
	    .summary] | .[0] | test("filter on the path drops them"))' \
	    "$out/$1.json" >/dev/null; then
		ok "$1: both cookie queries lost over UDP, answered over TCP: the path"
	else
		fail "$1: the cookie query and its TCP twin"
		jq -c '.targets[0].probes[] | select(.role == "option") |
		    {id, kind, outcome}' "$out/$1.json" | sed 's/^/    /'
	fi
}

# IPv6 extension headers dropped on r2: eh-drop (both kinds), eh-hbh-drop
# (Hop-by-Hop only).  IPv6: EH_DROPPED naming the dead kinds alone, citing
# every query of theirs (lost after all tries) and an answered raw query
# without a header, each kind located (DROP_HOP); r2's rules counted them;
# nothing else found; analyze
# of the capture the same.  IPv4 has no such headers: untested, clean.
check_eh() {	# LABEL @SERVER ZONE DST-FACT
	local dst=$4 want names counted
	run "$1" "$2" "$3"
	if [ "$1" = v4 ]; then
		expect_rc "$1" 0
		expect_clean "$1"
		expect_path "$1" ext_headers.dst_opts untested
		expect_path "$1" ext_headers.hop_by_hop untested
		return
	fi
	expect_rc "$1" 2
	expect_finding "$1" EH_DROPPED
	expect_path "$1" ext_headers.dst_opts "$dst"
	expect_path "$1" ext_headers.hop_by_hop drop
	want='["hop_by_hop"]'
	names='^IPv6 packets with a Hop-by-Hop Options header '
	if [ "$dst" = drop ]; then
		want='["dst_opts","hop_by_hop"]'
		names='^IPv6 packets with a Destination Options or a Hop-by-Hop Options header '
	fi
	if jq -e --argjson want "$want" --arg names "$names" '.targets[0] |
	    (.findings[] | select(.id == "EH_DROPPED")) as $f |
	    [.probes[] | select(.role == "exthdr" and
	    (.ext_headers[0] as $k | $want | index($k)))] as $dead |
	    [.probes[] | select(.role == "exthdr" and
	    (.ext_headers[0] as $k | $want | index($k) | not))] as $live |
	    ([.findings[] | select(.severity != "info") | .id] -
	    ["DROP_HOP"] == ["EH_DROPPED"]) and ($f.summary | test($names)) and
	    ($dead | length == 2 * ($want | length)) and
	    ([$dead[] | .outcome] | unique == ["timeout"]) and
	    ([$dead[] | .id] - $f.evidence.probes == []) and
	    ([.probes[] | select(.id as $i | $f.evidence.probes |
	    index($i)) | select(.role != "exthdr" and .kind == "raw" and
	    .outcome == "answer")] | length == 1) and
	    ([$live[] | .outcome] | unique | . == [] or . == ["answer"])' \
	    "$out/$1.json" >/dev/null; then
		ok "$1: EH_DROPPED alone, for $want, cites its lost queries" \
		    "and an answered one without a header"
	else
		fail "$1: EH_DROPPED and its evidence"
		jq -c '.targets[0] | (.findings[] | {id, summary,
		    p: .evidence.probes}), (.probes[] | select(.role ==
		    "exthdr") | {id, ext_headers, outcome, tries})' \
		    "$out/$1.json" | sed 's/^/    /'
	fi
	# Located: the dead kinds reach r2 (hop 2), never the server.
	expect_drop "$1" eh-hop-by-hop 3 2001:db8:12::2
	if [ "$dst" = drop ]; then
		expect_drop "$1" eh-dst-opts 3 2001:db8:12::2
	else
		expect_path "$1" 'drop_hop | map(select(.what ==
		    "eh-dst-opts")) | length' 0
	fi
	# The fault is what killed them: r2's rules counted the packets.
	counted=$(ip netns exec ep-r2 nft list chain inet eplab forward |
		grep -E 'exthdr (dst|hbh) exists' |
		grep -o 'packets [0-9]*' | awk '{s += $2} END {print s + 0}')
	if [ "$counted" -ge $((3 * 2 * $(echo "$want" | jq length))) ]; then
		ok "$1: r2's extension-header rules dropped $counted packets"
	else
		fail "$1: r2's extension-header rules counted $counted packets"
	fi
	# Offline, the same finding and facts (a warning: check_capture
	# compares errors only).
	if [ "$(jq -c '.targets[0] | [.path.ext_headers, [.findings[].id |
	    select(. == "EH_DROPPED")]]' "$out/$1.json")" = "$(jq -c \
	    '.targets[0] | [.path.ext_headers, [.findings[].id |
	    select(. == "EH_DROPPED")]]' "$out/$1.off.json")" ]; then
		ok "$1 analyze of the capture: the same EH_DROPPED and facts"
	else
		fail "$1 analyze of the capture: $(jq -c '.targets[0] |
		    [.path.ext_headers, [.findings[].id]]' \
		    "$out/$1.off.json")"
	fi
}

check_eh_drop() { check_eh "$1" "$2" "$3" drop; }
check_eh_hbh_drop() { check_eh "$1" "$2" "$3" pass; }

# EP_LOSS_RUNS=N: N runs per family instead of 5 (issue 18's 40).
check_loss5() {
	for i in $(seq 1 "${EP_LOSS_RUNS:-5}"); do
		run "$1-$i" "$2" "$3"
		expect_rc "$1-$i" 0
		expect_clean "$1-$i"
	done
}

# Wire-earned distinctions: which fragments arrived decides the finding.
check_frag_nonfirst_drop() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" FRAG_NONFIRST_DROPPED
	expect_no_finding "$1" FRAG_IN_DROPPED
	expect_path "$1" frag_in partial
	if jq -e '[.targets[0].probes[] | select(.outcome == "timeout" and
	    .kind == "udp") | .wire.replies] | add > 0' "$out/$1.json" \
	    >/dev/null; then ok "$1 first fragments of lost answers seen"
	else fail "$1 no first fragment of a lost answer in the capture"; fi
}

check_frag_first_drop() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" FRAG_FIRST_DROPPED
	expect_no_finding "$1" FRAG_IN_DROPPED
	expect_path "$1" frag_in partial
	if jq -e '.targets[0].headless_fragments.datagrams > 0 and
	    (.targets[0].findings[] | select(.id == "FRAG_FIRST_DROPPED") |
	    .evidence.frames | length) > 0' "$out/$1.json" >/dev/null; then
		ok "$1 headless fragments cited"
	else fail "$1 headless fragments: $(jq -c \
		'.targets[0].headless_fragments' "$out/$1.json")"; fi
}

# The host, not the path: the capture holds the whole answer.
check_host_drop() {
	offline_sees_no_loss=1
	run "$1" "$2" "$3"
	offline_sees_no_loss=
	expect_rc "$1" 2
	expect_finding "$1" ANSWER_NOT_DELIVERED
	expect_no_finding "$1" FRAG_IN_DROPPED
}

# Both families in one run (server.lab: the client's hosts file), so the
# IPv6 target is compared with the IPv4 one.
check_frag6_drop() {
	[ "$1" = v4 ] || return 0	# one run covers both families
	run both @server.lab "$3"
	expect_rc both 2
	if jq -e '(.targets[] | select(.family == 6) | .findings |
	    map(.id) | index("FRAG6_ONLY_DROPPED")) != null and
	    (.targets[] | select(.family == 4) | .path.frag_in) == "pass"
	    and (.targets[] | select(.family == 4) | .findings | length)
	    == 0' "$out/both.json" >/dev/null; then
		ok "both: IPv6 FRAG6_ONLY_DROPPED, IPv4 clean"
	else fail "both: $(jq -c '[.targets[] | {family, resume}]' \
		"$out/both.json")"; fi
}

check_pmtu_blackhole() {
	run "$1" "$2" "$3"
	expect_rc "$1" 2
	expect_finding "$1" TCP_LARGE_LOST
	expect_no_finding "$1" FRAG_IN_DROPPED
	expect_no_finding "$1" TCP_TIMEOUT
	expect_path "$1" tcp partial
	expect_path "$1" frag_in pass
	expect_finding "$1" PMTU_BLACKHOLE
	expect_path "$1" pmtud blackhole
	expect_path "$1" pmtu 1280
	# Large DF packets die where the 1280 link starts: after r1.
	expect_path "$1" "drop_hop[0].ttl" 2
	expect_path "$1" "drop_hop[0].what" large-df
}

# Bad input: clear messages and the documented exit codes, no hang.
check_bad_input() {
	local label
	bad() {	# LABEL WANT WHY ARGS...: WHY, a text stderr must have
		label=$1; local want=$2 why=$3; shift 3
		# In $out: a default-named capture file lands there.
		(cd "$out" && timeout 30 ip netns exec ep-client "$bin" "$@" \
			>"$out/$label.out" 2>"$out/$label.err")
		echo $? >"$out/$label.rc"
		expect_rc "$label" "$want"
		if [ "$want" = 1 ] || [ "$want" = 4 ]; then
			if grep -q -F -- "ednsprobe: " "$out/$label.err" &&
			    grep -q -F -- "$why" "$out/$label.err"; then
				ok "$label says why: $(head -1 "$out/$label.err")"
			else fail "$label: stderr lacks \"$why\":" \
				"$(head -c 200 "$out/$label.err")"; fi
		fi
	}
	bad unknown-option 1 'unknown option "--frobnicate"' path --frobnicate "@$server4" $zone
	bad unknown-plus 1 'unknown option "+frobnicate"' path +frobnicate "@$server4" $zone
	bad size-range 1 '--sizes: "70000" is out of range' path --sizes=512,70000 "@$server4" $zone
	bad bufsize-range 1 '+bufsize: "100" is out of range' path +bufsize=100 "@$server4" $zone
	bad frag-size 1 '--frag-size: 100 is not a multiple of 8' path --frag-size 100 "@$server4" $zone
	bad max-hops 1 '--max-hops: "0" is out of range' path --max-hops 0 "@$server4" $zone
	bad bad-name 1 '"a..b" is not a valid domain name' path "@$server4" 'a..b'
	bad bad-type 1 '"NOSUCHTYPE" is not a known DNS type' path "@$server4" $zone NOSUCHTYPE
	bad no-server 1 'no @SERVER given' path $zone
	bad unknown-command 1 'unknown command "frobnicate"' frobnicate "@$server4"
	# Names resolve through the lab's own resolver (resolv.conf of
	# ep-client): this one does not exist in the lab zone.
	bad unresolvable 4 nosuchhost.$zone path @nosuchhost.$zone $zone
	# Nothing listens on this port: ICMP port unreachable, no reply.
	bad no-reply 9 - path -p 5300 --timeout 2 "@$server4" $zone
	if jq -e '.targets[0].findings[0].id == "NO_REPLY"' \
	    "$out/no-reply.out" >/dev/null 2>&1 ||
	    grep -q NO_REPLY "$out/no-reply.out"; then ok "no-reply: NO_REPLY"
	else fail "no-reply: NO_REPLY missing"; fi
	if ls "$out"/ednsprobe-203.0.113.53-*Z.pcapng >/dev/null 2>&1; then
		ok "no-reply: default capture file $(cd "$out" &&
		    ls ednsprobe-203.0.113.53-*Z.pcapng | head -1)"
	else fail "no-reply: no default-named capture file"; fi
	# A namespace without routes: nothing can be sent at all.
	ip netns add ep-noroute
	ip -n ep-noroute link set lo up
	timeout 30 ip netns exec ep-noroute "$bin" path --no-pcap \
		"@$server4" $zone \
		>"$out/noroute.out" 2>"$out/noroute.err"
	echo $? >"$out/noroute.rc"
	ip netns del ep-noroute
	expect_rc noroute 5
	# Interruption, privileges mid-run, sudo and symlinks:
	# test_hardening.sh.
	# Without the permission to capture: the probes run, the report says
	# what was skipped and how to grant it.
	if command -v setpriv >/dev/null; then
		chmod o+rx "$out"
		ip netns exec ep-client setpriv --reuid=65534 --regid=65534 \
			--clear-groups --inh-caps=-all "$bin" path --json \
			"@$server4" $zone >"$out/noperm.json" 2>"$out/noperm.err"
		echo $? >"$out/noperm.rc"
		expect_rc noperm 0
		# (jq -e on an empty file succeeds: the file must have a report.)
		if [ -s "$out/noperm.json" ] &&
		    jq -e '.capture == null and (.capture_skipped |
		    test("setcap")) and (.raw_skipped | test("setcap")) and
		    .targets[0].path.tcp == "ok" and
		    .targets[0].path.frag_out == "untested" and
		    ([.targets[0].probes[] | select(.kind == "raw") |
		    .outcome] | unique) == ["skipped"]' \
		    "$out/noperm.json" >/dev/null; then
			ok "no permission: probes ran; $(jq -r \
			    '.capture_skipped, .raw_skipped' "$out/noperm.json")"
		else fail "no permission: $(jq -c '{capture, capture_skipped}' \
			"$out/noperm.json")"; fi
	fi
	# A name with both families gives two targets, and -o writes the file.
	ip netns exec ep-client "$bin" path -o "$out/ns1.json" \
		--pcap "$out/ns1.pcap" --pcap-format pcap @ns1.$zone $zone \
		>"$out/ns1.out" 2>"$out/ns1.err"
	echo $? >"$out/ns1.rc"
	expect_rc ns1 0
	if [ "$(jq '.targets | length' "$out/ns1.json")" = 2 ] &&
	    [ "$(jq -r '[.targets[].family] | sort | join(",")' \
	    "$out/ns1.json")" = "4,6" ]; then ok "ns1: one target per family"
	else fail "ns1: targets $(jq -c '[.targets[].address]' \
		"$out/ns1.json")"; fi
	if grep -q '^Resume: 203.0.113.53' "$out/ns1.out" &&
	    grep -q "^JSON report: $out/ns1.json" "$out/ns1.out"; then
		ok "text report has the resume lines and names the JSON file"
	else fail "text report lacks Resume or JSON line"; fi
}

echo "scenario $scenario"
case $scenario in
bad-input)
	"$lab" scenario clean >/dev/null || { echo "lab scenario failed"; exit 1; }
	check_bad_input ;;
*)
	"$lab" scenario "$scenario" >/dev/null ||
		{ echo "lab scenario $scenario failed"; exit 1; }
	family_runs "check_${scenario//-/_}" ;;
esac
finish "$scenario"
