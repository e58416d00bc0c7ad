#!/usr/bin/env bash
# tests/demo.sh [SCENARIO]: set up, build, bring up the lab with a broken
# path (default: frag-drop, a firewall that drops IP fragments) and run
# ednsprobe against the lab's server, IPv4 and IPv6.  Run as root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-frag-drop}
"$top/tests/setup.sh" "$top/build"
lab=$top/tests/lab/lab.sh
"$lab" up
"$lab" scenario "$scenario"
echo
echo "== lab scenario: $scenario ($("$lab" scenarios | tr '\n' ' '))"
# The server by address: some faults (tcp-drop, edns-drop) also break the
# lab resolver's own path, so a name could not be looked up.
rc=0
for server in 203.0.113.53 2001:db8:53::53; do
	json=$top/build/ednsprobe-demo-${server//:/_}.json
	pcap=$top/build/ednsprobe-demo-${server//:/_}.pcapng
	echo "== ednsprobe path @$server probe.test (from the lab's client)"
	r=0
	ip netns exec ep-client "$top/build/ednsprobe" path -o "$json" \
		--pcap "$pcap" "@$server" probe.test || r=$?
	echo "exit status $r (0 clean, 2 findings; see docs/ednsprobe.1)"
	echo
	[ "$r" -gt "$rc" ] && rc=$r
done
# Two-ended: our own responder at the far end (203.0.113.70, in the
# server's namespace) says which of our packets arrived there.
echo "== ednsprobe respond --listen 203.0.113.70 (far end), and path toward it"
ip netns exec ep-server "$top/build/ednsprobe" respond --zone resp.test \
	--listen 203.0.113.70 --pcap "$top/build/ednsprobe-demo-far.pcapng" \
	>"$top/build/ednsprobe-demo-far.log" 2>&1 &
resp=$!
sleep 0.5
r=0
ip netns exec ep-client "$top/build/ednsprobe" path \
	--pcap "$top/build/ednsprobe-demo-twoway.pcapng" \
	--report "$top/build/ednsprobe-demo-twoway.md" @203.0.113.70 resp.test ||
	r=$?
kill -INT "$resp" 2>/dev/null || true
wait "$resp" || true
echo "exit status $r; the responder's log: build/ednsprobe-demo-far.log,"
echo "its capture: build/ednsprobe-demo-far.pcapng"
echo
echo "Open a capture in Wireshark (each frame of a probe carries a comment),"
echo "or read it again: build/ednsprobe analyze build/ednsprobe-demo-*.pcapng"
echo "The lab stays up for you: 'tests/lab/lab.sh exec CMD' runs CMD in the"
echo "client namespace, 'tests/lab/lab.sh scenario NAME' changes the fault,"
echo "'tests/lab/lab.sh down' removes it all."
exit 0
