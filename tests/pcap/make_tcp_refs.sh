#!/usr/bin/env bash
# tests/pcap/make_tcp_refs.sh BUILD-DIR: remake the reference captures of
# DNS over TCP as a stream (issue 22 class 5, issue 19): made in the lab
# by tests/pcap/tcp_client.py in ep-client (tcpdump there writes them),
# then edited (tests/pcap/pcap_edit.py) for what a lab cannot make on
# purpose: a frame the capture missed, segments out of order and copied.
# Writes pcaps/tcp-*.pcap, their TESTLIST lines and expected outputs.
# Run as root; the lab is shared: this takes /run/ep-lab.lock, brings the
# lab up and takes it down.  Review `git diff` before committing; the
# golden outputs too (EP_REGRESS_UPDATE=1 tests/pcap/same_output.sh ...).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
bin=$build/ednsprobe
lab=$top/tests/lab/lab.sh
list=$top/tests/pcap/TESTLIST
client=$top/tests/pcap/tcp_client.py
edit=$top/tests/pcap/pcap_edit.py
tmp=$(mktemp -d /tmp/ednsprobe-tcprefs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# capture MODE SERVER OUT: one run of tcp_client.py, captured in ep-client.
capture() {
	local pid
	ip netns exec ep-client tcpdump -q -U --immediate-mode -n -s 0 -i to-r1 -w "$3" \
		"tcp port 53" 2>"$tmp/tcpdump.err" &
	pid=$!
	for _ in $(seq 50); do	# until it listens
		grep -q "listening" "$tmp/tcpdump.err" && break
		sleep 0.1
	done
	ip netns exec ep-client python3 "$client" "$1" "$2"
	sleep 0.5
	kill "$pid"
	wait "$pid" || true
}

lab_part() {
	set -euo pipefail
	trap '"$lab" down >/dev/null 2>&1' EXIT
	"$lab" up >/dev/null
	"$lab" scenario clean >/dev/null
	for fam in 4 6; do
		srv=203.0.113.53
		[ $fam = 6 ] && srv=2001:db8:53::53
		for mode in split pipeline large; do
			capture "$mode" "$srv" "$tmp/$mode-v$fam.pcap"
		done
	done
	"$lab" down >/dev/null
}
export -f capture lab_part
export lab client tmp
flock /run/ep-lab.lock bash -c lab_part

# The frames of the server's large answer (its segments with data, three
# at MSS 1448 or 1428): the edits name them.
for fam in 4 6; do
	cp "$tmp/split-v$fam.pcap" "$top/pcaps/tcp-split-len-v$fam.pcap"
	cp "$tmp/pipeline-v$fam.pcap" "$top/pcaps/tcp-pipeline-v$fam.pcap"
	cp "$tmp/large-v$fam.pcap" "$top/pcaps/tcp-large-v$fam.pcap"
	mapfile -t d < <(tshark -r "$tmp/large-v$fam.pcap" \
		-Y 'tcp.srcport == 53 && tcp.len > 0' -T fields -e frame.number)
	[ "${#d[@]}" -ge 3 ] || { echo "large-v$fam: ${#d[@]} data" \
		"segments, want 3 or more" >&2; exit 1; }
	# (c) the capture missed the answer's middle segment (the client
	# got it: its ACKs cover it).
	python3 "$edit" "$tmp/large-v$fam.pcap" \
		"$top/pcaps/tcp-missed-middle-v$fam.pcap" "drop ${d[1]}"
	# (d) the answer's last segment first, its first one again with
	# other bytes before the middle one came (the first copy must win),
	# and a plain copy of the first one at the end.
	python3 "$edit" "$tmp/large-v$fam.pcap" \
		"$top/pcaps/tcp-reorder-v$fam.pcap" \
		"move ${d[2]} ${d[0]}" "garble-copy ${d[0]} ${d[0]}" \
		"copy ${d[0]} ${d[1]}"
	# A capture that starts after the handshake (no SYN: boundaries are
	# guessed from the first segment that looks like a message start).
	python3 "$edit" "$tmp/pipeline-v$fam.pcap" \
		"$top/pcaps/tcp-midstream-v$fam.pcap" "drop 1" "drop 2" "drop 3"
	# A snap length of 300: every answer segment cut, the client's ACKs
	# cover the rest.
	editcap -F pcap -s 300 "$tmp/large-v$fam.pcap" \
		"$top/pcaps/tcp-snapcut-v$fam.pcap"
done
for name in tcp-split-len tcp-pipeline tcp-large tcp-missed-middle \
	tcp-reorder tcp-midstream tcp-snapcut; do
	for fam in 4 6; do
		grep -q "^$name-v$fam " "$list" ||
			echo "$name-v$fam $name-v$fam.pcap" >>"$list"
		EP_REGRESS_UPDATE=1 "$top/tests/pcap/regress.sh" "$bin" \
			"$name-v$fam" "$top/pcaps/$name-v$fam.pcap"
	done
done
