# tests/lab/hostile_lib.sh: the hostile server (tests/lab/hostile.c) in
# the lab, for the scripts that test against it; source after lib.sh with
# $hostile set to its binary.  It gets a second address on ep-server
# (203.0.113.66, 2001:db8:53::66; NSD keeps .53 / ::53), runs in its own
# session, and is stopped by its PID (hostile_stop, from the caller's EXIT
# trap), which also removes the addresses.
H4=203.0.113.66
H6=2001:db8:53::66
NSD4=203.0.113.53	# forged source of wrong-src-addr (same host)
NSD6=2001:db8:53::53
H_IFACE=to-r2
hpid=
added4=
added6=

if [ ! -e /run/netns/ep-server ] || [ ! -e /run/netns/ep-client ]; then
	echo "the lab is not up (tests/lab/lab.sh up)" >&2
	exit 1
fi

# hostile_alive: $hpid is still our hostile server in ep-server.
hostile_alive() {
	[ -n "$hpid" ] && [ -e "/proc/$hpid" ] &&
	    [ "$(readlink "/proc/$hpid/exe" 2>/dev/null)" = "$hostile" ]
}

hostile_stop() {
	local i
	if hostile_alive; then
		kill -TERM "$hpid" 2>/dev/null
		for i in $(seq 30); do
			hostile_alive || break
			sleep 0.1
		done
		hostile_alive && kill -KILL "$hpid" 2>/dev/null
		wait "$hpid" 2>/dev/null
	fi
	hpid=
	[ -n "$added4" ] && ip -n ep-server addr del "$H4/24" dev $H_IFACE \
		2>/dev/null
	[ -n "$added6" ] && ip -n ep-server addr del "$H6/64" dev $H_IFACE \
		2>/dev/null
	added4=
	added6=
	# icmp-frag-* taught the client a path MTU toward the hostile
	# address: forget it, as lab.sh does between scenarios.
	ip -n ep-client route flush cache 2>/dev/null
	ip -n ep-client -6 route flush cache 2>/dev/null
	return 0
}

# hostile_start: addresses, the server, and a wait until it answers on
# both (a sane question); 1 with its log on stderr when it does not.
hostile_start() {
	# "replace": a run killed before its clean-up left them there
	ip -n ep-server addr replace "$H4/24" dev $H_IFACE || return 1
	added4=1
	ip -n ep-server addr replace "$H6/64" dev $H_IFACE nodad || return 1
	added6=1
	# Its own session (a terminal's or ctest's signal to our group does
	# not reach it); "setsid" and "ip netns exec" exec, so $! is its PID.
	( exec setsid ip netns exec ep-server "$hostile" -f $NSD4 -f $NSD6 \
		$H4 $H6 </dev/null >"$out/hostile.log" 2>&1 ) &
	hpid=$!
	local s
	for s in $H4 $H6; do
		local i ok=
		for i in $(seq 25); do
			if ip netns exec ep-client dig +time=1 +tries=1 \
			    "@$s" sane.hostile. SOA 2>/dev/null |
			    grep -q 'status: NOERROR'; then ok=1; break; fi
			sleep 0.2
		done
		if [ -z "$ok" ]; then
			echo "hostile server does not answer on $s:" >&2
			sed 's/^/    /' "$out/hostile.log" >&2
			return 1
		fi
	done
}
