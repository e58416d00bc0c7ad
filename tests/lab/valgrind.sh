#!/usr/bin/env bash
# tests/lab/valgrind.sh SCENARIO EDNSPROBE [HOSTILE]: a lab scenario
# (test_path.sh; "compliance": test_compliance.sh, which needs the hostile
# server) with every run of the binary, live and analyze, under valgrind's
# memcheck: no invalid read or write, no use of uninitialised memory, no
# leak (definite or indirect), no descriptor left open at exit.  Each run
# leaves a log; any error in any log fails the test.
set -uo pipefail
scenario=$1
bin=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
command -v valgrind >/dev/null || { echo "valgrind is missing" >&2; exit 1; }
logs=$(mktemp -d /tmp/ednsprobe-vg.XXXXXX)
trap 'rm -rf "$logs"' EXIT
chmod 1777 "$logs"	# runs as nobody (setpriv, sudo) log here too
# --vgdb=no: no gdbserver FIFOs in /tmp.  A run as nobody whose PID
# matches a root-owned FIFO left by an earlier valgrind could not start
# (lab_valgrind_bad-input's noperm run failed so, now and then).
cat >"$logs/ednsprobe" <<WRAP
#!/bin/sh
exec valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full \\
	--show-leak-kinds=definite,indirect \\
	--errors-for-leak-kinds=definite,indirect --track-fds=yes \\
	--log-file="$logs/vg.%p.log" "$bin" "\$@"
WRAP
chmod 755 "$logs/ednsprobe"
if [ "$scenario" = compliance ]; then
	"$here/test_compliance.sh" "$logs/ednsprobe" "$3"
else
	"$here/test_path.sh" "$scenario" "$logs/ednsprobe"
fi
rc=$?
runs=$(ls "$logs"/vg.*.log 2>/dev/null | wc -l)
# --track-fds lists the descriptors open at exit; those inherited from
# the shell (the lab lock, the log itself) are not ednsprobe's.
leaked() {
	awk '/Open (file descriptor|AF_)/ { what = $0; next }
	    what != "" { if ($0 !~ /inherited from parent/) print what
	    what = "" }' "$@"
}
bad=0
for f in "$logs"/vg.*.log; do
	[ -e "$f" ] || continue
	if grep -q -E 'Invalid|uninitialised|definitely lost|indirectly lost' \
	    "$f" || [ -n "$(leaked "$f")" ]; then
		bad=$((bad + 1))
		sed 's/^/    /' "$f" | head -60
	fi
done
if [ "$runs" -gt 0 ] && [ "$bad" = 0 ]; then
	echo "  ok: valgrind: $runs runs of ednsprobe, no error, no leak," \
	    "no descriptor left open"
else
	echo "  FAIL: valgrind: $bad of $runs logs report errors"
	rc=1
fi
exit $rc
