#!/usr/bin/env bash
# tests/pcap/twins.sh EDNSPROBE: every twin capture of tests/pcap/TWINS
# (pcaps/twin-WRAP-REF.pcap: REF's packets in another link type or inside
# a tunnel, made by make_twins.sh) must give its plain twin's report: the
# JSON of `ednsprobe analyze --json` identical but for the command line,
# the file name and the link type (same targets, resume lines, findings,
# probes and frame numbers).  And tshark, the referee of what is in the
# file, must see as many frames and DNS messages in the twin as in REF.
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top" || exit 1
have_tshark=0
command -v tshark >/dev/null && have_tshark=1
[ "${CI:-}" = true ] && [ $have_tshark = 0 ] &&
	{ echo "tshark missing under CI" >&2; exit 1; }
norm() { jq -S 'del(.command, .pcap, .capture.link)'; }
tcount() { tshark -r "$@" 2>/dev/null | wc -l; }
fails=0 n=0
while read -r wrap ref; do
	case $wrap in ''|'#'*) continue ;; esac
	plain=pcaps/$ref.pcapng twin=pcaps/twin-$wrap-$ref.pcap
	n=$((n + 1))
	if [ ! -f "$twin" ]; then
		echo "  FAIL: $twin missing (tests/pcap/make_twins.sh)"
		fails=$((fails + 1))
		continue
	fi
	"$bin" analyze --json "$plain" 2>/dev/null | norm >"$tmp/plain.json"
	"$bin" analyze --json "$twin" 2>"$tmp/err" | norm >"$tmp/twin.json"
	why=
	if [ ! -s "$tmp/plain.json" ] || ! jq -e '.targets | length > 0' \
	    "$tmp/plain.json" >/dev/null; then
		why="no targets in $plain"
	elif ! cmp -s "$tmp/plain.json" "$tmp/twin.json"; then
		why="report differs from $plain's: $(head -c 200 "$tmp/err")
$(diff "$tmp/plain.json" "$tmp/twin.json" | head -10)"
	elif [ $have_tshark = 1 ]; then
		pf=$(tcount "$plain") tf=$(tcount "$twin")
		pd=$(tcount "$plain" -Y dns) td=$(tcount "$twin" -Y dns)
		[ "$pf $pd" = "$tf $td" ] || why="tshark: $plain $pf frames \
$pd DNS, $twin $tf frames $td DNS"
	fi
	if [ -n "$why" ]; then
		echo "  FAIL: $wrap $ref: $why"
		fails=$((fails + 1))
	else
		echo "  ok: $wrap $ref: $(jq -r '.capture.frames' \
		    "$tmp/twin.json") frames, $(jq -r '[.targets[].findings[]?]
		    | length' "$tmp/twin.json") findings, same report"
	fi
done <"$here/TWINS"
[ $n -gt 0 ] || { echo "no twins in TWINS"; exit 1; }
[ $have_tshark = 1 ] || echo "tshark missing: its counts not compared"
[ $fails -eq 0 ]
