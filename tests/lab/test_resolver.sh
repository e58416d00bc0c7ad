#!/usr/bin/env bash
# tests/lab/test_resolver.sh EDNSPROBE: `ednsprobe resolver` in the lab
# (issue 5) through the lab's validating Unbound (192.0.2.153), which
# resolves probe.test at NSD (.53): the resolver and NSD's two addresses
# probed in one run, each check the real binary from ep-client:
#   clean         no finding; DO honoured and AD set (Unbound validates)
#   behind        res-upstream-drop: the resolver cannot fetch the 2 kB
#                 DNSKEY (fragments and TCP dropped between it and NSD)
#                 while NSD gives it to us: RESOLVER_UPSTREAM_FAILS;
#                 res-frag-drop (fragments only): it copes over TCP
#   between       frag-drop-r1: fragments die on r1, on our way to the
#                 resolver too; the resolver has the answer (TCP):
#                 RESOLVER_PATH_LOSES
#   copes         frag-drop (r2): our direct path to NSD loses fragments,
#                 the resolver (TCP upstream) still delivers: RESOLVER_COPES
#   resolv.conf   --resolv-conf FILE as @RESOLVER; bad files, bad names
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
RES4=192.0.2.153

teardown() {
	"$here/lab.sh" scenario clean >/dev/null 2>&1
	[ -n "${EP_RESOLVER_KEEP:-}" ] && cp -r "$out" "$EP_RESOLVER_KEEP"
	rm -rf "$out"
}
trap teardown EXIT

# res LABEL ARGS...: one run in ep-client: JSON in $out/LABEL.json.
res() {
	local label=$1
	shift
	timed_run "$label" 60 "$out/$label.json" "$bin" resolver --json \
		--pcap "$out/$label.pcapng" "$@"
	json_valid "$out/$label.json" report
}

# ids LABEL ROLE: the non-info finding ids of the targets of ROLE
# (resolver findings of any severity for the resolver).
ids() {
	jq -r --arg r "$2" '[.targets[] | select(.role == $r) | .findings[] |
	    select(.severity != "info" or (.id | startswith("RESOLVER"))) |
	    .id] | unique | join(" ")' "$out/$1.json" 2>/dev/null
}

expect() {	# LABEL ROLE ID: ID among ROLE's findings
	if ids "$1" "$2" | grep -qw -- "$3"; then ok "$1: $2 $3"
	else fail "$1: $2 has [$(ids "$1" "$2")], want $3"; fi
}

echo "== clean"
"$here/lab.sh" scenario clean >/dev/null
res clean "@$RES4" probe.test
expect_rc clean 0
[ "$(jq -r '[.targets[].role] | sort | join(" ")' "$out/clean.json")" = \
    "authoritative authoritative resolver" ] &&
	ok "clean: the resolver and NSD's two addresses, found through it" ||
	fail "clean: roles $(jq -c '[.targets[] | [.role, .address]]' \
	    "$out/clean.json")"
[ -n "$(jq '.targets[] | select(.role == "resolver") | .address' \
    "$out/clean.json" 2>/dev/null)" ] && [ -z "$(ids clean resolver)" ] &&
	ok "clean: no finding" ||
	fail "clean: resolver findings [$(ids clean resolver)]"
# The DO answers through the resolver: RRSIG and AD (it validates).
ad=$(jq '[.targets[] | select(.role == "resolver") | .probes[] |
    select(.do and .rcode == "NOERROR" and .ad and .rrsig)] | length' \
    "$out/clean.json" 2>/dev/null)
[ "${ad:-0}" -gt 0 ] && ok "clean: AD on $ad answers" ||
	fail "clean: no AD (validation)"

echo "== behind the resolver"
"$here/lab.sh" scenario res-upstream-drop >/dev/null
res behind "@$RES4" probe.test
expect_rc behind 2
expect behind resolver RESOLVER_UPSTREAM_FAILS
[ "$(jq '[.targets[] | select(.role == "authoritative")] | length' \
    "$out/behind.json" 2>/dev/null)" = 2 ] &&
    [ -z "$(ids behind authoritative)" ] &&
	ok "behind: our own paths to NSD's 2 addresses are clean" ||
	fail "behind: NSD findings [$(ids behind authoritative)]"

# Fragments alone dropped behind the resolver: with its 1232-byte buffer
# Unbound gets TC and asks over TCP, so nothing is lost: no finding, and
# the 2 kB answer reaches us through it.
"$here/lab.sh" scenario res-frag-drop >/dev/null
res fragonly "@$RES4" probe.test
expect_rc fragonly 0
big=$(jq '.targets[] | select(.role == "resolver") |
    .path.udp_max_response // 0' "$out/fragonly.json" 2>/dev/null)
[ "${big:-0}" -ge 2000 ] && [ -z "$(ids fragonly resolver)" ] &&
	ok "fragonly: the resolver copes (TCP upstream): the ${big}-byte" \
		"answer reaches us, no finding" ||
	fail "fragonly: resolver findings [$(ids fragonly resolver)]"

echo "== between us and the resolver"
"$here/lab.sh" scenario frag-drop-r1 >/dev/null
res between "@$RES4" probe.test
expect_rc between 2
expect between resolver RESOLVER_PATH_LOSES
expect between resolver FRAG_IN_DROPPED

echo "== our direct path only"
"$here/lab.sh" scenario frag-drop >/dev/null
res copes "@$RES4" probe.test
expect_rc copes 2
expect copes resolver RESOLVER_COPES
expect copes authoritative FRAG_IN_DROPPED
"$here/lab.sh" scenario clean >/dev/null

echo "== resolv.conf and bad input"
printf '# lab\nsearch test\nnameserver %s\noptions edns0\n' "$RES4" \
	>"$out/resolv.conf"
res conf --resolv-conf "$out/resolv.conf" --no-raw probe.test
expect_rc conf 0
[ "$(jq -r '.targets[] | select(.role == "resolver") | .address' \
    "$out/conf.json")" = "$RES4" ] && ok "conf: the resolver from the file" ||
	fail "conf: $(jq -c '[.targets[].address]' "$out/conf.json")"
printf 'search test\n' >"$out/empty.conf"
for bad in "--resolv-conf $out/empty.conf" "--resolv-conf /nonexistent" \
    "--resolv-conf $out/resolv.conf @$RES4" "--compliance @$RES4"; do
	# shellcheck disable=SC2086
	ip netns exec ep-client "$bin" resolver $bad probe.test \
		>/dev/null 2>"$out/bad.err"
	rc=$?
	[ "$rc" = 1 ] && [ -s "$out/bad.err" ] &&
		ok "bad \"$bad\": exit 1: $(head -1 "$out/bad.err")" ||
		fail "bad \"$bad\": exit $rc"
done
ip netns exec ep-client "$bin" resolver @no-such-host.invalid probe.test \
	>/dev/null 2>"$out/bad.err"
rc=$?
[ "$rc" = 4 ] && ok "unresolvable resolver name: exit 4" ||
	fail "unresolvable resolver name: exit $rc"

finish lab_resolver
