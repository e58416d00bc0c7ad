#!/usr/bin/env bash
# tests/bench/bench_survey.sh [BUILD-DIR] [N] [RATE...]: the survey's
# throughput over the lab's farm (tests/lab/farm.sh: N addresses, default
# 1000, a tenth each behind an inbound fragment drop, a TCP drop or
# silence).  For each packet-rate cap (default 20 200 1000) and each probe
# set (socket probes only, --no-raw; and every probe) it prints targets per
# minute, packets sent, the share of the cap used, CPU time per target,
# peak RSS and the targets cut by their time bound ("cut", must be 0),
# from the survey's own summary line and /usr/bin/time.  At
# 20/s only the first 100 targets are surveyed (a full 1000 would take
# about half an hour).  Not a pass/fail test.  Run as root; brings the lab
# up and leaves it down.  Serialise with other lab users:
#   flock /run/ep-lab.lock tests/bench/bench_survey.sh build-release
# EP_BENCH_PARALLEL (default 128) is --parallel.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-1000}
shift 2 2>/dev/null || shift $#
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(20 200 1000)
par=${EP_BENCH_PARALLEL:-128}
bin=$(realpath "$build/ednsprobe")
lab=$top/tests/lab/lab.sh
farm=$top/tests/lab/farm.sh
state=${EP_LAB_STATE:-/run/ednsprobe-lab}
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 1; }
tmp=$(mktemp -d)
cleanup() {
	"$farm" down >/dev/null 2>&1
	"$lab" down >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

"$lab" up >"$tmp/up.log" 2>&1 || { tail "$tmp/up.log"; exit 1; }
"$farm" up "$n" >"$tmp/farm.log" 2>&1 || { tail "$tmp/farm.log"; exit 1; }
grep -v '^#' "$state/farm.txt" >"$tmp/all.txt"
head -100 "$tmp/all.txt" >"$tmp/100.txt"

printf '%-6s %-7s %7s %8s %10s %8s %7s %12s %9s %6s\n' rate probes targets \
	seconds targets/min packets "cap%" "CPU ms/tgt" "RSS KiB" "cut"
for rate in "${rates[@]}"; do
	list=$tmp/all.txt
	[ "$rate" -lt 100 ] && list=$tmp/100.txt
	for probes in no-raw all; do
		extra=()
		[ $probes = no-raw ] && extra=(--no-raw)
		ip netns exec ep-client /usr/bin/time -f '%U %S %M' \
			-o "$tmp/time" "$bin" survey --rate "$rate" \
			--parallel "$par" --timeout 1 --no-pcap "${extra[@]}" \
			"$list" >"$tmp/out.jsonl" 2>"$tmp/err"
		# time(1) says first when the exit status is not 0 (2:
		# findings): its figures are the last line.
		read -r user sys rss < <(tail -1 "$tmp/time")
		jq -r -s --arg r "$rate" --arg p "$probes" --arg u "$user" \
			--arg s "$sys" --arg m "$rss" '.[-1] |
			[$r, $p, .targets, (.duration_ms / 1000),
			 (.targets_per_minute | floor), .packets,
			 ((.rate_used * 1000 | floor) / 10),
			 ((($u | tonumber) + ($s | tonumber)) * 1000 /
			  .targets * 100 | floor) / 100, $m,
			 .budget_exceeded] | @tsv' \
			"$tmp/out.jsonl" | awk -F '\t' '{ printf "%-6s %-7s %7s %8.1f %10s %8s %7s %12s %9s %6s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
	done
done
