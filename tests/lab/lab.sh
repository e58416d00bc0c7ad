#!/usr/bin/env bash
# tests/lab/lab.sh: the network-namespace lab of ednsprobe.  Real servers
# (NSD authoritative, Unbound validating resolver; BIND 9, Knot DNS and
# PowerDNS authoritative for the compliance tests), real routers (Linux
# forwarding between namespaces) and real faults (nftables rules, MTUs) on
# the path, so that ednsprobe measures the kernel, not a simulation.
#
#   lab.sh up               build the lab (tears down any previous one first)
#   lab.sh down             remove everything the lab made (idempotent)
#   lab.sh scenario NAME    remove every fault, then apply fault NAME
#   lab.sh scenarios        list the scenario names
#   lab.sh exec CMD...      run CMD in the client namespace
#   lab.sh status           namespaces, addresses, daemons, scenario
#
# State (keys, signed zones, configs, pid files, logs, sizes.txt, ds.txt,
# root-anchor.txt, zones-expected.txt,
# current_scenario): $EP_LAB_STATE, default /run/ednsprobe-lab.
#
# Topology (5 namespaces, veth pairs, dual stack, MTU 1500 unless a
# scenario lowers the r1-r2 link).  In each namespace the interface facing
# namespace ep-X is called "to-X" (ep-r1: to-client, to-r2, to-res).
#
#   192.0.2.0/25           198.51.100.0/24            203.0.113.0/24
#   2001:db8:1::/64        2001:db8:12::/64           2001:db8:53::/64
#                          (fault MTU here)
# +-----------+ .1  +-------+ .1        .2 +-------+ .1    +-------------+
# | ep-client |-----| ep-r1 |--------------| ep-r2 |-------|  ep-server  |
# | .10 ::10  | ::1 +-------+ ::1      ::2 +-------+ ::1   |  .53 ::53   |
# +-----------+         | .129 ::1       (fault rules)     |  NSD        |
#                       |                                  |  .54 ::54   |
#                       |                                  |  BIND 9     |
#                       |                                  |  .55 ::55   |
#                       |                                  |  Knot DNS   |
#                       |                                  |  .56 ::56   |
#                       |                                  |  PowerDNS   |
#                       |                                  |  .70 ::70   |
#                       |                                  |  (respond)  |
#                       |                                  +-------------+
#                       | 192.0.2.128/25, 2001:db8:2::/64
#                 +-----------+
#                 |  ep-res   |
#                 | .153 ::53 |
#                 |  Unbound  |
#                 +-----------+
#
# The resolver hangs off r1, so its queries to the authoritative server
# cross r1 and r2 just like the client's: a fault on r2's forward path hits
# both.  Every end host has default routes via its router; r1's default is
# r2; r2 routes the client and resolver nets back via r1.
#
# The four authoritative servers share ep-server's to-r2 interface, one
# address pair each (NSD binds only .53 and ::53), and serve the same
# signed zone file.  NSD serves the path tests and the resolver; BIND 9
# (.54), Knot DNS (.55) and PowerDNS with its bind backend (.56) are for
# the compliance tests and keep their own EDNS defaults (buffer size,
# cookies); authoritative only, they send no packet of their own.
#
# A DNS hierarchy for the zone command (tests/lab/zones.sh, sourced here):
# four more NSD instances on ep-server serve a root zone (.60 ::60), the
# TLD test. (.61 ::61), and child zones with delegation and DNSSEC faults
# (.62-.65 ::62-::65, a stale copy on .67 ::67; .66 ::66 is silent).
# test. delegates probe.test to the NSD above with its DS.
#
# Why the routers are stateless: no conntrack rule exists anywhere in the
# lab.  As soon as a namespace uses conntrack, the kernel reassembles IP
# fragments (nf_defrag) before any rule sees them, so "drop fragments" would
# match nothing and the routers would forward reassembled datagrams that
# never existed on the wire.  Every rule here matches single packets.
#
# Scenarios (the fault is on r2, in its forward hook, unless said otherwise):
#   clean           no fault
#   mtu1280         MTU 1280 on both ends of r1-r2; routers send ICMP
#                   frag-needed / packet-too-big (rate limits off)
#   frag-drop       drop IPv4 fragments (MF or offset != 0) and IPv6 packets
#                   with a Fragment header, both directions
#   tcp-drop        drop TCP to/from port 53 silently
#   tcp-reset       answer TCP to port 53 with a TCP reset
#   udp512          drop UDP/53 packets whose UDP length exceeds 520 (payload
#                   > 512): an old "DNS inspection" rule
#   edns-drop       drop UDP queries to port 53 with ARCOUNT != 0 (EDNS)
#   loss5           drop 5 % of forwarded packets at random, both directions
#   pmtu-blackhole  MTU 1280 on r1-r2 and ICMP frag-needed / packet-too-big
#                   dropped on both routers (forward and output hooks)
#   frag-nonfirst-drop  drop non-first fragments only (IPv4 and IPv6): the
#                   first fragment, with the UDP ports, passes
#   frag-first-drop drop first fragments only: the rest arrive headless
#   frag6-drop      drop IPv6 packets with a Fragment header; IPv4 passes
#   host-drop       the client's own input firewall drops UDP DNS answers
#                   over 1500 bytes: the wire has them, the socket not
#   frag-out-drop   r2 drops fragments coming from the client side only
#   frag-in-drop    r2 drops fragments coming from the server side only
#   frag-drop-r1    frag-drop, but on r1 (one hop closer to the client)
#   mtu-out1280     route MTU 1280 toward the servers (r1's default
#                   route), 1500 back: a path MTU that differs by direction
#   mtu-in1280      route MTU 1280 back toward the client (r2), 1500 out
#   res-upstream-drop  on r1, between the resolver's net and the servers'
#                   only: drop IP fragments and TCP/53: the resolver cannot
#                   fetch a large answer (UDP truncated at its 1232-byte
#                   buffer, TCP dropped); the client's own paths are clean
#   res-frag-drop   res-upstream-drop's fragment rules alone (TCP passes):
#                   a resolver with a 1232-byte buffer takes TC and TCP
#   ednsopt-drop    drop UDP queries to port 53 whose OPT record carries
#                   options (RDLENGTH != 0), read at its offset in a query
#                   for probe.test's apex: a DNS-aware filter that drops
#                   EDNS options (compliance: COMPLY_PATH_DROPS)
#   tcp-drop-r1     tcp-drop, but on r1 (one hop closer to the client)
#   ratelimit       the routers' ICMP rate limits at the Linux defaults
#                   (1000 ms: a burst of 6, then 1 per second per
#                   destination; IPv6 scaled by the route's prefix), TCP/53
#                   dropped on r1 and IP fragments on r2: hop location
#                   under real routers' ICMP limits
#   silent-hop      r1 never sends ICMP Time Exceeded (a router configured
#                   so), TCP/53 dropped on r2
#   eh-drop         drop IPv6 packets carrying a Destination Options or a
#                   Hop-by-Hop Options header (RFC 7872's common filter)
#   eh-hbh-drop     drop IPv6 packets carrying a Hop-by-Hop Options header
#                   only: Destination Options pass
#
# Only traffic inside the lab's namespaces: documentation prefixes only.
# The daemons are stopped by the PIDs this script recorded, never by name.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${EP_LAB_STATE:-/run/ednsprobe-lab}
MARKER=.ednsprobe-lab	# in the state dir: "down" removes only a lab's dir

NAMESPACES=(ep-client ep-r1 ep-r2 ep-server ep-res)
ROUTERS=(ep-r1 ep-r2)
CLIENT=ep-client
SCENARIOS=(clean mtu1280 frag-drop tcp-drop tcp-reset udp512 edns-drop
	loss5 pmtu-blackhole frag-nonfirst-drop frag-first-drop frag6-drop
	host-drop frag-out-drop frag-in-drop frag-drop-r1 ednsopt-drop
	res-upstream-drop res-frag-drop mtu-out1280 mtu-in1280 tcp-drop-r1
	ratelimit silent-hop eh-drop eh-hbh-drop)

ZONE=probe.test
SERVER4=203.0.113.53
SERVER6=2001:db8:53::53
RES4=192.0.2.153
RES6=2001:db8:2::53
# The compliance servers beside NSD: "PROGRAM IPV4 IPV6".  Their addresses
# are extra ones on ep-server's to-r2; NSD binds only .53 and ::53.
AUTHS=(
	"named 203.0.113.54 2001:db8:53::54"
	"knotd 203.0.113.55 2001:db8:53::55"
	"pdns_server 203.0.113.56 2001:db8:53::56"
)
# Free for `ednsprobe respond` (tests start and stop it themselves).
RESPONDER4=203.0.113.70
RESPONDER6=2001:db8:53::70
DAEMONS=(nsd unbound named knotd pdns_server)	# every program lab.sh starts
TXT_SIZES=(512 1200 1400 1600 2000 3000 4000)
NFT_TABLE="inet eplab"	# the one nftables table the lab makes per router
WAIT_SECONDS=10
declare -A started	# PROGRAM -> when start_daemon started it (now_us)

# Links: "NS-A IF-A ADDRS-A NS-B IF-B ADDRS-B" (addresses comma-separated).
LINKS=(
	"ep-client to-r1 192.0.2.10/25,2001:db8:1::10/64 ep-r1 to-client 192.0.2.1/25,2001:db8:1::1/64"
	"ep-r1 to-r2 198.51.100.1/24,2001:db8:12::1/64 ep-r2 to-r1 198.51.100.2/24,2001:db8:12::2/64"
	"ep-r2 to-server 203.0.113.1/24,2001:db8:53::1/64 ep-server to-r2 203.0.113.53/24,2001:db8:53::53/64"
	"ep-r1 to-res 192.0.2.129/25,2001:db8:2::1/64 ep-res to-r1 192.0.2.153/25,2001:db8:2::53/64"
)
# Routes: "NS DESTINATION GATEWAY".  End hosts: default via their router;
# r1: default via r2; r2: only the client and resolver nets via r1, no
# default, so a packet to an address outside the lab dies at once on r2
# (ICMP unreachable) instead of bouncing between the routers.
ROUTES=(
	"ep-client default 192.0.2.1"
	"ep-client default 2001:db8:1::1"
	"ep-res default 192.0.2.129"
	"ep-res default 2001:db8:2::1"
	"ep-server default 203.0.113.1"
	"ep-server default 2001:db8:53::1"
	"ep-r1 default 198.51.100.2"
	"ep-r1 default 2001:db8:12::2"
	"ep-r2 192.0.2.0/24 198.51.100.1"
	"ep-r2 2001:db8:1::/64 2001:db8:12::1"
	"ep-r2 2001:db8:2::/64 2001:db8:12::1"
)
# The link whose MTU the mtu1280 / pmtu-blackhole scenarios lower.
FAULT_LINK=("ep-r1 to-r2" "ep-r2 to-r1")

# shellcheck source=tests/lab/zones.sh
. "$here/zones.sh"	# the DNS hierarchy: zones_up, zones_stop, zones_status

say() { echo "lab: $*"; }
warn() { echo "lab: $*" >&2; }
die() { echo "lab: error: $*" >&2; exit 1; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ns_exists() { [ -e "/run/netns/$1" ]; }

# A dig from the client with short timeouts (never hangs a step for long).
cdig() { nsx "$CLIENT" dig +time=1 +tries=1 "$@"; }

need_root() {
	[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces)"
}

need_tools() {
	local t missing=()
	for t in ip nft nsd unbound unbound-control ldns-keygen \
	    ldns-signzone ldns-key2ds dig sysctl setsid flock \
	    named named-checkconf knotd knotc pdns_server pdnsutil; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]}" \
		"(tests/setup.sh installs them)"
}

# Serialise up/down/scenario: two of them at once would fight over the same
# namespaces.  The lock is on this script file, so nothing is left behind.
take_lock() {
	exec 9<"${BASH_SOURCE[0]}"
	flock -w 120 9 || die "another lab.sh up/down/scenario holds the lock"
}

# ---------------------------------------------------------------- teardown

# stop_pid NAME PIDFILE NS: TERM (then KILL) the PID recorded in PIDFILE,
# but only if it still is that daemon inside the lab namespace NS (a PID
# may have been reused since).
stop_pid() {
	local name=$1 file=$2 ns=$3 pid i
	[ -s "$file" ] || return 0
	pid=$(tr -dc 0-9 <"$file")
	[ -n "$pid" ] || return 0
	if ! is_lab_daemon "$pid" "$name" "$ns"; then
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 50); do
		alive "$pid" || return 0
		sleep 0.1
	done
	warn "$name (PID $pid) ignored TERM for 5 s: KILL"
	kill -KILL "$pid" 2>/dev/null || true
}

# alive PID: the process exists and is not a zombie (an exited daemon whose
# parent, init here, has not reaped it yet).
alive() {
	local st
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
		"/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# is_lab_daemon PID NAME NS: PID is alive and runs NAME, inside the lab
# namespace NS or (should NS be gone already) with the lab's config file
# (PowerDNS: the lab's config directory).
is_lab_daemon() {
	local pid=$1 name=$2 ns=$3 exe cmd
	alive "$pid" || return 1
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	[ "${exe##*/}" = "$name" ] || return 1
	[ "$(ip netns identify "$pid" 2>/dev/null)" = "$ns" ] && return 0
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmd == *"-c $STATE/$name.conf"* ||
	    $cmd == *"--config-dir=$STATE/$name "* ]]
}

# Children of the daemons we started (NSD forks its main and server
# processes; after a KILL they may outlive the PID we recorded): any
# process of a program in DAEMONS left inside a lab namespace descends
# from this script.
sweep_daemons() {
	local ns pid name
	for ns in ep-server ep-res; do
		ns_exists "$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			for name in "${DAEMONS[@]}"; do
				if is_lab_daemon "$pid" "$name" "$ns"; then
					kill -KILL "$pid" 2>/dev/null || true
				fi
			done
		done
	done
}

stop_daemons() {
	stop_pid unbound "$STATE/unbound.lab.pid" ep-res
	stop_pid unbound "$STATE/unbound.pid" ep-res
	# NSD 4.6 with -d: the process we started (also in NSD's own pidfile)
	# becomes xfrd and forks "main", which forks the server; a TERM to
	# the first shuts all three down.
	stop_pid nsd "$STATE/nsd.lab.pid" ep-server
	stop_pid nsd "$STATE/nsd.pid" ep-server
	# The compliance servers: one process each (threads), the one we
	# started; their own pid files name the same PID.
	stop_pid named "$STATE/named.lab.pid" ep-server
	stop_pid named "$STATE/named.pid" ep-server
	stop_pid knotd "$STATE/knotd.lab.pid" ep-server
	stop_pid knotd "$STATE/knotd/knot.pid" ep-server
	stop_pid pdns_server "$STATE/pdns_server.lab.pid" ep-server
	stop_pid pdns_server "$STATE/pdns_server/pdns.pid" ep-server
	zones_stop
	sweep_daemons
}

delete_namespaces() {
	local ns
	for ns in "${NAMESPACES[@]}"; do
		if ns_exists "$ns"; then
			ip netns del "$ns"
		fi
		rm -rf "/etc/netns/$ns"
	done
	rmdir /etc/netns 2>/dev/null || true
}

remove_state() {
	[ -e "$STATE" ] || return 0
	if [ -e "$STATE/$MARKER" ] || [ -z "$(ls -A "$STATE")" ]; then
		rm -rf "$STATE"
	else
		warn "$STATE is not a lab state dir (no $MARKER): left alone"
	fi
}

# The server farm (tests/lab/farm.sh), if up, goes first: its NSD stopped
# by its recorded PID, its addresses and its table on r2 removed.  We hold
# the lock farm.sh would take.  Whatever it leaves, the rest removes.
stop_farm() {
	[ -e "$STATE/farm.up" ] && [ -x "$here/farm.sh" ] || return 0
	EP_LAB_LOCKED=1 EP_LAB_STATE=$STATE "$here/farm.sh" down ||
		warn "farm.sh down failed: the namespaces go anyway"
}

teardown() {
	stop_farm
	stop_daemons
	delete_namespaces
	remove_state
}

# ------------------------------------------------------------ the network

make_namespaces() {
	local ns
	for ns in "${NAMESPACES[@]}"; do
		ip netns add "$ns"
		# No duplicate address detection: addresses usable at once
		# (also set per address with nodad below).
		nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
		ip -n "$ns" link set lo up
	done
}

make_links() {
	local l nsa ifa aa nsb ifb ab
	for l in "${LINKS[@]}"; do
		read -r nsa ifa aa nsb ifb ab <<<"$l"
		ip link add name "$ifa" netns "$nsa" mtu 1500 type veth \
			peer name "$ifb" netns "$nsb" mtu 1500
		add_addrs "$nsa" "$ifa" "$aa"
		add_addrs "$nsb" "$ifb" "$ab"
		ip -n "$nsa" link set "$ifa" up
		ip -n "$nsb" link set "$ifb" up
	done
}

add_addrs() {	# NS IF ADDR,ADDR
	local ns=$1 ifc=$2 a
	for a in ${3//,/ }; do
		if [[ $a == *:* ]]; then
			ip -n "$ns" -6 addr add "$a" dev "$ifc" nodad
		else
			ip -n "$ns" addr add "$a" dev "$ifc"
		fi
	done
}

add_auth_addrs() {	# the compliance servers' addresses, after NSD's
	local a name a4 a6
	for a in "${AUTHS[@]}"; do
		read -r name a4 a6 <<<"$a"
		add_addrs ep-server to-r2 "$a4/24,$a6/64"
	done
	add_addrs ep-server to-r2 "$RESPONDER4/24,$RESPONDER6/64"
}

make_routes() {
	local r ns dst gw fam
	for r in "${ROUTES[@]}"; do
		read -r ns dst gw <<<"$r"
		fam=-4
		[[ $gw == *:* ]] && fam=-6
		ip -n "$ns" "$fam" route add "$dst" via "$gw"
	done
}

# Routers forward both families and send ICMP errors without rate limit,
# so time-exceeded / frag-needed / packet-too-big come every time.
configure_routers() {
	local r
	for r in "${ROUTERS[@]}"; do
		nsx "$r" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 \
			net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	done
}

# getaddrinfo inside ep-client asks only the lab resolver (ip netns exec
# bind-mounts /etc/netns/ep-client/* over /etc/*).
client_resolv_conf() {
	mkdir -p "/etc/netns/$CLIENT"
	cat >"/etc/netns/$CLIENT/resolv.conf" <<-EOF
	# ednsprobe lab: the lab's Unbound only
	nameserver $RES4
	options timeout:2 attempts:2
	EOF
	# A name for the server with both families that needs no DNS: runs
	# that compare IPv4 and IPv6 (frag6-drop) must not depend on the
	# resolver, whose own path the faults may break.
	cat >"/etc/netns/$CLIENT/hosts" <<-EOF
	127.0.0.1 localhost
	::1 localhost
	$SERVER4 server.lab
	$SERVER6 server.lab
	EOF
}

# -------------------------------------------------------------- the zone

make_state_dir() {
	# Never take over a directory with someone else's files in it: "down"
	# removes the whole state dir.
	if [ -e "$STATE" ] && [ -n "$(ls -A "$STATE")" ]; then
		die "$STATE exists and is not a lab state dir: choose another" \
			"EP_LAB_STATE"
	fi
	mkdir -p "$STATE"
	chmod 755 "$STATE"
	: >"$STATE/$MARKER"
}

# txt_rdata NNN: zone-file TXT strings sized so that the DNS answer to
# "dig +dnssec +bufsize=4096 TXT sNNN.probe.test" is NNN bytes: header 12,
# question (owner + 4), answer RR header 12, one RRSIG by a 2048-bit RSA
# ZSK (2 + 10 + 18 + 12 for the signer name + 256) = 298, OPT 11.  The rest
# is TXT rdata: strings of at most 255 characters, one length octet each.
txt_rdata() {
	local target=$1 owner="s$1"
	local qlen=$((1 + ${#owner} + 12 + 4))
	local rdata=$((target - 12 - qlen - 12 - 298 - 11))
	local n=$(((rdata + 255) / 256))
	local chars=$((rdata - n)) len out="" i
	for ((i = 0; i < n; i++)); do
		len=255
		((i == n - 1)) && len=$((chars - 255 * (n - 1)))
		out+=" \"$(printf "%${len}s" "" | tr ' ' 'x')\""
	done
	echo "${out# }"
}

make_zone() {
	local z=$STATE/probe.test.zone n
	{
		echo "\$ORIGIN $ZONE."
		echo "\$TTL 3600"
		echo "@ IN SOA ns1.$ZONE. hostmaster.$ZONE." \
			"( $(date +%s) 3600 900 604800 300 )"
		echo "@ IN NS ns1.$ZONE."
		echo "ns1 IN A $SERVER4"
		echo "ns1 IN AAAA $SERVER6"
		for n in "${TXT_SIZES[@]}"; do
			echo "s$n IN TXT $(txt_rdata "$n")"
		done
	} >"$z"
}

# Keys: a KSK rollover (double signature: two KSKs both sign the DNSKEY
# set) and a ZSK rollover (pre-publish: the second ZSK is published but
# signs nothing), all RSASHA256 2048 bits, and the DNSKEY set also signed by
# the active ZSK (-A).  That makes "dig +dnssec DNSKEY probe.test" about
# 2 kB: 4 DNSKEYs and 3 RRSIGs, so it leaves the server as IP fragments.
# NSEC: NXDOMAIN with DO carries two NSECs and their signatures (~1.1 kB).
sign_zone() {
	local d=$STATE/keys ksk1 ksk2 zsk1 zsk2
	mkdir -p "$d"
	(
		cd "$d"
		ksk1=$(ldns-keygen -a RSASHA256 -b 2048 -k "$ZONE")
		ksk2=$(ldns-keygen -a RSASHA256 -b 2048 -k "$ZONE")
		zsk1=$(ldns-keygen -a RSASHA256 -b 2048 "$ZONE")
		zsk2=$(ldns-keygen -a RSASHA256 -b 2048 "$ZONE")
		# Pre-published ZSK: in the zone, not given to the signer.
		cat "$zsk2.key" >>"$STATE/probe.test.zone"
		# Signatures valid from an hour ago for 30 days.
		ldns-signzone -A -o "$ZONE." \
			-i "$(date -u -d '-1 hour' +%Y%m%d%H%M%S)" \
			-e "$(date -u -d '+30 days' +%Y%m%d%H%M%S)" \
			-f "$STATE/probe.test.zone.signed" \
			"$STATE/probe.test.zone" "$ksk1" "$ksk2" "$zsk1"
		# The resolver's trust anchor: DS (SHA-256) of the first KSK.
		ldns-key2ds -n -2 "$ksk1.key" >"$STATE/ds.txt"
		printf '%s\n' "ksk $ksk1" "ksk $ksk2" "zsk $zsk1" \
			"zsk-prepublished $zsk2" >"$STATE/keys.txt"
	)
}

# ----------------------------------------------------------- the daemons

render() {	# TEMPLATE OUT
	sed "s|@STATE@|$STATE|g" "$here/$1" >"$2"
}

write_configs() {
	render nsd.conf.in "$STATE/nsd.conf"
	render unbound.conf.in "$STATE/unbound.conf"
	# Root hints naming only a lab address: even a query outside
	# probe.test. can never make Unbound contact a real root server.
	cat >"$STATE/root.hints" <<-EOF
	; ednsprobe lab: the only "root server" is the lab's NSD
	.                 3600000 IN NS   ns1.$ZONE.
	ns1.$ZONE.  3600000 IN A    $SERVER4
	ns1.$ZONE.  3600000 IN AAAA $SERVER6
	EOF
	nsd-checkconf "$STATE/nsd.conf" ||
		die "nsd.conf does not check (nsd-checkconf)"
	unbound-checkconf "$STATE/unbound.conf" >/dev/null ||
		die "unbound.conf does not check (unbound-checkconf)"
	write_named_conf
	write_knotd_conf
	write_pdns_conf
}

# The compliance servers' configs say where to listen, where their files
# go (the state dir) and what to serve, and switch off whatever would send
# a packet of its own (NOTIFY, trust-anchor refresh, the PowerDNS security
# poll) or listen elsewhere (rndc).  Nothing about EDNS, cookies or
# buffer sizes: the compliance tests want each server's defaults.  Each
# runs as root in the foreground, like NSD, so a kill of its PID is all it
# takes, and none may rewrite the shared zone file.
write_named_conf() {
	local d=$STATE/named a4 a6
	read -r a4 a6 <<<"$(auth_addrs named)"
	mkdir -p "$d"
	cat >"$STATE/named.conf" <<-EOF
	// named.conf for the ednsprobe lab (BIND 9, authoritative only)
	options {
		directory "$d";
		pid-file "$STATE/named.pid";
		// Not /run/named: nothing outside the state dir.
		lock-file "$d/named.lock";
		session-keyfile "$d/session.key";
		listen-on port 53 { $a4; };
		listen-on-v6 port 53 { $a6; };
		recursion no;
		dnssec-validation no;	// no root trust-anchor refresh
		notify no;
	};
	controls { };	// no rndc channel on 127.0.0.1:953
	logging {
		channel lab {
			file "$STATE/named.log";
			severity info;
			print-time yes;
		};
		category default { lab; };
	};
	zone "$ZONE" {
		type primary;
		file "$STATE/probe.test.zone.signed";
	};
	EOF
	named-checkconf "$STATE/named.conf" ||
		die "named.conf does not check (named-checkconf)"
}

# Knot: timers and (unused) journal in knotd/, never written back to the
# zone file (zonefile-sync -1), no journal of changes.
write_knotd_conf() {
	local d=$STATE/knotd a4 a6
	read -r a4 a6 <<<"$(auth_addrs knotd)"
	mkdir -p "$d"
	cat >"$STATE/knotd.conf" <<-EOF
	# knotd.conf for the ednsprobe lab (Knot DNS, authoritative only)
	server:
	    rundir: "$d"
	    listen: [ $a4@53, $a6@53 ]
	log:
	  - target: "$STATE/knotd.log"
	    any: info
	database:
	    storage: "$d"
	zone:
	  - domain: $ZONE.
	    file: "$STATE/probe.test.zone.signed"
	    zonefile-sync: -1
	    zonefile-load: whole
	    journal-content: none
	EOF
	knotc -c "$STATE/knotd.conf" conf-check >/dev/null ||
		die "knotd.conf does not check (knotc conf-check)"
}

# PowerDNS: config dir pdns_server/ (pdns.conf, the bind backend's
# named.conf, control socket, pid file, DNSSEC metadata).  The bind backend
# serves RRSIG and NSEC records only for a zone marked PRESIGNED, which is
# kept in a SQLite database: pdnsutil makes it (in ep-server, so not even
# it runs in the host's namespace).
write_pdns_conf() {
	local d=$STATE/pdns_server a4 a6
	read -r a4 a6 <<<"$(auth_addrs pdns_server)"
	mkdir -p "$d"
	cat >"$d/pdns.conf" <<-EOF
	# pdns.conf for the ednsprobe lab (PowerDNS, authoritative only)
	launch=bind
	bind-config=$d/named.conf
	bind-dnssec-db=$d/dnssec.db
	local-address=$a4, $a6
	local-port=53
	daemon=no
	guardian=no
	socket-dir=$d
	disable-syslog=yes
	security-poll-suffix=
	EOF
	cat >"$d/named.conf" <<-EOF
	zone "$ZONE" {
		type master;
		file "$STATE/probe.test.zone.signed";
	};
	EOF
	if ! nsx ep-server pdnsutil --config-dir="$d" create-bind-db \
	    "$d/dnssec.db" >"$d/pdnsutil.out" 2>&1 ||
	    ! nsx ep-server pdnsutil --config-dir="$d" set-presigned \
	    "$ZONE" >>"$d/pdnsutil.out" 2>&1; then
		sed 's/^/    /' "$d/pdnsutil.out" >&2
		die "pdnsutil cannot mark $ZONE presigned for PowerDNS"
	fi
}

auth_addrs() {	# PROGRAM: its IPv4 and IPv6 address from AUTHS
	local a name a4 a6
	for a in "${AUTHS[@]}"; do
		read -r name a4 a6 <<<"$a"
		if [ "$name" = "$1" ]; then
			echo "$a4 $a6"
			return 0
		fi
	done
	return 1
}

# start_daemon NAME NS ARGS...: in the foreground of its own session
# (setsid: a ctest or terminal signal to our process group does not reach
# it), output to NAME.out, PID to NAME.lab.pid.  It inherits no other file
# descriptor: neither our lock (fd 9) nor a pipe of whoever ran us (ctest
# waits for its test's pipes to close).  The subshell, setsid and "ip netns
# exec" all exec, so $! is the daemon's PID.
start_daemon() {
	local name=$1 ns=$2
	shift 2
	(
		close_fds
		exec setsid ip netns exec "$ns" "$@" </dev/null \
			>>"$STATE/$name.out" 2>&1
	) &
	echo $! >"$STATE/$name.lab.pid"
	started[$name]=$(now_us)
}

now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }	# microseconds

close_fds() {	# every descriptor above 2 of the current (sub)shell
	local f n
	for f in /proc/"$BASHPID"/fd/*; do
		n=${f##*/}
		if [ "$n" -gt 2 ] 2>/dev/null; then
			eval "exec $n>&-" 2>/dev/null || true
		fi
	done
}

start_nsd() {
	start_daemon nsd ep-server nsd -d -c "$STATE/nsd.conf"
}

start_unbound() {
	start_daemon unbound ep-res unbound -d -c "$STATE/unbound.conf"
}

# The compliance servers, all at once (wait_servers times each).  -f: named
# in the foreground, logging as named.conf says; knotd without -d stays in
# the foreground.
start_auths() {
	start_daemon named ep-server named -f -c "$STATE/named.conf"
	start_daemon knotd ep-server knotd -c "$STATE/knotd.conf"
	start_daemon pdns_server ep-server pdns_server \
		--config-dir="$STATE/pdns_server"
}

# wait_for CMD...: run CMD until it succeeds, at most WAIT_SECONDS.
wait_for() {
	local deadline=$((SECONDS + WAIT_SECONDS))
	until "$@" >/dev/null 2>&1; do
		if ((SECONDS >= deadline)); then
			return 1
		fi
		sleep 0.2
	done
}

daemon_alive() {	# NAME
	local pid
	pid=$(cat "$STATE/$1.lab.pid" 2>/dev/null) && alive "$pid"
}

answers() {	# SERVER NAME TYPE [DIG-ARGS]: the server answers NOERROR
	local s=$1 n=$2 t=$3 out
	shift 3
	out=$(cdig "@$s" "$@" "$n" "$t") || return 1
	[[ $out == *"status: NOERROR"* ]]
}

log_tail() {	# NAME
	tail -n 15 "$STATE/$1.out" "$STATE/$1.log" 2>/dev/null | sed 's/^/    /' >&2
}

# answers_aa SERVER: SOA $ZONE from SERVER is NOERROR with AA set.
answers_aa() {
	local out
	out=$(cdig +norec "@$1" "$ZONE" SOA) || return 1
	[[ $out == *"status: NOERROR"* ]] &&
		[[ $(grep '^;; flags:' <<<"$out") == *" aa"* ]]
}

# NSD and the compliance servers, polled every 0.05 s until each answers
# SOA with AA on both its addresses.  The servers are polled in parallel
# (NAME.ready gets the time of the answer), so each one's time from its
# start to its first such answer is its own, not the others' dig time.
wait_servers() {
	local deadline=$((SECONDS + WAIT_SECONDS)) a name a4 a6 t pids
	local pending=("nsd $SERVER4 $SERVER6" "${AUTHS[@]}") left
	while :; do
		pids=()
		for a in "${pending[@]}"; do
			read -r name a4 a6 <<<"$a"
			(
				if answers_aa "$a4" && answers_aa "$a6"; then
					now_us >"$STATE/$name.ready"
				fi
			) &
			pids+=($!)
		done
		# Never a bare "wait": the daemons are our children too.
		wait "${pids[@]}" || true
		left=()
		for a in "${pending[@]}"; do
			read -r name a4 a6 <<<"$a"
			if t=$(cat "$STATE/$name.ready" 2>/dev/null); then
				say "$name answers $ZONE SOA with AA on $a4" \
					"and $a6 after" \
					"$(((t - started[$name]) / 1000)) ms"
			else
				left+=("$a")
			fi
		done
		[ ${#left[@]} -gt 0 ] || return 0
		pending=("${left[@]}")
		((SECONDS < deadline)) || break
		for a in "${pending[@]}"; do	# an exited one never answers
			daemon_alive "${a%% *}" || break 2
		done
		sleep 0.05
	done
	for a in "${pending[@]}"; do
		read -r name a4 a6 <<<"$a"
		daemon_alive "$name" || warn "$name exited"
		log_tail "$name"
		warn "$name gives no AA answer for $ZONE SOA on $a4 and $a6"
	done
	die "not every authoritative server answers (waited at most" \
		"${WAIT_SECONDS}s; logs above)"
}

wait_unbound() {
	local s flags
	for s in "$RES4" "$RES6"; do
		if ! wait_for answers "$s" "$ZONE" SOA; then
			daemon_alive unbound || warn "Unbound exited"
			log_tail unbound
			die "Unbound gives no NOERROR answer for $ZONE SOA on $s" \
				"within ${WAIT_SECONDS}s (log above)"
		fi
	done
	# Validation works: the answer carries the AD flag.
	flags=$(cdig "@$RES4" +dnssec TXT "s512.$ZONE" | grep '^;; flags:' || true)
	if [[ $flags != *" ad"* ]]; then
		log_tail unbound
		die "Unbound does not validate s512.$ZONE (flags: ${flags:-none})"
	fi
}

# Unbound answers "localhost." from its built-in local zone: a readiness
# check that neither needs the authoritative server nor fills the cache.
wait_unbound_local() {
	wait_for answers "$RES4" localhost A ||
		die "Unbound does not answer after the cache flush"
}

# --------------------------------------------------------------- sizes.txt

msg_size() {	# NAME TYPE DO(0|1): "MSG SIZE rcvd" of the answer over IPv4
	local opt=+nodnssec
	[ "$3" = 1 ] && opt=+dnssec
	cdig +tries=2 +bufsize=4096 "$opt" "@$SERVER4" "$1" "$2" |
		sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\)$/\1/p'
}

# sizes.txt: "NAME TYPE DO MSGSIZE" per line, measured with dig (+bufsize=
# 4096, DO 1 = +dnssec, 0 = without) against NSD over IPv4.  Each sNNN
# answer with DO must be NNN bytes, within 30.
measure_sizes() {
	local out=$STATE/sizes.txt n dobit size q
	: >"$out"
	for n in "${TXT_SIZES[@]}"; do
		for dobit in 1 0; do
			size=$(msg_size "s$n.$ZONE." TXT $dobit)
			[ -n "$size" ] || die "no answer for s$n.$ZONE. TXT (DO $dobit)"
			echo "s$n.$ZONE. TXT $dobit $size" >>"$out"
			if [ $dobit = 1 ] && ((size < n - 30 || size > n + 30)); then
				die "s$n.$ZONE. TXT with DO is $size bytes, want $n"
			fi
		done
	done
	for q in "$ZONE. DNSKEY" "nx.$ZONE. A" "ednsprobe-nx.$ZONE. A"; do
		for dobit in 1 0; do
			# shellcheck disable=SC2086
			size=$(msg_size $q $dobit)
			[ -n "$size" ] || die "no answer for $q (DO $dobit)"
			echo "$q $dobit $size" >>"$out"
		done
	done
}

# --------------------------------------------------------------- scenarios

# Every fault lives in one nftables table per router ("inet eplab", chains
# "forward" and "output"; note: nft 1.0.6 rejects a chain named "fwd") or in
# the MTU of the r1-r2 link.  Clearing them all, then the caches that
# remember them, gives every scenario the same clean start.
clear_faults() {
	local r ns l nsa ifa aa nsb ifb ab
	for r in "${ROUTERS[@]}" "$CLIENT"; do
		# "add" then "delete": works whether or not the table exists.
		nsx "$r" nft -f - <<-EOF
		add table $NFT_TABLE
		delete table $NFT_TABLE
		EOF
	done
	for l in "${LINKS[@]}"; do
		read -r nsa ifa aa nsb ifb ab <<<"$l"
		ip -n "$nsa" link set "$ifa" mtu 1500
		ip -n "$nsb" link set "$ifb" mtu 1500
	done
	# Learnt path MTUs (IPv4 next-hop exceptions, IPv6 cached routes) and
	# TCP metrics from the last scenario must not leak into this one.
	for ns in "${NAMESPACES[@]}"; do
		ip -n "$ns" route flush cache
		ip -n "$ns" -6 route flush cache
		ip -n "$ns" tcp_metrics flush all 2>/dev/null || true
	done
	# The routers' routes without an MTU (mtu-out1280, mtu-in1280).
	set_route_mtus
	# No ICMP rate limit (ratelimit sets the defaults).
	icmp_ratelimit 0
	flush_resolver
}

# set_route_mtus [OUT-MTU [IN-MTU]]: the route MTU of r1's default route
# (client -> servers) and of r2's routes back to the client's net; no
# argument or "" is none (the link's).  One way only: a path MTU that
# differs by direction, as asymmetric routing or a one-way tunnel makes.
set_route_mtus() {
	local out=${1:+mtu $1} in=${2:+mtu $2}
	# shellcheck disable=SC2086
	{
		ip -n ep-r1 route replace default via 198.51.100.2 $out
		ip -n ep-r1 -6 route replace default via 2001:db8:12::2 $out
		ip -n ep-r2 route replace 192.0.2.0/24 via 198.51.100.1 $in
		ip -n ep-r2 -6 route replace 2001:db8:1::/64 via \
			2001:db8:12::1 $in
	}
}

# Unbound remembers answers, keys, and per-server EDNS/timeout knowledge
# (infra cache): "reload" drops them all, same PID.
flush_resolver() {
	daemon_alive unbound || die "Unbound is not running (lab.sh up first)"
	nsx ep-res unbound-control -c "$STATE/unbound.conf" reload >/dev/null ||
		die "unbound-control reload failed"
	wait_unbound_local
}

# nft_rules ROUTER RULES: the table with a forward and an output chain
# (both policy accept) holding RULES (forward) and OUTPUT_RULES.
nft_rules() {	# ROUTER FORWARD-RULES [OUTPUT-RULES]
	nsx "$1" nft -f - <<-EOF
	table $NFT_TABLE {
		chain forward {
			type filter hook forward priority filter; policy accept;
			$2
		}
		chain output {
			type filter hook output priority filter; policy accept;
			${3:-}
		}
	}
	EOF
}

fault_mtu() {	# MTU: on both ends of the r1-r2 link
	local e ns ifc
	for e in "${FAULT_LINK[@]}"; do
		read -r ns ifc <<<"$e"
		ip -n "$ns" link set "$ifc" mtu "$1"
	done
}

scenario_clean() { :; }

scenario_mtu1280() {
	fault_mtu 1280
}

# IPv4: MF flag or a non-zero offset (frag-off & 0x3fff).  IPv6: any
# Fragment extension header (first or later fragment alike).
scenario_frag_drop() {
	nft_rules ep-r2 "
		ip frag-off & 0x3fff != 0 counter drop
		exthdr frag exists counter drop"
}

# One direction only, told by r2's input interface: to-r1 is the client's
# side (queries), to-server the server's (answers).
scenario_frag_out_drop() {
	nft_rules ep-r2 "
		iifname \"to-r1\" ip frag-off & 0x3fff != 0 counter drop
		iifname \"to-r1\" exthdr frag exists counter drop"
}

scenario_frag_in_drop() {
	nft_rules ep-r2 "
		iifname \"to-server\" ip frag-off & 0x3fff != 0 counter drop
		iifname \"to-server\" exthdr frag exists counter drop"
}

# The same fragment drop as frag-drop, one hop earlier (r1).
scenario_frag_drop_r1() {
	nft_rules ep-r1 "
		ip frag-off & 0x3fff != 0 counter drop
		exthdr frag exists counter drop"
}

# Path MTU 1280 one way only: toward the servers (r1's route), or back
# toward the client (r2's).  Routers fragment or answer frag-needed /
# packet-too-big at that size in that direction; the other is 1500.
scenario_mtu_out1280() {
	set_route_mtus 1280 ""
}

scenario_mtu_in1280() {
	set_route_mtus "" 1280
}

# The resolver's upstream only (resolver net <-> server net, both ways):
# fragments and TCP/53 dropped on r1, which the client's paths to the
# resolver and to the servers cross too, untouched by these rules.
RES_UP4="{ 192.0.2.128/25, 203.0.113.0/24 }"
RES_UP6="{ 2001:db8:2::/64, 2001:db8:53::/64 }"
RES_UP_FRAG="
	ip saddr $RES_UP4 ip daddr $RES_UP4 ip frag-off & 0x3fff != 0 counter drop
	ip6 saddr $RES_UP6 ip6 daddr $RES_UP6 exthdr frag exists counter drop"
scenario_res_upstream_drop() {
	nft_rules ep-r1 "$RES_UP_FRAG
		ip saddr $RES_UP4 ip daddr $RES_UP4 tcp dport 53 counter drop
		ip saddr $RES_UP4 ip daddr $RES_UP4 tcp sport 53 counter drop
		ip6 saddr $RES_UP6 ip6 daddr $RES_UP6 tcp dport 53 counter drop
		ip6 saddr $RES_UP6 ip6 daddr $RES_UP6 tcp sport 53 counter drop"
}

# The fragment rules alone: the resolver's upstream still has TCP.
scenario_res_frag_drop() {
	nft_rules ep-r1 "$RES_UP_FRAG"
}

# Only non-first fragments: IPv4 offset != 0; IPv6 Fragment header (right
# after the fixed header: the lab sends no other extension header) whose
# 13-bit offset, bits 336..348 of the network header, is not 0.  nft 1.0.6
# cannot parse "exthdr frag frag-off != 0", hence the raw payload match.
# The first fragment, with the UDP header, passes: a port-matching ACL.
scenario_frag_nonfirst_drop() {
	nft_rules ep-r2 "
		ip frag-off & 0x1fff != 0 counter drop
		ip6 nexthdr 44 @nh,336,13 != 0 counter drop"
}

# Only first fragments (MF set, offset 0): later fragments arrive headless.
scenario_frag_first_drop() {
	nft_rules ep-r2 "
		ip frag-off & 0x3fff == 0x2000 counter drop
		ip6 nexthdr 44 @nh,336,13 == 0 @nh,351,1 == 1 counter drop"
}

# IPv6 fragments dropped, IPv4 fragments pass (RFC 9288's extension-header
# filtering, applied to the Fragment header).
scenario_frag6_drop() {
	nft_rules ep-r2 "
		exthdr frag exists counter drop"
}

# The client's own firewall drops big DNS answers on input (IPv4: after
# reassembly; IPv6: the first fragment, which carries the UDP length): the
# path delivers every fragment, the host throws the answer away.
scenario_host_drop() {
	nsx "$CLIENT" nft -f - <<-EOF
	table $NFT_TABLE {
		chain input {
			type filter hook input priority filter; policy accept;
			udp sport 53 udp length > 1500 counter drop
		}
	}
	EOF
}

scenario_tcp_drop() {
	nft_rules ep-r2 "
		tcp dport 53 counter drop
		tcp sport 53 counter drop"
}

# The same TCP/53 drop, one hop closer to the client (r1).
scenario_tcp_drop_r1() {
	nft_rules ep-r1 "
		tcp dport 53 counter drop
		tcp sport 53 counter drop"
}

# icmp_ratelimit MS: the routers' ICMP (and ICMPv6) rate limit; 0 is none.
# Linux's default is 1000 with the token bucket's burst of 6 (inet_peer).
icmp_ratelimit() {
	local r
	for r in "${ROUTERS[@]}"; do
		nsx "$r" sysctl -qw net.ipv4.icmp_ratelimit="$1" \
			net.ipv6.icmp.ratelimit="$1"
	done
}

# Real routers' ICMP limits (Linux defaults on both routers), TCP/53
# dropped on r1, fragments on r2: each kind located under those limits.
scenario_ratelimit() {
	icmp_ratelimit 1000
	nft_rules ep-r1 "
		tcp dport 53 counter drop
		tcp sport 53 counter drop"
	nft_rules ep-r2 "
		ip frag-off & 0x3fff != 0 counter drop
		exthdr frag exists counter drop"
}

# A router that never answers a TTL running out (r1's own Time Exceeded
# dropped in its output hook), and TCP/53 dropped on r2.
scenario_silent_hop() {
	nft_rules ep-r1 "" "
		icmp type time-exceeded counter drop
		icmpv6 type time-exceeded counter drop"
	nft_rules ep-r2 "
		tcp dport 53 counter drop
		tcp sport 53 counter drop"
}

scenario_tcp_reset() {
	nft_rules ep-r2 "
		tcp dport 53 counter reject with tcp reset"
}

# UDP length counts the 8-byte header: > 520 means a DNS message > 512.
# Fragmented answers: the first fragment carries the UDP header with the
# length of the whole datagram, so it matches and is dropped; later
# fragments have no UDP header (nft's udp match never matches them) and
# pass, but cannot be reassembled without the first.  So every UDP DNS
# message over 512 bytes dies, fragmented or not, as with a real
# inspection rule that looks at the first fragment.
scenario_udp512() {
	nft_rules ep-r2 "
		udp sport 53 udp length > 520 counter drop
		udp dport 53 udp length > 520 counter drop"
}

# ARCOUNT is bytes 10-11 of the DNS header, i.e. bits 144..159 after the
# start of the transport header (8 bytes UDP + 10 bytes DNS).  A query with
# EDNS has its OPT record there; plain queries have ARCOUNT 0.
scenario_edns_drop() {
	nft_rules ep-r2 "
		udp dport 53 @th,144,16 != 0 counter drop"
}
# The OPT's RDLENGTH in a query for probe.test (12-byte name) with one
# additional record: UDP 8 + header 12 + name 12 + type/class 4 + OPT 9
# = byte 45 (bit 360).  Like such filters, it parses nothing.
scenario_ednsopt_drop() {
	nft_rules ep-r2 "
		udp dport 53 @th,144,16 == 1 @th,360,16 != 0 counter drop"
}

# IPv6 extension headers anywhere in the chain (nft walks it); IPv4 has
# none, so its packets never match.
scenario_eh_drop() {
	nft_rules ep-r2 "
		exthdr dst exists counter drop
		exthdr hbh exists counter drop"
}

scenario_eh_hbh_drop() {
	nft_rules ep-r2 "
		exthdr hbh exists counter drop"
}

# Random loss (tc netem is not available in this kernel): every forwarded
# packet, both directions, dropped with probability 5/100.
scenario_loss5() {
	nft_rules ep-r2 "
		numgen random mod 100 < 5 counter drop"
}

# A PMTUD black hole: the r1-r2 link is 1280 and no ICMP frag-needed (type 3
# code 4) or packet-too-big gets through.  A router generates those itself,
# so they leave through its output hook, not forward: filter both, on both
# routers (r2 reports for server->client packets, r1 for the other way).
scenario_pmtu_blackhole() {
	fault_mtu 1280
	local icmp="
		icmp type destination-unreachable icmp code 4 counter drop
		icmpv6 type packet-too-big counter drop"
	local r
	for r in "${ROUTERS[@]}"; do
		nft_rules "$r" "$icmp" "$icmp"
	done
}

# ------------------------------------------------------------- commands

cmd_up() {
	local a name a4 a6
	need_root
	need_tools
	take_lock
	teardown
	# From here on, any failure tears down what was made.
	# shellcheck disable=SC2154
	trap 'rc=$?; if [ $rc -ne 0 ]; then
		warn "up failed (exit $rc): tearing down"; teardown; fi' EXIT
	make_state_dir
	make_namespaces
	make_links
	add_auth_addrs
	make_routes
	configure_routers
	client_resolv_conf
	make_zone
	sign_zone
	write_configs
	start_nsd
	start_auths
	wait_servers
	start_unbound
	wait_unbound
	measure_sizes
	zones_up
	echo clean >"$STATE/current_scenario"
	trap - EXIT
	say "up: NSD $SERVER4 / $SERVER6, Unbound $RES4 / $RES6," \
		"client $CLIENT; state in $STATE"
	for a in "${AUTHS[@]}"; do
		read -r name a4 a6 <<<"$a"
		say "compliance server $name: $a4 / $a6"
	done
}

cmd_down() {
	need_root
	take_lock
	teardown
	say "down"
}

cmd_scenario() {
	local name=${1:-} s known=no
	need_root
	for s in "${SCENARIOS[@]}"; do
		[ "$s" = "$name" ] && known=yes
	done
	[ $known = yes ] ||
		die "unknown scenario '${name}'; valid: ${SCENARIOS[*]}"
	take_lock
	if [ ! -e "$STATE/$MARKER" ] || ! ns_exists ep-r2; then
		die "the lab is not up (lab.sh up)"
	fi
	clear_faults
	"scenario_${name//-/_}"
	echo "$name" >"$STATE/current_scenario"
	say "scenario $name"
}

cmd_scenarios() {
	printf '%s\n' "${SCENARIOS[@]}"
}

cmd_exec() {
	[ $# -gt 0 ] || die "usage: lab.sh exec CMD [ARGS...]"
	ns_exists "$CLIENT" || die "the lab is not up (lab.sh up)"
	exec ip netns exec "$CLIENT" "$@"
}

cmd_status() {
	local ns name pid st
	printf '%-10s %s%s\n' "state:" "$STATE" \
		"$([ -e "$STATE/$MARKER" ] || echo ' (absent)')"
	printf '%-10s %s\n' "scenario:" \
		"$(cat "$STATE/current_scenario" 2>/dev/null || echo -)"
	for name in "${DAEMONS[@]}"; do
		pid=$(cat "$STATE/$name.lab.pid" 2>/dev/null || true)
		st=stopped
		[ -n "$pid" ] && alive "$pid" && st=running
		printf '%-13s PID %s (%s)%s\n' "$name:" "${pid:--}" "$st" \
			"$(daemon_where "$name")"
	done
	zones_status
	for ns in "${NAMESPACES[@]}"; do
		if ns_exists "$ns"; then
			echo "namespace $ns:"
			ip -n "$ns" -br addr show | grep -v '^lo ' | sed 's/^/    /'
			ip -n "$ns" -o link show | grep -v ' lo:' |
				sed -n 's/^[0-9]*: \([^@:]*\)[@:].* mtu \([0-9]*\) .*/    \1 mtu \2/p'
		else
			echo "namespace $ns: absent"
		fi
	done
	for ns in "${ROUTERS[@]}"; do
		ns_exists "$ns" || continue
		if nsx "$ns" nft list table "$NFT_TABLE" >/dev/null 2>&1; then
			echo "nftables on $ns:"
			nsx "$ns" nft list table "$NFT_TABLE" | sed 's/^/    /'
		fi
	done
}

daemon_where() {	# PROGRAM: " on NS ADDRESSES"
	case $1 in
	nsd) echo " on ep-server $SERVER4 $SERVER6" ;;
	unbound) echo " on ep-res $RES4 $RES6" ;;
	*) echo " on ep-server $(auth_addrs "$1")" ;;
	esac
}

usage() {
	cat >&2 <<-EOF
	usage: lab.sh up | down | scenario NAME | scenarios | exec CMD... | status
	scenarios: ${SCENARIOS[*]}
	state dir: $STATE (env EP_LAB_STATE)
	EOF
	exit 1
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	up) cmd_up ;;
	down) cmd_down ;;
	scenario) cmd_scenario "$@" ;;
	scenarios) cmd_scenarios ;;
	exec) cmd_exec "$@" ;;
	status) cmd_status ;;
	*) usage ;;
	esac
}

main "$@"
