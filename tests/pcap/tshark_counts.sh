#!/usr/bin/env bash
# tests/pcap/tshark_counts.sh EDNSPROBE PCAPS-DIR: a peer's word on our
# dissector: for every reference capture, the frames and the IP fragments
# ednsprobe counts must be the frames and the servers' fragments tshark
# counts (the reference captures are all of the lab's server; the twin
# captures, pcaps/twin-*.pcap, are theirs in other link types and tunnels).
set -uo pipefail
bin=$1 pcaps=$2
if ! command -v tshark >/dev/null; then
	[ "${CI:-}" = true ] && { echo "tshark missing under CI" >&2; exit 1; }
	echo "skipped: no tshark" >&2
	exit 77
fi
fails=0
for f in "$pcaps"/*.pcapng "$pcaps"/twin-*.pcap; do
	j=$("$bin" analyze --json "$f")
	ours_frames=$(jq '.capture.frames' <<<"$j")
	ours_frags=$(jq '[.targets[] | ([.probes[].fragments_in.fragments //
		0] | add // 0) + (.headless_fragments.fragments // 0)] |
		add // 0' <<<"$j")
	theirs_frames=$(tshark -r "$f" 2>/dev/null | wc -l)
	# Fragments are counted per target: a file without an exchange
	# (replies only) has none to count them on; its frames still are.
	if [ "$(jq '.targets | length' <<<"$j")" = 0 ]; then
		if [ "$ours_frames" = "$theirs_frames" ]; then
			echo "  ok: $(basename "$f"): $ours_frames frames (no" \
			    "exchange: fragments not counted)"
		else
			echo "  FAIL: $(basename "$f"): ednsprobe" \
			    "$ours_frames frames, tshark $theirs_frames"
			fails=$((fails + 1))
		fi
		continue
	fi
	# Fragments from the servers (ours are the raw probes' queries);
	# not ICMP errors, which quote fragments of ours.
	# (.66 / ::66: the hostile server's captures).
	theirs_frags=$(tshark -r "$f" -Y '(ip.src == 203.0.113.53 or
		ipv6.src == 2001:db8:53::53 or ip.src == 203.0.113.66 or
		ipv6.src == 2001:db8:53::66) and not icmp and not icmpv6 and
		(ip.flags.mf == 1 or ip.frag_offset > 0 or ipv6.fraghdr.ident)' \
		2>/dev/null | wc -l)
	if [ "$ours_frames" = "$theirs_frames" ] &&
	    [ "$ours_frags" = "$theirs_frags" ]; then
		echo "  ok: $(basename "$f"): $ours_frames frames," \
		    "$ours_frags fragments"
	else
		echo "  FAIL: $(basename "$f"): ednsprobe $ours_frames frames" \
		    "$ours_frags fragments, tshark $theirs_frames frames" \
		    "$theirs_frags fragments"
		fails=$((fails + 1))
	fi
done
[ $fails -eq 0 ]
