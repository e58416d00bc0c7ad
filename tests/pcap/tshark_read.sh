#!/usr/bin/env bash
# tests/pcap/tshark_read.sh WRITE_SAMPLE: a peer's word on our capture
# writer (capture/pcapw.c): WRITE_SAMPLE (tests/pcap/write_sample.c) writes
# a pcapng and a classic pcap of known frames; tshark must read every
# frame, its lengths, time and DNS id, and every per-frame comment, and
# capinfos (when present) the counts, the section comment, the application
# and the interface.  No tshark: skip (77), but under CI a failure.
set -uo pipefail
sample=$1
if ! command -v tshark >/dev/null; then
	[ "${CI:-}" = true ] && { echo "tshark missing under CI" >&2; exit 1; }
	echo "skipped: no tshark" >&2
	exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/ep-tshark.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
# A clean profile (the user's preferences could hide the DNS dissector);
# -n: no name resolution, nothing leaves the machine.
export WIRESHARK_CONFIG_DIR=$dir/profile TZ=UTC
mkdir -p "$WIRESHARK_CONFIG_DIR"
fails=0

fail() {
	echo "  FAIL: $*"
	fails=$((fails + 1))
}

if ! "$sample" "$dir/s.pcapng" "$dir/s.pcap"; then
	echo "write_sample failed"
	exit 1
fi

# frame.number, frame.len, frame.cap_len, frame.time_epoch, dns.id,
# frame.comment (tab separated); comments only in pcapng.
arrow=$'\xe2\x86\x92'
reply="probe 1: reply id 4660 $arrow 72 bytes"
expect_ng=$(printf '%s\n' \
	$'1\t70\t70\t1700000000.123456000\t0x1234\tprobe 1: query id 4660' \
	$'2\t86\t86\t1700000000.373456000\t0x1234\t'"$reply" \
	$'3\t90\t90\t1700000000.623456000\t0xabcd\t' \
	$'4\t86\t60\t1700000000.873456000\t0x1234\tprobe 1: cut at 60')
expect_classic=$(sed 's/\t[^\t]*$/\t/' <<<"$expect_ng")

check() {	# FILE EXPECTED
	local f=$1 want=$2 got rc
	got=$(tshark -n -r "$f" -T fields -e frame.number -e frame.len \
	    -e frame.cap_len -e frame.time_epoch -e dns.id -e frame.comment \
	    2>"$dir/err")
	rc=$?
	grep -v 'Running as user' "$dir/err" >"$dir/err2"
	if [ $rc -ne 0 ] || [ -s "$dir/err2" ]; then
		fail "$(basename "$f"): tshark exit $rc: $(cat "$dir/err2")"
	elif [ "$got" != "$want" ]; then
		fail "$(basename "$f"): tshark read:"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
	else
		echo "  ok: $(basename "$f"): tshark reads 4 frames$(
		    [ "${f##*.}" = pcapng ] && echo " and 3 comments")"
	fi
}
check "$dir/s.pcapng" "$expect_ng"
check "$dir/s.pcap" "$expect_classic"

if command -v capinfos >/dev/null; then
	for f in "$dir/s.pcapng" "$dir/s.pcap"; do
		info=$(capinfos -c -I "$f" 2>/dev/null)
		grep -Eq '^Number of packets: +4$' <<<"$info" ||
		    fail "$(basename "$f"): capinfos: not 4 packets"
		grep -q 'Encapsulation = Ethernet' <<<"$info" ||
		    fail "$(basename "$f"): capinfos: not Ethernet"
		grep -q 'Time precision = microseconds' <<<"$info" ||
		    fail "$(basename "$f"): capinfos: not microseconds"
	done
	info=$(capinfos -F -k -I "$dir/s.pcapng" 2>/dev/null)
	for want in 'Capture application: +ednsprobe [0-9]' \
	    'Capture comment: +ednsprobe write_sample' 'Name = sample0' \
	    'Number of stat entries = 1'; do
		grep -Eq "$want" <<<"$info" ||
		    fail "s.pcapng: capinfos: no '$want'"
	done
	[ $fails -eq 0 ] && echo "  ok: capinfos agrees"
else
	echo "  (no capinfos: its checks skipped)"
fi
[ $fails -eq 0 ]
