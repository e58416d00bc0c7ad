#!/usr/bin/env bash
# tests/lab/farm.sh: a "server farm" on top of the running lab (lab.sh up),
# for survey-at-scale tests: many server addresses, one extra NSD serving
# probe.test on all of them, and faults on r2 for part of them.
#
#   farm.sh up [N]    add the farm (N addresses in all, default 1000, at
#                     most 2000); removes an old farm first
#   farm.sh down      remove everything the farm made (idempotent; safe
#                     when the lab is down)
#
# Addresses, on ep-server's to-r2 (r2 reaches them through its connected
# routes for 203.0.113.0/24 and 2001:db8:53::/64):
#   IPv4  n4 = min(N / 5, 150) of them: 203.0.113.100 upward (to .249)
#   IPv6  the other N - n4: 2001:db8:53::1:0, ::1:1, ... (hex) upward
# The lab's own servers (.53-.56, ::53-::56) and test_hostile.sh's .66/::66
# are outside these ranges.
#
# Order: farm.txt interleaves the families.  In the first 2 * n4 lines they
# alternate, and the alternation flips every 10 lines (lines 0-9: IPv4 on
# even lines, 10-19: IPv4 on odd lines, ...) so that each family gets every
# fault class below; the remaining lines are IPv6.
#
# Faults, by the 0-based line k of an address in farm.txt (comments not
# counted), on r2 in the nftables table "inet ep_farm" (chain forward, one
# set per fault class and family), on top of whatever lab.sh scenario is
# active (lab.sh's scenarios replace only its own table, "inet eplab"):
#   k % 10 == 3   frag-in-drop  fragments from that address dropped (IPv4 MF
#                               or offset != 0; IPv6 Fragment header)
#   k % 10 == 6   tcp-drop      TCP to and from its port 53 dropped
#   k % 10 == 9   silent        every packet to that address dropped
#   otherwise     clean
#
# NSD: one extra instance in ep-server (nsd -d, server-count 1, no remote
# control), config $STATE/nsd.farm.conf, one "ip-address:" per farm address,
# the lab's signed probe.test zone file, EDNS size 4096 as the lab's NSD.
# It needs two sockets per address (UDP and TCP), more than the usual limit
# of 1024 descriptors, so its subshell raises "ulimit -n" first.  Started
# the way lab.sh starts its daemons (own session, no inherited descriptor),
# its PID recorded in $STATE/nsd.farm.lab.pid and stopped by that PID.
#
# Files in $STATE (lab.sh down removes the state dir with them):
#   farm.txt           "ADDRESS probe.test" per target; "#" starts a comment
#   farm-expected.txt  "ADDRESS FAULT" per target, in the same order; FAULT
#                      is clean, frag-in-drop, tcp-drop or silent
#   farm.up            the farm's marker (lab.sh down runs farm.sh down
#                      when it exists)
#   nsd.farm.*         NSD's config, pid files, log, zone list, xfrd state
#
# Locking: like lab.sh, farm.sh takes the lock on lab.sh's file, so it never
# runs during a lab.sh up/down/scenario.  lab.sh down, which holds that lock
# already, calls "EP_LAB_LOCKED=1 farm.sh down".
#
# Only lab addresses (documentation prefixes); the NSD is stopped by the PID
# this script recorded, never by name.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${EP_LAB_STATE:-/run/ednsprobe-lab}
MARKER=.ednsprobe-lab	# lab.sh's marker in the state dir
FARM_MARKER=$STATE/farm.up

SERVER_NS=ep-server
SERVER_IF=to-r2
ROUTER_NS=ep-r2
CLIENT=ep-client
ZONE=probe.test
ZONEFILE=$STATE/probe.test.zone.signed	# the one lab.sh signs and NSD serves
NFT_TABLE="inet ep_farm"	# not lab.sh's "inet eplab"
CONF=$STATE/nsd.farm.conf
PIDFILE=$STATE/nsd.farm.lab.pid	# the PID we started
NSD_PIDFILE=$STATE/nsd.farm.pid	# NSD's own (the same PID)
V4_BASE=203.0.113	# .100 upward
V4_FIRST=100
V4_MAX=150	# .100-.249
V6_PREFIX=2001:db8:53::1:	# ::1:0 upward, hex
N_DEFAULT=1000
N_MAX=2000
WAIT_SECONDS=20

say() { echo "farm: $*"; }
warn() { echo "farm: $*" >&2; }
die() { echo "farm: error: $*" >&2; exit 1; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ns_exists() { [ -e "/run/netns/$1" ]; }
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

need_root() {
	[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces)"
}

# The lock lab.sh takes (on its own file): not while lab.sh's caller holds
# it for us (EP_LAB_LOCKED=1, set by lab.sh down).
take_lock() {
	[ "${EP_LAB_LOCKED:-}" = 1 ] && return 0
	exec 9<"$here/lab.sh"
	flock -w 120 9 || die "a lab.sh up/down/scenario holds the lock"
}

# ---------------------------------------------------------------- the NSD

alive() {	# PID: exists, not a zombie
	local st
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
		"/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# is_farm_nsd PID: an nsd with the farm's config (its forked main and server
# processes have the same command line).
is_farm_nsd() {
	local pid=$1 exe cmd
	alive "$pid" || return 1
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	[ "${exe##*/}" = nsd ] || return 1
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmd == *"-c $CONF "* ]]
}

# The farm NSD's processes inside ep-server (the one we started and the
# two it forked).
farm_pids() {
	local pid
	ns_exists "$SERVER_NS" || return 0
	for pid in $(ip netns pids "$SERVER_NS" 2>/dev/null); do
		if is_farm_nsd "$pid"; then
			echo "$pid"
		fi
	done
}

# TERM the PID we recorded (NSD 4.6 -d: it is xfrd; TERM shuts down its
# main and server processes too), KILL after 5 s; then KILL any farm NSD
# process still left in ep-server (children after a KILL).
stop_nsd() {
	local pid=""
	[ -s "$PIDFILE" ] && pid=$(tr -dc 0-9 <"$PIDFILE")
	if [ -n "$pid" ] && is_farm_nsd "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 50); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			warn "NSD (PID $pid) ignored TERM for 5 s: KILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	for pid in $(farm_pids); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	rm -f "$PIDFILE" "$NSD_PIDFILE"
}

close_fds() {	# every descriptor above 2 of the current (sub)shell
	local f n
	for f in /proc/"$BASHPID"/fd/*; do
		n=${f##*/}
		if [ "$n" -gt 2 ] 2>/dev/null; then
			eval "exec $n>&-" 2>/dev/null || true
		fi
	done
}

write_conf() {	# ADDRESS...
	local a
	mkdir -p "$STATE/nsd.farm.xfr"
	{
		cat <<-EOF
		# nsd.conf of the ednsprobe lab's server farm (tests/lab/farm.sh):
		# the lab's signed $ZONE on $# addresses, like the lab's NSD.
		server:
			server-count: 1
		EOF
		for a in "$@"; do
			printf '\tip-address: %s\n' "$a"
		done
		cat <<-EOF
			port: 53
			do-ip4: yes
			do-ip6: yes
			reuseport: no
			username: ""
			chroot: ""
			database: ""
			zonesdir: "$STATE"
			zonelistfile: "$STATE/nsd.farm.zonelist"
			xfrdfile: "$STATE/nsd.farm.xfrd.state"
			xfrdir: "$STATE/nsd.farm.xfr"
			pidfile: "$NSD_PIDFILE"
			logfile: "$STATE/nsd.farm.log"
			verbosity: 1
			hide-version: yes
			identity: "ednsprobe-farm"
			ipv4-edns-size: 4096
			ipv6-edns-size: 4096
			minimal-responses: yes
			# One NSD answers for every farm address, so a survey
			# at 1000 queries/s from one client is, to NSD, one
			# source far over its response rate limit (200/s by
			# default): it would answer with truncated "slips" and
			# drop the rest, and the targets would look broken.
			rrl-ratelimit: 0
			rrl-whitelist-ratelimit: 0
			round-robin: no
			zonefiles-write: 0
		remote-control:
			control-enable: no
		zone:
			name: "$ZONE."
			zonefile: "$ZONEFILE"
		EOF
	} >"$CONF"
	nsd-checkconf "$CONF" || die "$CONF does not check (nsd-checkconf)"
}

# NSD opens one UDP and one TCP socket per address at start, and later up
# to tcp-count (100) connections and its files; with fewer descriptors than
# that it fails at the first socket() past the limit.  raise_nofile NEED, in start_nsd's subshell: the soft
# limit to NEED, and the hard one too if it is lower (root may, unless the
# container forbids it).  The caller's limits stay as they are.
raise_nofile() {
	local need=$1 soft hard
	soft=$(ulimit -Sn) hard=$(ulimit -Hn)
	[ "$soft" = unlimited ] || ((soft >= need)) && return 0
	if [ "$hard" != unlimited ] && ((hard < need)); then
		ulimit -Hn "$need" 2>/dev/null || return 1
	fi
	ulimit -Sn "$need"
}

nofile_need() { echo $((2 * $1 + 512)); }	# N addresses

# As lab.sh's start_daemon: own session, no inherited descriptor (our lock,
# a caller's pipe), output to nsd.farm.out; subshell, setsid and "ip netns
# exec" all exec, so $! is NSD's PID.
start_nsd() {	# N
	local need
	need=$(nofile_need "$1")
	(
		close_fds
		raise_nofile "$need" || exit 1
		exec setsid ip netns exec "$SERVER_NS" nsd -d -c "$CONF" \
			</dev/null >>"$STATE/nsd.farm.out" 2>&1
	) &
	echo $! >"$PIDFILE"
}

soa_aa() {	# ADDRESS: SOA probe.test with AA, from the client
	local out
	out=$(nsx "$CLIENT" dig +norec +time=1 +tries=1 "@$1" "$ZONE" SOA) ||
		return 1
	[[ $out == *"status: NOERROR"* ]] &&
		[[ $(grep '^;; flags:' <<<"$out") == *" aa"* ]]
}

# wait_nsd ADDRESS...: each answers SOA with AA (polled every 0.1 s), at
# most WAIT_SECONDS, while NSD lives.
wait_nsd() {
	local deadline=$((SECONDS + WAIT_SECONDS)) a pid
	pid=$(cat "$PIDFILE")
	for a in "$@"; do
		until soa_aa "$a"; do
			if ! alive "$pid"; then
				tail -n 15 "$STATE/nsd.farm.out" \
					"$STATE/nsd.farm.log" 2>/dev/null |
					sed 's/^/    /' >&2 || true
				die "the farm NSD exited (log above)"
			fi
			((SECONDS < deadline)) ||
				die "the farm NSD gives no AA answer on $a" \
					"within ${WAIT_SECONDS}s"
			sleep 0.1
		done
	done
}

# NSD listens on every farm address: count its UDP and TCP sockets on
# port 53 (the lab's other servers use other addresses).
check_sockets() {	# N
	local want=$1 udp tcp
	udp=$(nsx "$SERVER_NS" ss -Hlnu "sport = :53" |
		grep -cE " (203\.0\.113\.(1[0-9][0-9]|2[0-4][0-9])|\[2001:db8:53::1:[0-9a-f]+\]):53 ") || true
	tcp=$(nsx "$SERVER_NS" ss -Hlnt "sport = :53" |
		grep -cE " (203\.0\.113\.(1[0-9][0-9]|2[0-4][0-9])|\[2001:db8:53::1:[0-9a-f]+\]):53 ") || true
	if [ "$udp" != "$want" ] || [ "$tcp" != "$want" ]; then
		die "the farm NSD listens on $udp UDP and $tcp TCP farm" \
			"sockets, want $want each"
	fi
}

rss_kb() {	# the farm NSD's resident memory, all its processes, in kB
	local pid sum=0 kb
	for pid in $(farm_pids); do
		kb=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' \
			"/proc/$pid/status" 2>/dev/null) || kb=0
		sum=$((sum + ${kb:-0}))
	done
	echo "$sum"
}

# -------------------------------------------------------- addresses, faults

# The farm's addresses now on ep-server's to-r2, with their prefix length.
farm_addrs_present() {
	ns_exists "$SERVER_NS" || return 0
	ip -n "$SERVER_NS" -o addr show dev "$SERVER_IF" 2>/dev/null |
		awk '{ print $4 }' |
		grep -E '^(203\.0\.113\.(1[0-9][0-9]|2[0-4][0-9])/24|2001:db8:53::1:[0-9a-f]{1,4}/64)$' ||
		true
}

del_addrs() {
	local list
	list=$(farm_addrs_present)
	[ -n "$list" ] || return 0
	sed "s|^|addr del |; s|\$| dev $SERVER_IF|" <<<"$list" |
		nsx "$SERVER_NS" ip -force -batch - ||
		warn "some farm addresses could not be deleted"
}

add_addrs() {	# ADDRESS...: one ip -batch, nodad for IPv6
	local a
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			echo "addr add $a/64 dev $SERVER_IF nodad"
		else
			echo "addr add $a/24 dev $SERVER_IF"
		fi
	done | nsx "$SERVER_NS" ip -batch - ||
		die "cannot add the farm addresses to $SERVER_NS $SERVER_IF"
}

del_table() {
	ns_exists "$ROUTER_NS" || return 0
	nsx "$ROUTER_NS" nft -f - <<-EOF
	add table $NFT_TABLE
	delete table $NFT_TABLE
	EOF
}

nft_set() {	# NAME TYPE ADDRESS...: a set, its elements if any
	local name=$1 type=$2 elems
	shift 2
	if [ $# -eq 0 ]; then
		echo "set $name { type $type; }"
	else
		elems=$(printf '%s, ' "$@")
		echo "set $name { type $type; elements = { ${elems%, } }; }"
	fi
}

# load_faults: the table, with its six sets from the arrays f_frag4 ...
load_faults() {
	nsx "$ROUTER_NS" nft -f - <<-EOF
	add table $NFT_TABLE
	delete table $NFT_TABLE
	table $NFT_TABLE {
		$(nft_set frag4 ipv4_addr ${f_frag4[@]+"${f_frag4[@]}"})
		$(nft_set frag6 ipv6_addr ${f_frag6[@]+"${f_frag6[@]}"})
		$(nft_set tcp4 ipv4_addr ${f_tcp4[@]+"${f_tcp4[@]}"})
		$(nft_set tcp6 ipv6_addr ${f_tcp6[@]+"${f_tcp6[@]}"})
		$(nft_set silent4 ipv4_addr ${f_silent4[@]+"${f_silent4[@]}"})
		$(nft_set silent6 ipv6_addr ${f_silent6[@]+"${f_silent6[@]}"})
		chain forward {
			type filter hook forward priority filter; policy accept;
			ip saddr @frag4 ip frag-off & 0x3fff != 0 counter drop
			ip6 saddr @frag6 exthdr frag exists counter drop
			ip daddr @tcp4 tcp dport 53 counter drop
			ip saddr @tcp4 tcp sport 53 counter drop
			ip6 daddr @tcp6 tcp dport 53 counter drop
			ip6 saddr @tcp6 tcp sport 53 counter drop
			ip daddr @silent4 counter drop
			ip6 daddr @silent6 counter drop
		}
	}
	EOF
}

# plan N: fills addrs (farm.txt order), faults, f_* sets, n4, n6.
plan() {
	local n=$1 k i4=0 i6=0 a fam f
	n4=$((n / 5))
	((n4 <= V4_MAX)) || n4=$V4_MAX
	n6=$((n - n4))
	addrs=() faults=()
	f_frag4=() f_frag6=() f_tcp4=() f_tcp6=() f_silent4=() f_silent6=()
	for ((k = 0; k < n; k++)); do
		if ((k < 2 * n4 && (k + k / 10) % 2 == 0)); then
			a=$V4_BASE.$((V4_FIRST + i4))
			i4=$((i4 + 1))
			fam=4
		else
			printf -v a "%s%x" "$V6_PREFIX" "$i6"
			i6=$((i6 + 1))
			fam=6
		fi
		case $((k % 10)):$fam in
		3:4) f="frag-in-drop"; f_frag4+=("$a") ;;
		3:6) f="frag-in-drop"; f_frag6+=("$a") ;;
		6:4) f="tcp-drop"; f_tcp4+=("$a") ;;
		6:6) f="tcp-drop"; f_tcp6+=("$a") ;;
		9:4) f=silent; f_silent4+=("$a") ;;
		9:6) f=silent; f_silent6+=("$a") ;;
		*) f=clean ;;
		esac
		addrs+=("$a")
		faults+=("$f")
	done
	((i4 == n4 && i6 == n6)) || die "internal: planned $i4 + $i6 addresses"
}

write_lists() {
	local k
	{
		echo "# ednsprobe lab server farm (tests/lab/farm.sh up ${#addrs[@]}):" \
			"targets, ADDRESS ZONE; faults in farm-expected.txt"
		for k in "${!addrs[@]}"; do
			echo "${addrs[k]} $ZONE"
		done
	} >"$STATE/farm.txt"
	for k in "${!addrs[@]}"; do
		echo "${addrs[k]} ${faults[k]}"
	done >"$STATE/farm-expected.txt"
}

# ------------------------------------------------------------- commands

# Everything the farm made, whatever is left of it; the lab is untouched.
teardown() {
	stop_nsd
	del_addrs
	del_table
	rm -rf "$CONF" "$STATE"/nsd.farm.* "$STATE/farm.txt" \
		"$STATE/farm-expected.txt" "$FARM_MARKER"
}

cmd_up() {
	local n=${1:-$N_DEFAULT} t0 first4 last4 first6 last6 c k pid
	local -a addrs faults f_frag4 f_frag6 f_tcp4 f_tcp6 f_silent4 f_silent6
	local n4 n6
	if ! [[ $n =~ ^[0-9]{1,4}$ ]] || ((10#$n < 1 || 10#$n > N_MAX)); then
		die "N must be 1 to $N_MAX, not '$n'"
	fi
	n=$((10#$n))
	need_root
	for c in nsd nsd-checkconf nft dig ss flock setsid; do
		command -v "$c" >/dev/null || die "needs $c"
	done
	t0=$(now_us)
	take_lock
	if [ ! -e "$STATE/$MARKER" ] || ! ns_exists "$SERVER_NS" ||
	    ! ns_exists "$ROUTER_NS" || ! ns_exists "$CLIENT"; then
		die "the lab is not up (lab.sh up)"
	fi
	[ -s "$ZONEFILE" ] || die "no $ZONEFILE (lab.sh up makes it)"
	# r2 reaches the farm through its connected routes to ep-server.
	if ! ip -n "$ROUTER_NS" -4 route get "$V4_BASE.$V4_FIRST" |
	    grep -q "dev to-server" ||
	    ! ip -n "$ROUTER_NS" -6 route get "${V6_PREFIX}0" |
	    grep -q "dev to-server"; then
		die "r2 has no route to the farm addresses via to-server"
	fi
	# The descriptor limit NSD will get (checked here, where "die" is
	# heard; start_nsd's subshell raises it the same way).
	if ! (raise_nofile "$(nofile_need "$n")"); then
		die "NSD needs $(nofile_need "$n") open files for $n addresses;" \
			"the hard limit is $(ulimit -Hn) and cannot be raised" \
			"here (ulimit -Hn)"
	fi
	teardown
	# shellcheck disable=SC2154
	trap 'rc=$?; if [ $rc -ne 0 ]; then
		warn "up failed (exit $rc): removing the farm"; teardown; fi' EXIT
	: >"$FARM_MARKER"
	plan "$n"
	add_addrs "${addrs[@]}"
	write_conf "${addrs[@]}"
	start_nsd "$n"
	# The first and last address of each family, before the faults.
	first4=$V4_BASE.$V4_FIRST last4=$V4_BASE.$((V4_FIRST + n4 - 1))
	first6=${V6_PREFIX}0 last6=$(printf '%s%x' "$V6_PREFIX" $((n6 - 1)))
	local check=()
	((n4 > 0)) && check+=("$first4" "$last4")
	((n6 > 0)) && check+=("$first6" "$last6")
	wait_nsd "${check[@]}"
	check_sockets "$n"
	load_faults
	write_lists
	trap - EXIT
	declare -A count=([clean]=0 [frag-in-drop]=0 [tcp-drop]=0 [silent]=0)
	for c in "${faults[@]}"; do
		count[$c]=$((count[$c] + 1))
	done
	pid=$(cat "$PIDFILE")
	k=$(( ($(now_us) - t0) / 1000 ))
	local r4="" r6=""
	((n4 > 0)) && r4=" $first4-$last4"
	((n6 > 0)) && r6=" $first6-$last6"
	say "up: $n addresses ($n4 IPv4$r4, $n6 IPv6$r6)," \
		"NSD PID $pid RSS $(($(rss_kb) / 1024)) MB;" \
		"clean ${count[clean]}, frag-in-drop ${count[frag-in-drop]}," \
		"tcp-drop ${count[tcp-drop]}, silent ${count[silent]};" \
		"took $((k / 1000)).$(printf '%03d' $((k % 1000))) s"
	say "targets $STATE/farm.txt, faults $STATE/farm-expected.txt"
}

cmd_down() {
	need_root
	take_lock
	teardown
	say "down"
}

usage() {
	cat >&2 <<-EOF
	usage: farm.sh up [N] | down
	  up N: N farm addresses (1 to $N_MAX, default $N_DEFAULT) on ep-server
	state dir: $STATE (env EP_LAB_STATE)
	EOF
	exit 1
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	up) [ $# -le 1 ] || usage; cmd_up "$@" ;;
	down) [ $# -eq 0 ] || usage; cmd_down ;;
	*) usage ;;
	esac
}

main "$@"
