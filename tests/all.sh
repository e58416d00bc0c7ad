#!/usr/bin/env bash
# tests/all.sh: set up, build twice (release with -Werror; ASan+UBSan) and
# run every test (unit, pcap, lab, fuzz replays) under both (tshark's
# referee tests and the lab's variant scenarios in the release build
# only), then fuzz
# each parser for a short while (EP_FUZZ_SECONDS, default 30, 0 skips;
# tests/fuzz/run.sh, docs/security.md).  Run as root; CI runs this.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
t0=$(date +%s)
stamp() { echo "== $(( $(date +%s) - t0 ))s: $*"; }

stamp "release build"
"$top/tests/setup.sh" "$top/build-release" -DCMAKE_BUILD_TYPE=Release \
	-DEP_WERROR=ON
stamp "sanitizer build"
"$top/tests/setup.sh" "$top/build-asan" -DCMAKE_BUILD_TYPE=Debug \
	-DEP_WERROR=ON -DEP_SANITIZE=ON
rc=0
stamp "tests, release build"
(cd "$top/build-release" && ctest --output-on-failure) || rc=1
# The sanitizer pass skips the tests whose work is tshark's (label
# referee: its counts do not change with a sanitizer), the lab scenarios
# that repeat another's code paths with another fault (label variant),
# and cuts the reference captures every 2048 bytes, not 64
# (pcap_realworld).
stamp "tests, sanitizer build"
(cd "$top/build-asan" &&
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 EP_CUT_STEP=2048 \
	ctest --output-on-failure -LE 'referee|variant') || rc=1
fuzz_secs=${EP_FUZZ_SECONDS:-30}
if [ "$fuzz_secs" -gt 0 ]; then
	stamp "fuzzing, ${fuzz_secs}s per target"
	EP_FUZZ_BUILD="$top/build-fuzz" "$top/tests/fuzz/run.sh" "$fuzz_secs" ||
		rc=1
fi
stamp "done (exit $rc)"
exit $rc
