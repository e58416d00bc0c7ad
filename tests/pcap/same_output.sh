#!/usr/bin/env bash
# tests/pcap/same_output.sh EDNSPROBE: `ednsprobe analyze` of every capture
# in pcaps/ must write, byte for byte, the JSON report, the verbose text
# report and the ticket report kept in tests/pcap/golden/ (issue 17: the
# house was rebuilt with its behaviour frozen; this test keeps it so).
# With EP_REGRESS_UPDATE=1 it writes them instead (review the diff).
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gold=$here/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top" || exit 1
mkdir -p "$gold"
fail=0 n=0
for pcap in pcaps/*.pcapng; do
	name=$(basename "$pcap" .pcapng)
	"$bin" analyze --json "$pcap" >"$tmp/$name.json" 2>/dev/null
	"$bin" analyze -v "$pcap" >"$tmp/$name.txt" 2>/dev/null
	rm -f "$tmp/r.md"
	"$bin" analyze --report "$tmp/r.md" "$pcap" >/dev/null 2>&1
	# The report names its own path in the command line: make it fixed.
	sed "s|$tmp/r.md|REPORT.md|g" "$tmp/r.md" >"$tmp/$name.md"
	for ext in json txt md; do
		n=$((n + 1))
		if [ "${EP_REGRESS_UPDATE:-}" = 1 ]; then
			cp "$tmp/$name.$ext" "$gold/$name.$ext"
		elif ! cmp -s "$gold/$name.$ext" "$tmp/$name.$ext"; then
			echo "$name.$ext: differs from golden/$name.$ext"
			diff "$gold/$name.$ext" "$tmp/$name.$ext" | head -20
			fail=1
		fi
	done
done
[ "${EP_REGRESS_UPDATE:-}" = 1 ] && { echo "wrote $n files"; exit 0; }
[ "$n" -gt 0 ] || { echo "no captures in pcaps/"; exit 1; }
[ "$fail" = 0 ] && echo "all $n outputs identical"
exit "$fail"
