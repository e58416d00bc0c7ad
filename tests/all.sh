#!/usr/bin/env bash
# tests/all.sh: set up, build twice (release with -Werror; ASan+UBSan) and
# run every test (unit and lab) under both.  Run as root; CI runs this.
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
stamp "tests, sanitizer build"
(cd "$top/build-asan" &&
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure) || rc=1
stamp "done (exit $rc)"
exit $rc
