#!/usr/bin/env bash
# tests/completion.sh EDNSPROBE SCRIPT: the bash completion the build wrote
# (SCRIPT, from `EDNSPROBE completion bash`), sourced in bash and driven
# through COMP_WORDS/COMP_CWORD as readline would: the exact words of each
# case, so a table that changes without the script fails here; and every
# command's options as its --help shows them.
set -u
bin=$1 script=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$bin" completion bash >"$tmp/now" || bad "completion bash: exit $?"
cmp -s "$tmp/now" "$script" && ok "the built script is the binary's" ||
	bad "$script differs from ednsprobe completion bash"
# shellcheck source=/dev/null
source "$script" || { echo "FAIL: cannot source $script"; exit 1; }
complete -p ednsprobe | grep -q -- '-F _ednsprobe ednsprobe$' &&
	ok "complete -F _ednsprobe ednsprobe" || bad "no complete -F"

# comp WORD... : the sorted COMPREPLY for the words of a line, the last
# the one completed ("" for a TAB after a space).
comp() {
	COMP_WORDS=(ednsprobe "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_ednsprobe
	[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort
}
# expect "WHAT" WANT-WORDS -- WORD...: exactly these words.
expect() {
	local what=$1 want=$2 got
	shift 3
	got=$(comp "$@" | tr '\n' ' ')
	[ -z "$want" ] || want=$(printf '%s\n' $want | sort | tr '\n' ' ')
	[ "$got" = "$want" ] && ok "$what" ||
		bad "$what: got [$got], want [$want]"
}
# has "WHAT" WORDS -- WORD...: these among the words; lacks: none of them.
has() {
	local what=$1 w got
	got=" $(comp "${@:4}" | tr '\n' ' ') "
	for w in $2; do
		[[ $got == *" $w "* ]] || { bad "$what: no $w in [$got]"; return; }
	done
	ok "$what"
}
lacks() {
	local what=$1 w got
	got=" $(comp "${@:4}" | tr '\n' ' ') "
	for w in $2; do
		[[ $got != *" $w "* ]] || { bad "$what: $w in [$got]"; return; }
	done
	ok "$what"
}

commands="path compliance survey zone resolver respond analyze completion"
expect "ednsprobe TAB: every command" "$commands help" -- ""
expect "ednsprobe p TAB" "path" -- p
expect "ednsprobe - TAB" "-h --help -V --version" -- -
expect "help TAB: the commands" "$commands" -- help ""
expect "help path TAB: nothing" "" -- help path ""
expect "analyze --TAB: analyze's options" "--port --json --format
	--json-file --report --user --verbose --help --version" -- analyze --
lacks "analyze --TAB: no path-only option" "--sizes --pcap --iface
	--no-raw --timeout" -- analyze --
expect "respond --TAB" "--zone --listen --rate --duration --pcap
	--pcap-format --iface --user --verbose --help --version" -- respond --
expect "path +TAB: the +words" "+dnssec +nodnssec +recurse +rec +norecurse
	+norec +tcp +vc +notcp +novc +bufsize= +time= +timeout= +tries=
	+retry= +short +noshort" -- path +
expect "path +bu TAB" "+bufsize=" -- path +bu
expect "survey +TAB: no +short" "+dnssec +nodnssec +recurse +rec
	+norecurse +norec +tcp +vc +notcp +novc +bufsize= +time= +timeout=
	+tries= +retry=" -- survey +
expect "analyze +TAB" "+short +noshort" -- analyze +
expect "respond +TAB: none" "" -- respond +
has "path -TAB: the short options too" "-4 -6 -p -q -t -o -Z -v -h -V
	--sizes --help" -- path -
lacks "zone -TAB: no -t (dig's -t is path's and resolver's)" "-t" -- zone -
expect "completion TAB" "bash" -- completion ""
expect "completion --TAB" "--help --version" -- completion --

# Values: files, interfaces, types, words.
mkdir "$tmp/d" "$tmp/d/sub" && : >"$tmp/d/a.pcapng" && : >"$tmp/d/b.json"
cd "$tmp/d" || exit 1
expect "path --pcap TAB: files" "a.pcapng b.json sub" -- path @s --pcap ""
expect "path --pcap a TAB" "a.pcapng" -- path --pcap a
expect "path --pcap=TAB (split at =)" "a.pcapng b.json sub" -- path \
	--pcap = ""
expect "path --pcap=a TAB (split at =)" "a.pcapng" -- path --pcap = a
expect "path --pcap=a TAB (whole)" "--pcap=a.pcapng" -- path --pcap=a
expect "analyze -o TAB: files" "a.pcapng b.json sub" -- analyze -o ""
expect "analyze --report b TAB" "b.json" -- analyze --report b
expect "analyze TAB: the capture FILE" "a.pcapng b.json sub" -- analyze ""
expect "analyze --json a TAB" "a.pcapng" -- analyze --json a
expect "survey TAB: the list FILE" "a.pcapng b.json sub" -- survey ""
expect "analyze -p TAB: a port, nothing offered" "" -- analyze -p ""
expect "path TAB: NAME, nothing offered" "" -- path @s ""
expect "zone --hints TAB" "a.pcapng b.json sub" -- zone --hints ""
cd - >/dev/null || exit 1
has "path -t TAB: DNS types" "A AAAA DNSKEY TXT MX SOA NS DS" -- path -t ""
expect "path -t AA TAB" "AAAA" -- path -t AA
expect "resolver -t DNSK TAB" "DNSKEY" -- resolver -t DNSK
ifaces="any"
[ -e /sys/class/net/lo ] && ifaces="any lo"
has "path --iface TAB: interfaces" "$ifaces" -- path --iface ""
expect "path --iface=an TAB (split)" "any" -- path --iface = an
expect "compliance --format TAB" "text json genreport" -- compliance \
	--format ""
expect "path --format TAB" "text json" -- path --format ""
expect "path --pcap-format=TAB" "pcapng pcap" -- path --pcap-format = ""
expect "path --json=TAB: takes no value" "" -- path --json = ""
expect "path +time=TAB: a number" "" -- path +time = ""

# Every command's options as its help shows them, and its +words among
# the script's (the help writes +[no]WORD for both).
for c in $commands; do
	want=$("$bin" "$c" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u |
		tr '\n' ' ')
	got=$(comp "$c" -- | tr '\n' ' ')
	[ "$got" = "$want" ] && ok "$c: the options of $c --help" ||
		bad "$c: completion [$got], --help [$want]"
	got=" $(comp "$c" + | tr '\n' ' ') "
	miss=
	for w in $("$bin" "$c" --help | grep -o -- '+[][a-z]*' | sort -u); do
		case $w in
		+\[no\]*) set -- "+${w#+\[no\]}" "+no${w#+\[no\]}" ;;
		*) set -- "$w" ;;
		esac
		for v in "$@"; do
			[[ $got == *" $v "* || $got == *" $v= "* ]] ||
				miss+=" $v"
		done
	done
	[ -z "$miss" ] && ok "$c: the +words of $c --help" ||
		bad "$c: +words of --help not offered:$miss"
done

# The command itself: bash only, a usage error otherwise (exit 1).
for args in "completion" "completion zsh" "completion bash zsh"; do
	# shellcheck disable=SC2086
	"$bin" $args >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ $rc -eq 1 ] && [ ! -s "$tmp/out" ] &&
		grep -q "usage: ednsprobe completion" "$tmp/err" &&
		ok "ednsprobe $args: usage error, exit 1 ($(head -1 "$tmp/err"))" ||
		bad "ednsprobe $args: exit $rc, $(cat "$tmp/err")"
done
"$bin" completion bash >/dev/full 2>"$tmp/err"; rc=$?
[ $rc -eq 10 ] && grep -q "standard output" "$tmp/err" &&
	ok "completion bash >/dev/full: exit 10" ||
	bad "completion bash >/dev/full: exit $rc $(cat "$tmp/err")"

echo "$fails failed"
[ $fails -eq 0 ]
