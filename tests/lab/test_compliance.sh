#!/usr/bin/env bash
# tests/lab/test_compliance.sh EDNSPROBE HOSTILE: `ednsprobe compliance`
# in the lab (issue 9), each check a run of the real binary from
# ep-client:
#   servers  NSD, BIND, Knot and PowerDNS (lab.sh), IPv4 and IPv6: the
#            verdicts of ISC's compliance tests each must give (below)
#   hostile  one EDNS misbehaviour per case (tests/lab/hostile.c): the
#            tester's words for it, and the finding
#   path     scenario ednsopt-drop (a filter on r2 drops UDP queries with
#            EDNS options): COMPLY_PATH_DROPS, told from a server that
#            ignores them itself (hostile opt-silent: COMPLY_SERVER_DROPS)
#   analyze  every run's capture gives the same results offline
#   input    no ZONE, --format genreport on path, nobody at the address
# Prints each server's genreport line and each run's duration.
set -uo pipefail
bin=$1
hostile=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/hostile_lib.sh"

TO=1			# --timeout of every run, seconds
LIMIT=$((TO * 8 + 6))	# a run past this is a hang

teardown() {
	hostile_stop
	"$here/lab.sh" scenario clean >/dev/null 2>&1
	[ -n "${EP_COMPLY_KEEP:-}" ] && cp -r "$out" "$EP_COMPLY_KEEP"
	rm -rf "$out"
}
trap teardown EXIT

# The jq helpers the checks use (target 0 unless T says otherwise).
JQDEF='def C: .targets[0].compliance;
def W(t): [C.tests[] | select(.test == t) | .result][0];
def CAUSE(t): [C.tests[] | select(.test == t) | .cause][0];
def F: [.targets[0].findings[].id];
def HAS(id): any(.targets[0].findings[]; .id == id);'

# comply LABEL SERVER ZONE [ARGS...]: one run, JSON in $out/LABEL.json.
comply() {
	local label=$1 srv=$2 z=$3 rc t0 t1
	shift 3
	t0=$(date +%s%N)
	timeout -k 2 $LIMIT ip netns exec ep-client "$bin" compliance --json \
		--pcap "$out/$label.pcapng" --timeout $TO "$@" "@$srv" "$z" \
		>"$out/$label.json" 2>"$out/$label.err"
	rc=$?
	t1=$(date +%s%N)
	echo "$rc" >"$out/$label.rc"
	json_valid "$out/$label.json" report
	case $rc in
	0 | 2) ok "$label: exit $rc in $(((t1 - t0) / 1000000)) ms" ;;
	124 | 137) fail "$label: hung (killed after ${LIMIT}s)" ;;
	*) fail "$label: exit $rc"; head -c 600 "$out/$label.err" |
		sed 's/^/    /' ;;
	esac
	if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$out/$label.err"; then
		fail "$label: sanitizer report"
		head -40 "$out/$label.err" | sed 's/^/    /'
	fi
}

# expect LABEL JQ WHAT: the run's JSON satisfies JQ.
expect() {
	if jq -e "$JQDEF $2" "$out/$1.json" >/dev/null 2>&1; then
		ok "$1: $3"
	else
		fail "$1: $3"
		jq -r '.targets[] | .compliance.genreport, ([.findings[] |
		    .id + ": " + .summary] | join("\n"))' "$out/$1.json" \
		    2>/dev/null | sed 's/^/    /'
	fi
}

# same_offline LABEL: analyze of the run's capture grades every test
# alike (result and cause).
same_offline() {
	local q='[.targets[] | [.compliance.tests[] | {test, result, cause}]]'
	if ip netns exec ep-client "$bin" analyze --json \
	    "$out/$1.pcapng" >"$out/$1.offline.json" 2>"$out/$1.offline.err" ||
	    [ $? -eq 2 ]; then
		if [ "$(jq -c "$q" "$out/$1.json")" = \
		    "$(jq -c "$q" "$out/$1.offline.json")" ]; then
			ok "$1: analyze of the capture grades alike"
		else
			fail "$1: analyze grades otherwise"
			diff <(jq -c "$q[][]" "$out/$1.json") \
			    <(jq -c "$q[][]" "$out/$1.offline.json") |
			    head -10 | sed 's/^/    /'
		fi
	else
		fail "$1: analyze failed"
		sed 's/^/    /' "$out/$1.offline.err"
	fi
}

# ------------------------------------------------------ real servers
echo "== real servers"
"$here/lab.sh" scenario clean >/dev/null || { fail "scenario clean"; }
for s in "nsd 203.0.113.53 2001:db8:53::53" "bind 203.0.113.54 2001:db8:53::54" \
    "knot 203.0.113.55 2001:db8:53::55" "pdns 203.0.113.56 2001:db8:53::56"; do
	set -- $s
	for fam in 4 6; do
		srv=$2
		[ $fam = 6 ] && srv=$3
		comply "$1-v$fam" "$srv" $zone
		jq -r '.targets[0].compliance.genreport' "$out/$1-v$fam.json" \
			2>/dev/null | sed 's/^/    /'
		expect "$1-v$fam" 'C.tests | length >= 12' "every test graded"
		expect "$1-v$fam" '[C.tests[].result | select(test("timeout"))]
		    | length == 0' "every test answered"
		expect "$1-v$fam" '[C.tests[].recheck | select(. != null)] |
		    length == 0' "nothing re-asked"
		same_offline "$1-v$fam"
	done
done
# What each server must give (Debian 12's versions; docs/lab.md).
expect nsd-v4 'C.all_ok and (F | length == 0)' "NSD passes every test"
expect nsd-v6 'C.all_ok' "NSD passes every test (IPv6)"
expect nsd-v4 'W("cookie") == "nocookie"' "NSD sends no cookie"
expect bind-v4 'C.all_ok' "BIND passes every test"
expect bind-v4 'W("cookie") == "ok" and W("cookie-echo") == "ok" and
    W("cookie-bad") == "ok"' "BIND's cookies: given, accepted, renewed"
expect bind-v4 'W("optlist") | test("^ok.*cookie")' \
	"BIND's optlist names its cookie"
expect knot-v4 'C.all_ok' "Knot passes every test"
expect pdns-v4 'C.all_ok' "PowerDNS passes every test"

# --full: the tester's header tests too, each server's own verdicts
# (Debian 12: NSD 4.6.1, BIND 9.18, Knot 3.2.6, PowerDNS 4.7.3, Unbound
# 1.17 as a resolver with --resolver).  What they get wrong is theirs:
# NSD copies the query's flags, TC included, into its NOTIMP to opcode 15
# with flags, and resets the TCP re-ask that TC calls for ("reset", as
# ISC's tester says too); Knot copies RD there; both do not copy CD with
# DO; PowerDNS ignores queries with TC set or opcode 15 (over TCP too);
# Unbound answers TC set and opcode 15 with flags by FORMERR.
full_line() {	# LABEL ADDRESS WORDS... (the line after the colon)
	local label=$1 addr=$2 line
	shift 2
	line=$(jq -r '.targets[0].compliance.genreport' "$out/$label.json")
	if [ "$line" = "probe.test. @$addr ($addr): $*" ]; then
		ok "$label: the expected line"
	else
		fail "$label: $line"
	fi
}
H='dns=ok aa=ok ad=ok cd=ok ra=ok rd=ok'
E='type666=ok tcp=ok edns=ok edns1=ok edns@512=ok ednsopt=ok edns1opt=ok do=ok'
O='edns1nsid=ok edns1cookie=ok edns1expire=ok edns1subnet=ok signed=ok,yes ednstcp=ok'
comply nsd-full 203.0.113.53 $zone --full
full_line nsd-full 203.0.113.53 "$H tc=ok zflag=ok opcode=ok" \
	"opcodeflg=reset $E docd=nocd edns1do=ok ednsflags=ok" \
	"optlist=ok ednsnsid=ok ednscookie=ok ednsexpire=ok ednssubnet=ok $O"
expect nsd-full '([C.tests[] | select(.genreport)] | length) == 32 and
    HAS("COMPLY_FAILED")' "--full: 32 of the tester's tests, 2 failed"
same_offline nsd-full
comply bind-full 203.0.113.54 $zone --full
full_line bind-full 203.0.113.54 "$H tc=ok zflag=ok opcode=ok" \
	"opcodeflg=ok $E docd=ok edns1do=ok ednsflags=ok" \
	"optlist=ok,expire,cookie,subnet ednsnsid=ok ednscookie=ok,cookie" \
	"ednsexpire=ok,expire ednssubnet=ok,subnet $O"
comply knot-full 203.0.113.55 $zone --full
full_line knot-full 203.0.113.55 "$H tc=ok zflag=ok opcode=ok" \
	"opcodeflg=rd $E docd=nocd edns1do=ok ednsflags=ok" \
	"optlist=ok,nsid,expire ednsnsid=ok,nsid ednscookie=ok" \
	"ednsexpire=ok,expire ednssubnet=ok edns1nsid=ok,nsid" \
	"edns1cookie=ok edns1expire=ok edns1subnet=ok signed=ok,yes ednstcp=ok"
comply pdns-full 203.0.113.56 $zone --full
full_line pdns-full 203.0.113.56 "$H tc=timeout zflag=ok opcode=timeout" \
	"opcodeflg=timeout $E docd=nocd edns1do=ok ednsflags=ok" \
	"optlist=ok,nsid ednsnsid=ok,nsid ednscookie=ok ednsexpire=ok" \
	"ednssubnet=ok edns1nsid=ok,nsid edns1cookie=ok edns1expire=ok" \
	"edns1subnet=ok signed=ok,yes ednstcp=ok"
expect pdns-full 'CAUSE("tc") == "server" and CAUSE("opcode") == "server"
    and HAS("COMPLY_SERVER_DROPS") and (HAS("COMPLY_PATH_DROPS") | not)' \
	"PowerDNS ignores them itself (TCP silent too): COMPLY_SERVER_DROPS"
same_offline pdns-full
comply unbound-full 192.0.2.153 $zone --full --resolver
full_line unbound-full 192.0.2.153 "$H tc=formerr zflag=ok opcode=ok" \
	"opcodeflg=formerr,ra,ad,cd,z $E docd=ok edns1do=ok ednsflags=ok" \
	"optlist=ok ednsnsid=ok ednscookie=ok ednsexpire=ok ednssubnet=ok $O"
same_offline unbound-full

# The tester's own line.
if ip netns exec ep-client "$bin" compliance --format genreport \
    --no-pcap --timeout $TO @203.0.113.53 $zone >"$out/line.txt" \
    2>"$out/line.err"; then
	if grep -qxE 'probe\.test\. @203\.0\.113\.53 \(203\.0\.113\.53\): dns=ok edns=ok edns1=ok edns@512=ok ednsopt=ok edns1opt=ok do=ok ednsflags=ok optlist=ok signed=ok,yes ednstcp=ok' \
	    "$out/line.txt"; then
		ok "--format genreport: the tester's line"
	else
		fail "--format genreport: $(cat "$out/line.txt")"
	fi
else
	fail "--format genreport: exit $?"
fi

# ------------------------------------------------------------- hostile
echo "== hostile"
hostile_start || { fail "hostile server"; finish test_compliance; exit; }
hcomply() {	# NAME JQ WHAT
	comply "h-$1" $H4 "$1.hostile"
	expect "h-$1" "$2" "$3"
}
comply h-sane $H4 sane.hostile
expect h-sane 'C.all_ok' "a sane zone passes"
hcomply edns1-ignored 'W("edns1") == "noerror,badversion,soa" and
    HAS("COMPLY_FAILED")' "edns1 answered as version 0"
hcomply opt-echo 'W("ednsopt") == "echoed"' "unknown option echoed"
hcomply flags-echo 'W("ednsflags") == "mbz"' "unknown flag echoed"
hcomply no-opt 'W("edns") | test("noopt")' "no OPT in replies"
hcomply big-512 'W("edns@512") | test("toobig")' "answers past 512 bytes"
hcomply no-aa 'W("dns") | test("noaa")' "no AA"
hcomply badvers-v1 'W("edns1") | test("version-not-zero")' \
	"BADVERS with an OPT of version 1"
hcomply edns-formerr 'W("edns") | test("formerr")' "FORMERR to EDNS"
comply h-opt-silent $H4 opt-silent.hostile
expect h-opt-silent 'W("ednsopt") == "timeout" and CAUSE("ednsopt") ==
    "server" and HAS("COMPLY_SERVER_DROPS") and
    (HAS("COMPLY_PATH_DROPS") | not)' \
	"a server that ignores options: COMPLY_SERVER_DROPS"
same_offline h-opt-silent
# Garbage and a TCP that closes at once: every test still ends, graded.
comply h-ptr-loop $H4 ptr-loop.hostile
expect h-ptr-loop '[C.tests[] | select(.genreport and .test != "signed")
    | .result] | all(test("malformed|timeout|ok"))' \
	"compression loops: each test malformed (or its own verdict)"
# Nothing over UDP, or only replies that are not ours: every test is
# still sent (TCP answers), none skipped.
comply h-silent-udp $H4 silent-udp.hostile
expect h-silent-udp 'W("dns") == "timeout" and W("ednstcp") == "ok" and
    CAUSE("edns") == "path" and ([C.tests[].result | select(. ==
    "skipped")] | length == 0) and HAS("COMPLY_PATH_DROPS") and
    (HAS("NO_REPLY") | not)' "silent over UDP only: tested, TCP answers"
comply h-wrong-id $H4 wrong-id.hostile
expect h-wrong-id 'W("dns") == "timeout" and W("ednstcp") == "ok" and
    CAUSE("edns") == "replies" and HAS("COMPLY_FAILED") and
    (HAS("COMPLY_PATH_DROPS") | not) and (HAS("NO_REPLY") | not)' \
	"UDP replies with another id: not answers, not the path's doing"
comply h-trailing $H4 trailing.hostile
expect h-trailing 'W("dns") == "malformed" and (HAS("NO_REPLY") | not)
    and HAS("COMPLY_FAILED")' "malformed replies: malformed, not no reply"
comply h-tcp-rst $H4 tcp-rst.hostile
expect h-tcp-rst 'W("ednstcp") == "reset"' "TCP reset after the query: reset"
hostile_stop

# ---------------------------------------------------------------- path
echo "== a filter on the path"
if "$here/lab.sh" scenario ednsopt-drop >/dev/null; then
	for fam in 4 6; do
		srv=203.0.113.53
		[ $fam = 6 ] && srv=2001:db8:53::53
		comply "optdrop-v$fam" $srv $zone
		expect "optdrop-v$fam" 'W("ednsopt") == "timeout" and
		    CAUSE("ednsopt") == "path" and CAUSE("optlist") == "path"
		    and HAS("COMPLY_PATH_DROPS") and
		    (HAS("COMPLY_SERVER_DROPS") | not)' \
			"UDP queries with options dropped on the path"
		expect "optdrop-v$fam" 'W("edns1") == "ok" and W("do") ==
		    "ok"' "the rest unaffected"
		expect "optdrop-v$fam" '[C.tests[] | select(.test ==
		    "ednsopt") | .recheck.result][0] == "ok"' \
			"the TCP re-ask answered"
		same_offline "optdrop-v$fam"
	done
	# As a section of path: path's own cookie query finds the filter
	# too (EDNS_OPTION_DROPPED), nothing else (--no-raw: the raw
	# probes' Padding option is an EDNS option too).
	timeout -k 2 $LIMIT ip netns exec ep-client "$bin" path --json \
		--compliance --no-raw --timeout $TO \
		--pcap "$out/path-optdrop.pcapng" @203.0.113.53 $zone \
		>"$out/path-optdrop.json" 2>"$out/path-optdrop.err"
	echo $? >"$out/path-optdrop.rc"
	expect_rc path-optdrop 2
	expect path-optdrop '.targets[0].path.edns == "ok" and
	    .targets[0].path.tcp == "ok" and HAS("COMPLY_PATH_DROPS") and
	    HAS("EDNS_OPTION_DROPPED") and (F - ["COMPLY_PATH_DROPS",
	    "EDNS_OPTION_DROPPED"] | length == 0) and CAUSE("ednsopt") ==
	    "path"' "path --compliance: EDNS fine, the filter found by both"
	same_offline path-optdrop
	"$here/lab.sh" scenario clean >/dev/null
else
	fail "scenario ednsopt-drop"
fi
timeout -k 2 $LIMIT ip netns exec ep-client "$bin" path --json --compliance \
	--timeout $TO --pcap "$out/path-clean.pcapng" @203.0.113.53 $zone \
	>"$out/path-clean.json" 2>"$out/path-clean.err"
echo $? >"$out/path-clean.rc"
expect_rc path-clean 0
expect path-clean 'C.all_ok and (F | length == 0) and
    (.targets[0].resume | test("compliance 11 of 11 ok"))' \
	"path --compliance on a clean path: both clean"
same_offline path-clean

# ---------------------------------------------------------- bad input
echo "== bad input"
ip netns exec ep-client "$bin" compliance @203.0.113.53 \
	>"$out/nozone.out" 2>"$out/nozone.err"
echo $? >"$out/nozone.rc"
expect_rc nozone 1
grep -q 'compliance takes one ZONE' "$out/nozone.err" &&
	ok "no ZONE: says so" || fail "no ZONE: $(cat "$out/nozone.err")"
ip netns exec ep-client "$bin" path --format genreport @203.0.113.53 \
	$zone >"$out/fmt.out" 2>"$out/fmt.err"
echo $? >"$out/fmt.rc"
expect_rc fmt 1
t0=$SECONDS
timeout -k 2 $LIMIT ip netns exec ep-client "$bin" compliance --json \
	--no-pcap --timeout $TO @203.0.113.99 $zone >"$out/nobody.json" \
	2>"$out/nobody.err"
echo $? >"$out/nobody.rc"
case $(cat "$out/nobody.rc") in
5 | 9) ok "nobody at the address: exit $(cat "$out/nobody.rc") in" \
	"$((SECONDS - t0)) s" ;;
*) fail "nobody at the address: exit $(cat "$out/nobody.rc")" ;;
esac
expect nobody 'HAS("NO_REPLY") or HAS("UNREACHABLE")' \
	"nobody at the address: NO_REPLY or UNREACHABLE"

finish test_compliance
