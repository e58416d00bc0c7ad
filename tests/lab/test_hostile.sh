#!/usr/bin/env bash
# tests/lab/test_hostile.sh EDNSPROBE HOSTILE: the real binary against a
# hostile DNS server (tests/lab/hostile.c) in the lab.  The server gets a
# second address on ep-server (203.0.113.66, 2001:db8:53::66; NSD keeps
# .53 / ::53) and picks its misbehaviour from the first label of the query
# name; every case is one run of ednsprobe from ep-client, and each must
# end with an exit status of the documented ones, within a bound derived
# from --timeout, with valid JSON that states the case's outcome
# (docs/lab.md, "The hostile server", has the table).  Under the
# sanitizer build any sanitizer report fails the case.
set -uo pipefail
bin=$1
hostile=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/hostile_lib.sh"
TO=1			# --timeout of every run, seconds
LIMIT=$((TO * 8 + 6))	# a run past this is a hang (the watchdog: ~2x)

teardown() {
	hostile_stop
	[ -n "${EP_HOSTILE_KEEP:-}" ] && cp -r "$out" "$EP_HOSTILE_KEEP"
	rm -rf "$out"
}
trap teardown EXIT

# ------------------------------------------------------------ one case

# The jq helpers every case's test may use.
# The two-ended hello (path asks every server) is no path probe.
JQDEF='def P: [.targets[0].probes[] | select(.role != "hello")];
def K(k): [P[] | select(.kind == k)];
def OUT(k): [K(k)[] | .outcome] | unique;
def LAD: [P[] | select(.role == "ladder")];
def IGN(k): [K(k)[] | .ignored_replies // 0] | add // 0;
def F: [.targets[0].findings[].id];
def HAS(id): any(.targets[0].findings[]; .id == id);
def PATH: .targets[0].path;'

ncases=0
t_start=$SECONDS

# hcase NAME FAMILY JQ-TEST WHAT [ARGS...]: one run against NAME.hostile.
# over FAMILY (4 or 6) with --no-raw unless ARGS has --raw (dropped).
hcase() {
	local name=$1 fam=$2 test=$3 what=$4 label rc t0 t1 ms srv=$H4
	local mode=(--no-raw)
	shift 4
	label=$name-v$fam
	[ "$fam" = 6 ] && srv=$H6
	if [ "${1:-}" = --raw ]; then
		mode=(--max-hops=4)
		label=$label-raw
		shift
	fi
	ncases=$((ncases + 1))
	t0=$(date +%s%N)
	timeout -k 2 $LIMIT ip netns exec ep-client "$bin" path --json \
		--pcap "$out/$label.pcapng" --timeout $TO \
		"${mode[@]}" "$@" \
		"@$srv" "$name.hostile." \
		>"$out/$label.json" 2>"$out/$label.err"
	rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	echo "$rc" >"$out/$label.rc"
	# The documented statuses a run against a server may end with.
	case $rc in
	0 | 2 | 9) ok "$label: exit $rc in $ms ms" ;;
	124 | 137) fail "$label: hung (killed after ${LIMIT}s)" ;;
	*) fail "$label: exit $rc"; head -c 600 "$out/$label.err" |
		sed 's/^/    /' ;;
	esac
	if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$out/$label.err"; then
		fail "$label: sanitizer report"
		grep -m5 -E 'ERROR|runtime error|#[0-9] ' "$out/$label.err" |
		    sed 's/^/    /'
	fi
	if ! jq -e '.targets | length == 1' "$out/$label.json" \
	    >/dev/null 2>&1; then
		fail "$label: no valid JSON report"
		return
	fi
	echo "    $(jq -r "$JQDEF"'"udp \(OUT("udp")) tcp \(OUT("tcp"))
	    ign \(IGN("udp"))/\(IGN("tcp")) \(F) \([P[] |
	    .malformed // empty] | unique) \([P[] | .rcode // empty] |
	    unique) \([P[] | .icmp // empty | "\(.type)/\(.code)/\(.mtu)"]
	    | unique)"' "$out/$label.json")"
	if jq -e "$JQDEF$test" "$out/$label.json" >/dev/null 2>&1; then
		ok "$label: $what"
	else
		fail "$label: not $what"
	fi
	offline "$label"
}

# `ednsprobe analyze` of the capture finds the errors the live run found
# (one analysis path), without a sanitizer report.
offline() {
	local label=$1 live off
	"$bin" analyze --json "$out/$label.pcapng" >"$out/$label.off.json" \
		2>"$out/$label.off.err"
	live=$(jq -c '[.targets[] | .findings[] | select(.severity ==
	    "error") | .id] | sort' "$out/$label.json")
	off=$(jq -c '[.targets[] | .findings[] | select(.severity ==
	    "error") | .id] | sort' "$out/$label.off.json" 2>/dev/null)
	if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$out/$label.off.err"; then
		fail "$label analyze: sanitizer report"
	elif [ "$live" = "$off" ]; then
		ok "$label analyze of the capture: same errors $live"
	elif [ "$live" = '["NO_REPLY"]' ] && [ "$off" = '[]' ] &&
	    jq -e '[.targets[].findings[].id] | index("CAPTURE_NO_REPLY")' \
	    "$out/$label.off.json" >/dev/null; then
		# A silent server leaves no frame from any server: the file
		# alone cannot tell it from a one-way capture (issue 22).
		ok "$label analyze of the capture: CAPTURE_NO_REPLY (info)" \
		    "for live NO_REPLY"
	else
		fail "$label analyze of the capture: $off, live $live"
	fi
}

# tshark reads the capture of LABEL, as many frames as ednsprobe wrote.
readable() {
	local label=$1 n want
	want=$(jq '.capture.frames' "$out/$label.json" 2>/dev/null)
	n=$(tshark -r "$out/$label.pcapng" 2>/dev/null | wc -l)
	if [ -n "$want" ] && [ "$want" != null ] && [ "$n" = "$want" ] &&
	    [ "$n" -gt 0 ]; then
		ok "$label capture: tshark reads its $n frames"
	else
		fail "$label capture: tshark reads $n frames of ${want:-?}"
	fi
}

# ---------------------------------------------------------- the cases

# Whatever scenario the test before left on the routers is not ours: a
# filter on r2 (ednsopt-drop, loss5) would pass for the server's doing.
"$here/lab.sh" scenario clean >/dev/null || { fail "scenario clean"; }
hostile_start || { fail "hostile server set-up"; finish hostile; exit 1; }

MALF='(LAD | length > 0) and ([LAD[] | .outcome] | unique) == ["malformed"]
    and HAS("UDP_BAD_REPLIES") and (HAS("UDP_NO_REPLY") | not)'
malf() {	# NAME STATUS-REGEX WHAT: every UDP ladder probe malformed so
	hcase "$1" 4 "$MALF and ([LAD[] | .malformed | test(\"^($2)\$\")]
	    | all) and OUT(\"tcp\") == [\"answer\"]" "$3: malformed ($2)"
}

hcase sane 4 'OUT("udp") == ["answer"] and OUT("tcp") == ["answer"]' \
	"a plain server: every probe answered"
hcase sane 6 'OUT("udp") == ["answer"] and OUT("tcp") == ["answer"]' \
	"a plain server: every probe answered"

# Replies that answer nothing of ours: counted, waited past, and the
# finding says the replies are broken (not that UDP is blocked).
IGNORED='OUT("udp") == ["timeout"] and IGN("udp") > 0 and
    OUT("tcp") == ["answer"] and HAS("UDP_BAD_REPLIES") and
    (HAS("UDP_NO_REPLY") | not)'
hcase wrong-id 4 "$IGNORED" "wrong id: ignored, UDP_BAD_REPLIES"
hcase wrong-id 6 "$IGNORED" "wrong id: ignored, UDP_BAD_REPLIES"
hcase wrong-qname 4 "$IGNORED" "wrong question name: ignored, UDP_BAD_REPLIES"
hcase wrong-qtype 4 "$IGNORED" "wrong question type: ignored, UDP_BAD_REPLIES"
hcase wrong-qclass 4 "$IGNORED" "wrong question class: ignored, UDP_BAD_REPLIES"
# Replies from elsewhere never reach the connected socket (no ignored
# count) and are not the probe's replies on the wire either; our own port
# unreachable about them is no ICMP error about our packets.
NOTOURS='OUT("udp") == ["timeout"] and IGN("udp") == 0 and
    ([K("udp")[] | .wire.replies == 0 and .wire.icmp == null] | all) and
    HAS("UDP_NO_REPLY")'
hcase wrong-src-addr 4 "$NOTOURS" "forged source address: not taken"
hcase wrong-src-addr 6 "$NOTOURS" "forged source address: not taken"
hcase wrong-src-port 4 "$NOTOURS" "wrong source port: not taken"
hcase wrong-src-port 6 "$NOTOURS" "wrong source port: not taken"
hcase no-qr 4 "$IGNORED" "QR=0: ignored, UDP_BAD_REPLIES"
hcase opcode 4 "$IGNORED" "opcode STATUS in the reply: ignored, UDP_BAD_REPLIES"
hcase qname-case 4 'OUT("udp") == ["answer"]' \
	"question in other case (0x20): accepted"
hcase no-question 4 "$MALF" "QDCOUNT 0 NOERROR: malformed"
hcase empty 4 "$IGNORED" "zero-length datagram: ignored, UDP_BAD_REPLIES"
hcase short 4 "$IGNORED" "7-byte reply: ignored, UDP_BAD_REPLIES"
SILENT='F == ["NO_REPLY"] and ([P[] | select(.role == "baseline") |
    .outcome] | unique) == ["no-answer", "timeout"] and
    ([P[] | select(.role != "baseline") | .outcome] | unique) == ["skipped"]'
hcase silent 4 "$SILENT" "silence (TCP accepts, no answer): NO_REPLY"
hcase silent 6 "$SILENT" "silence (TCP accepts, no answer): NO_REPLY"
hcase silent-udp 4 'OUT("udp") == ["timeout"] and OUT("tcp") ==
    ["answer"] and HAS("UDP_NO_REPLY")' "UDP silent: UDP_NO_REPLY"
hcase silent-edns 4 'PATH.edns == "dropped" and HAS("EDNS_DROPPED")' \
	"silent to EDNS: EDNS_DROPPED"

for rc in formerr:FORMERR servfail:SERVFAIL refused:REFUSED \
    notimp:NOTIMP rcode15:RCODE15; do
	hcase "${rc%%:*}-edns" 4 "([LAD[] | .rcode] | unique) == [\"${rc#*:}\"]
	    and ([P[] | select(.edns == false) | .rcode] | unique) ==
	    [\"NOERROR\"]" "${rc#*:} to EDNS queries only"
done
hcase badvers 4 '(([LAD[] | .rcode] | unique) == ["BADVERS"]) and
    HAS("EDNS_BADVERS")' "BADVERS to a version-0 query: EDNS_BADVERS"

malf ancount-max "records run past the end|malformed or repeated OPT record" "ANCOUNT 65535"
malf qdcount-max "records run past the end" "QDCOUNT 65535"
malf arcount-max "records run past the end" "ARCOUNT 65535"
malf rr-cut "records run past the end" "RR cut mid-RDATA"
malf trailing "bytes after the last record" "garbage after the records"
malf huge-name "malformed name or compression pointer" "owner over 255"
malf label-64 "malformed name or compression pointer" "label type 0x40"
malf ptr-self "malformed name or compression pointer" "pointer to itself"
malf ptr-loop "malformed name or compression pointer" "two-pointer loop"
malf ptr-past "malformed name or compression pointer" "pointer past the end"
malf ptr-forward "malformed name or compression pointer" "forward pointer"
malf opt-rdlen "records run past the end" "OPT RDLEN past the end"
malf opt-twice "malformed or repeated OPT record" "two OPT records"
malf opt-optlen "malformed or repeated OPT record" "option length 65535"
malf opt-in-answer "malformed or repeated OPT record" "OPT in the answer"
malf opt-not-root "malformed or repeated OPT record" "OPT owner not root"

hcase malformed-edns 4 '([LAD[] | .outcome] | unique) == ["malformed"] and
    ([P[] | select(.edns == false) | .outcome] | unique) == ["answer"] and
    HAS("UDP_BAD_REPLIES") and (HAS("EDNS_DROPPED") | not)' \
	"malformed replies to EDNS only: UDP_BAD_REPLIES, not EDNS_DROPPED"

hcase tc-full 4 'OUT("udp") == ["truncated"] and OUT("tcp") == ["answer"]' \
	"TC on a whole answer: truncated, TCP answers"
hcase big-udp 4 '([LAD[] | select(.bufsize == 512) | .outcome ==
    "answer" and .response_bytes > 3900] | all) and HAS("UDP_OVERSIZE")' \
	"4000 bytes to a 512 advertisement: answer, size shown, UDP_OVERSIZE"
hcase duplicates 4 'OUT("udp") == ["answer"]' "200 copies: one answer"
hcase duplicates 6 'OUT("udp") == ["answer"]' "200 copies: one answer"

# TCP connects but brings no valid answer: path.tcp partial, TCP_NO_ANSWER
# (UDP answers normally).
TCPNA='OUT("udp") == ["answer"] and PATH.tcp == "partial" and
    HAS("TCP_NO_ANSWER") and (HAS("TCP_LARGE_LOST") | not) and'
hcase tcp-len-long-close 4 "$TCPNA"' OUT("tcp") == ["no-answer"] and
    ([K("tcp")[] | .peer_closed] | all)' "TCP prefix too long, closed"
hcase tcp-len-long-hang 4 "$TCPNA"' OUT("tcp") == ["no-answer"] and
    ([K("tcp")[] | .peer_closed] | any | not)' "TCP prefix too long, hangs"
hcase tcp-len-short 4 "$TCPNA"' OUT("tcp") == ["malformed"]' \
	"TCP prefix too short: malformed"
hcase tcp-len-short 6 "$TCPNA"' OUT("tcp") == ["malformed"]' \
	"TCP prefix too short: malformed"
hcase tcp-len-zero 4 "$TCPNA"' OUT("tcp") == ["no-answer"] and
    IGN("tcp") > 0' "TCP message of length 0: ignored"
hcase tcp-slowloris 4 "$TCPNA"' OUT("tcp") == ["no-answer"] and
    ([K("tcp")[] | .stream_bytes] | add) == 0' "TCP accepts, never answers"
hcase tcp-dribble 4 "$TCPNA"' OUT("tcp") == ["no-answer"] and
    ([K("tcp")[] | .stream_bytes] | add) > 0' "TCP one byte a second"
hcase tcp-rst 4 "$TCPNA"' OUT("tcp") == ["reset"] and
    ([K("tcp")[] | .connected] | all)' "TCP reset after the query"
hcase tcp-wrong-id 4 "$TCPNA"' OUT("tcp") == ["no-answer"] and
    IGN("tcp") > 0' "TCP wrong id: ignored"
hcase tcp-two-msgs 4 'OUT("tcp") == ["answer"] and IGN("tcp") > 0' \
	"TCP stray message then the answer"

hcase icmp-unreach 4 'OUT("udp") == ["icmp"] and ([K("udp")[] |
    .icmp.type == 3 and .icmp.code == 3] | all) and HAS("UDP_REFUSED")' \
	"ICMP port unreachable from the server: UDP_REFUSED"
hcase icmp-unreach 6 'OUT("udp") == ["icmp"] and ([K("udp")[] |
    .icmp.type == 1 and .icmp.code == 4] | all) and HAS("UDP_REFUSED")' \
	"ICMPv6 port unreachable from the server: UDP_REFUSED"
TOOBIG='OUT("udp") == ["icmp"] and ([K("udp")[] | .icmp.mtu] | unique)
    == [$m] and .targets[0].too_big.mtu == $m and any(.targets[0].findings[];
    .id == "ICMP_TOO_BIG" and .severity == $sev)'
hcase icmp-frag-tiny 4 "68 as \$m | \"info\" as \$sev | $TOOBIG" \
	"frag-needed MTU 68 (IPv4's minimum): ICMP_TOO_BIG info"
hcase icmp-frag-tiny 6 "68 as \$m | \"warning\" as \$sev | $TOOBIG" \
	"packet-too-big MTU 68: ICMP_TOO_BIG warning, forged"
hcase icmp-frag-absurd 4 "65535 as \$m | \"warning\" as \$sev | $TOOBIG" \
	"frag-needed MTU 65535: ICMP_TOO_BIG warning, forged"
hcase icmp-frag-absurd 6 "4294967295 as \$m | \"warning\" as \$sev | $TOOBIG" \
	"packet-too-big MTU 2^32-1: ICMP_TOO_BIG warning, forged"
hcase icmp-timex 4 'OUT("udp") == ["icmp"] and ([K("udp")[] |
    .icmp.type == 11] | all)' "ICMP time exceeded"
hcase icmp-timex 6 'OUT("udp") == ["icmp"] and ([K("udp")[] |
    .icmp.type == 3] | all)' "ICMPv6 time exceeded"
# Every UDP answer in hand-built fragments: the client's kernel drops
# overlapping ones (RFC 5722 for IPv6), and never completes the others;
# the capture shows the fragments of each probe's answer.
FRAGS='OUT("udp") == ["timeout"] and ([K("udp")[] |
    .fragments_in.datagrams > 0] | all) and OUT("tcp") == ["answer"]'
OVL="$FRAGS"' and ([K("udp")[] | .fragments_in.overlapping > 0] | all)'
hcase frag-overlap 4 "$OVL" "overlapping fragments: dropped, seen"
hcase frag-overlap 6 "$OVL" "overlapping fragments: dropped, seen"
hcase frag-incomplete 4 "$FRAGS and ([K(\"udp\")[] |
    .fragments_in.complete] | add) == 0" "fragments never complete"
hcase frag-incomplete 6 "$FRAGS and ([K(\"udp\")[] |
    .fragments_in.complete] | add) == 0" "fragments never complete"

# Raw probes too, where the path facts they measure meet the hostile
# answers: an absurd MTU and a wrong id.
# Raw probes too, where the path facts they measure meet hostile answers:
# nothing a hostile server sends may pass for a measured path MTU, a
# passing fragmented query or the server's distance.
RAW='PATH.pmtu == null and PATH.frag_out == "untested" and
    PATH.server_hops == null and ([K("raw")[] | .outcome] | all(. !=
    "answer" and . != "truncated")) and (K("raw") | length > 0)'
hcase icmp-frag-tiny 4 "$RAW"' and HAS("ICMP_TOO_BIG")' \
	"raw probes vs MTU 68: nothing measured" --raw
hcase wrong-id 6 "$RAW"' and IGN("raw") > 0' \
	"raw probes vs wrong id: nothing measured" --raw
hcase frag-overlap 4 "$RAW" \
	"raw probes vs overlapping fragments: nothing measured" --raw

# A server that ignores queries carrying an EDNS option, on UDP and TCP
# (the compliance case opt-silent): path's cookie query and its TCP twin
# say it is the server, not a filter on the path.
hcase opt-silent 4 'HAS("EDNS_OPTION_IGNORED") and
    (HAS("EDNS_OPTION_DROPPED") | not) and PATH.edns == "ok" and
    ([P[] | select(.role == "option") | .kind] | sort ==
    ["tcp", "udp", "udp"])' \
	"ignores EDNS options on both transports: EDNS_OPTION_IGNORED"
hcase compliant 4 '(HAS("EDNS_OPTION_IGNORED") or
    HAS("EDNS_OPTION_DROPPED") | not) and ([P[] | select(.role ==
    "option") | .outcome] == ["answer", "answer"])' \
	"the control: the cookie queries answered"

# zone and resolver (issue 5) read whole answers with ldns: every case as
# the parent of a zone (the walk, the referral, the child's questions)
# and as a resolver (discovery through it, then its path probes), over
# IPv4: a documented exit status, no hang, no sanitizer report.
for c in sane wrong-id wrong-qname no-qr no-question empty short silent \
    formerr-edns servfail-edns refused-edns ancount-max qdcount-max \
    arcount-max rr-cut trailing huge-name label-64 ptr-self ptr-loop \
    ptr-past ptr-forward opt-rdlen opt-twice opt-in-answer tc-full \
    duplicates tcp-len-long-hang tcp-slowloris tcp-two-msgs; do
	for cmd in zone resolver; do
		label=$cmd-$c
		ncases=$((ncases + 1))
		if [ $cmd = zone ]; then
			timed_run "$label" $LIMIT "$out/$label.json" "$bin" \
				zone --json --no-pcap --no-raw --timeout $TO \
				--parent "$H4" "$c.hostile."
		else
			timed_run "$label" $LIMIT "$out/$label.json" "$bin" \
				resolver --json --no-pcap --no-raw \
				--timeout $TO "@$H4" "$c.hostile."
		fi
		rc=$(cat "$out/$label.rc")
		case $rc in
		0 | 2 | 4 | 9) ok "$label: exit $rc in $(cat \
		    "$out/$label.ms") ms" ;;
		124 | 137) ;;	# timed_run said so
		*) fail "$label: exit $rc"; head -c 400 "$out/$label.err" |
			sed 's/^/    /' ;;
		esac
	done
done

for l in wrong-id-v4 ptr-loop-v4 tcp-len-short-v4 frag-overlap-v4 \
    icmp-unreach-v6 duplicates-v6; do
	readable "$l"
done

if hostile_alive; then ok "hostile server still running"
else fail "hostile server died"; sed 's/^/    /' "$out/hostile.log"; fi
echo "hostile: $ncases runs in $((SECONDS - t_start)) s"
finish hostile
