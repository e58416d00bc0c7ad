#!/usr/bin/env bash
# tests/pcap/bad_files.sh EDNSPROBE PCAPS-DIR: `ednsprobe analyze` on bad
# capture files: a clear message and the documented exit status, partial
# results where the file allows, never a crash or a hang.
set -uo pipefail
bin=$1 pcaps=$2
ref=$pcaps/frag-drop-v4.pcapng
out=$(mktemp -d /tmp/ednsprobe-bad.XXXXXX)
trap 'rm -rf "$out"' EXIT
fails=0
ok()   { echo "  ok: $*"; }
fail() { fails=$((fails + 1)); echo "  FAIL: $*"; }

# expect NAME STATUS... -- FILE: analyze FILE, exit status one of STATUS.
expect() {
	local name=$1 rc; shift
	local want=()
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	timeout 20 "$bin" analyze --json "$1" >"$out/$name.json" \
		2>"$out/$name.err"
	rc=$?
	for w in "${want[@]}"; do
		if [ "$rc" = "$w" ]; then
			ok "$name: exit $rc $(head -c 120 "$out/$name.err")"
			return 0
		fi
	done
	fail "$name: exit $rc, want ${want[*]}: $(head -c 200 "$out/$name.err")"
	return 1
}

expect missing 6 -- "$out/nonexistent.pcap"
: >"$out/empty.pcap"
expect empty 6 -- "$out/empty.pcap"
head -c 3000 /dev/urandom >"$out/garbage.pcap" 2>/dev/null ||
	dd if=/dev/urandom of="$out/garbage.pcap" bs=1000 count=3 2>/dev/null
expect garbage 6 -- "$out/garbage.pcap"
# A classic pcap header with link type 147 (a user DLT we do not read).
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00'\
'\xff\xff\x00\x00\x93\x00\x00\x00' >"$out/linktype.pcap"
expect linktype 6 -- "$out/linktype.pcap"
grep -q "link type" "$out/linktype.err" && ok "linktype: names the link type" ||
	fail "linktype: message does not name the link type"
# Cut in the middle of a block: the frames before it still count.
size=$(stat -c %s "$ref")
head -c $((size * 2 / 3)) "$ref" >"$out/cut.pcapng"
expect cut 0 2 9 -- "$out/cut.pcapng"
if jq -e '.capture.frames > 0 and .capture.error != null' \
    "$out/cut.json" >/dev/null; then
	ok "cut: $(jq '.capture.frames' "$out/cut.json") frames, error" \
	    "$(jq -c '.capture.error' "$out/cut.json")"
else fail "cut: no partial result: $(jq -c '.capture' "$out/cut.json")"; fi
# Bytes flipped inside the frames (not the block structure).
cp "$ref" "$out/flipped.pcapng"
for off in 300 700 1100 1500 1900 2300 2700 3100 4000 5000 6000; do
	printf '\xff\x00\x3f' | dd of="$out/flipped.pcapng" bs=1 seek=$off \
		conv=notrunc 2>/dev/null
done
expect flipped 0 2 6 9 -- "$out/flipped.pcapng"
# Frames cut by a small snap length (editcap, from Wireshark's tools).
if command -v editcap >/dev/null; then
	editcap -s 60 "$ref" "$out/snap60.pcapng" >/dev/null 2>&1
	expect snap60 0 2 9 -- "$out/snap60.pcapng"
	if jq -e '.capture.frames > 0' "$out/snap60.json" >/dev/null; then
		ok "snap60: $(jq -r '.targets[0].resume' "$out/snap60.json")"
	else fail "snap60: no frames read"; fi
fi
[ $fails -eq 0 ]
