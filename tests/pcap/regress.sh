#!/usr/bin/env bash
# tests/pcap/regress.sh EDNSPROBE NAME PCAP [ARGS...]: the pcap regression
# test of one TESTLIST line (tcpdump's tests/TESTLIST is the model),
# NAME FILE [ANALYZE-OPTIONS...]: `ednsprobe
# analyze` of a reference capture must print exactly what
# tests/pcap/expected/NAME.out holds.  With EP_REGRESS_UPDATE=1 it writes
# that file instead (review the diff before committing it).
set -uo pipefail
bin=$1 name=$2 pcap=$3
shift 3
# analyze's options: TESTLIST's after the file, or EP_ANALYZE_ARGS.
# shellcheck disable=SC2206
args=("$@" ${EP_ANALYZE_ARGS:-})
here=$(cd "$(dirname "$0")" && pwd)
want=$here/expected/$name.out
command -v jq >/dev/null || { echo "jq is missing" >&2; exit 1; }

# One line per target (its resume) and per finding (id, probes, frames):
# deterministic for a given file.
got=$("$bin" analyze --json "${args[@]}" "$pcap" | jq -r '.targets[] |
	"\(.address) \(.address as $a | .resume | ltrimstr($a + ": "))",
	(.compliance // empty | .genreport),
	(.address as $a | .findings[] | "\($a) \(.id) probes " +
	 (.evidence.probes | map(tostring) | join(",")) + " frames " +
	 (.evidence.frames | map(tostring) | join(",")))')
rc=$?
if [ "${EP_REGRESS_UPDATE:-}" = 1 ]; then
	printf '%s\n' "$got" >"$want"
	echo "wrote $want"
	exit 0
fi
if [ ! -f "$want" ]; then
	echo "no expected output $want (EP_REGRESS_UPDATE=1 makes it)" >&2
	exit 1
fi
if [ "$got" = "$(cat "$want")" ]; then
	echo "$name: ok"
	exit 0
fi
echo "$name: FAILED (analyze exit $rc)"
diff <(cat "$want") <(printf '%s\n' "$got")
exit 1
