#!/usr/bin/env bash
# tests/lab/ctest_lab.sh: brings the lab up or down for ctest (fixture).
# Without root the lab cannot exist: skip (77), except under CI, where a
# lab that cannot be built is a failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "lab: not root under CI: cannot build the lab" >&2
		exit 1
	fi
	echo "lab: skipped: needs root (network namespaces)" >&2
	exit 77
fi
exec "$here/lab.sh" "$@"
