#!/usr/bin/env bash
# tests/lab/test_survey.sh EDNSPROBE: `ednsprobe survey` in the lab (issue
# 7), each check a run of the real binary from ep-client:
#   list     the lab's servers, both families, with a comment, a bad line,
#            a duplicate, two targets on one address and nobody at one:
#            one JSON line per target, the summary's counts, the bad
#            lines named on stderr, one address never probed twice at once
#   same     each survey line says what `ednsprobe path` says of that
#            target alone (finding ids), on a clean path and on frag-drop
#   capture  one capture for the survey: tshark reads it, only frames to,
#            from or about a target, and every frame a finding cites
#   comply   --compliance: the compliance command's words per line
#   analyze  the survey's capture analysed offline gives the findings
#   resume   SIGINT mid-survey: exit 130, every line whole JSON, the capture
#            readable; --resume with that output does the rest, and the
#            two outputs hold every target exactly once
#   budget   --budget cuts a target that would wait longer, says so
#   input    empty list, only comments, no file, stdin, --rate 0 / 5000,
#            --parallel 0, output to a reader that goes away, a million
#            lines; progress on stderr only when it is a terminal
#   scale    (tests/lab/farm.sh) 1000 addresses, some behind faults: every
#            target diagnosed as its fault, memory and descriptors flat,
#            the packet rate on the wire under the cap
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

FARM_N=${EP_FARM_N:-1000}

teardown() {
	"$here/farm.sh" down >/dev/null 2>&1
	"$here/lab.sh" scenario clean >/dev/null 2>&1
	[ -n "${EP_SURVEY_KEEP:-}" ] && cp -r "$out" "$EP_SURVEY_KEEP"
	rm -rf "$out"
}
trap teardown EXIT

# survey LABEL LIMIT LIST [ARGS...]: one run in ep-client; JSON lines in
# $out/LABEL.jsonl, stderr in .err, exit status in .rc, capture .pcapng.
survey() {
	local label=$1 limit=$2 list=$3
	shift 3
	timed_run "$label" "$limit" "$out/$label.jsonl" "$bin" survey \
		--pcap "$out/$label.pcapng" "$@" "$list"
	json_valid "$out/$label.jsonl" survey-line
}

# jqc LABEL FILTER WHAT: FILTER (jq -s over the JSON lines) must be true.
jqc() {
	if jq -e -s "$2" "$out/$1.jsonl" >/dev/null 2>&1; then ok "$1: $3"
	else fail "$1: $3"; fi
}

# The finding ids of TARGET (address and name) in a survey's lines.
ids_of() {	# LABEL ADDRESS NAME
	jq -r -s --arg a "$2" --arg n "$3" '[.[] | select(.type == "target"
		and .address == $a and .name == $n) | .findings[].id] | sort |
		join(",")' "$out/$1.jsonl"
}

# ----------------------------------------------------------- the list
cat >"$out/list.txt" <<'EOF'
# the lab's servers (tests/lab/lab.sh)
203.0.113.53 probe.test
2001:db8:53::53 probe.test
203.0.113.54 probe.test
2001:db8:53::54 probe.test
203.0.113.55 probe.test      # Knot
203.0.113.56 probe.test
203.0.113.53 PROBE.TEST.
ns1.probe.test
203.0.113.53 probe.test SOA
203.0.113.99 probe.test
EOF
"$here/lab.sh" scenario clean >/dev/null
survey list 60 "$out/list.txt" --timeout 1 --rate 200
expect_rc list 2
jqc list '[.[] | select(.type == "target")] | length == 8' \
	"8 target lines"
jqc list '.[-1].type == "summary" and .[-1].targets == 8 and
	.[-1].bad_lines == 1 and .[-1].duplicates == 1 and .[-1].lines == 11
	and .[-1].list_done and (.[-1].interrupted | not)' \
	"summary: 8 targets, 11 lines, 1 bad, 1 duplicate"
jqc list 'all(.[] | select(.type == "target"); .schema == 1 and
	(.line | type) == "number" and (.started | test("Z$")) and
	(.finished | test("Z$")) and (.probes | length) > 0 and
	(.path | type) == "object")' "every line: schema, line, times, probes"
jqc list '[.[] | select(.type == "target" and .address != "203.0.113.99")
	| .findings[] | select(.severity != "info")] | length == 0' \
	"the lab's servers: no warning on a clean path"
jqc list '[.[] | select(.address == "203.0.113.99") | .findings[].id] |
	any(. == "NO_REPLY" or . == "UNREACHABLE")' \
	"nobody at 203.0.113.99: NO_REPLY or UNREACHABLE"
jqc list '[.[] | select(.type == "target") | .line] | sort ==
	[2,3,4,5,6,7,10,11]' "lines named by number"
jqc list '[.[] | select(.address == "203.0.113.53")] | sort_by(.started)
	| .[0].finished <= .[1].started' \
	"one address: its two targets one after the other"
jqc list '.[-1].findings | (.NO_REPLY // 0) + (.UNREACHABLE // 0) == 1' \
	"summary counts the findings"
if grep -q 'list.txt:9: "ns1.probe.test" is not an IPv4 or IPv6' \
    "$out/list.err" && grep -q 'list.txt:8: the same target as line 2' \
    "$out/list.err"; then
	ok "list: bad line and duplicate named by line"
else
	fail "list: bad line and duplicate named by line"
	sed 's/^/    /' "$out/list.err"
fi
grep -q '^survey: 8 targets' "$out/list.err" &&
	ok "list: summary for people on stderr" ||
	fail "list: summary for people on stderr"

# ----------------------------------------------------------- capture
cap=$out/list.pcapng
if n=$(tshark -r "$cap" 2>/dev/null | wc -l) && [ "$n" -gt 0 ]; then
	ok "capture: tshark reads $n frames"
else
	fail "capture: tshark cannot read it"
fi
targets='203.0.113.53 203.0.113.54 203.0.113.55 203.0.113.56 203.0.113.99'
others=$(tshark -r "$cap" -Y "not (ip.addr in {$targets} or
	ipv6.addr in {2001:db8:53::53 2001:db8:53::54} or icmp or icmpv6)" \
	2>/dev/null | wc -l)
[ "$others" -eq 0 ] && ok "capture: only frames about the targets" ||
	fail "capture: $others frames about nothing surveyed"
jqc list '.[-1].capture.frames > 0 and (.[-1].pcap | test("list.pcapng$"))'\
	"summary names the capture"

# ------------------------------------------ the same verdict as path
# path_ids LABEL ADDRESS: path's finding ids for ADDRESS alone.
path_ids() {
	timeout -k 2 60 ip netns exec ep-client "$bin" path --json --no-pcap \
		--timeout 1 --rate 200 "@$2" "$zone" >"$out/$1.json" \
		2>"$out/$1.err"
	jq -r '[.targets[0].findings[].id] | sort | join(",")' "$out/$1.json"
}
same_as_path() {	# SCENARIO
	local sc=$1 a s p
	"$here/lab.sh" scenario "$sc" >/dev/null
	printf '%s probe.test\n' $server4 $server6 >"$out/nsd-$sc.txt"
	survey "nsd-$sc" 60 "$out/nsd-$sc.txt" --timeout 1 --rate 200
	for a in $server4 $server6; do
		s=$(ids_of "nsd-$sc" "$a" probe.test)
		p=$(path_ids "path-$sc-$a" "$a")
		if [ "$s" = "$p" ]; then
			ok "$sc $a: survey and path agree: ${s:-no finding}"
		else
			fail "$sc $a: survey says '$s', path '$p'"
		fi
	done
}
same_as_path clean
same_as_path frag-drop
jqc nsd-frag-drop '[.[] | select(.type == "target") |
	any(.findings[]; .id == "FRAG_IN_DROPPED")] | all' \
	"frag-drop: FRAG_IN_DROPPED for both families"
# Each frame a finding cites is in the capture, a frame of that target.
bad=0
while read -r addr frame; do
	[ -z "$frame" ] && continue
	src=$(tshark -r "$out/nsd-frag-drop.pcapng" -Y "frame.number == $frame" \
		-T fields -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
		-e icmp -e icmpv6 2>/dev/null)
	case $src in *"$addr"* | *"$server4"* | *"$server6"*) ;;
	*) bad=$((bad + 1)); echo "    frame $frame of $addr: '$src'" ;;
	esac
done < <(jq -r '.[] | select(.type == "target") | .address as $a |
	.findings[].evidence.frames[] | "\($a) \(.)"' -s \
	"$out/nsd-frag-drop.jsonl")
[ "$bad" -eq 0 ] && ok "frag-drop: every cited frame is the target's" ||
	fail "frag-drop: $bad cited frames are not the target's"

# --compliance: each line carries the compliance tests of its zone, the
# same words as the compliance command gives that address alone.
printf '203.0.113.%s probe.test\n' 53 54 55 56 >"$out/comply.txt"
survey comply 60 "$out/comply.txt" --compliance --no-raw --timeout 1 \
	--rate 200 --no-pcap
jqc comply '[.[] | select(.type == "target")] | length == 4 and
	all(.compliance.tests | length >= 12)' \
	"--compliance: the tests in each of the 4 lines"
for a in 53 55; do
	want=$(timeout 60 ip netns exec ep-client "$bin" compliance \
		--format genreport --no-pcap --timeout 1 --rate 200 \
		"@203.0.113.$a" probe.test 2>/dev/null | cut -d: -f2-)
	got=$(jq -r -s --arg a "203.0.113.$a" '.[] | select(.address == $a) |
		.compliance.genreport' "$out/comply.jsonl" | cut -d: -f2-)
	[ -n "$want" ] && [ "$want" = "$got" ] &&
		ok "--compliance 203.0.113.$a: as the compliance command:$got" ||
		fail "--compliance 203.0.113.$a: '$got', compliance says '$want'"
done

# ----------------------------------------------------------- analyze
ip netns exec ep-client "$bin" analyze --json "$out/nsd-frag-drop.pcapng" \
	>"$out/analyze.json" 2>"$out/analyze.err"
for a in $server4 $server6; do
	s=$(ids_of nsd-frag-drop "$a" probe.test)
	o=$(jq -r --arg a "$a" '[.targets[] | select(.address == $a) |
		.findings[].id] | sort | join(",")' "$out/analyze.json")
	# analyze has no raw probes' view of the path (docs/faults.md):
	# compare the findings both can earn.
	s=$(echo "$s" | tr ',' '\n' | grep -v -E '^(FRAG_OUT|PMTU|DROP_HOP)' |
		paste -sd,)
	o=$(echo "$o" | tr ',' '\n' | grep -v -E '^(FRAG_OUT|PMTU|DROP_HOP)' |
		paste -sd,)
	[ "$s" = "$o" ] && ok "analyze $a: same findings ($s)" ||
		fail "analyze $a: survey '$s', analyze '$o'"
done
"$here/lab.sh" scenario clean >/dev/null

# ------------------------------------------------------ interrupt, resume
: >"$out/many.txt"
for a in 53 54 55 56; do
	for t in SOA DNSKEY TXT NS A; do
		echo "203.0.113.$a probe.test $t" >>"$out/many.txt"
	done
done
ip netns exec ep-client "$bin" survey --rate 20 --parallel 2 --timeout 1 \
	--no-raw --pcap "$out/int.pcapng" "$out/many.txt" \
	>"$out/int.jsonl" 2>"$out/int.err" &
pid=$!
sleep 3
kill -INT $pid
wait $pid
echo $? >"$out/int.rc"
expect_rc int 130
if jq -e -s '.' "$out/int.jsonl" >/dev/null; then
	ok "interrupt: every line whole JSON"
else
	fail "interrupt: a line is not JSON"
fi
done1=$(jq -s '[.[] | select(.type == "target")] | length' "$out/int.jsonl")
jqc int '.[-1].type == "summary" and .[-1].interrupted and
	(.[-1].list_done | not)' "interrupt: the summary says so"
[ "$done1" -gt 0 ] && [ "$done1" -lt 20 ] &&
	ok "interrupt: $done1 of 20 finished before SIGINT" ||
	fail "interrupt: $done1 of 20 finished"
tshark -r "$out/int.pcapng" >/dev/null 2>&1 &&
	ok "interrupt: the capture is readable" ||
	fail "interrupt: the capture is not readable"
survey resume 60 "$out/many.txt" --rate 200 --timeout 1 --no-raw \
	--resume "$out/int.jsonl"
expect_rc resume 0
jqc resume ".[-1].resumed == $done1 and .[-1].targets == $((20 - done1))" \
	"resume: skips the $done1 done, does the rest"
cat "$out/int.jsonl" "$out/resume.jsonl" >"$out/both.jsonl"
jqc both '[.[] | select(.type == "target") | "\(.address) \(.qtype)"] |
	(length == 20) and (unique | length == 20)' \
	"resume: the two outputs hold the 20 targets once each"
survey resume2 30 "$out/many.txt" --resume "$out/both.jsonl"
expect_rc resume2 1
grep -q 'every target done in the --resume file' "$out/resume2.err" &&
	ok "resume: nothing left says so" || fail "resume: nothing left"

# -------------------------------------------------------------- budget
# A silent address: the baseline's tries alone take 3 s; the budget 0.5.
echo "203.0.113.99 probe.test" >"$out/silent.txt"
survey budget 30 "$out/silent.txt" --budget 0.5 --timeout 3
ms=$(cat "$out/budget.ms")
jqc budget '.[0].budget_exceeded and .[-1].budget_exceeded == 1' \
	"budget: the target is cut and says so"
[ "$ms" -lt 2500 ] && ok "budget: over in $ms ms" ||
	fail "budget: took $ms ms"

# --------------------------------------------------------------- input
: >"$out/empty.txt"
survey empty 10 "$out/empty.txt"
expect_rc empty 1
grep -q 'no target to probe (0 lines)' "$out/empty.err" &&
	ok "empty list: says so" || fail "empty list: $(cat "$out/empty.err")"
[ ! -e "$out/empty.pcapng" ] && ok "empty list: no capture file made" ||
	fail "empty list: a capture file was made"
printf '# nothing\n\nns1.example\n' >"$out/comments.txt"
survey comments 10 "$out/comments.txt"
expect_rc comments 1
survey nofile 10 "$out/no-such-file"
expect_rc nofile 1
grep -q 'no-such-file: No such file' "$out/nofile.err" &&
	ok "no file: says so" || fail "no file: $(cat "$out/nofile.err")"
for bad in "--rate 0" "--rate 5000" "--parallel 0" "--budget -1"; do
	# shellcheck disable=SC2086
	survey badopt 10 "$out/list.txt" $bad
	expect_rc badopt 1
done
echo "$server4 probe.test" | timeout 30 ip netns exec ep-client "$bin" \
	survey --no-pcap --timeout 1 --rate 200 - >"$out/stdin.jsonl" \
	2>"$out/stdin.err"
echo $? >"$out/stdin.rc"
expect_rc stdin 0
jqc stdin '.[0].address == "203.0.113.53" and .[-1].targets == 1' \
	"a list on stdin"
# A reader that goes away: an error, not a hang or a kill by SIGPIPE.
timeout -k 2 30 ip netns exec ep-client "$bin" survey --no-pcap \
	--timeout 1 --rate 200 "$out/many.txt" 2>"$out/pipe.err" | head -c 10 \
	>/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" = 10 ] && grep -q "writing the survey's output" "$out/pipe.err" &&
	ok "closed output: exit 10, says why" ||
	fail "closed output: exit $rc: $(head -c 300 "$out/pipe.err")"

# A million lines: one target, the rest repeats of it and bad lines.  The
# list is streamed (memory: a key per distinct target), stderr names the
# first 20 bad lines and counts the rest.
{
	echo "$server4 probe.test"
	awk 'BEGIN { for (i = 0; i < 499999; i++) {
		print "203.0.113.53 PROBE.test"; print "not-an-address" } }'
} >"$out/million.txt"
survey million 120 "$out/million.txt" --no-pcap --no-raw --timeout 1 \
	--rate 200
expect_rc million 0
jqc million '.[-1].lines == 999999 and .[-1].targets == 1 and
	.[-1].duplicates == 499999 and .[-1].bad_lines == 499999' \
	"a million lines: 1 target, the repeats and bad lines counted"
n=$(wc -l <"$out/million.err")
[ "$n" -le 24 ] && ok "a million lines: stderr stays short ($n lines)" ||
	fail "a million lines: $n lines on stderr"
echo "a million lines: $(cat "$out/million.ms") ms"

# Progress on stderr when it is a terminal (script(1) gives a pty), not
# otherwise (the list run above).
if command -v script >/dev/null; then
	printf '%s probe.test\n' $server4 $server6 >"$out/tty.txt"
	script -qec "ip netns exec ep-client $bin survey --no-pcap --no-raw \
		--timeout 1 --rate 200 $out/tty.txt >$out/tty.jsonl" \
		/dev/null >"$out/tty.err" 2>&1
	grep -q 'done, [0-9]* in flight' "$out/tty.err" &&
		! grep -q 'in flight' "$out/list.err" &&
		ok "progress on a terminal only" ||
		fail "progress on a terminal only"
fi

# --------------------------------------------------------------- scale
if [ -x "$here/farm.sh" ] && [ "$FARM_N" -gt 0 ]; then
	. "$here/survey_scale.sh"
fi

finish test_survey
