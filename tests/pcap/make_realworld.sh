#!/usr/bin/env bash
# tests/pcap/make_realworld.sh BUILD-DIR: remake the captures of issue 22's
# wrong verdicts, as other tools take them: tcpdump on the lab client while
# dig asks the lab's NSD, or a lab reference capture cut with editcap and
# tshark (never files from other projects).  Then their expected outputs.
# Run as root under `flock /run/ep-lab.lock`; brings the lab up and down.
# tests/pcap/realworld.sh checks what each must (and must not) say.
#   realworld-tnames-v4/v6   names whose first label is t + letters/digits
#                            (test., tabc..., translate...): ordinary names
#   realworld-tcp-only-v4/v6 DNS over TCP only (dig +tcp): says nothing of UDP
#   realworld-port5300-v4/v6 a path run against a responder on port 5300
#                            (analyze --port 5300; the live JSON beside it)
#   frag-answers-only-v4/v6  the only EDNS answers came in IP fragments
#   snap80-v6, snap120-v4/v6 clean runs cut by a snap length
#   last-query-v4            the only query is the file's last frame
#   last3-v4                 a query as the last frame, after answers
#   one-way-v4               the client's packets only (an egress capture)
#   replies-only-v4          the server's packets only
#   cut-half-v4              the first 30000 bytes of a file (a full disk)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
bin=$build/ednsprobe
lab=$top/tests/lab/lab.sh
pcaps=$top/pcaps
list=$top/tests/pcap/TESTLIST
dump_pid=
cleanup() {
	[ -n "$dump_pid" ] && kill "$dump_pid" 2>/dev/null || true
	[ -n "${resp_pid:-}" ] && kill "$resp_pid" 2>/dev/null || true
	"$lab" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

# capture FILE CMD...: tcpdump on the client while CMD runs there.
capture() {
	local f=$1
	shift
	ip netns exec ep-client tcpdump -U -s 0 -i to-r1 -w "$f" \
		'port 53 or port 5300 or icmp or icmp6 or (ip[6:2] & 0x1fff != 0) or ip6[6] == 44 or ip6[6] == 0 or ip6[6] == 60' \
		2>/dev/null &
	dump_pid=$!
	sleep 1
	ip netns exec ep-client "$@" >/dev/null || true
	sleep 1
	kill "$dump_pid"
	wait "$dump_pid" 2>/dev/null || true
	dump_pid=
}

# EP_EDITS_ONLY=1: keep the lab's captures, remake the edited ones.
[ "${EP_EDITS_ONLY:-}" = 1 ] || "$lab" up >/dev/null
[ "${EP_EDITS_ONLY:-}" = 1 ] || "$lab" scenario clean >/dev/null
for fam in 4 6; do
	[ "${EP_EDITS_ONLY:-}" = 1 ] && break
	srv=203.0.113.53
	[ "$fam" = 6 ] && srv=2001:db8:53::53
	capture "$pcaps/realworld-tnames-v$fam.pcapng" sh -c "
		dig +tries=1 +time=2 @$srv test. SOA
		dig +tries=1 +time=2 @$srv t1abc.probe.test. A
		dig +tries=1 +time=2 @$srv translate.probe.test. AAAA
		dig +tries=1 +time=2 @$srv teredo.probe.test. A +dnssec"
	capture "$pcaps/realworld-tcp-only-v$fam.pcapng" sh -c "
		dig +tcp +tries=1 +time=2 @$srv probe.test. SOA
		dig +tcp +tries=1 +time=2 @$srv probe.test. DNSKEY +dnssec"
done
# DNS on another port: a responder on 5300, a whole path run against it
# (live JSON kept beside, for the same verdict from analyze --port 5300).
if [ "${EP_EDITS_ONLY:-}" != 1 ]; then
	ip netns exec ep-server "$bin" respond --zone resp.test \
		--listen 203.0.113.70:5300 --listen '[2001:db8:53::70]:5300' \
		>/dev/null 2>&1 &
	resp_pid=$!
	sleep 1
	for fam in 4 6; do
		srv=203.0.113.70
		[ "$fam" = 6 ] && srv=2001:db8:53::70
		capture "$pcaps/realworld-port5300-v$fam.pcapng" sh -c "
			'$bin' path --no-pcap --json -p 5300 @$srv resp.test \
			>'$top/tests/pcap/expected/realworld-port5300-v$fam.live.json'"
	done
	kill "$resp_pid"
	wait "$resp_pid" 2>/dev/null || true
	resp_pid=
fi
[ "${EP_EDITS_ONLY:-}" = 1 ] || "$lab" down >/dev/null

# Edited from the lab's reference captures.
for fam in 4 6; do
	editcap -r "$pcaps/clean-v$fam.pcapng" \
		"$pcaps/frag-answers-only-v$fam.pcapng" 1-2 22-27
	editcap -s 120 "$pcaps/clean-v$fam.pcapng" "$pcaps/snap120-v$fam.pcapng"
done
editcap -s 80 "$pcaps/clean-v6.pcapng" "$pcaps/snap80-v6.pcapng"
editcap -r "$pcaps/clean-v4.pcapng" "$pcaps/last-query-v4.pcapng" 1
editcap -r "$pcaps/clean-v4.pcapng" "$pcaps/last3-v4.pcapng" 1-3
tshark -r "$pcaps/clean-v4.pcapng" -Y 'ip.src == 192.0.2.10' \
	-w "$pcaps/one-way-v4.pcapng" 2>/dev/null
tshark -r "$pcaps/clean-v4.pcapng" -Y 'ip.src == 203.0.113.53' \
	-w "$pcaps/replies-only-v4.pcapng" 2>/dev/null
head -c 30000 "$pcaps/clean-v4.pcapng" >"$pcaps/cut-half-v4.pcapng"

for name in realworld-tnames-v4 realworld-tnames-v6 realworld-tcp-only-v4 \
    realworld-tcp-only-v6 frag-answers-only-v4 frag-answers-only-v6 \
    snap80-v6 snap120-v4 snap120-v6 last-query-v4 last3-v4 one-way-v4 \
    replies-only-v4 cut-half-v4; do
	EP_REGRESS_UPDATE=1 "$top/tests/pcap/regress.sh" "$bin" "$name" \
		"$pcaps/$name.pcapng"
	grep -q "^$name " "$list" || echo "$name $name.pcapng" >>"$list"
done
# DNS on port 5300: analyze --port 5300 (regress.sh's EP_ANALYZE_ARGS).
for name in realworld-port5300-v4 realworld-port5300-v6; do
	grep -q "^$name " "$list" || echo "$name $name.pcapng -p 5300" >>"$list"
	EP_ANALYZE_ARGS="-p 5300" EP_REGRESS_UPDATE=1 \
		"$top/tests/pcap/regress.sh" "$bin" "$name" "$pcaps/$name.pcapng"
done
