#!/usr/bin/env bash
# tests/lab/test_zone.sh EDNSPROBE: `ednsprobe zone` in the lab (issue 5)
# against the lab's own DNS tree (tests/lab/zones.sh: a root at .60, test.
# at .61, fault zones on .62-.67), each check a run of the real binary
# from ep-client:
#   clean     good.test from the root: 4 servers x 2 families found,
#             probed at once, no finding, the DNSSEC chain verified; the
#             same from a hints file; probe.test too
#   faults    one zone per delegation and DNSSEC fault, each diagnosed by
#             its finding with the records as evidence
#   path      frag6-drop: the zone's IPv6 address loses fragments, its
#             IPv4 address does not ("sometimes fails" by family)
#   speed     8 addresses take about as long as one (figures printed)
#   input     no such name, not a zone, an alias, a refusing or silent
#             parent, --max-addresses, bad options, SIGINT
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

ROOT4=203.0.113.60
teardown() {
	"$here/lab.sh" scenario clean >/dev/null 2>&1
	[ -n "${EP_ZONE_KEEP:-}" ] && cp -r "$out" "$EP_ZONE_KEEP"
	rm -rf "$out"
}
trap teardown EXIT

# zone LABEL LIMIT ARGS...: one run in ep-client; JSON in $out/LABEL.json,
# stderr in .err, exit status in .rc, wall time in .ms.
zone() {
	local label=$1 limit=$2
	shift 2
	timed_run "$label" "$limit" "$out/$label.json" "$bin" zone --json \
		--pcap "$out/$label.pcapng" "$@"
	json_valid "$out/$label.json" report
}

# zq LABEL JQ: jq over LABEL's report.
zq() { jq -r "$2" "$out/$1.json" 2>/dev/null; }

# has LABEL ID [TEXT]: the zone finding ID, its summary or evidence
# holding TEXT.
has() {
	local label=$1 id=$2 text=${3:-}
	if zq "$label" ".zone.findings[] | select(.id == \"$id\") |
	    ([.summary] + .evidence) | join(\"\n\")" | grep -qF -- "$text" &&
	    [ -n "$(zq "$label" ".zone.findings[] | select(.id == \"$id\") |
	    .id")" ]; then
		ok "$label: $id${text:+ ($text)}"
	else
		fail "$label: no $id${text:+ with \"$text\"}"
		zq "$label" '.zone.findings[] | "    \(.id): \(.summary)"'
	fi
}

# only LABEL ID...: the zone findings are exactly these ids (sorted).
only() {
	local label=$1 got want
	shift
	# An empty or zone-less report has no findings either: not a pass.
	if [ -z "$(zq "$label" '.zone.name // empty')" ]; then
		fail "$label: no zone report"
		return
	fi
	got=$(zq "$label" '[.zone.findings[].id] | sort | join(" ")')
	want=$(printf '%s\n' "$@" | sort | xargs)
	if [ "$got" = "$want" ]; then ok "$label: findings [$want]"
	else fail "$label: findings [$got], want [$want]"; fi
}

echo "== clean: good.test from the root"
"$here/lab.sh" scenario clean >/dev/null
zone good 30 --parent "$ROOT4" good.test
expect_rc good 0
only good
n=$(zq good '.targets | length')
[ "$n" = 8 ] && ok "good: 8 addresses probed" ||
	fail "good: $n addresses probed, want 8"
[ "$(zq good '[.zone.servers[] | select(.answer == "authoritative")] |
    length')" = 8 ] && ok "good: 8 authoritative answers" ||
	fail "good: not every server authoritative"
[ "$(zq good '.zone.parent')" = "test." ] && ok "good: parent test." ||
	fail "good: parent $(zq good '.zone.parent')"
[ "$(zq good '[.zone.dnssec.ds[] | select(.matches_dnskey)] | length')" \
    -ge 1 ] && ok "good: the DS matches a DNSKEY" ||
	fail "good: no DS matches"
[ "$(zq good '[.zone.dnssec.rrsig[] | select(.valid | not)] | length')" \
    = 0 ] && [ "$(zq good '.zone.dnssec.rrsig | length')" -ge 3 ] &&
	ok "good: every RRSIG (SOA, NS, DNSKEY) verifies" ||
	fail "good: RRSIGs $(zq good '.zone.dnssec.rrsig')"
worst=$(zq good '[.targets[].findings[] | select(.severity != "info")] |
    length')
[ "$worst" = 0 ] && ok "good: no path finding on any address" ||
	fail "good: $worst path findings"
tshark -r "$out/good.pcapng" -c 1 >/dev/null 2>&1 &&
	ok "good: capture readable" || fail "good: capture unreadable"

# A root hints file in named.root form, as a resolver is given.
cat >"$out/hints" <<EOF
.                        3600000      NS    NS.ROOT-SERVERS.TEST.
NS.ROOT-SERVERS.TEST.    3600000      A     $ROOT4
EOF
zone hints 30 --hints "$out/hints" --no-path good.test
expect_rc hints 0
[ "$(zq hints '.targets | length')" = 0 ] && ok "hints: --no-path" ||
	fail "hints: --no-path probed"
[ "$(zq hints '.zone.servers | length')" = 8 ] &&
	ok "hints: the same 8 servers" || fail "hints: servers differ"

zone probe 30 --parent "$ROOT4" --no-raw probe.test
expect_rc probe 0
only probe

echo "== faults: one zone each"
zone nsdiff 30 --parent "$ROOT4" --no-path nsdiff.test
expect_rc nsdiff 2
has nsdiff ZONE_NS_MISMATCH "ns2.nsdiff.test. (parent only)"
has nsdiff ZONE_NS_MISMATCH "ns3.nsdiff.test. (child only)"

zone gluediff 30 --parent "$ROOT4" --no-path gluediff.test
expect_rc gluediff 2
has gluediff ZONE_GLUE_MISMATCH \
	"glue for ns2.gluediff.test. says 203.0.113.64, the zone says 203.0.113.63"
has gluediff ZONE_GLUE_MISMATCH \
	"says 2001:db8:53::64, the zone says 2001:db8:53::63"

zone noaddr 30 --parent "$ROOT4" --no-path noaddr.test
expect_rc noaddr 2
has noaddr ZONE_NS_NO_ADDRESS "ns2.noaddr.test."
only noaddr ZONE_NS_NO_ADDRESS

zone lame 30 --parent "$ROOT4" lame.test
expect_rc lame 2
has lame ZONE_LAME "@203.0.113.66 (ns2.lame.test.): SOA silent"
has lame ZONE_LAME "@2001:db8:53::66 (ns2.lame.test.): SOA silent"
has lame ZONE_LAME "@203.0.113.54 (ns3.lame.test.): SOA refused"
has lame ZONE_LAME "@2001:db8:53::54 (ns3.lame.test.): SOA refused"
[ "$(zq lame '.targets[] | select(.address == "203.0.113.66") |
    [.findings[].id] | join(" ")')" = NO_REPLY ] &&
	ok "lame: the silent address's path: NO_REPLY" ||
	fail "lame: .66 path $(zq lame '.targets[] |
	    select(.address == "203.0.113.66") | [.findings[].id]')"
ms=$(cat "$out/lame.ms")
[ "$ms" -lt 4500 ] && ok "lame: silent servers cost about one discovery timeout (2 s)" \
	"(${ms} ms)" || fail "lame: ${ms} ms with silent servers"

zone serial 30 --parent "$ROOT4" --no-path serial.test
expect_rc serial 2
has serial ZONE_SERIAL_MISMATCH "SOA serial 2026113002"
has serial ZONE_SERIAL_MISMATCH "SOA serial 2026113001"

zone cname 30 --parent "$ROOT4" --no-path cname.test
expect_rc cname 2
has cname ZONE_NS_CNAME "ns2.cname.test. CNAME ns1.cname.test."

zone dsbad 30 --parent "$ROOT4" --no-path dsbad.test
expect_rc dsbad 2
has dsbad DNSSEC_DS_NO_KEY "no such DNSKEY"
only dsbad DNSSEC_DS_NO_KEY

zone expired 30 --parent "$ROOT4" --no-path expired.test
expect_rc expired 2
has expired DNSSEC_RRSIG_EXPIRED "expired 2025-02-01"
only expired DNSSEC_RRSIG_EXPIRED

zone nsec3 30 --parent "$ROOT4" --no-path nsec3.test
expect_rc nsec3 0
only nsec3
[ "$(zq nsec3 '.zone.dnssec.nsec3')" = true ] &&
	ok "nsec3: NSEC3 seen, NSEC3PARAM present" || fail "nsec3: no NSEC3"

echo "== path: IPv6 fragments dropped, IPv4 not"
"$here/lab.sh" scenario frag6-drop >/dev/null
zone frag6 30 --parent "$ROOT4" --no-raw probe.test
expect_rc frag6 2
v6=$(zq frag6 '.targets[] | select(.family == 6) | [.findings[].id] |
    join(" ")')
v4=$(zq frag6 '.targets[] | select(.family == 4) | [.findings[] |
    select(.severity != "info") | .id] | join(" ")')
echo "$v6" | grep -q FRAG_IN_DROPPED && [ -z "$v4" ] &&
	ok "frag6: ::53 FRAG_IN_DROPPED, .53 clean" ||
	fail "frag6: v6 [$v6] v4 [$v4]"
"$here/lab.sh" scenario clean >/dev/null

echo "== speed: 8 addresses against 1"
timeout 30 ip netns exec ep-client "$bin" path --no-pcap --json -4 \
	@203.0.113.62 good.test >"$out/one.json" 2>/dev/null
one=$(jq -r .duration_ms "$out/one.json")
zone speed 30 --parent "$ROOT4" --no-pcap good.test
all=$(zq speed .duration_ms)
echo "  figures: one address ${one} ms, zone of 8 addresses ${all} ms"
[ -n "$one" ] && [ -n "$all" ] && [ "$all" -le $((one * 3 + 1000)) ] &&
	ok "speed: 8 addresses in ${all} ms, one in ${one} ms" ||
	fail "speed: 8 addresses in ${all} ms, one in ${one} ms"

# --rate is per server address: 20/s for good.test's 8 addresses and its
# parents' share is a cap of 180/s for the run; the probes on the wire
# (the capture keeps only them) must pass that bucket (depth 10, the
# pacer's burst; 2 packets of slack for the capture's clock).
zone rate 60 --parent "$ROOT4" --no-raw --rate 20 good.test
read -r sent low peak span < <(conform "$out/rate.pcapng" 180 10)
if [ "${sent:-0}" -gt 100 ] && awk -v l="$low" 'BEGIN { exit !(l >= -2) }'
then
	ok "rate: $sent packets in $span s conform to 20/s x 9 (lowest" \
		"bucket $low, busiest second $peak)"
else
	fail "rate: $sent packets, lowest bucket $low at 180/s"
fi

echo "== input"
zone nosuch 30 --parent "$ROOT4" nosuch.test
expect_rc nosuch 4
grep -q "nosuch.test. does not exist: NXDOMAIN" "$out/nosuch.err" &&
	ok "nosuch: says NXDOMAIN" || fail "nosuch: $(cat "$out/nosuch.err")"
zone notzone 30 --parent "$ROOT4" www.good.test
expect_rc notzone 4
grep -q "is not a zone" "$out/notzone.err" && ok "notzone: says so" ||
	fail "notzone: $(cat "$out/notzone.err")"
zone alias 30 --parent "$ROOT4" loop1.good.test
expect_rc alias 4
grep -q "is an alias (CNAME to loop2.good.test. at" "$out/alias.err" &&
	ok "alias: CNAME loop named, no hang" || fail "alias: $(cat "$out/alias.err")"
zone refused 30 --parent 203.0.113.54 good.test
expect_rc refused 9
grep -q "refused" "$out/refused.err" && ok "refused: says so" ||
	fail "refused: $(cat "$out/refused.err")"
zone silent 30 --parent 203.0.113.66 --timeout 2 good.test
expect_rc silent 9
grep -q "no server given by --parent answered" "$out/silent.err" &&
	ok "silent: says so in $(cat "$out/silent.ms") ms" ||
	fail "silent: $(cat "$out/silent.err")"
zone bound 30 --parent "$ROOT4" --max-addresses 3 good.test
expect_rc bound 0
has bound ZONE_ADDRESSES_LEFT_OUT "not checked:"
[ "$(zq bound '.targets | length')" = 3 ] && ok "bound: 3 probed" ||
	fail "bound: $(zq bound '.targets | length') probed"
for bad in "--max-addresses 0 good.test" "--max-addresses 65 good.test" \
    "--parent nonsense good.test" "@203.0.113.60 good.test" "" \
    ". --parent $ROOT4" "--hints /nonexistent good.test"; do
	# shellcheck disable=SC2086
	ip netns exec ep-client "$bin" zone $bad >/dev/null 2>"$out/bad.err"
	rc=$?
	[ "$rc" = 1 ] && [ -s "$out/bad.err" ] &&
		ok "bad input \"$bad\": exit 1, $(head -1 "$out/bad.err")" ||
		fail "bad input \"$bad\": exit $rc"
done
# SIGINT mid-run: exit 130, the capture so far readable.
ip netns exec ep-client "$bin" zone --json --pcap "$out/int.pcapng" \
	--parent "$ROOT4" lame.test >"$out/int.json" 2>"$out/int.err" &
pid=$!
sleep 0.6
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] && jq -e .interrupted "$out/int.json" >/dev/null &&
	tshark -r "$out/int.pcapng" >/dev/null 2>&1 &&
	ok "SIGINT: exit 130, report says interrupted, capture readable" ||
	fail "SIGINT: exit $rc"

finish lab_zone
