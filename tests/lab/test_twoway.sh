#!/usr/bin/env bash
# tests/lab/test_twoway.sh EDNSPROBE: two-ended mode (issue 6): `ednsprobe
# path` from ep-client toward `ednsprobe respond` in ep-server (.70, ::70),
# each family, the responder's log read back over DNS:
#   clean          recognised; exact sizes: queries and answers of 4096
#                  bytes both ways, fragments pass both ways, its log has
#                  the fragmented queries; no TWOWAY finding; no hop
#                  ladder, no drop_hop entry
#   frag-out-drop  TWOWAY_FRAG_OUT_DROPPED only: the responder never got
#                  the fragmented queries, its fragmented answers arrive
#   frag-in-drop   TWOWAY_FRAG_IN_DROPPED only: it got every query, its
#                  fragments never came back; the hop ladder (h<N>)
#                  locates them: after hop 1 from the server's side (r2,
#                  DROP_HOP_IN, drop_hop direction in); again with r1
#                  silent (no Time Exceeded): hop 2 did not answer, the
#                  location stays after hop 1, widened by one
#   udp512         fragmented and large answers both located after hop 1
#   mtu-out1280    TWOWAY_MTU_DIFFERS: 1280 toward it, at least 1500 back
#   mtu-in1280     TWOWAY_MTU_DIFFERS: 1500 toward it, 1280 back
#   tcp-drop       the log fetched over UDP when TCP fails
#   port 5300      the same responder on another port (path -p 5300):
#                  the live capture reads its DNS (replies counted on
#                  the wire), analyze -p 5300 of it finds the same
#   NSD            an ordinary server: no two-ended probe, no finding
#   report         --report's "Both ends" table; the responder's capture
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
resp4=203.0.113.70
resp6=2001:db8:53::70
rzone=resp.test
resp_pid=

teardown() {
	if [ -n "$resp_pid" ]; then
		kill -INT "$resp_pid" 2>/dev/null
		wait "$resp_pid" 2>/dev/null
	fi
	"$here/lab.sh" scenario clean >/dev/null 2>&1
	[ -n "${EP_TWOWAY_KEEP:-}" ] && cp -r "$out" "$EP_TWOWAY_KEEP"
	rm -rf "$out"
}
trap teardown EXIT

ip netns exec ep-server "$bin" respond --zone "$rzone" --listen "$resp4" \
	--listen "$resp6" --listen "$resp4:5300" --listen "[$resp6]:5300" \
	--pcap "$out/responder.pcapng" \
	>"$out/responder.out" 2>"$out/responder.err" &
resp_pid=$!
for _ in $(seq 50); do
	ip netns exec ep-client dig +short +time=1 +tries=1 "@$resp4" \
		"_ednsprobe.$rzone" TXT 2>/dev/null | grep -q responder && break
	sleep 0.1
done
kill -0 "$resp_pid" 2>/dev/null && ok "the responder runs" ||
	{ fail "the responder did not start"; cat "$out/responder.err"; }

# tw LABEL: the path run toward the responder, both families at once:
# $out/LABEL-4.json and LABEL-6.json.
# (timed_run's own checks run in the background: a hang is checked here.)
tw() {
	local label=$1 f a pids=()
	for f in 4 6; do
		a=$resp4
		[ $f = 6 ] && a=$resp6
		timed_run "$label-$f" 60 "$out/$label-$f.json" "$bin" path \
			--json --pcap "$out/$label-$f.pcapng" \
			--report "$out/$label-$f.md" "@$a" "$rzone" &
		pids+=($!)
	done
	wait "${pids[@]}"
	for f in 4 6; do
		case $(cat "$out/$label-$f.rc") in
		124 | 137) fail "$label-$f: hung" ;;
		esac
		grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' \
			"$out/$label-$f.err" && fail "$label-$f: sanitizer report"
		json_valid "$out/$label-$f.json" report
	done
}

q() {	# LABEL-F JQ: a value of the run's one target
	jq -r ".targets[0] | $2" "$out/$1.json" 2>/dev/null
}

ids() {	# LABEL-F: its TWOWAY finding ids
	q "$1" '[.findings[].id | select(startswith("TWOWAY"))] | join(" ")'
}

want_ids() {	# LABEL-F IDS
	local got; got=$(ids "$1")
	[ "$got" = "$2" ] && ok "$1: two-ended findings [${2}]" ||
		fail "$1: two-ended findings [$got], want [$2]"
}

want() {	# LABEL-F JQ VALUE WHAT
	local got; got=$(q "$1" "$2")
	[ "$got" = "$3" ] && ok "$1: $4" ||
		fail "$1: $4: $2 is '$got', want '$3'"
}

echo "== clean"
"$here/lab.sh" scenario clean >/dev/null
tw clean
for f in 4 6; do
	expect_rc "clean-$f" 0
	want "clean-$f" .twoway.log read "the responder recognised, its log read"
	want "clean-$f" '"\(.twoway.out_max) \(.twoway.in_max)"' "4096 4096" \
		"queries and answers of 4096 bytes both ways"
	want "clean-$f" '"\(.twoway.frag_out) \(.twoway.frag_in)"' "pass pass" \
		"fragments pass both ways"
	want "clean-$f" .path.answer_sizes.large 4096 \
		"the ladder's large answer is the exact size asked"
	want "clean-$f" '[.probes[] | select(.role == "twoway-out" and
	    .bufsize and .far.fragment_in != null)] | length > 0' true \
		"the responder's log has our queries in fragments"
	want_ids "clean-$f" ""
	want "clean-$f" '"\(.path.drop_hop | length) \([.probes[] |
	    select(.far.answer_ttl != null)] | length)"' "0 0" \
		"no hop ladder, no drop_hop entry"
	ms=$(cat "$out/clean-$f.ms")
	[ "$ms" -lt 4000 ] && ok "clean-$f: $ms ms" ||
		fail "clean-$f: $ms ms (want < 4000)"
done

# DNS on another port: the live capture reads it (the sniffer dissects DNS
# on -p's port: before, on 53 only, so no reply was counted on the wire),
# and analyze -p of that capture finds what the live run found.
echo "== port 5300"
for f in 4 6; do
	a=$resp4
	[ $f = 6 ] && a=$resp6
	ip netns exec ep-client "$bin" path --json -p 5300 \
		--pcap "$out/p5300-$f.pcapng" "@$a" "$rzone" \
		>"$out/p5300-$f.json" 2>"$out/p5300-$f.err"
	echo $? >"$out/p5300-$f.rc"
	expect_rc "p5300-$f" 0
	want "p5300-$f" .twoway.log read "the responder on 5300 recognised"
	want "p5300-$f" '[.probes[] | select(.kind == "udp" and
	    .outcome == "answer")] | length > 0 and all(.wire.replies > 0)' \
		true "UDP answers, every one counted on the wire"
	"$bin" analyze --json -p 5300 "$out/p5300-$f.pcapng" \
		>"$out/p5300-$f.off.json" 2>/dev/null
	live=$(jq -c '[.targets[].findings[] | select(.severity != "info") |
	    .id] | sort' "$out/p5300-$f.json")
	off=$(jq -c '[.targets[].findings[] | select(.severity != "info") |
	    .id] | sort' "$out/p5300-$f.off.json")
	[ "$live" = "$off" ] && [ "$(jq '.targets | length' \
	    "$out/p5300-$f.off.json")" = 1 ] &&
		ok "p5300-$f: analyze -p 5300 finds the same $live" ||
		fail "p5300-$f: analyze -p 5300: $off, live $live"
done

echo "== frag-out-drop"
"$here/lab.sh" scenario frag-out-drop >/dev/null
tw fout
for f in 4 6; do
	want_ids "fout-$f" TWOWAY_FRAG_OUT_DROPPED
	want "fout-$f" .twoway.frag_in pass "its fragmented answers arrive"
	want "fout-$f" '[.probes[] | select(.role == "twoway-out") |
	    select(.far.arrived == 0)] | length > 0' true \
		"its log lacks our fragmented queries"
	grep -q "never arrived" "$out/fout-$f.md" &&
		ok "fout-$f: the report's both-ends table says never arrived" ||
		fail "fout-$f: no 'never arrived' row in the report"
done

echo "== frag-in-drop"
"$here/lab.sh" scenario frag-in-drop >/dev/null
tw fin
for f in 4 6; do
	want_ids "fin-$f" TWOWAY_FRAG_IN_DROPPED
	want "fin-$f" .twoway.frag_out pass "fragmented queries reach it"
	want "fin-$f" '[.probes[] | select(.role == "twoway-in" and
	    .far.how == "frag" and .far.packets > 1 and
	    .outcome == "timeout")] | length > 0' true \
		"its log says it sent fragments that never came"
done

# hops_in LABEL-F WHAT SILENT: drop_hop has WHAT, direction in, after hop
# 1 from the server's side (r2's address facing it), silent_hops SILENT
# (a JSON list), and a DROP_HOP_IN finding saying so.
hops_in() {
	local r2=203.0.113.1
	case $1 in *-6) r2=2001:db8:53::1 ;; esac
	want "$1" "[.path.drop_hop[] | select(.what == \"$2\" and
	    .direction == \"in\")] | map(\"\\(.ttl) \\(.address) \\(.silent_hops |
	    tojson)\") | join(\",\")" "2 $r2 $3" \
		"$2: drop_hop in, after hop 1 from the server's side ($r2)"
	want "$1" "[.findings[] | select(.id == \"DROP_HOP_IN\") | .summary |
	    select(test(\"die after hop 1 from the server's side \\\\($r2\\\\)\"))] |
	    length > 0" true "DROP_HOP_IN: after hop 1 from the server's side"
}

echo "== frag-in-drop: the hop ladder"
for f in 4 6; do
	hops_in "fin-$f" fragments "[]"
	want "fin-$f" '[.path.drop_hop[] | select(.direction == "in")] |
	    length' 1 "one inbound location (fragments only)"
	want "fin-$f" '[.probes[] | select(.far.answer_ttl != null and
	    .far.time_exceeded_from != null)] | length > 1' true \
		"the responder logged Time Exceeded of the ladder's answers"
	echo "  fin-$f: $(cat "$out/fin-$f.ms") ms"
done
grep -q "^# time exceeded from 203.0.113.1: " "$out/responder.out" &&
	grep -q "^# time exceeded from 2001:db8:53::1: " "$out/responder.out" &&
	ok "the responder printed r2's Time Exceeded (both families)" ||
	fail "no 'time exceeded from' r2 line in the responder's output"

echo "== frag-in-drop, r1 silent (never sends Time Exceeded)"
"$here/lab.sh" scenario frag-in-drop >/dev/null
ip netns exec ep-r1 nft -f - <<-EOF
	table inet eplab {
		chain output {
			type filter hook output priority filter; policy accept;
			icmp type time-exceeded counter drop
			icmpv6 type time-exceeded counter drop
		}
	}
	EOF
tw fsil
for f in 4 6; do
	want_ids "fsil-$f" TWOWAY_FRAG_IN_DROPPED
	hops_in "fsil-$f" fragments "[2]"
	want "fsil-$f" '[.findings[] | select(.id == "DROP_HOP_IN") |
	    .summary | select(test("hop 2 did not answer"))] | length' 1 \
		"DROP_HOP_IN says hop 2 did not answer"
done

echo "== udp512 (a 512-byte answer filter on r2)"
"$here/lab.sh" scenario udp512 >/dev/null
tw u512
for f in 4 6; do
	hops_in "u512-$f" fragments "[]"
	hops_in "u512-$f" large "[]"
	echo "  u512-$f: $(cat "$out/u512-$f.ms") ms"
done

# mtu LABEL SCENARIO TEXT WHAT: TWOWAY_MTU_DIFFERS alone, its summary
# saying TEXT, in both families.
mtu() {
	local f
	echo "== $2"
	"$here/lab.sh" scenario "$2" >/dev/null
	tw "$1"
	for f in 4 6; do
		want_ids "$1-$f" TWOWAY_MTU_DIFFERS
		q "$1-$f" '.findings[] | select(.id == "TWOWAY_MTU_DIFFERS") |
		    .summary' | grep -q "$3" && ok "$1-$f: $4" ||
			fail "$1-$f: $(q "$1-$f" '.findings[].summary')"
	done
}
mtu mout mtu-out1280 "1280 bytes toward the responder, at least 1500" \
	"1280 toward it, at least 1500 back"
mtu min mtu-in1280 "1500 bytes toward the responder, 1280 (less" \
	"1500 toward it, 1280 back"

echo "== tcp-drop"
"$here/lab.sh" scenario tcp-drop >/dev/null
tw tcp
for f in 4 6; do
	want "tcp-$f" '[.probes[] | select(.role == "twoway-log") |
	    "\(.kind)=\(.outcome)"] | join(" ")' "tcp=timeout udp=answer" \
		"the log asked again over UDP when TCP failed"
	want "tcp-$f" .twoway.log read "its log read"
	want_ids "tcp-$f" ""
done

echo "== an ordinary server"
"$here/lab.sh" scenario clean >/dev/null
timed_run nsd 60 "$out/nsd.json" "$bin" path --json --no-pcap \
	"@$server4" "$zone"
jq -e '.targets[0].twoway == null and
    ([.targets[0].probes[] | select(.role == "hello")] | length == 1) and
    ([.targets[0].probes[] | select(.role | startswith("twoway"))] |
    length == 0)' "$out/nsd.json" >/dev/null &&
	ok "NSD: one hello (name error), no two-ended probe" ||
	fail "NSD: $(jq -c '.targets[0].twoway' "$out/nsd.json")"

echo "== the report and the responder's capture"
grep -q "^## Both ends: $resp4" "$out/clean-4.md" &&
	ok "clean-4: the report has both ends' table" ||
	fail "clean-4: no 'Both ends' section"
kill -INT "$resp_pid"
wait "$resp_pid"
rc=$?
resp_pid=
[ "$rc" = 0 ] && ok "the responder stops cleanly on SIGINT" ||
	fail "the responder exited $rc"
n=$(tshark -r "$out/responder.pcapng" -Y "ip.src == $client4 or \
    ipv6.src == $client6" 2>/dev/null | wc -l)
[ "$n" -gt 100 ] && ok "its capture holds $n frames from the client" ||
	fail "its capture holds $n frames from the client"

finish test_twoway
