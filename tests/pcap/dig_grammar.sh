#!/usr/bin/env bash
# tests/pcap/dig_grammar.sh EDNSPROBE: dig's grammar on real sockets, over
# loopback only (no namespace): respond --listen ADDR#PORT and
# [IPv6]:PORT, then path @ADDR#PORT / @[IPv6]#PORT with -q NAME -t TYPE
# and +short against it.  The port is one nothing else listens on, so an
# answer proves the notation reached the socket; the responder's log
# shows the question -q/-t asked.
set -u
bin=$1
tmp=$(mktemp -d) || exit 1
port=5399
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
v6=0
ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/' && v6=1
listen=(--listen "127.0.0.1#$port")
[ $v6 -eq 1 ] && listen+=(--listen "[::1]:$port")
"$bin" respond --zone resp.test "${listen[@]}" --duration 30 \
	>"$tmp/resp.out" 2>"$tmp/resp.err" &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait $rpid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
	grep -q '^# ednsprobe respond: .*listening' "$tmp/resp.out" && break
	sleep 0.1
done
grep -q "listening on 127.0.0.1#$port" "$tmp/resp.out" &&
	ok "respond --listen 127.0.0.1#$port: its log writes the same" ||
	bad "respond did not start: $(cat "$tmp/resp.out" "$tmp/resp.err")"

short() {	# LABEL @SERVER
	timeout 30 "$bin" path +short --no-pcap --no-raw --timeout 1 "$2" \
		-q resp.test -t TXT >"$tmp/$1.out" 2>"$tmp/$1.err"
	local rc=$?
	if [ $rc -le 2 ] && [ "$(wc -l <"$tmp/$1.out")" -eq 1 ] &&
	    grep -q "^Resume: ${3}: .*edns ok" "$tmp/$1.out"; then
		ok "path +short $2: one Resume line, edns ok"
	else
		bad "path +short $2: exit $rc: $(cat "$tmp/$1.out" "$tmp/$1.err")"
	fi
}
short v4 "@127.0.0.1#$port" 127.0.0.1
[ $v6 -eq 1 ] && short v6 "@[::1]#$port" ::1
grep -q 'resp\.test\. TXT NOERROR' "$tmp/resp.out" &&
	ok "-q resp.test -t TXT: the responder was asked TXT" ||
	bad "no TXT question in the responder's log"
"$bin" path -6 "@127.0.0.1#$port" >/dev/null 2>"$tmp/fam.err"; rc=$?
[ $rc -eq 1 ] && grep -q "is an IPv4 address" "$tmp/fam.err" &&
	ok "-6 @127.0.0.1#$port: usage error" ||
	bad "-6 against an IPv4 literal: exit $rc $(cat "$tmp/fam.err")"
[ $fails -eq 0 ] && echo "dig_grammar: all ok" || echo "dig_grammar: $fails failed"
exit $((fails > 0))
