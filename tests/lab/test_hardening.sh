#!/usr/bin/env bash
# tests/lab/test_hardening.sh EDNSPROBE: the promises of docs/security.md,
# measured on the real binary in the lab:
#   rate     the packet-rate cap holds on the wire (tcpdump on the client's
#            interface, not our own capture) in every mode: ordinary
#            probes, raw probes, resends on a fragment-dropping path, TCP
#            on a path that drops it; every packet from the client counts
#            (pure ACKs and ICMP too): no 1-second window over the rate
#            + 10 (the bucket's depth);
#   farm     the same window check for a survey over the farm
#            (tests/lab/farm.sh) at --rate 200 and at --rate 20 (issue 19);
#   signals  SIGINT and SIGTERM at several moments of a run leave a report
#            marked interrupted and a capture tshark reads whole;
#   privs    mid-run the process holds no capability and is not root
#            (the sudo user, --user, or nobody), never turns on
#            promiscuous mode, and the files it wrote belong to the sudo
#            or --user user; symlinks are refused.
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
lab=$here/lab.sh
. "$here/lib.sh"
for t in tcpdump tshark; do
	command -v $t >/dev/null || { echo "$t is missing" >&2; exit 1; }
done
RATE=20		# packets per second: low, so the cap binds all run long
BURST=10	# the pacer's bucket depth (probe/engine/run.c PACE_BURST)

# Our packets: lib.sh's SENT, minus the libc name lookup of @NAME (to the
# lab's resolver, before the first probe: an A and an AAAA query, outside
# the run's loop).
NOT_RESOLVER='not (ip.dst == 192.0.2.153 or ipv6.dst == 2001:db8:2::53)'

# rate_run LABEL SCENARIO ARGS...: ednsprobe at --rate RATE under tcpdump.
rate_run() {
	local label=$1 sc=$2 pid n low win span
	shift 2
	"$lab" scenario "$sc" >/dev/null || { fail "lab scenario $sc"; return; }
	ip netns exec ep-client tcpdump --immediate-mode -U -n -i to-r1 \
		-w "$out/$label.wire" "$WIRE_BPF" 2>/dev/null &
	pid=$!
	sleep 0.5	# tcpdump attaches its filter
	ip netns exec ep-client "$bin" path --json --rate $RATE \
		--pcap "$out/$label.pcapng" "$@" >"$out/$label.json" \
		2>"$out/$label.err"
	echo $? >"$out/$label.rc"
	sleep 0.3
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	read -r n low win span < <(conform "$out/$label.wire" $RATE $BURST \
		"$NOT_RESOLVER")
	if [ "${n:-0}" -ge 10 ] && awk -v l="$low" 'BEGIN { exit !(l >= -1) }'
	then
		ok "$label: $n packets in ${span} s conform to $RATE/s" \
		    "burst $BURST (lowest bucket $low; busiest second $win)"
	else
		fail "$label: $n packets, bucket fell to $low (busiest" \
		    "second $win, cap $RATE/s burst $BURST)"
	fi
	expect_windows "$label" "$out/$label.wire" $RATE "$NOT_RESOLVER"
	if jq -e '.interrupted == false' "$out/$label.json" >/dev/null; then
		ok "$label: run complete ($(jq -r '.targets[].resume' \
		    "$out/$label.json" | tr '\n' ' '))"
	else fail "$label: $(head -c 300 "$out/$label.err")"; fi
}

# expect_windows LABEL FILE RATE [FILTER]: every packet from the client in
# FILE (lib.sh's WIRE: pure ACKs, FINs, ICMP too), no 1-second window over
# RATE + BURST.
expect_windows() {
	local n w at span
	read -r n w at span < <(windows "$2" "${4:-}")
	if [ "${n:-0}" -ge 10 ] && [ "$w" -le $(($3 + BURST)) ]; then
		ok "$1: wire: $n packets from the client in $span s, busiest" \
		    "1-s window $w <= $3 + $BURST (at ${at} s)"
	else
		fail "$1: wire: $n packets from the client, busiest 1-s" \
		    "window $w > $3 + $BURST (at ${at} s of $span)"
	fi
}

# farm_run LABEL RATE LIST: a survey of LIST at --rate RATE under tcpdump
# (the client's packets only); its duration in $out/LABEL.ms.
farm_run() {
	local label=$1 rate=$2 list=$3 pid t0 n
	ip netns exec ep-client tcpdump --immediate-mode -U -n -i to-r1 \
		-w "$out/$label.wire" "$WIRE_BPF" 2>/dev/null &
	pid=$!
	sleep 0.5
	t0=$(date +%s%N)
	timeout -k 2 120 ip netns exec ep-client "$bin" survey --rate "$rate" \
		--timeout 1 --pcap "$out/$label.pcapng" "$list" \
		>"$out/$label.jsonl" 2>"$out/$label.err"
	echo $? >"$out/$label.rc"
	echo $((($(date +%s%N) - t0) / 1000000)) >"$out/$label.ms"
	sleep 0.3
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	n=$(jq -s '[.[] | select(.type == "target")] | length' \
		"$out/$label.jsonl")
	if [ "$n" = "$(grep -c -v '^#' "$list")" ]; then
		ok "$label: $n targets in $(cat "$out/$label.ms") ms ($(jq -r \
		    -s '.[-1] | "\(.packets) packets charged"' \
		    "$out/$label.jsonl"))"
	else fail "$label: $n target lines (rc $(cat "$out/$label.rc")):" \
		"$(head -c 300 "$out/$label.err")"; fi
	expect_windows "$label" "$out/$label.wire" "$rate"
}

# The farm (EP_RATE_FARM_N addresses, a tenth each behind a fragment
# drop, a TCP drop, or silence): all of it at --rate 200, its first
# EP_RATE_FARM_SLOW lines at --rate 20; each under a minute.
check_farm() {
	local n=${EP_RATE_FARM_N:-40} slow=${EP_RATE_FARM_SLOW:-10}
	local state=${EP_LAB_STATE:-/run/ednsprobe-lab}
	[ -x "$here/farm.sh" ] || { fail "farm.sh missing"; return; }
	"$lab" scenario clean >/dev/null
	if ! "$here/farm.sh" up "$n" >"$out/farm.log" 2>&1; then
		fail "farm up"; tail -5 "$out/farm.log" | sed 's/^/    /'
		return
	fi
	cp "$state/farm.txt" "$out/farm.txt"
	grep -v '^#' "$out/farm.txt" | head -n "$slow" >"$out/farm-slow.txt"
	farm_run farm-rate200 200 "$out/farm.txt"
	farm_run farm-rate20 20 "$out/farm-slow.txt"
	"$here/farm.sh" down >/dev/null 2>&1
}

check_rate() {
	rate_run rate-udp-tcp clean --no-raw "@$server4" $zone
	rate_run rate-raw clean -6 "@$server6" $zone
	rate_run rate-frag-drop frag-drop "@$server4" $zone
	rate_run rate-tcp-drop tcp-drop --no-raw --timeout 2 "@$server4" $zone
	# Two targets at once (both families of the name server).
	rate_run rate-two-targets clean "@ns1.$zone" $zone
}

# signal_run LABEL SIGNAL DELAY: a slow run (TCP dropped, the rate cap
# at RATE: some 4 s) stopped by SIGNAL after DELAY seconds; the report
# goes to -o, as a user would.
signal_run() {
	local label=$1 sig=$2 delay=$3 pid n
	ip netns exec ep-client "$bin" path -o "$out/$label.json" \
		--pcap "$out/$label.pcapng" --timeout 5 --rate $RATE \
		"@$server4" $zone \
		>"$out/$label.out" 2>"$out/$label.err" &
	pid=$!
	sleep "$delay"
	kill "-$sig" "$pid"
	wait "$pid"
	echo $? >"$out/$label.rc"
	expect_rc "$label" 130
	n=$(tshark -r "$out/$label.pcapng" 2>/dev/null | wc -l)
	if jq -e '.interrupted == true' "$out/$label.json" >/dev/null &&
	    [ "$n" = "$(jq '.capture.frames' "$out/$label.json")" ] &&
	    grep -q INTERRUPTED "$out/$label.out"; then
		ok "$label: report says interrupted, tshark reads all $n" \
		    "frames"
	else fail "$label: $(jq -c '{interrupted, capture}' \
		"$out/$label.json" 2>&1 | head -c 300), tshark $n"; fi
}

check_signals() {
	"$lab" scenario tcp-drop >/dev/null || { fail "lab scenario"; return; }
	for sig in INT TERM; do
		for delay in 0.1 0.6 1.2; do
			signal_run "sig$sig-$delay" "$sig" "$delay"
		done
	done
	"$lab" scenario clean >/dev/null
}

# mid_run LABEL [VAR=VALUE... --] [ARGS...]: a slow run (TCP dropped) in
# the client namespace with the environment given; its /proc status
# (uid, gid, groups, capability sets, no_new_privs) 0.8 s in, in
# $out/LABEL.status, and the interface's promiscuity then, in
# $out/LABEL.promisc.
mid_run() {
	local label=$1 pid envs=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift || true
	ip netns exec ep-client env "${envs[@]}" "$bin" path \
		-o "$out/$label.json" --pcap "$out/$label.pcapng" --timeout 3 \
		"$@" "@$server4" $zone >"$out/$label.out" 2>"$out/$label.err" &
	pid=$!
	sleep 0.8
	grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' \
		"/proc/$pid/status" | tr -s '\t ' ' ' | tr '\n' '|' \
		>"$out/$label.status"
	ip netns exec ep-client ip -d link show to-r1 |
		grep -o 'promiscuity [0-9]*' >"$out/$label.promisc"
	wait "$pid"
	echo $? >"$out/$label.rc"
}

# expect_status LABEL UID GID: the process had become UID/GID, with no
# supplementary group, no capability in any set, no_new_privs.
expect_status() {
	local want="Uid: $2 $2 $2 $2|Gid: $3 $3 $3 $3|Groups: |CapInh: 0000000000000000|CapPrm: 0000000000000000|CapEff: 0000000000000000|CapBnd: 0000000000000000|CapAmb: 0000000000000000|NoNewPrivs: 1|"
	if [ "$(cat "$out/$1.status")" = "$want" ]; then
		ok "$1 mid-run: uid $2, gid $3, no group, no capability," \
		    "no_new_privs"
	else fail "$1 mid-run status: $(cat "$out/$1.status")"; fi
}

# expect_owner LABEL UID:GID: the report and the capture, both whole.
expect_owner() {
	if [ "$(stat -c %u:%g "$out/$1.json" "$out/$1.pcapng" | sort -u)" \
	    = "$2" ] && jq -e '.capture.frames > 0' "$out/$1.json" \
	    >/dev/null; then
		ok "$1: report and capture whole, owned by $2"
	else fail "$1 owners: $(stat -c '%n %u:%g' "$out/$1.json" \
		"$out/$1.pcapng" 2>&1 | tr '\n' ' ')"; fi
}

check_privs() {
	local before after nobody
	nobody=$(id -u nobody):$(id -g nobody)
	"$lab" scenario tcp-drop >/dev/null || { fail "lab scenario"; return; }
	before=$(ip netns exec ep-client ip -d link show to-r1 |
		grep -o 'promiscuity [0-9]*')
	# Through sudo (it sets SUDO_UID/SUDO_GID): the invoking user.
	mid_run sudo SUDO_UID=4242 SUDO_GID=4243 --
	expect_status sudo 4242 4243
	expect_rc sudo 2
	expect_owner sudo 4242:4243
	# Root itself: nobody, the files stay root's.
	mid_run root
	expect_status root "${nobody%:*}" "${nobody#*:}"
	expect_owner root 0:0
	# --user: that user, who gets the files.
	mid_run user -- --user daemon
	expect_status user "$(id -u daemon)" "$(id -g daemon)"
	expect_owner user "$(id -u daemon):$(id -g daemon)"
	after=$(ip netns exec ep-client ip -d link show to-r1 |
		grep -o 'promiscuity [0-9]*')
	"$lab" scenario clean >/dev/null
	if [ "$before|$(cat "$out/sudo.promisc")|$after" = \
	    "promiscuity 0|promiscuity 0|promiscuity 0" ]; then
		ok "interface never promiscuous (before, mid-run, after)"
	else fail "interface settings changed: $before|$(cat \
		"$out/sudo.promisc")|$after"; fi
	# A planted symlink is never followed (capture and report).
	ln -s /etc/ednsprobe-must-not-exist "$out/link.pcapng"
	ln -s /etc/ednsprobe-must-not-exist "$out/link.json"
	ip netns exec ep-client "$bin" path -o "$out/link.json" \
		"@$server4" $zone >/dev/null 2>"$out/link.err"
	echo $? >"$out/link.rc"
	ip netns exec ep-client "$bin" path --pcap "$out/link.pcapng" \
		--json "@$server4" $zone >"$out/link2.json" 2>/dev/null
	if [ ! -e /etc/ednsprobe-must-not-exist ] &&
	    [ "$(cat "$out/link.rc")" = 1 ] &&
	    jq -e '.capture_skipped | test("link")' "$out/link2.json" \
	    >/dev/null; then
		ok "symlinks refused: -o exits 1 at once ($(head -c 120 \
		    "$out/link.err")), the capture is skipped"
	else fail "symlink: rc $(cat "$out/link.rc"), $(jq -c \
		.capture_skipped "$out/link2.json" 2>&1)"; fi
	# analyze: a root-only file opened before the drop, read as nobody.
	cp "$out/root.pcapng" "$out/private.pcapng"
	chmod 600 "$out/private.pcapng"
	"$bin" analyze --json "$out/private.pcapng" >"$out/private.json" \
		2>"$out/private.err"
	if jq -e '.targets | length == 1' "$out/private.json" >/dev/null
	then ok "analyze reads a root-only file, then parses as nobody"
	else fail "analyze of a root-only file: $(head -c 200 \
		"$out/private.err")"; fi
}

echo "hardening"
trap '"$here/farm.sh" down >/dev/null 2>&1; rm -rf "$out"' EXIT
# EP_HARDENING_CHECKS: which checks (default all), e.g. "rate farm".
for c in ${EP_HARDENING_CHECKS:-rate farm signals privs}; do
	check_$c
done
"$lab" scenario clean >/dev/null
finish hardening
