# tests/lab/zones.sh: the lab's DNS hierarchy, a root zone, the TLD "test."
# and child zones with deliberate delegation and DNSSEC faults, for
# `ednsprobe zone NAME --parent 203.0.113.60`.  Sourced by lab.sh, which
# calls zones_up at the end of "up" and zones_stop from its teardown; it
# uses lab.sh's helpers (start_daemon, stop_pid, add_addrs, cdig, die).
#
# Four NSD instances in ep-server, so that no NSD serves a parent and a
# child zone on the same address (each one like the lab's NSD: foreground,
# server-count 1, EDNS 4096, minimal responses, no RRL, no transfers or
# NOTIFY, no control port; config, pid files, log in $STATE):
#
#   nsd-root   203.0.113.60     2001:db8:53::60       "."
#   nsd-tld    203.0.113.61     2001:db8:53::61       "test."
#   nsd-zones  203.0.113.62-65  2001:db8:53::62-::65  the fault zones below
#   nsd-old    203.0.113.67     2001:db8:53::67       serial.test, older serial
#
# The root (NS ns.root-servers.test., .60/::60) delegates test. to
# ns1.nic.test. (.61/::61) with glue and DS; test. delegates each zone
# below with NS, glue and (signed zones) DS.  Root, test., good, dsbad,
# expired and nsec3 are signed with ldns-signzone, a KSK and a ZSK each,
# ECDSAP256SHA256 (fast to make), signatures valid from an hour ago for
# 30 days unless said otherwise.  SOA serial 2026113002 everywhere except
# nsd-old's copy of serial.test.
#
#   zone          servers (NS -> address, .N = 203.0.113.N and ::N)  fault
#   probe.test    ns1 .53 (the lab's NSD), DS of its first KSK        none
#   good.test     ns1-ns4 .62-.65, glue = zone, signed, DS right     none;
#                 also www A .62 (not a cut), loop1 <-> loop2 CNAME loop
#   nsdiff.test   parent ns1 .62, ns2 .63; zone ns1, ns3 (.64)        NS_MISMATCH
#   gluediff.test ns1 .62, ns2: glue .64, zone .63 (both serve)       GLUE_MISMATCH
#   noaddr.test   ns1 .62, ns2 (in zone, no address, no glue)         NS_NO_ADDRESS
#   lame.test     ns1 .62, ns2 .66 (silent), ns3 .54 (BIND: REFUSED)  LAME_SILENT
#                                                                     LAME_REFUSED
#   serial.test   ns1 .62 serial 2026113002, ns2 .67 (nsd-old) ...01  SERIAL_MISMATCH
#   cname.test    ns1 .62, ns2 CNAME ns1 in the zone, glue for ns1    NS_CNAME
#   dsbad.test    ns1 .62, signed; the DS is of a key not in the zone DS_NO_KEY
#   expired.test  ns1 .62, signed 2025-01-01 to 2025-02-01, DS right  RRSIG_EXPIRED
#   nsec3.test    ns1 .62, signed with NSEC3 (SHA-1, 0 iterations,    none
#                 no salt), DS right
#   nosuch.test   does not exist: NXDOMAIN from test.
#
# The silent address, 203.0.113.66 / 2001:db8:53::66, is on no interface:
# r2 has permanent neighbour entries sending it to ep-server's MAC, and
# ep-server, which does not forward, discards such packets without an ICMP
# error (no ARP or ND failure, no port unreachable, no TCP reset).  That
# leaves the address free for test_hostile.sh, which adds it to ep-server
# while its hostile server runs and deletes it after (an address of ours
# plus a drop rule would silence that server too).
#
# Files in $STATE: zones/ (zone files, signed ones as ZONE.zone.signed),
# zkeys/ (keys), nsd-NAME.{conf,pid,lab.pid,out,log,zonelist,xfrd.state},
# nsd-NAME.xfr/, root-anchor.txt (the DS, SHA-256, of the root's KSK and
# that KSK's DNSKEY: either is a trust anchor), zones-expected.txt (one
# line per zone, "ZONE FINDING...", FQDNs; the finding words are the
# names above or CLEAN).

Z4=203.0.113.	# zone server addresses: $Z4$n and $Z6$n
Z6=2001:db8:53::
ZSERIAL=2026113002
ZSERIAL_OLD=2026113001
Z_SILENT=66	# the address nothing answers on
# Instances: "NAME ADDRESS-SUFFIXES ZONE=FILE...".  Files are in zones/.
ZNSD=(
	"nsd-root 60 .=root.zone.signed"
	"nsd-tld 61 test.=test.zone.signed"
	"nsd-zones 62,63,64,65 good.test.=good.test.zone.signed
	    nsdiff.test.=nsdiff.test.zone gluediff.test.=gluediff.test.zone
	    noaddr.test.=noaddr.test.zone lame.test.=lame.test.zone
	    serial.test.=serial.test.zone cname.test.=cname.test.zone
	    dsbad.test.=dsbad.test.zone.signed
	    expired.test.=expired.test.zone.signed
	    nsec3.test.=nsec3.test.zone.signed"
	"nsd-old 67 serial.test.=serial-old.test.zone"
)
# zones-expected.txt, in this order.
ZEXPECTED=(
	". CLEAN"
	"test. CLEAN"
	"probe.test. CLEAN"
	"good.test. CLEAN"
	"nsdiff.test. NS_MISMATCH"
	"gluediff.test. GLUE_MISMATCH"
	"noaddr.test. NS_NO_ADDRESS"
	"lame.test. LAME_SILENT LAME_REFUSED"
	"serial.test. SERIAL_MISMATCH"
	"cname.test. NS_CNAME"
	"dsbad.test. DS_NO_KEY"
	"expired.test. RRSIG_EXPIRED"
	"nsec3.test. CLEAN"
)

# ------------------------------------------------------------ addresses

# The zone servers' addresses on ep-server's to-r2, as add_auth_addrs adds
# the compliance servers'; the silent one only as neighbours on r2.
zones_addrs() {
	local n mac
	for n in 60 61 62 63 64 65 67; do
		add_addrs ep-server to-r2 "$Z4$n/24,$Z6$n/64"
	done
	mac=$(ip -n ep-server -br link show dev to-r2 | awk '{ print $3 }')
	[ -n "$mac" ] || die "no MAC address for ep-server's to-r2"
	ip -n ep-r2 neigh replace "$Z4$Z_SILENT" lladdr "$mac" \
		dev to-server nud permanent
	ip -n ep-r2 -6 neigh replace "$Z6$Z_SILENT" lladdr "$mac" \
		dev to-server nud permanent
}

# ------------------------------------------------------------ the zones

zaddr() {	# NAME N: its A and AAAA records at $Z4N / $Z6N
	printf '%s A %s%s\n%s AAAA %s%s\n' "$1" "$Z4" "$2" "$1" "$Z6" "$2"
}

zhead() {	# ORIGIN [SERIAL]: $ORIGIN, $TTL, SOA (MNAME ns1.ORIGIN)
	local o=$1 mname="ns1.$1"
	[ "$o" = . ] && mname=ns.root-servers.test.
	[ "$o" = test. ] && mname=ns1.nic.test.
	# shellcheck disable=SC2016	# $ORIGIN, $TTL: zone-file directives
	printf '$ORIGIN %s\n$TTL 3600\n' "$o"
	printf '@ IN SOA %s hostmaster.nic.test. ( %s 3600 900 604800 300 )\n' \
		"$mname" "${2:-$ZSERIAL}"
}

# zkey ZONE [-k]: a new ECDSAP256SHA256 key (-k: KSK) in zkeys/; prints
# its path without extension.
zkey() {
	local b
	b=$(cd "$STATE/zkeys" && ldns-keygen -a ECDSAP256SHA256 ${2:+-k} "$1") ||
		die "ldns-keygen failed for $1"
	echo "$STATE/zkeys/$b"
}

zfile() {	# ZONE: its file name base in zones/ ("root" for ".")
	if [ "$1" = . ]; then echo root; else echo "${1%.}"; fi
}

# zsign ZONE [SIGNZONE-OPTIONS...]: a KSK and a ZSK, zones/BASE.zone signed
# into BASE.zone.signed; the KSK's DS (SHA-256) in BASE.ds, its path
# (without extension) in BASE.ksk.
zsign() {
	local z=$1 ksk zsk b
	b=$STATE/zones/$(zfile "$1")
	shift
	ksk=$(zkey "$z" -k)
	zsk=$(zkey "$z")
	ldns-signzone -o "$z" -i "$(date -u -d '-1 hour' +%Y%m%d%H%M%S)" \
		-e "$(date -u -d '+30 days' +%Y%m%d%H%M%S)" "$@" \
		-f "$b.zone.signed" "$b.zone" "$ksk" "$zsk" ||
		die "cannot sign $z"
	ldns-key2ds -n -2 "$ksk.key" >"$b.ds"
	echo "$ksk" >"$b.ksk"
}

# The child zones (files named after the zone without its final dot).
zones_children() {
	local d=$STATE/zones n
	{
		zhead good.test.
		echo "@ NS ns1"; echo "@ NS ns2"; echo "@ NS ns3"; echo "@ NS ns4"
		for n in 1 2 3 4; do zaddr "ns$n" $((61 + n)); done
		echo "www A ${Z4}62"
		echo "loop1 CNAME loop2"
		echo "loop2 CNAME loop1"
	} >"$d/good.test.zone"
	{
		zhead nsdiff.test.
		echo "@ NS ns1"; echo "@ NS ns3"
		zaddr ns1 62; zaddr ns2 63; zaddr ns3 64
	} >"$d/nsdiff.test.zone"
	{
		zhead gluediff.test.
		echo "@ NS ns1"; echo "@ NS ns2"
		zaddr ns1 62; zaddr ns2 63
	} >"$d/gluediff.test.zone"
	{
		zhead noaddr.test.
		echo "@ NS ns1"; echo "@ NS ns2"
		zaddr ns1 62
	} >"$d/noaddr.test.zone"
	{
		zhead lame.test.
		echo "@ NS ns1"; echo "@ NS ns2"; echo "@ NS ns3"
		zaddr ns1 62; zaddr ns2 "$Z_SILENT"; zaddr ns3 54
	} >"$d/lame.test.zone"
	for n in "$ZSERIAL serial.test.zone" "$ZSERIAL_OLD serial-old.test.zone"
	do
		{
			zhead serial.test. "${n% *}"
			echo "@ NS ns1"; echo "@ NS ns2"
			zaddr ns1 62; zaddr ns2 67
		} >"$d/${n#* }"
	done
	{
		zhead cname.test.
		echo "@ NS ns1"; echo "@ NS ns2"
		zaddr ns1 62
		echo "ns2 CNAME ns1"
	} >"$d/cname.test.zone"
	for n in dsbad expired nsec3; do
		{
			zhead "$n.test."
			echo "@ NS ns1"
			zaddr ns1 62
		} >"$d/$n.test.zone"
	done
	zsign good.test.
	zsign dsbad.test.
	# The DS at the parent: of a KSK made for it alone, not in the zone.
	ldns-key2ds -n -2 "$(zkey dsbad.test. -k).key" >"$d/dsbad.test.ds"
	zsign expired.test. -i 20250101000000 -e 20250201000000
	zsign nsec3.test. -n -t 0
}

# test.: the delegations, glue as the table above says, the DS records.
zones_tld() {
	local d=$STATE/zones z
	{
		zhead test.
		echo "@ NS ns1.nic"
		zaddr ns1.nic 61
		zaddr ns.root-servers 60
		echo "probe NS ns1.probe"
		printf 'ns1.probe A %s\nns1.probe AAAA %s\n' "$SERVER4" "$SERVER6"
		cat "$STATE/ds.txt"
		echo "good NS ns1.good"; echo "good NS ns2.good"
		echo "good NS ns3.good"; echo "good NS ns4.good"
		for z in 1 2 3 4; do zaddr "ns$z.good" $((61 + z)); done
		echo "nsdiff NS ns1.nsdiff"; echo "nsdiff NS ns2.nsdiff"
		zaddr ns1.nsdiff 62; zaddr ns2.nsdiff 63
		echo "gluediff NS ns1.gluediff"; echo "gluediff NS ns2.gluediff"
		zaddr ns1.gluediff 62; zaddr ns2.gluediff 64
		echo "noaddr NS ns1.noaddr"; echo "noaddr NS ns2.noaddr"
		zaddr ns1.noaddr 62
		echo "lame NS ns1.lame"; echo "lame NS ns2.lame"
		echo "lame NS ns3.lame"
		zaddr ns1.lame 62; zaddr ns2.lame "$Z_SILENT"; zaddr ns3.lame 54
		echo "serial NS ns1.serial"; echo "serial NS ns2.serial"
		zaddr ns1.serial 62; zaddr ns2.serial 67
		echo "cname NS ns1.cname"; echo "cname NS ns2.cname"
		zaddr ns1.cname 62
		for z in dsbad expired nsec3; do
			echo "$z NS ns1.$z"
			zaddr "ns1.$z" 62
		done
		cat "$d"/{good,dsbad,expired,nsec3}.test.ds
	} >"$d/test.zone"
	zsign test.
}

zones_root() {
	local d=$STATE/zones
	{
		zhead .
		echo "@ NS ns.root-servers.test."
		zaddr ns.root-servers.test. 60
		echo "test. NS ns1.nic.test."
		zaddr ns1.nic.test. 61
		cat "$d/test.ds"
	} >"$d/root.zone"
	zsign .
	{
		cat "$d/root.ds"
		grep -v '^;' "$(cat "$d/root.ksk").key"
	} >"$STATE/root-anchor.txt"
}

# ------------------------------------------------------------ the servers

# zones_nsd_conf "NAME SUFFIXES ZONE=FILE...": $STATE/NAME.conf.
zones_nsd_conf() {
	local name sfx zf n z
	read -r name sfx zf <<<"${1//$'\n'/ }"
	mkdir -p "$STATE/$name.xfr"
	{
		cat <<-EOF
		# $name.conf for the ednsprobe lab's DNS hierarchy
		# (tests/lab/zones.sh), written by lab.sh up.
		server:
			server-count: 1
		EOF
		for n in ${sfx//,/ }; do
			printf '\tip-address: %s%s\n\tip-address: %s%s\n' \
				"$Z4" "$n" "$Z6" "$n"
		done
		cat <<-EOF
			port: 53
			do-ip4: yes
			do-ip6: yes
			reuseport: no
			username: ""
			chroot: ""
			database: ""
			zonesdir: "$STATE/zones"
			zonelistfile: "$STATE/$name.zonelist"
			xfrdfile: "$STATE/$name.xfrd.state"
			xfrdir: "$STATE/$name.xfr"
			pidfile: "$STATE/$name.pid"
			logfile: "$STATE/$name.log"
			verbosity: 1
			hide-version: yes
			identity: "ednsprobe-lab-$name"
			ipv4-edns-size: 4096
			ipv6-edns-size: 4096
			minimal-responses: yes
			round-robin: no
			rrl-ratelimit: 0
			rrl-whitelist-ratelimit: 0
			zonefiles-write: 0
		remote-control:
			control-enable: no
		EOF
		for z in $zf; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' \
				"${z%%=*}" "$STATE/zones/${z#*=}"
		done
	} >"$STATE/$name.conf"
	nsd-checkconf "$STATE/$name.conf" ||
		die "$name.conf does not check (nsd-checkconf)"
}

# zones_checks: "NAME ADDRESS ZONE" per line, every check that says an
# instance is up: each zone on its first address, the first zone on every
# address.
zones_checks() {
	local i name sfx zf n z first
	for i in "${ZNSD[@]}"; do
		read -r name sfx zf <<<"${i//$'\n'/ }"
		first=${zf%%=*}
		for n in ${sfx//,/ }; do
			echo "$name $Z4$n $first"
			echo "$name $Z6$n $first"
		done
		for z in $zf; do
			[ "${z%%=*}" = "$first" ] || echo "$name $Z4${sfx%%,*} ${z%%=*}"
		done
	done
}

zone_aa() {	# ADDRESS ZONE: SOA with NOERROR and AA
	local out
	out=$(cdig +norec "@$1" "$2" SOA) || return 1
	[[ $out == *"status: NOERROR"* ]] &&
		[[ $(grep '^;; flags:' <<<"$out") == *" aa"* ]]
}

# Poll every pending check at once, every 0.05 s, until all pass or
# WAIT_SECONDS; an instance that exited ends the wait with its log.
zones_wait() {
	local deadline=$((SECONDS + WAIT_SECONDS)) c name a z k pids left
	local -a pending
	mapfile -t pending < <(zones_checks)
	while :; do
		pids=()
		k=0
		for c in "${pending[@]}"; do
			read -r name a z <<<"$c"
			( zone_aa "$a" "$z" && : >"$STATE/zones.ok.$k" ) &
			pids+=($!)
			k=$((k + 1))
		done
		wait "${pids[@]}" || true
		left=()
		k=0
		for c in "${pending[@]}"; do
			[ -e "$STATE/zones.ok.$k" ] || left+=("$c")
			k=$((k + 1))
		done
		rm -f "$STATE"/zones.ok.*
		[ ${#left[@]} -gt 0 ] || return 0
		pending=("${left[@]}")
		for c in "${pending[@]}"; do
			read -r name a z <<<"$c"
			if ! daemon_alive "$name"; then
				log_tail "$name"
				die "$name exited (log above)"
			fi
		done
		if ((SECONDS >= deadline)); then
			for c in "${pending[@]}"; do
				read -r name a z <<<"$c"
				log_tail "$name"
				warn "$name gives no AA answer for $z SOA on $a"
			done
			die "the DNS hierarchy is not up within ${WAIT_SECONDS}s"
		fi
		sleep 0.05
	done
}

# ------------------------------------------------------------ entry points

zones_up() {
	local t0 i name
	t0=$(now_us)
	mkdir -p "$STATE/zones" "$STATE/zkeys"
	zones_addrs
	zones_children
	zones_tld
	zones_root
	for i in "${ZNSD[@]}"; do
		zones_nsd_conf "$i"
	done
	for i in "${ZNSD[@]}"; do
		read -r name _ <<<"${i//$'\n'/ }"
		start_daemon "$name" ep-server nsd -d -c "$STATE/$name.conf"
	done
	zones_wait
	printf '%s\n' "${ZEXPECTED[@]}" >"$STATE/zones-expected.txt"
	say "DNS hierarchy: root ${Z4}60, test. ${Z4}61, zones ${Z4}62-65" \
		"and ${Z4}67, silent ${Z4}$Z_SILENT (and IPv6 ::N), up in" \
		"$((($(now_us) - t0) / 1000)) ms"
}

# From lab.sh's teardown: each instance by the PID we recorded (NSD -d:
# the process we started; TERM stops its forked ones too), then NSD's own
# pid file (the same PID).  Namespace deletion takes the addresses and
# r2's neighbour entries.
zones_stop() {
	local i name
	for i in "${ZNSD[@]}"; do
		read -r name _ <<<"${i//$'\n'/ }"
		stop_pid nsd "$STATE/$name.lab.pid" ep-server
		stop_pid nsd "$STATE/$name.pid" ep-server
	done
}

zones_status() {	# for lab.sh status
	local i name sfx pid st
	for i in "${ZNSD[@]}"; do
		read -r name sfx _ <<<"${i//$'\n'/ }"
		pid=$(cat "$STATE/$name.lab.pid" 2>/dev/null || true)
		st=stopped
		[ -n "$pid" ] && alive "$pid" && st=running
		printf '%-13s PID %s (%s) on ep-server %s\n' "$name:" \
			"${pid:--}" "$st" "$(sed "s/\([0-9][0-9]*\)/$Z4\1 $Z6\1/g; s/,/ /g" \
			<<<"$sfx")"
	done
}
