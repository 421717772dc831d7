#!/bin/sh
# prove.sh - run the unit tests and t/*.t with prove; end with the counts
#
# Called by `make test` with POSTERN_BIN (the sanitized programs) and
# POSTERN_UNITS (the built unit tests) set. Prints prove's own report, then a
# last line "N passed, N failed" counting test points, where a test file that
# died or broke its plan without a failed point counts as one failure.
cd "$(dirname "$0")/../.." || exit 2
: "${POSTERN_BIN:?}" "${POSTERN_UNITS:?}"
export POSTERN_BIN POSTERN_UNITS
# leak checking needs ptrace, which the daemons' sandboxes forbid
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
prove --exec '' --timer "$POSTERN_UNITS"/*.t t/*.t 2>&1 | tee "$out"
status=$?
awk '
/^Files=[0-9]+, Tests=[0-9]+/ { split($2, a, "="); sub(/,/, "", a[2]); total = a[2] }
/Failed [0-9]+\/[0-9]+ subtests/ { split($2, f, "/"); failed += f[1]; counted[FILENAME]++ }
/Wstat: [1-9]|Parse errors:|Bad plan|No plan found/ { died++ }
END {
	if (failed == 0 && died > 0) failed = died
	passed = total - failed; if (passed < 0) passed = 0
	printf "%d passed, %d failed\n", passed, failed
}' "$out"
grep -q '^Result: PASS' "$out"
