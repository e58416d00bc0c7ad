# tests/lab/lib.sh: what every lab test script shares; source it after
# setting $bin.  Skips (77) without root, except under CI; gives $out (a
# scratch dir removed on exit), the ok/fail counters and finish().
if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { echo "not root under CI" >&2; exit 1; }
	echo "skipped: needs root" >&2
	exit 77
fi
bin=$(realpath "$bin")	# the tests run it from other directories too
command -v jq >/dev/null || { echo "jq is missing" >&2; exit 1; }
out=$(mktemp -d /tmp/ednsprobe-lab.XXXXXX)
trap 'rm -rf "$out"' EXIT
fails=0
checks=0
server4=203.0.113.53
server6=2001:db8:53::53
client4=192.0.2.10
client6=2001:db8:1::10
zone=probe.test

ok()   { checks=$((checks + 1)); echo "  ok: $*"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "  FAIL: $*"; }

# expect_rc LABEL WANT: the exit status saved in $out/LABEL.rc.
expect_rc() {
	local rc; rc=$(cat "$out/$1.rc")
	if [ "$rc" = "$2" ]; then ok "$1 exit $2"
	else fail "$1 exit $rc, want $2"; sed 's/^/    /' "$out/$1.err"; fi
}

# timed_run LABEL LIMIT OUT CMD...: CMD in ep-client within LIMIT seconds,
# stdout to OUT, stderr in $out/LABEL.err, exit status in .rc, wall time
# in .ms; a hang or a sanitizer report is a failure.
timed_run() {
	local label=$1 limit=$2 dest=$3 rc t0 t1
	shift 3
	t0=$(date +%s%N)
	timeout -k 2 "$limit" ip netns exec ep-client "$@" >"$dest" \
		2>"$out/$label.err"
	rc=$?
	t1=$(date +%s%N)
	echo "$rc" >"$out/$label.rc"
	echo "$(((t1 - t0) / 1000000))" >"$out/$label.ms"
	case $rc in
	124 | 137) fail "$label: hung (killed after ${limit}s)" ;;
	esac
	if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$out/$label.err"; then
		fail "$label: sanitizer report"
		head -40 "$out/$label.err" | sed 's/^/    /'
	fi
}

# json_valid FILE [KIND]: FILE against its JSON Schema in docs/schema/
# (tests/pcap/schema_check.py, python3-jsonschema): KIND report (path,
# analyze, compliance, resolver, zone), survey-line (each line of a survey
# output) or auto (the default: by content).  A document that does not
# conform is a failure, with the validator's messages; an empty FILE (a
# run that wrote none) is not checked.  finish() checks
# every JSON file the test left in $out as well (json_valid_all).
schema_check=$(cd "$(dirname "${BASH_SOURCE[0]}")/../pcap" && pwd)/schema_check.py
json_valid() {
	local kind=${2:-auto} msg rc=0
	[ -s "$1" ] || return 0		# no document: the exit status says
	msg=$(python3 "$schema_check" "$kind" "$1" 2>&1) || rc=$?
	case $rc in
	0)	ok "schema: ${1#"$out"/} is a valid $kind document" ;;
	77)	echo "  skipped: schema: $msg" ;;
	*)	fail "schema: ${1#"$out"/} ($kind):"
		printf '%s\n' "$msg" | head -30 | sed 's/^/    /' ;;
	esac
}

# json_valid_all: every JSON file (*.json, *.jsonl, not empty) in $out
# against its schema, in one run of the validator; finish() calls it.
json_valid_all() {
	local files=() msg rc=0
	mapfile -t files < <(find "$out" -type f \( -name '*.json' -o \
		-name '*.jsonl' \) -size +0 | sort)
	[ "${#files[@]}" -gt 0 ] || return 0
	msg=$(python3 "$schema_check" auto "${files[@]}" 2>&1) || rc=$?
	case $rc in
	0)	ok "schema: the ${#files[@]} JSON files the test wrote are valid" ;;
	77)	echo "  skipped: schema: $msg" ;;
	*)	fail "schema: JSON files the test wrote do not conform:"
		printf '%s\n' "$msg" | grep -v '^schema_check:' | head -60 |
			sed "s|$out/||; s/^/    /" ;;
	esac
}

# finish NAME: the summary line and the script's exit status, after every
# JSON document the test wrote was checked against its schema.
finish() {
	json_valid_all
	echo "$1: $((checks - fails)) passed, $fails failed"
	[ "$fails" -eq 0 ]
}

# What counts as a packet we send: every IP packet from the client except
# ICMP (the kernel's answers to late replies) and TCP segments that are
# pure ACKs (the kernel acknowledging the server's data: the server sets
# their number).  SYN, the query, FIN and RST count.
SENT="(ip.src == $client4 or ipv6.src == $client6) and
	not icmp and not icmpv6 and not (tcp and tcp.len == 0 and
	tcp.flags.syn == 0 and tcp.flags.fin == 0 and tcp.flags.reset == 0)"

# conform FILE RATE BURST [FILTER]: our packets in capture FILE (and
# FILTER) through a token bucket of RATE per second and depth BURST.
# Prints: packets, the lowest the bucket fell (>= -1 conforms: one packet
# of slack for the capture clock), the most packets in any 1-second
# window, and the span in seconds.
conform() {
	tshark -r "$1" -Y "$SENT${4:+ and ($4)}" -T fields \
		-e frame.time_epoch 2>/dev/null | sort -n |
	awk -v r="$2" -v b="$3" '
	{ t[NR] = $1 }
	END {
		tok = b; low = b
		for (i = 1; i <= NR; i++) {
			if (i > 1) tok += (t[i] - t[i-1]) * r
			if (tok > b) tok = b
			tok -= 1
			if (tok < low) low = tok
		}
		j = 1; w = 0
		for (i = 1; i <= NR; i++) {
			while (t[i] - t[j] >= 1.0) j++
			if (i - j + 1 > w) w = i - j + 1
		}
		span = NR > 1 ? t[NR] - t[1] : 0
		printf "%d %.3f %d %.1f\n", NR, low, w, span
	}'
}

# Every packet the client sends, as the wire sees it (issue 19): SENT plus
# the pure ACKs the kernel returns for the server's segments and the
# ICMP errors it sends about late replies.  --rate holds for all of them.
WIRE="(ip.src == $client4 or ipv6.src == $client6)"
# tcpdump's filter for a capture of them alone.
WIRE_BPF="src host $client4 or src host $client6"

# windows FILE [FILTER]: the most packets in any 1-second window (sliding,
# from each packet) of the client's packets (WIRE, and FILTER) in capture
# FILE; prints: packets, the busiest window, its start (s from the first
# packet), the span in seconds.
windows() {
	tshark -r "$1" -Y "$WIRE${2:+ and ($2)}" -T fields \
		-e frame.time_epoch 2>/dev/null | sort -n |
	awk '
	{ t[NR] = $1 }
	END {
		j = 1; w = 0; at = 0
		for (i = 1; i <= NR; i++) {
			while (t[i] - t[j] >= 1.0) j++
			if (i - j + 1 > w) { w = i - j + 1; at = t[j] - t[1] }
		}
		printf "%d %d %.1f %.1f\n", NR, w, at, (NR > 1 ? t[NR] - t[1] : 0)
	}'
}
