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
echo "== ednsprobe path @ns1.probe.test probe.test (from the lab's client)"
json=$top/build/ednsprobe-demo.json
rc=0
ip netns exec ep-client "$top/build/ednsprobe" path -o "$json" \
	@ns1.probe.test probe.test || rc=$?
echo
echo "exit status $rc (0 clean, 2 findings; see docs/ednsprobe.1)"
echo "JSON report: $json"
echo "The lab stays up for you: 'tests/lab/lab.sh exec CMD' runs CMD in the"
echo "client namespace, 'tests/lab/lab.sh scenario NAME' changes the fault,"
echo "'tests/lab/lab.sh down' removes it all."
