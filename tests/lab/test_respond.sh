#!/usr/bin/env bash
# tests/lab/test_respond.sh EDNSPROBE RESPCLIENT: `ednsprobe respond` in
# ep-server (203.0.113.70, 2001:db8:53::70), asked from ep-client with dig
# and tests/lab/respclient.c (docs/responder.md):
#   sizes     s<N> answers of exactly N bytes over UDP and TCP, IPv4 and
#             IPv6; TC above the client's size and at 512 without EDNS;
#             DO echoed; padded queries of 3000 and 4000 bytes answered
#   frags     f<M>: the answer left in fragments of M bytes (the capture);
#             df: DF set; the fragmented query logged with its fragment
#   log       log.t<TOKEN> over TCP: one entry per query, as sent
#   pcap      the responder's capture readable, with the exchanges, also
#             after SIGINT
#   input     REFUSED outside the zone, NXDOMAIN for bad labels, a port in
#             use and an address not on the host (exit 1, a clear
#             message), malformed queries and held connections: no crash,
#             still answering
#   flood     two sources flooding for 3 s: answers within rate x seconds
#             + burst each, peak RSS under RSS_MAX_KB, a normal client
#             answered afterwards
set -uo pipefail
bin=$1
client=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

r4=203.0.113.70
r6=2001:db8:53::70
rz=resp.test
RATE=50			# the responder's default --rate
FLOOD_S=3
RSS_MAX_KB=32768	# peak RSS of the responder through the flood
# The sanitizer build's shadow memory and quarantine: its own bound.
ldd "$bin" | grep -q libasan && RSS_MAX_KB=262144
resp_pid=

# The path without faults, whatever scenario an earlier test left (a
# fault left by lab_valgrind_tcp-reset once failed this test).
"$here/lab.sh" scenario clean >/dev/null || { echo "lab scenario clean failed"; exit 1; }

teardown() {
	stop_resp
	[ -n "${EP_RESPOND_KEEP:-}" ] && cp -r "$out" "$EP_RESPOND_KEEP"
	rm -rf "$out"
}
trap teardown EXIT

# start_resp LABEL [ARGS...]: the responder in ep-server on both lab
# addresses, capture in $out/LABEL.pcapng, output in .out/.err; waits
# until it answers its hello.
start_resp() {
	local label=$1
	shift
	ip netns exec ep-server "$bin" respond --zone "$rz" --listen "$r4" \
		--listen "[$r6]:53" --pcap "$out/$label.pcapng" "$@" \
		>"$out/$label.out" 2>"$out/$label.err" &
	resp_pid=$!
	resp_label=$label
	for _ in $(seq 50); do
		dq "@$r4" "_ednsprobe.$rz" TXT +short 2>/dev/null |
			grep -q responder && return 0
		sleep 0.1
	done
	fail "$label: the responder did not start"
	sed 's/^/    /' "$out/$label.err"
}

# stop_resp: SIGINT, then its exit status in $out/LABEL.rc.
stop_resp() {
	[ -n "$resp_pid" ] || return 0
	kill -INT "$resp_pid" 2>/dev/null
	wait "$resp_pid"
	echo $? >"$out/$resp_label.rc"
	resp_pid=
	if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$out/$resp_label.err"; then
		fail "$resp_label: sanitizer report"
		head -40 "$out/$resp_label.err" | sed 's/^/    /'
	fi
}

dq() { ip netns exec ep-client dig +time=2 +tries=1 +norec "$@"; }

# size @ADDR NAME ARGS...: the answer's MSG SIZE (empty: none).
size() {
	dq "$@" 2>/dev/null | sed -n 's/^;; MSG SIZE  rcvd: //p'
}

check() {	# check WHAT GOT WANT
	if [ "$2" = "$3" ]; then ok "$1 ($2)"
	else fail "$1: got '$2', want '$3'"; fi
}

echo "== sizes"
# --rate 1000: the malformed input below is read, not rate-limited.
start_resp main --rate 1000
for a in "$r4" "$r6"; do
	for n in 512 1232 1400 4000; do
		check "UDP $a s$n" "$(size "@$a" "s$n.tsz.$rz" TXT \
			+bufsize=4096 +ignore)" "$n"
		check "TCP $a s$n" "$(size "@$a" "s$n.tsz.$rz" TXT +tcp)" "$n"
	done
	out1=$(dq "@$a" "s1400.tsz.$rz" TXT +bufsize=1232 +ignore)
	grep -q 'flags: qr aa tc' <<<"$out1" &&
		[ "$(sed -n 's/^;; MSG SIZE  rcvd: //p' <<<"$out1")" -lt 100 ] &&
		ok "$a: s1400 at +bufsize=1232 is TC, question and OPT only" ||
		fail "$a: s1400 at +bufsize=1232 not truncated"
	out1=$(dq "@$a" "s600.tsz.$rz" TXT +noedns +ignore)
	grep -q 'flags: qr aa tc' <<<"$out1" && ! grep -q OPT <<<"$out1" &&
		ok "$a: s600 without EDNS is TC" ||
		fail "$a: s600 without EDNS not truncated"
	check "$a: s512 without EDNS" "$(size "@$a" "s512.tsz.$rz" TXT \
		+noedns)" 512
	dq "@$a" "s800.tsz.$rz" TXT +dnssec | grep -q 'EDNS: version: 0, flags: do;' &&
		ok "$a: DO echoed" || fail "$a: DO not echoed"
	dq "@$a" "s800.tsz.$rz" TXT | grep -q 'EDNS: version: 0, flags:;' &&
		ok "$a: no DO, none echoed" || fail "$a: DO set unasked"
done
check "zone apex SOA" "$(dq "@$r4" "$rz" SOA +short)" \
	"ns.$rz. hostmaster.$rz. 1 3600 600 86400 0"
check "hello" "$(dq "@$r6" "_ednsprobe.$rz" TXT +short)" \
	"\"ednsprobe-responder 1\" \"zone=$rz.\""

echo "== padded and fragmented queries, the log"
# Padded to 3000 and 4000 bytes (RFC 7830): more than the 1500-byte MTU,
# so the client's kernel fragments them.
for a in "$r4" "$r6"; do
	check "$a: 3000-byte query answered" "$(ip netns exec ep-client \
		"$client" padded "$a" 53 3000 "s700.tpad.$rz")" answer=700
	check "$a: 4000-byte query answered" "$(ip netns exec ep-client \
		"$client" padded "$a" 53 4000 "s900.tpad.$rz")" answer=900
done
dq "@$r4" "log.tpad.$rz" TXT +tcp +short | tr ' ' '\n' |
	sed 's/"//g' | paste -sd' ' | sed 's/ id=/\nid=/g' >"$out/pad.log"
check "the log of tpad: 4 entries over TCP" "$(wc -l <"$out/pad.log")" 4
check "the log: sizes 3000 4000 3000 4000" \
	"$(grep -o ' q=[0-9]*' "$out/pad.log" | paste -sd' ')" \
	" q=3000  q=4000  q=3000  q=4000"
if awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^frag=/) {
	split($i, f, "="); if (f[2] + 0 < 1000 || f[2] + 0 > 1500) bad++ } }
	END { exit bad > 0 || NR != 4 }' "$out/pad.log"; then
	ok "every padded query logged in fragments of 1000..1500 bytes"
else
	fail "fragmented queries not logged as such"
	sed 's/^/    /' "$out/pad.log"
fi
check "the log: the answers as sent" \
	"$(grep -o 'want=[0-9]* sent=[0-9]* tc=0' "$out/pad.log" | paste -sd,)" \
	"want=700 sent=700 tc=0,want=900 sent=900 tc=0,want=700 sent=700 tc=0,want=900 sent=900 tc=0"
check "unknown token: NODATA" "$(dq "@$r4" "log.tnone.$rz" TXT +tcp |
	grep -c 'ANSWER: 0')" 1

echo "== fragmented and DF answers"
check "v4 s1400.f512 arrives whole" "$(size "@$r4" "s1400.f512.tfr.$rz" \
	TXT +bufsize=4096)" 1400
check "v6 s1400.f512 arrives whole" "$(size "@$r6" "s1400.f512.tfr.$rz" \
	TXT +bufsize=4096)" 1400
check "v4 s1200.df arrives" "$(size "@$r4" "s1200.df.tfr.$rz" TXT \
	+bufsize=4096)" 1200
check "v4 s1600.df: too big to leave with DF" "$(size "@$r4" \
	"s1600.df.tfr.$rz" TXT +bufsize=4096)" ""
dq "@$r4" "log.tfr.$rz" TXT +tcp +short | tr ' ' '\n' | sed 's/"//g' |
	paste -sd' ' | sed 's/ id=/\nid=/g' >"$out/fr.log"
check "log: the fragments and DF sends" \
	"$(grep -o 'pkts=[0-9]* how=[a-z]*' "$out/fr.log" | paste -sd,)" \
	"pkts=3 how=frag,pkts=3 how=frag,pkts=1 how=df,pkts=0 how=sendfail"
sleep 0.3	# the capture's last frames
# 1400 + 8 UDP bytes in pieces of 512: 512, 512, 384 (+ 20 IPv4, + 48
# IPv6 with its Fragment header).
check "capture: v4 answer in fragments of 512" "$(tshark -r \
	"$out/main.pcapng" -Y "ip.src == $r4 and (ip.flags.mf == 1 or
	ip.frag_offset > 0) and ip.len < 600" -T fields -e ip.len \
	2>/dev/null | paste -sd,)" "532,532,404"
check "capture: v6 answer in fragments of 512" "$(tshark -r \
	"$out/main.pcapng" -Y "ipv6.src == $r6 and ipv6.nxt == 44 and
	ipv6.plen < 600" -T fields -e ipv6.plen 2>/dev/null | paste -sd,)" \
	"520,520,392"
check "capture: the DF answer has DF" "$(tshark -r "$out/main.pcapng" \
	-Y "ip.src == $r4 and ip.len == 1228" -T fields -e ip.flags.df \
	2>/dev/null)" "1"

echo "== bad input"
check "outside the zone: REFUSED" "$(dq "@$r4" example.com A |
	grep -o 'status: [A-Z]*')" "status: REFUSED"
check "bad label: NXDOMAIN" "$(dq "@$r4" "s11.$rz" TXT |
	grep -o 'status: [A-Z]*')" "status: NXDOMAIN"
check "unknown label: NXDOMAIN" "$(dq "@$r6" "www.$rz" TXT |
	grep -o 'status: [A-Z]*')" "status: NXDOMAIN"
ip netns exec ep-server timeout 5 "$bin" respond --zone "$rz" \
	--listen "$r4" >/dev/null 2>"$out/inuse.err"
check "port in use: exit 1" "$?" 1
grep -q "203.0.113.70#53: UDP port 53 is already in use" "$out/inuse.err" &&
	ok "port in use: named" || fail "port in use: $(cat "$out/inuse.err")"
ip netns exec ep-server timeout 5 "$bin" respond --zone "$rz" \
	--listen 198.51.100.99 >/dev/null 2>"$out/noaddr.err"
check "address not on the host: exit 1" "$?" 1
grep -q "198.51.100.99#53: the address is not on this host" \
	"$out/noaddr.err" && ok "address not on the host: named" ||
	fail "no address: $(cat "$out/noaddr.err")"
ip netns exec ep-client "$client" junk "$r4" 53 "$rz" >"$out/junk.out"
ip netns exec ep-client "$client" junk "$r6" 53 "$rz" >>"$out/junk.out"
kill -0 "$resp_pid" 2>/dev/null && ok "alive after malformed input" ||
	fail "the responder died on malformed input"
check "still answering after junk" "$(size "@$r4" "s300.$rz" TXT)" 300
ip netns exec ep-client "$client" tcphold "$r4" 53 100 1 >"$out/hold.out"
check "100 connections held: the first 64 kept" "$(cat "$out/hold.out")" \
	"open=100 closed_by_peer=36"
check "TCP after held connections" "$(size "@$r6" "s3000.$rz" TXT +tcp)" \
	3000

echo "== the capture, SIGINT"
stop_resp
check "SIGINT: exit 0" "$(cat "$out/main.rc")" 0
grep -q '^# respond: answered [1-9]' "$out/main.out" &&
	ok "summary: $(tail -1 "$out/main.out")" || fail "no summary line"
m=$(sed -n 's/.* malformed \([0-9]*\),.*/\1/p' "$out/main.out")
[ "${m:-0}" -ge 500 ] && ok "malformed counted ($m)" ||
	fail "malformed: ${m:-none}"
grep -q 'id=[0-9]* tcp=0 q=4000 frag=[0-9]* edns=1232' "$out/main.out" &&
	ok "a line per query" || fail "no query lines"
n=$(tshark -r "$out/main.pcapng" -Y dns 2>/dev/null | wc -l)
[ "$n" -ge 100 ] && ok "capture readable after SIGINT, $n DNS frames" ||
	fail "capture after SIGINT: $n DNS frames"
n=$(tshark -r "$out/main.pcapng" -Y "dns.qry.name == \"s4000.tsz.$rz\" and
	dns.flags.response == 1 and tcp" 2>/dev/null | wc -l)
[ "$n" -ge 2 ] && ok "capture holds the TCP answers ($n)" ||
	fail "capture: $n TCP answers of s4000"

echo "== flood"
start_resp flood
ip netns exec ep-client "$client" flood "$r4" 53 "$FLOOD_S" \
	"s100.$rz" >"$out/flood4.out" &
f4=$!
ip netns exec ep-client "$client" flood "$r6" 53 "$FLOOD_S" \
	"s100.$rz" >"$out/flood6.out" &
f6=$!
wait "$f4" "$f6"
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$resp_pid/status")
max=$((RATE * FLOOD_S + 2 * RATE + RATE / 5))
for f in 4 6; do
	read -r sent ans < <(sed 's/sent=\([0-9]*\) answered=\([0-9]*\)/\1 \2/' \
		"$out/flood$f.out")
	if [ "${sent:-0}" -ge 10000 ] && [ "${ans:-0}" -le "$max" ] &&
	    [ "${ans:-0}" -ge $((RATE * FLOOD_S)) ]; then
		ok "IPv$f flood: $sent queries, $ans answered (at most $max)"
	else
		fail "IPv$f flood: sent ${sent:-?} answered ${ans:-?} (want" \
			"$((RATE * FLOOD_S))..$max of >= 10000)"
	fi
done
[ "${hwm:-999999}" -lt "$RSS_MAX_KB" ] && ok "peak RSS ${hwm} kB" ||
	fail "peak RSS ${hwm:-?} kB, bound $RSS_MAX_KB"
sleep 0.2
check "a normal query after the flood" "$(size "@$r4" "s1000.$rz" TXT)" \
	1000
stop_resp
l=$(sed -n 's/.* rate-limited \([0-9]*\),.*/\1/p' "$out/flood.out")
[ "${l:-0}" -ge 10000 ] && ok "summary: $l rate-limited" ||
	fail "rate-limited: ${l:-none}"
check "flood run: exit 0" "$(cat "$out/flood.rc")" 0

finish test_respond
