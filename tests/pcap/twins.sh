#!/usr/bin/env bash
# tests/pcap/twins.sh EDNSPROBE: every twin capture of tests/pcap/TWINS
# (pcaps/twin-WRAP-REF.pcap: REF's packets in another link type or inside
# a tunnel, made by make_twins.sh) must give its plain twin's report: the
# JSON of `ednsprobe analyze --json` identical but for the command line,
# the file name, the link type and the file format (same targets, resume
# lines, findings, probes and frame numbers).  And tshark, the referee of what is in the
# file, must see as many frames and DNS messages in the twin as in REF.
# Where the wrapping adds the same bytes to every frame, both are cut by
# the snap length too (editcap -s, REF at 200 bytes, the twin that much
# more), and must still give the same report: a cut inner packet is cut.
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
norm() { jq -S 'del(.command, .pcap, .capture.link, .capture.format)'; }
# One tshark run per file (it takes a second to start): per frame its
# captured length and whether it holds DNS, kept for each REF.
fields() {	# FILE OUT
	[ -s "$2" ] || tshark -r "$1" -T fields -e frame.cap_len -e dns.id \
	    2>/dev/null | awk -F '\t' '{ print $1, ($2 != "") }' >"$2"
}
summary() { awk '{ n++; d += $2 } END { print n + 0, d + 0 }' "$1"; }
fails=0 n=0
while read -r wrap ref; do
	case $wrap in ''|'#'*) continue ;; esac
	plain=pcaps/$ref.pcapng twin=pcaps/twin-$wrap-$ref.pcap
	n=$((n + 1)) cut=
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
		fields "$plain" "$tmp/$ref.t"
		rm -f "$tmp/twin.t"
		fields "$twin" "$tmp/twin.t"
		read -r pf pd < <(summary "$tmp/$ref.t")
		read -r tf td < <(summary "$tmp/twin.t")
		[ "$pf $pd" = "$tf $td" ] && [ "$pd" -gt 0 ] ||
			why="tshark: $plain $pf frames $pd DNS, $twin $tf \
frames $td DNS"
	fi
	# The snap length: only with tshark (editcap), and a constant
	# overhead (the twins that alternate headers have none).
	if [ -z "$why" ] && [ $have_tshark = 1 ]; then
		d=$(paste -d ' ' "$tmp/twin.t" "$tmp/$ref.t" |
		    awk '{ print $1 - $3 }' | sort -u)
		if [ "$(wc -l <<<"$d")" = 1 ]; then
			editcap -s 200 "$plain" "$tmp/pc.pcapng" >/dev/null 2>&1
			editcap -s $((200 + d)) "$twin" "$tmp/tc.pcap" \
			    >/dev/null 2>&1
			"$bin" analyze --json "$tmp/pc.pcapng" 2>/dev/null |
			    norm >"$tmp/pc.json"
			"$bin" analyze --json "$tmp/tc.pcap" 2>/dev/null |
			    norm >"$tmp/tc.json"
			if ! jq -e '.capture.cut > 0' "$tmp/pc.json" \
			    >/dev/null; then
				why="snap 200: nothing cut in $plain"
			elif ! cmp -s "$tmp/pc.json" "$tmp/tc.json"; then
				why="cut at $((200 + d)) bytes: report differs \
from $plain's at 200
$(diff "$tmp/pc.json" "$tmp/tc.json" | head -10)"
			else
				cut=", cut at $((200 + d)) bytes: same as \
at 200"
			fi
		fi
	fi
	if [ -n "$why" ]; then
		echo "  FAIL: $wrap $ref: $why"
		fails=$((fails + 1))
	else
		echo "  ok: $wrap $ref: $(jq -r '.capture.frames' \
		    "$tmp/twin.json") frames, $(jq -r '[.targets[].findings[]?]
		    | length' "$tmp/twin.json") findings, same report$cut"
	fi
done <"$here/TWINS"
[ $n -gt 0 ] || { echo "no twins in TWINS"; exit 1; }
[ $have_tshark = 1 ] || echo "tshark missing: its counts not compared"
[ $fails -eq 0 ]
