#!/usr/bin/env bash
# tests/bench/bench_analyze.sh [BUILD-DIR] [FRAMES]: offline analysis speed.
# Builds a capture of FRAMES frames (default 1,000,000) by repeating a
# reference capture, then times `ednsprobe analyze` and `tshark -r FILE -Y
# dns` on it: frames per second and peak memory of each, and the ratio.
# Not a pass/fail test.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-1000000}
tmp=$(mktemp -d /tmp/ednsprobe-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
big=$tmp/big.pcap
python3 "$top/tests/bench/bench_analyze.py" "$top/pcaps/frag-nonfirst-drop-v4.pcapng" \
	"$big" "$n"
echo "capture: $n frames, $(du -h "$big" | cut -f1)"
measure() {	# LABEL CMD...: wall seconds and peak RSS (KiB)
	local label=$1; shift
	/usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null 2>&1 || true
	read -r secs kib < <(tail -1 "$tmp/t")
	printf '%-10s %8.2f s %12.0f frames/s %8d KiB peak\n' "$label" \
		"$secs" "$(awk -v n="$n" -v s="$secs" \
		'BEGIN { print (s > 0 ? n / s : 0) }')" "$kib"
	echo "$secs" >"$tmp/$label.s"
}
measure ednsprobe "$build/ednsprobe" analyze --json "$big"
if command -v tshark >/dev/null; then
	measure tshark tshark -r "$big" -Y dns
	awk -v e="$(cat "$tmp/ednsprobe.s")" -v t="$(cat "$tmp/tshark.s")" \
		'BEGIN { printf "ratio: ednsprobe %.1fx faster than tshark\n", (e > 0 ? t / e : 0) }'
fi
