#!/usr/bin/env bash
# tests/pcap/make_twins.sh: remake pcaps/twin-WRAP-REF.pcap, the reference
# capture pcaps/REF.pcapng with every frame's IP packet (or Ethernet
# frame) rewrapped in another link type or tunnel (tests/pcap/TWINS lists
# them; tests/pcap/make_twins.py does the bytes, text2pcap writes the
# file).  tests/pcap/twins.sh checks each gives its plain twin's verdict.
# Classic pcap on purpose: deterministic (no writer name or version in
# the file), and the *.pcapng loops of same_output.sh, tshark_counts.sh
# and bad_files.sh keep to the lab's own captures.
# Usage: tests/pcap/make_twins.sh   (needs python3, editcap, text2pcap)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$here/TWINS" | while read -r wrap ref; do
	[ -n "$wrap" ] || continue
	out=$top/pcaps/twin-$wrap-$ref.pcap
	editcap -F pcap "$top/pcaps/$ref.pcapng" "$tmp/ref.pcap"
	python3 "$here/make_twins.py" "$wrap" "$tmp/ref.pcap" >"$tmp/hex"
	text2pcap -q -F pcap -t '%s.%f' \
		-l "$(python3 "$here/make_twins.py" --link "$wrap")" \
		"$tmp/hex" "$out"
	echo "wrote pcaps/$(basename "$out")"
done
