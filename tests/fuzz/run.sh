#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS]: build the libFuzzer targets (clang,
# -DEP_FUZZ=ON, in build-fuzz/) and fuzz each for SECONDS (default 3600),
# two at a time, each seeded from a copy of its corpus in a scratch
# directory (the repository is never written).  Prints per target the
# executions, coverage (cov: edges, ft: features), the corpus it grew and
# the crashes; exits 1 when a target crashed, leaked, timed out or ran
# out of memory (its input is kept in the scratch directory: add it to
# tests/fuzz/corpus/NAME/ as crash-WHAT once fixed).
# Environment: EP_FUZZ_BUILD (build dir), EP_FUZZ_WORK (scratch dir, kept;
# default a new one under /tmp), EP_FUZZ_JOBS (parallel targets, 2),
# EP_FUZZ_TARGETS (default "pcap frame dns options survey zone twoway
# tcpstream").
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-3600}
build=${EP_FUZZ_BUILD:-$top/build-fuzz}
work=${EP_FUZZ_WORK:-$(mktemp -d /tmp/ednsprobe-fuzz.XXXXXX)}
jobs=${EP_FUZZ_JOBS:-2}
targets=${EP_FUZZ_TARGETS:-pcap frame dns options survey zone twoway tcpstream}
case $secs in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 1 ;; esac

CC=clang cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DEP_FUZZ=ON -DEP_WERROR=ON >/dev/null
for t in $targets; do
	cmake --build "$build" -j"$(nproc)" --target "fuzz_$t" >/dev/null
done
echo "fuzz: ${secs}s per target, $jobs at a time, in $work"

# Longest input per target: a capture file or a frame up to 64 KB, a DNS
# message up to 65535 bytes, a command line up to 4 KB.
max_len() {
	case $1 in options | survey) echo 4096 ;; *) echo 65536 ;; esac
}

run_one() {
	local t=$1 d=$work/$1
	mkdir -p "$d/corpus" "$d/artifacts"
	cp -n "$top/tests/fuzz/corpus/$t"/* "$d/corpus/"
	local rc=0 t0
	t0=$(date +%s)
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=5 \
		-rss_limit_mb=2048 -max_len="$(max_len "$t")" \
		-print_final_stats=1 -artifact_prefix="$d/artifacts/" \
		"$d/corpus" >"$d/log" 2>&1 || rc=$?
	echo "$rc $(( $(date +%s) - t0 ))" >"$d/status"
}

running=0
for t in $targets; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	run_one "$t" &
	running=$((running + 1))
done
wait

rc=0
printf '%-8s %6s %12s %8s %6s %7s %14s %s\n' target secs execs exec/s \
	cov ft corpus result
for t in $targets; do
	d=$work/$t
	read -r status took <"$d/status"
	last=$(grep -E '^#[0-9]+.*cov: ' "$d/log" | tail -1 || true)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/log")
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([^ ]*\).*/\1/p')
	arts=$(find "$d/artifacts" -type f | wc -l)
	if [ "$status" -ne 0 ] || [ "$arts" -ne 0 ]; then
		result="FAILED (exit $status, $arts artifacts in $d/artifacts)"
		rc=1
	else
		result=ok
	fi
	printf '%-8s %6s %12s %8s %6s %7s %14s %s\n' "$t" "$took" \
		"${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
		"$result"
done
for t in $targets; do
	read -r status took <"$work/$t/status"
	if [ "$status" -ne 0 ]; then
		echo "== fuzz_$t log tail ($work/$t/log):"
		grep -v '^#[0-9]' "$work/$t/log" | tail -40
	fi
done
exit $rc
