#!/usr/bin/env bash
# tests/pcap/outputs.sh EDNSPROBE PCAPS: outputs fail early and say why,
# "-" is standard input/output (issue 19).  No network namespace: the only
# path runs fail before any probe, toward 127.0.0.1.
set -u
bin=$1 pcaps=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# analyze - gives the file's JSON but for the command and the path.
"$bin" analyze --json "$pcaps/clean-v4.pcapng" | grep -v '"command"\|"pcap"' >"$tmp/a"
cat "$pcaps/clean-v4.pcapng" | "$bin" analyze --json - |
	grep -v '"command"\|"pcap"' >"$tmp/b"
[ -s "$tmp/a" ] && cmp -s "$tmp/a" "$tmp/b" && ok "analyze - from a pipe" ||
	bad "analyze - differs from the file"
"$bin" analyze --json - <"$pcaps/clean-v4.pcapng" | grep -v '"command"\|"pcap"' >"$tmp/c"
cmp -s "$tmp/a" "$tmp/c" && ok "analyze - from a redirected file" ||
	bad "analyze - <file differs"
true | "$bin" analyze - 2>"$tmp/err"; rc=$?
[ $rc -eq 6 ] && grep -q "standard input: empty" "$tmp/err" &&
	ok "analyze - empty: exit 6" || bad "analyze - empty: exit $rc $(cat "$tmp/err")"
"$bin" analyze -o - "$pcaps/clean-v4.pcapng" >"$tmp/o" 2>"$tmp/t"
grep -v '"command"\|"pcap"' "$tmp/o" | cmp -s "$tmp/a" - &&
	grep -q '^Resume' "$tmp/t" && ok "analyze -o -: JSON on stdout, text on stderr" ||
	bad "analyze -o -"

# An output that cannot be written: exit 1, a message, no file.
ln -s "$tmp/target" "$tmp/link"
mkdir "$tmp/dir"
check() {	# WANT-MESSAGE ARGS...
	local want=$1; shift
	"$bin" analyze "$@" "$pcaps/clean-v4.pcapng" >/dev/null 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$want" "$tmp/err" && [ ! -e "$tmp/target" ]; then
		ok "analyze $*: exit 1, $want"
	else
		bad "analyze $*: exit $rc: $(cat "$tmp/err")"
	fi
}
check "-o $tmp/link: is a symbolic link; not followed" -o "$tmp/link"
check "--report $tmp/link: is a symbolic link; not followed" --report "$tmp/link"
check "is a directory" -o "$tmp/dir"
check "its directory does not exist" --report "$tmp/nosuch/x.md"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$tmp"; chmod 555 "$tmp/dir"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$bin" analyze -o "$tmp/dir/x.json" "$pcaps/clean-v4.pcapng" \
		>/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 1 ] && grep -q "Permission denied" "$tmp/err" &&
		[ ! -e "$tmp/dir/x.json" ] && ok "unwritable directory: exit 1" ||
		bad "unwritable directory: exit $rc $(cat "$tmp/err")"
fi

# path: the checks come before any probe (and before any name lookup).
early() {	# WANT-MESSAGE ARGS...
	local want=$1; shift
	local t0 t1 rc
	t0=$(date +%s%N)
	timeout 10 "$bin" path --rate 1 "$@" @127.0.0.1 probe.test \
		>"$tmp/out" 2>"$tmp/err"; rc=$?
	t1=$(date +%s%N)
	local ms=$(( (t1 - t0) / 1000000 ))
	if [ $rc -eq 1 ] && [ $ms -lt 500 ] && grep -q -- "$want" "$tmp/err" &&
	    ! grep -q "^Resume" "$tmp/out"; then
		ok "path $*: exit 1 in $ms ms"
	else
		bad "path $*: exit $rc in $ms ms: $(cat "$tmp/err")"
	fi
}
early "--pcap /nonexistent/dir/x.pcapng: its directory does not exist" \
	--pcap /nonexistent/dir/x.pcapng
early "--pcap $tmp/link: is a symbolic link; not followed" --pcap "$tmp/link"
early "--iface nosuch0: no such interface" --iface nosuch0
early "only one can write to standard output" --pcap - -o -
early "standard output already carries --json" --pcap - --json
early "-o $tmp/link: is a symbolic link" -o "$tmp/link"
[ ! -e "$tmp/target" ] || bad "a file was written through the symlink"

# A run that fails after its outputs were opened loses nothing: a file
# that was there keeps its bytes, one it made is removed.
echo "yesterday's report" >"$tmp/old.json"
"$bin" analyze -o "$tmp/old.json" --report "$tmp/new.md" "$tmp/nosuch.pcap" \
	>/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 6 ] && [ "$(cat "$tmp/old.json")" = "yesterday's report" ] &&
	[ ! -e "$tmp/new.md" ] &&
	ok "failed analyze: the old -o file kept, the new --report removed" ||
	bad "failed analyze: exit $rc, old: $(head -c 80 "$tmp/old.json"), new: $(ls "$tmp/new.md" 2>&1)"
"$bin" analyze -o "$tmp/old.json" "$pcaps/clean-v4.pcapng" >/dev/null 2>&1
jq -e .schema "$tmp/old.json" >/dev/null 2>&1 &&
	ok "a run that works overwrites the old -o file" ||
	bad "the old -o file was not overwritten: $(head -c 80 "$tmp/old.json")"
# The same for a capture file: a survey that finds no target keeps the
# old --pcap file and removes one it made; a run that works (loopback,
# port 9: refused at once; root only, for the capture) starts it anew.
printf 'old capture bytes' >"$tmp/old.pcapng"
: >"$tmp/empty.txt"
"$bin" survey --pcap "$tmp/old.pcapng" "$tmp/empty.txt" >/dev/null 2>&1; rc=$?
"$bin" survey --pcap "$tmp/new.pcapng" "$tmp/empty.txt" >/dev/null 2>&1
[ $rc -eq 1 ] && [ "$(cat "$tmp/old.pcapng")" = "old capture bytes" ] &&
	[ ! -e "$tmp/new.pcapng" ] &&
	ok "failed survey: the old --pcap file kept, a new one removed" ||
	bad "failed survey: exit $rc, old: $(head -c 40 "$tmp/old.pcapng" | od -c | head -1), new: $(ls "$tmp/new.pcapng" 2>&1)"
# ... and leaks no descriptor of the outputs it opened (valgrind lists
# the descriptors open at exit by name).
if command -v valgrind >/dev/null; then
	(cd "$tmp" && valgrind -q --track-fds=yes "$bin" survey --pcap v.pcapng \
		-o v.json --report v.md empty.txt) >/dev/null 2>"$tmp/vg"
	! grep -q 'Open file descriptor [0-9]*: v\.' "$tmp/vg" &&
		ok "failed survey: no output descriptor left open" ||
		bad "failed survey leaks descriptors: $(grep 'Open file' "$tmp/vg")"
fi
if [ "$(id -u)" -eq 0 ]; then
	timeout 20 "$bin" path --no-raw +tries=1 --timeout 0.3 -p 9 \
		--pcap "$tmp/old.pcapng" @127.0.0.1 >/dev/null 2>"$tmp/err"
	magic=$(head -c 4 "$tmp/old.pcapng" | od -An -tx1 | tr -d ' ')
	"$bin" analyze -p 9 "$tmp/old.pcapng" >/dev/null 2>&1; arc=$?
	[ "$magic" = 0a0d0d0a ] && [ $arc -ne 6 ] &&
		! grep -q 'old capture bytes' "$tmp/old.pcapng" &&
		ok "a run that works writes the old --pcap file anew" ||
		bad "--pcap over an old file: magic $magic, analyze exit $arc: $(cat "$tmp/err")"
fi
[ $fails -eq 0 ] && echo "outputs: all ok" || echo "outputs: $fails failed"
exit $((fails > 0))
