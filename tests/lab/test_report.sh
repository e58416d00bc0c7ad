#!/usr/bin/env bash
# tests/lab/test_report.sh EDNSPROBE: the ticket report (--report, issue
# 6's third part) of real runs, opened and checked against the capture
# it cites, as the vendor would:
#   path      frag-drop: every finding's tshark command, run as written,
#             shows exactly the frames it names, each about the target;
#             FRAG_IN_DROPPED's frames are our queries whose answers never
#             came (no response among them); the command to reproduce
#   analyze   the same capture analysed offline: the same frames cited
#   zone      lame.test: the delegation section and its evidence
#   survey    frag-drop, both families: each target's findings as it
#             finished, their tshark commands against the one capture,
#             the summary counts
#   input     an unwritable report path fails before any probe
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

trap '"$here/lab.sh" scenario clean >/dev/null 2>&1; rm -rf "$out"' EXIT

# check_tshark LABEL: every tshark command of LABEL's report, run as
# written, shows as many frames as its filter names, each to or from the
# address of the finding it belongs to ("### severity `ID` at ADDR").
check_tshark() {
	local label=$1 n=0 addr cmd filter want got about who
	while IFS=$'\t' read -r addr cmd; do
		n=$((n + 1))
		filter=$(sed -n "s/.*-Y '\(.*\)'\$/\1/p" <<<"$cmd")
		want=$(sed 's/.*{\(.*\)}.*/\1/; s/,//g' <<<"$filter" | wc -w)
		got=$(eval "$cmd" 2>/dev/null | wc -l)
		case $addr in
		*:*) who="ipv6.addr == $addr" ;;
		*) who="ip.addr == $addr" ;;
		esac
		about=$(tshark -r "$out/$label.pcapng" -Y "($filter) and \
		    ($who)" 2>/dev/null | wc -l)
		if [ "$want" -gt 0 ] && [ "$got" = "$want" ] &&
		    [ "$about" = "$want" ]; then
			ok "$label: tshark command $n shows its $want frames," \
				"all about $addr"
		else
			fail "$label: tshark command $n: $got frames, $about" \
				"about $addr, want $want: $cmd"
		fi
	done < <(awk '/^### / { addr = $NF }
	    /^- tshark: `/ { c = $0; sub(/^- tshark: `/, "", c);
	    sub(/`$/, "", c); print addr "\t" c }' "$out/$label.md")
	[ "$n" -gt 0 ] || fail "$label: no tshark command in the report"
}

# frag_filter REPORT: the Wireshark filter of its FRAG_IN_DROPPED.
frag_filter() {
	awk '/^### error `FRAG_IN_DROPPED`/ { on = 1 } on && /^- Wireshark/ {
	    sub(/.*filter: `/, ""); sub(/`$/, ""); print; exit }' "$1"
}

echo "== path, frag-drop"
"$here/lab.sh" scenario frag-drop >/dev/null
ip netns exec ep-client "$bin" path --pcap "$out/path.pcapng" \
	--report "$out/path.md" -4 "@$server4" "$zone" >"$out/path.txt" \
	2>"$out/path.err"
rc=$?
[ "$rc" = 2 ] && ok "path: exit 2" || fail "path: exit $rc"
grep -q "^### error \`FRAG_IN_DROPPED\` at $server4" "$out/path.md" &&
	ok "path: FRAG_IN_DROPPED reported" || fail "path: no FRAG_IN_DROPPED"
grep -qF -- "- Command (run it again to reproduce): \`ednsprobe path" \
	"$out/path.md" && ok "path: the command to reproduce" ||
	fail "path: no command"
grep -q "Ticket report: $out/path.md" "$out/path.txt" &&
	ok "path: the text report names the ticket report" ||
	fail "path: ticket report not named"
check_tshark path
# FRAG_IN_DROPPED says the large answer never arrived: the UDP queries
# for it among its frames have no UDP answer anywhere in the capture
# (its other frames are the contrast: the smaller answer that did come,
# the TCP exchange that gives the full size).
f=$(frag_filter "$out/path.md")
ids=$(tshark -r "$out/path.pcapng" -Y "($f) and udp and \
    dns.flags.response == 0 and dns.qry.type == 48" -T fields -e dns.id \
    2>/dev/null | sort -u)
answered=0
for id in $ids; do
	n=$(tshark -r "$out/path.pcapng" -Y "udp and dns.flags.response == 1 \
	    and dns.id == $id" 2>/dev/null | wc -l)
	answered=$((answered + n))
done
[ -n "$ids" ] && [ "$answered" = 0 ] &&
	ok "path: FRAG_IN_DROPPED's large UDP queries ($(echo $ids | wc -w)" \
		"ids) have no UDP answer in the capture" ||
	fail "path: FRAG_IN_DROPPED queries [$ids], $answered answered"

echo "== analyze of that capture"
cp "$out/path.pcapng" "$out/analyze.pcapng"
"$bin" analyze --report "$out/analyze.md" "$out/analyze.pcapng" \
	>/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] && ok "analyze: exit 2" || fail "analyze: exit $rc"
check_tshark analyze
p1=$(frag_filter "$out/path.md")
p2=$(frag_filter "$out/analyze.md")
[ -n "$p1" ] && [ "$p1" = "$p2" ] &&
	ok "analyze: FRAG_IN_DROPPED cites the same frames" ||
	fail "analyze: [$p2] vs live [$p1]"

echo "== zone"
"$here/lab.sh" scenario clean >/dev/null
ip netns exec ep-client "$bin" zone --no-raw --pcap "$out/zone.pcapng" \
	--report "$out/zone.md" --parent 203.0.113.60 lame.test \
	>/dev/null 2>&1
grep -q '^## Delegation of lame.test.' "$out/zone.md" &&
	grep -qF -- '- Evidence: `@203.0.113.66 (ns2.lame.test.): SOA silent`' \
	"$out/zone.md" && ok "zone: delegation section with its evidence" ||
	fail "zone: no delegation evidence"
check_tshark zone

echo "== survey, frag-drop"
"$here/lab.sh" scenario frag-drop >/dev/null
printf '%s\n' "$server4 $zone" "$server6 $zone" >"$out/list"
ip netns exec ep-client "$bin" survey --rate 200 --pcap "$out/survey.pcapng" \
	--report "$out/survey.md" "$out/list" >"$out/survey.jsonl" \
	2>"$out/survey.err"
rc=$?
[ "$rc" = 2 ] && ok "survey: exit 2" || fail "survey: exit $rc"
for a in "$server4" "$server6"; do
	grep -q "^### error \`FRAG_IN_DROPPED\` at $a" "$out/survey.md" &&
		ok "survey: FRAG_IN_DROPPED of $a in the report" ||
		fail "survey: no FRAG_IN_DROPPED of $a"
done
grep -q "^2 targets finished, 2 with warnings or errors" "$out/survey.md" &&
	grep -q '^| `FRAG_IN_DROPPED` | 2 |$' "$out/survey.md" &&
	ok "survey: the summary counts the targets and findings" ||
	fail "survey: no summary"
check_tshark survey

echo "== input"
t0=$(date +%s%N)
ip netns exec ep-client "$bin" path --report /nonexistent/dir/r.md \
	"@$server4" "$zone" >/dev/null 2>"$out/bad.err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" = 1 ] && grep -q -- "--report /nonexistent/dir/r.md: its directory does not exist" \
	"$out/bad.err" && [ "$ms" -lt 500 ] &&
	ok "unwritable report: exit 1 in $ms ms, before any probe" ||
	fail "unwritable report: exit $rc in $ms ms: $(cat "$out/bad.err")"

finish lab_report
