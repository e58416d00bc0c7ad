# tests/lab/lib.sh: what every lab test script shares; source it after
# setting $bin.  Skips (77) without root, except under CI; gives $out (a
# scratch dir removed on exit), the ok/fail counters and finish().
if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { echo "not root under CI" >&2; exit 1; }
	echo "skipped: needs root" >&2
	exit 77
fi
bin=$(realpath "$bin")	# the tests run it from other directories too
command -v jq >/dev/null || { echo "jq is missing" >&2; exit 1; }
out=$(mktemp -d /tmp/ednsprobe-lab.XXXXXX)
trap 'rm -rf "$out"' EXIT
fails=0
checks=0
server4=203.0.113.53
server6=2001:db8:53::53
client4=192.0.2.10
client6=2001:db8:1::10
zone=probe.test

ok()   { checks=$((checks + 1)); echo "  ok: $*"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "  FAIL: $*"; }

# expect_rc LABEL WANT: the exit status saved in $out/LABEL.rc.
expect_rc() {
	local rc; rc=$(cat "$out/$1.rc")
	if [ "$rc" = "$2" ]; then ok "$1 exit $2"
	else fail "$1 exit $rc, want $2"; sed 's/^/    /' "$out/$1.err"; fi
}

# finish NAME: the summary line and the script's exit status.
finish() {
	echo "$1: $((checks - fails)) passed, $fails failed"
	[ "$fails" -eq 0 ]
}
