#!/usr/bin/env bash
# tests/pcap/realworld.sh EDNSPROBE PCAPS-DIR: captures as other tools take
# them (tests/pcap/make_realworld.sh: dig and tcpdump in the lab, or a lab
# capture cut with editcap, tshark, head), each with what analyze must and
# must not say, and tshark as the referee of what is in the file.  Then
# every prefix of three reference captures, every 64 bytes (EP_CUT_STEP;
# a file cut short anywhere)
# must give no error or warning the whole file does not give.
set -uo pipefail
bin=$1 pcaps=$2
here=$(cd "$(dirname "$0")" && pwd)
fails=0 checks=0
ok()   { checks=$((checks + 1)); echo "  ok: $*"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "  FAIL: $*"; }
command -v jq >/dev/null || { echo "jq is missing" >&2; exit 1; }
if ! command -v tshark >/dev/null; then
	[ "${CI:-}" = true ] && { echo "tshark missing under CI" >&2; exit 1; }
	echo "skipped: no tshark" >&2
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# an NAME: analyze --json of pcaps/NAME.pcapng into $tmp/NAME.json.
an() {
	"$bin" analyze --json "$pcaps/$1.pcapng" >"$tmp/$1.json" \
		2>"$tmp/$1.err"
	echo $? >"$tmp/$1.rc"
}
q() { jq -r "$2" "$tmp/$1.json"; }	# NAME JQ
ts() { tshark -r "$pcaps/$1.pcapng" -Y "$2" 2>/dev/null | wc -l; }
is() {	# LABEL GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}
# The error and warning finding ids of a JSON report, sorted.
loud() { jq -r '.targets[]?.findings[] | select(.severity != "info") |
	.id' "$1" 2>/dev/null | sort -u; }
# more NAME WHOLE-JSON: NAME's loud findings that WHOLE does not have.
more() { comm -13 <(loud "$2") <(loud "$tmp/$1.json") | tr '\n' ' '; }

an clean-v4
an clean-v6
for fam in 4 6; do
	# 1. The only EDNS answers came in IP fragments: their OPT record is
	# in the last fragment, which the first alone does not show.
	n=frag-answers-only-v$fam
	an $n
	is "$n: tshark sees 2 reassembled answers with OPT" \
		"$(ts $n 'dns.flags.response == 1 and dns.rr.udp_payload_size and
		udp.length > 1500')" 2
	is "$n: edns ok" "$(q $n '.targets[0].path.edns')" ok
	is "$n: the 2 fragmented answers carry their OPT" \
		"$(q $n '[.targets[0].probes[] | select(.response_bytes > 1500 and
		.edns_reply != null)] | length')" 2
	is "$n: no warning or error" "$(loud "$tmp/$n.json" | wc -l)" 0

	# 3. Names whose first label is t + letters or digits are names.
	n=realworld-tnames-v$fam
	an $n
	is "$n: tshark sees 4 queries" "$(ts $n 'dns.flags.response == 0')" 4
	is "$n: none is a two-ended probe" \
		"$(q $n '[.targets[0].probes[] | select(.role |
		startswith("twoway"))] | length')" 0
	is "$n: edns ok" "$(q $n '.targets[0].path.edns')" ok
	is "$n: exit 0" "$(cat "$tmp/$n.rc")" 0

	# 4. DNS over TCP only says nothing of UDP.
	n=realworld-tcp-only-v$fam
	an $n
	is "$n: tshark sees no UDP DNS" "$(ts $n 'udp and dns')" 0
	is "$n: tshark sees 2 TCP answers" \
		"$(ts $n 'tcp and dns.flags.response == 1')" 2
	is "$n: no UDP_NO_REPLY, exit 0" "$(more $n "$tmp/clean-v$fam.json")$(
		cat "$tmp/$n.rc")" 0
	is "$n: tcp ok" "$(q $n '.targets[0].path.tcp')" ok

	# DNS on another port: read with --port, and only then.
	n=realworld-port5300-v$fam
	"$bin" analyze --json -p 5300 "$pcaps/$n.pcapng" >"$tmp/$n.json" \
		2>/dev/null
	dec='-d udp.port==5300,dns -d tcp.port==5300,dns'
	# shellcheck disable=SC2086
	is "$n: -p 5300: a probe per query id tshark decodes" \
		"$(q $n '[.targets[].probes[] | select(.tries > 0)] | length')" \
		"$(tshark -r "$pcaps/$n.pcapng" $dec -Y 'dns.flags.response == 0' \
		-T fields -e dns.id 2>/dev/null | sort -u | wc -l)"
	# shellcheck disable=SC2086
	is "$n: -p 5300: an answer per reply tshark decodes" \
		"$(q $n '[.targets[].probes[] | select(.outcome == "answer" or
		.outcome == "truncated")] | length')" \
		"$(tshark -r "$pcaps/$n.pcapng" $dec -Y 'dns.flags.response == 1' \
		2>/dev/null | wc -l)"
	# The facts a capture can show are the live run's (that run wrote
	# expected/NAME.live.json; two-ended ones need the responder's log).
	facts='.targets[0].path | [.edns, .tcp, .frag_out, .pmtu,
		.ext_headers.dst_opts, .ext_headers.hop_by_hop] | map(tostring) |
		join(" ")'
	is "$n: -p 5300: the live run's facts" "$(q $n "$facts")" \
		"$(jq -r "$facts" "$here/expected/$n.live.json")"
	an $n
	is "$n: without -p, no exchange (exit 9)" "$(q $n '.targets | length'
		)$(cat "$tmp/$n.rc")" 09
	grep -q "no DNS exchange on port 53" "$tmp/$n.err" &&
		ok "$n: stderr names the port" || fail "$n: $(cat "$tmp/$n.err")"
done

# 2. Snap lengths: what was cut is unknown, never missing.
for n in snap80-v6 snap120-v4 snap120-v6; do
	an $n
	fam=${n##*-}
	is "$n: cut frames as tshark counts them" "$(q $n '.capture.cut')" \
		"$(ts $n 'frame.cap_len < frame.len')"
	is "$n: nothing the whole file does not say" \
		"$(more $n "$tmp/clean-$fam.json")" ""
	is "$n: CAPTURE_INCOMPLETE" "$(q $n '[.targets[0].findings[].id] |
		index("CAPTURE_INCOMPLETE") != null')" true
	is "$n: edns not unsupported" \
		"$(q $n '.targets[0].path.edns != "unsupported"')" true
done

# 6. What the capture cannot know: info, never "the server is down".
for n in last-query-v4 one-way-v4; do
	an $n
	is "$n: CAPTURE_NO_REPLY, no NO_REPLY" "$(q $n '[.targets[0].findings[].id]
		| join(",")')" CAPTURE_NO_REPLY
	is "$n: exit 0" "$(cat "$tmp/$n.rc")" 0
done
is "one-way-v4: tshark sees no frame from the server" \
	"$(ts one-way-v4 'ip.src == 203.0.113.53')" 0
an last3-v4
is "last3-v4: the last frame's query is not lost" \
	"$(q last3-v4 '.targets[0].probes[1].outcome')" interrupted
is "last3-v4: no finding" "$(q last3-v4 '.targets[0].findings | length')" 0

# Replies only: counted, no target made of them.
an replies-only-v4
is "replies-only-v4: replies without a query, as tshark counts them" \
	"$(q replies-only-v4 '.replies_without_query')" \
	"$(ts replies-only-v4 'udp.srcport == 53 and dns.flags.response == 1')"
is "replies-only-v4: no target" "$(q replies-only-v4 '.targets | length')" 0
grep -q "replies whose queries are not in it" "$tmp/replies-only-v4.err" &&
	ok "replies-only-v4: stderr says so" ||
	fail "replies-only-v4: stderr: $(cat "$tmp/replies-only-v4.err")"

# A file cut short, anywhere: every EP_CUT_STEP bytes.
an cut-half-v4
is "cut-half-v4: CAPTURE_INCOMPLETE" "$(q cut-half-v4 '[.targets[0].findings[]
	| select(.id == "CAPTURE_INCOMPLETE")] | length')" 1
step=${EP_CUT_STEP:-64}
for ref in clean-v4 frag-drop-v4 tcp-drop-v6; do
	an $ref
	loud "$tmp/$ref.json" >"$tmp/$ref.loud"
	size=$(stat -c %s "$pcaps/$ref.pcapng")
	rm -rf "$tmp/cuts" && mkdir "$tmp/cuts"
	# Each prefix analysed (two at a time), its exit status beside its
	# JSON; then one jq over all of them: the loud findings per cut.
	seq "$step" "$step" $((size - 1)) |
		xargs -P 2 -I{} sh -c 'head -c {} "$1" >"$2/{}.pcapng" &&
			"$3" analyze --json "$2/{}.pcapng" >"$2/{}.json" 2>/dev/null
			echo $? >"$2/{}.rc"; rm -f "$2/{}.pcapng"' \
			cut "$pcaps/$ref.pcapng" "$tmp/cuts" "$bin"
	cuts=$(ls "$tmp/cuts" | grep -c '\.rc$')
	# "CUT ID" for each loud finding the whole file does not have, and
	# "CUT exit N" for an exit status above 9 (a crash, a usage error)
	jq -r '.targets[]?.findings[] | select(.severity != "info") |
		"\(input_filename) \(.id)"' "$tmp/cuts"/*.json 2>/dev/null |
		sed 's|^.*/||; s|\.json | |' | sort -u |
		awk 'NR == FNR { whole[$1] = 1; next } !($2 in whole)' \
		"$tmp/$ref.loud" - >"$tmp/cuts.extra"
	for f in "$tmp/cuts"/*.rc; do
		read -r rc <"$f"
		[ "${rc:-99}" -gt 9 ] && echo "$(basename "$f" .rc) exit $rc"
	done >>"$tmp/cuts.extra"
	bad=$(cut -d' ' -f1 "$tmp/cuts.extra" | sort -u | wc -l)
	sed 's|^|    '"$ref"' cut at |' "$tmp/cuts.extra" | head -20
	is "$ref: $cuts prefixes every $step bytes, none says more than the whole file" $bad 0
done
echo "realworld: $((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
